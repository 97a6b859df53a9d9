"""Argument types of the command line: a value a user can get wrong is checked while parsing, so
the mistake is one line on stderr and exit code 2, before anything is crawled or written."""

from __future__ import annotations

import argparse
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit


def count(text: str) -> int:
    """A number of articles: 1 or more (0 used to mean "no limit", which nobody guesses)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not 1 or more (leave the option out for "
                                         "no limit)")
    return value


def day(text: str) -> str:
    """A calendar day, YYYY-MM-DD, kept as that text (archive dates compare as text)."""
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: give YYYY-MM-DD, "
                                         "e.g. 2026-01-31") from None


def moment(text: str) -> datetime:
    """A local time, ISO 8601 (YYYY-MM-DD or YYYY-MM-DDTHH:MM)."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a time: give YYYY-MM-DDTHH:MM, "
                                         "e.g. 2026-01-31T06:00") from None


def log_file(text: str) -> str:
    """A file Scrapy's log can be appended to: its folder is created when missing (cron and
    systemd give a path under /var/log that may not exist yet); a folder, or a place that
    cannot be written, is a usage error now rather than an unexpected error after the crawl
    began."""
    path = Path(text).expanduser()
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a folder: give a file name, e.g. "
                                         f"{path / 'archiver.log'}")
    blocker = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise argparse.ArgumentTypeError(f"cannot write {text}: {blocker} is not a folder")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8"):
            pass
    except OSError as error:
        raise argparse.ArgumentTypeError(
            f"cannot write {text}: {error.strerror or error}"
            + (f" ({error.filename})" if error.filename and str(error.filename) != text
               else "")) from None
    return str(path.resolve())


def web_url(text: str) -> str:
    """An http(s) URL with a host. A bare `host/path` is refused rather than guessed: the same
    text could mean a local file, and the README promises exit 2 for anything not http(s)."""
    parts = urlsplit(text.strip())
    if parts.scheme in ("http", "https") and parts.hostname:
        return text.strip()
    if not parts.scheme or "://" not in text:
        hint = f"; did you mean http://{text.strip()} ?" if "." in text.split("/")[0] else ""
        raise argparse.ArgumentTypeError(f"{text!r} is not an http(s) URL{hint}")
    raise argparse.ArgumentTypeError(f"{text!r} is not an http(s) URL: only web pages can be "
                                     "archived")


class UrlList(argparse.Action):
    """A repeatable option taking one URL, or several separated by commas, so that
    `--scrapyd URL SITE` never takes the site for a second URL."""

    def __call__(self, parser, namespace, values, option_string=None):
        urls = list(getattr(namespace, self.dest, None) or [])
        for part in str(values).split(","):
            if part.strip():
                try:
                    urls.append(web_url(part))
                except argparse.ArgumentTypeError as error:
                    parser.error(f"argument {option_string}: {error}")
        setattr(namespace, self.dest, urls)


class NameList(argparse.Action):
    """A repeatable option taking one name, or several separated by commas."""

    def __call__(self, parser, namespace, values, option_string=None):
        names = list(getattr(namespace, self.dest, None) or [])
        names += [part.strip() for part in str(values).split(",") if part.strip()]
        setattr(namespace, self.dest, names)
