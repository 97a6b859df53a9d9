"""The Scrapy settings a site config may set under `settings:`, each with its type and range.

Only what a site may need to be crawled politely and reliably is allowed: delays, concurrency,
AutoThrottle, robots.txt, the user agent, timeouts, retries and download caps no larger than the
defaults. Anything else (pipelines, middlewares, feeds, log files, extensions...) could switch off
a safety or write outside the archive, and is a config error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from archiver import settings as defaults


@dataclass(frozen=True)
class Allowed:
    kind: type  # bool, int, float (an int is a float too) or str
    low: float | None = None
    high: float | None = None

    def problem(self, value: Any) -> str | None:
        """Why the value is refused, or None."""
        if self.kind is bool:
            return None if isinstance(value, bool) else "must be true or false"
        if self.kind is str:
            if not isinstance(value, str) or not value.strip() or len(value) > 300 \
                    or not value.isprintable():
                return "must be one line of printable text, at most 300 characters"
            return None
        numeric = (int,) if self.kind is int else (int, float)
        if isinstance(value, bool) or not isinstance(value, numeric):
            return f"must be a {'whole number' if self.kind is int else 'number'}"
        if not self.low <= value <= self.high:
            return f"must be between {_number(self.low)} and {_number(self.high)}"
        return None


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


ALLOWED: dict[str, Allowed] = {
    # Politeness and pace.
    "DOWNLOAD_DELAY": Allowed(float, 0, 600),
    "RANDOMIZE_DOWNLOAD_DELAY": Allowed(bool),
    "CONCURRENT_REQUESTS": Allowed(int, 1, 256),
    "CONCURRENT_REQUESTS_PER_DOMAIN": Allowed(int, 1, 256),
    "AUTOTHROTTLE_ENABLED": Allowed(bool),
    "AUTOTHROTTLE_START_DELAY": Allowed(float, 0, 600),
    "AUTOTHROTTLE_MAX_DELAY": Allowed(float, 0, 3600),
    "AUTOTHROTTLE_TARGET_CONCURRENCY": Allowed(float, 0.1, 256),
    "ROBOTSTXT_OBEY": Allowed(bool),
    "USER_AGENT": Allowed(str),
    "COOKIES_ENABLED": Allowed(bool),
    # Patience with slow or failing servers.
    "DOWNLOAD_TIMEOUT": Allowed(float, 1, 600),
    "RETRY_ENABLED": Allowed(bool),
    "RETRY_TIMES": Allowed(int, 0, 10),
    "ARCHIVER_RETRY_BACKOFF": Allowed(float, 0, 300),
    "ARCHIVER_RETRY_BACKOFF_MAX": Allowed(float, 0, 3600),
    # Size caps: a site may lower them, never raise them.
    "DOWNLOAD_MAXSIZE": Allowed(int, 1, defaults.DOWNLOAD_MAXSIZE),
    "DOWNLOAD_WARNSIZE": Allowed(int, 1, defaults.DOWNLOAD_MAXSIZE),
    "ARCHIVER_IMAGE_MAXSIZE": Allowed(int, 1, defaults.ARCHIVER_IMAGE_MAXSIZE),
}

