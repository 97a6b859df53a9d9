"""Typed, bounded access to one YAML mapping of a site config.

Every failure is one ConfigError naming the file and the key. A value is never put into a message
whole: configs come from anywhere, so `shown()` cuts it and says its type and size.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import re2
from cssselect import SelectorError
from parsel.csstranslator import HTMLTranslator

from archiver.config.schema import ConfigError

_css = HTMLTranslator()
# RE2 runs in time linear in the URL's length, whatever the pattern: no URL can hang a crawl.
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # the error goes into the ConfigError, not to stderr


def shown(value: Any, limit: int = 60) -> str:
    """A value for a message, bounded: a container by its type and size, never its contents."""
    if isinstance(value, list | tuple | dict | set):
        kind = "a mapping" if isinstance(value, dict) else "a list"
        return f"{kind} of {len(value)} item(s)"
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:limit]!r}... (a string of {len(value)} characters)"
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({type(value).__name__})"


class Reader:
    """Typed access to one YAML mapping; every failure raises ConfigError naming the key."""

    def __init__(self, source: Path, data: Any, prefix: str = ""):
        self.source = source
        self.prefix = prefix
        if not isinstance(data, dict):
            raise ConfigError(source, prefix.rstrip(".") or None, "must be a mapping of keys")
        self.data = data

    def key(self, name: Any) -> str:
        return self.prefix + (name if isinstance(name, str) and len(name) <= 60 else shown(name))

    def error(self, name: Any, problem: str) -> ConfigError:
        return ConfigError(self.source, self.key(name), problem)

    def check_known(self, known: set[str]) -> None:
        for name in self.data:
            if name not in known:
                raise self.error(name, f"unknown key (known: {', '.join(sorted(known))})")

    def text(self, name: str, required: bool = True) -> str | None:
        value = self.data.get(name)
        if value is None:
            if required:
                raise self.error(name, "is missing")
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.error(name, f"must be a non-empty string, got {shown(value)}")
        return value.strip()

    def texts(self, name: str, required: bool = True) -> tuple[str, ...]:
        value = self.data.get(name)
        if value is None:
            if required:
                raise self.error(name, "is missing")
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.error(name, "must be a list of non-empty strings")
        if required and not value:
            raise self.error(name, "must not be empty")
        return tuple(v.strip() for v in value)

    def selector(self, name: str) -> str | None:
        value = self.text(name, required=False)
        if value is not None:
            try:
                _css.css_to_xpath(value)
            except SelectorError as exc:
                raise self.error(name, f"is not a valid CSS selector: {exc}") from None
        return value

    def regex(self, name: str) -> Any:
        value = self.text(name, required=False)
        if value is None:
            return None
        try:
            return re2.compile(value, _RE2_OPTIONS)
        except re2.error as exc:
            why = exc.args[0].decode("utf-8", "replace") if exc.args else "invalid"
            raise self.error(name, f"is not a regular expression RE2 accepts ({why[:100]}); "
                             "lookaround and backreferences are not supported") from None

    def regexes(self, name: str) -> tuple[Any, ...]:
        """A list of RE2 patterns (one string counts as a list of one)."""
        patterns = []
        for value in self.texts(name, required=False):
            try:
                patterns.append(re2.compile(value, _RE2_OPTIONS))
            except re2.error as exc:
                why = exc.args[0].decode("utf-8", "replace") if exc.args else "invalid"
                raise self.error(name, f"{shown(value)} is not a regular expression RE2 accepts "
                                 f"({why[:100]}); lookaround and backreferences are not "
                                 "supported") from None
        return tuple(patterns)

    def choice(self, name: str, choices: tuple[str, ...], default: str | None) -> str | None:
        value = self.text(name, required=False)
        if value is None:
            return default
        if value not in choices:
            raise self.error(name, f"must be one of {', '.join(choices)}, got {shown(value)}")
        return value

    def flag(self, name: str) -> bool:
        value = self.data.get(name, False)
        if not isinstance(value, bool):
            raise self.error(name, f"must be true or false, got {shown(value)}")
        return value

    def positive_int(self, name: str) -> int | None:
        value = self.data.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise self.error(name, f"must be a whole number >= 1, got {shown(value)}")
        return value

    def section(self, name: str, known: set[str] | None = None) -> Reader:
        sub = Reader(self.source, self.data.get(name) or {}, self.key(name) + ".")
        if known is not None:
            sub.check_known(known)
        return sub
