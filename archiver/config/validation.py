"""Validating one parsed YAML document into a SiteConfig.

Every failure is one ConfigError naming the file and the key. A value is never put into a message
whole: configs come from anywhere, so `shown()` cuts it and says its type and size.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

import re2
from cssselect import SelectorError
from parsel.csstranslator import HTMLTranslator

from archiver.config.schema import (
    CMS_VALUES,
    IMAGE_LINK_MODES,
    PAGING_MODES,
    RENDER_VALUES,
    ArticleRules,
    ConfigError,
    ListRules,
    SiteConfig,
)
from archiver.config.sitesettings import ALLOWED
from archiver.schedule import valid as valid_schedule

_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
NAME_MAX = 253  # a host name's limit; a folder name may have 255 bytes
_css = HTMLTranslator()
# RE2 runs in time linear in the URL's length, whatever the pattern: no URL can hang a crawl.
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # the error goes into the ConfigError, not to stderr

_TOP_KEYS = {
    "name", "school", "label", "tags", "categories", "allowed_domains", "start_urls",
    "list", "article", "image_links", "settings", "cms", "t2s", "image_domains", "render",
    "render_wait", "schedule",
}
_LIST_KEYS = {"article_links", "next_page", "max_pages", "paging"}
_ARTICLE_KEYS = {"url_pattern", "headline", "published", "body"}


def shown(value: Any, limit: int = 60) -> str:
    """A value for a message, bounded: a container by its type and size, never its contents."""
    if isinstance(value, list | tuple | dict | set):
        kind = "a mapping" if isinstance(value, dict) else "a list"
        return f"{kind} of {len(value)} item(s)"
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:limit]!r}... (a string of {len(value)} characters)"
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({type(value).__name__})"


def name_problem(name: str) -> str | None:
    """Why a site name cannot name a folder of the archive, or None."""
    if len(name) > NAME_MAX or not _NAME_RE.match(name):
        return (f"must be lower-case letters, digits, '.', '-' or '_' (at most {NAME_MAX}, "
                f"starting with a letter or digit), got {shown(name)}")
    return None


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


def parse_site(source: Path, data: Any) -> SiteConfig:
    """Validate one parsed YAML document into a SiteConfig."""
    top = Reader(source, data)
    top.check_known(_TOP_KEYS)
    name = top.text("name")
    if problem := name_problem(name):
        raise top.error("name", problem)
    start_urls = top.texts("start_urls")
    for url in start_urls:
        if urlsplit(url).scheme not in ("http", "https"):
            raise top.error("start_urls", f"{shown(url)} is not an http(s) URL")
    lists = top.section("list", _LIST_KEYS)
    article = top.section("article", _ARTICLE_KEYS)
    site = SiteConfig(
        name=name,
        school=top.text("school"),
        label=top.text("label"),
        tags=top.texts("tags"),
        categories=top.texts("categories"),
        allowed_domains=tuple(d.lower() for d in top.texts("allowed_domains")),
        start_urls=start_urls,
        list=ListRules(
            article_links=lists.selector("article_links"),
            next_page=lists.selector("next_page"),
            max_pages=lists.positive_int("max_pages"),
            paging=lists.choice("paging", PAGING_MODES, None),
        ),
        article=ArticleRules(
            url_pattern=article.regex("url_pattern"),
            headline=article.selector("headline"),
            published=article.selector("published"),
            body=article.selector("body"),
        ),
        cms=top.choice("cms", CMS_VALUES, "auto"),
        image_domains=tuple(d.lower() for d in top.texts("image_domains", required=False)),
        image_links=top.choice("image_links", IMAGE_LINK_MODES, None),
        t2s=top.flag("t2s"),
        render=_render(top),
        render_wait=top.selector("render_wait"),
        schedule=_schedule(top),
        settings=_settings(top),
        source=str(source),
    )
    for url in start_urls:
        if not site.allows(url):
            raise top.error("start_urls", f"{shown(url)} is outside allowed_domains")
    return site


def _render(top: Reader) -> str | None:
    render = top.data.get("render")
    if render is True:
        return "all"
    if render in (False, None):
        return None
    if render not in RENDER_VALUES:
        raise top.error("render", f"must be true, false, {', '.join(RENDER_VALUES)}; "
                        f"got {shown(render)}")
    return render


def _schedule(top: Reader) -> str | None:
    value = top.text("schedule", required=False)
    if value is not None and not valid_schedule(value):
        raise top.error("schedule", f"must be hourly, daily, weekly or a cron expression "
                        f"(minute hour day month weekday), got {shown(value)}")
    return value


def _settings(top: Reader) -> MappingProxyType:
    """The per-site Scrapy settings: only the allow-list of archiver.config.sitesettings, each
    value checked for its type and range."""
    settings = top.section("settings")
    for key, value in settings.data.items():
        if key not in ALLOWED:
            raise settings.error(key, f"is not a per-site setting (allowed: {', '.join(ALLOWED)})")
        if problem := ALLOWED[key].problem(value):
            raise settings.error(key, f"{problem}, got {shown(value)}")
    return MappingProxyType(dict(settings.data))
