"""A run's record as data: every fact about a single URL that the summary and the JSON report
name (a failure, a flag, a gone or changed article, a site-health finding) is one `Event`.

An event has a `kind` from one enumeration and a stable, machine-readable `code` (snake_case:
`http_404`, `no_body`, `write_error`, ...) with its prose `reason` beside it: tools and tests
read the code, people read the reason. `KINDS` is the one table that says, per kind, which list
of the site's report holds its events, which stats counter each event adds one to, and whether
the kind makes the site's outcome `failed` (exit 1). A new kind of outcome is one `Kind` member
and one `KINDS` row (docs/design.md "The run record").

Events are recorded through archiver.run.record.Recorder (counters into Scrapy's stats, the
event itself to SiteRun through a signal) and held by the SiteRun extension, not in stats.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from archiver.run import stats as keys


class Kind(StrEnum):
    """What an event says about its URL. The value is the `kind` field of the JSON report (an
    article, image or list failure keeps the name of what failed, as before codes existed)."""

    ARTICLE = "article"  # an article that was not archived (or not refreshed)
    IMAGE = "image"  # an image or attachment that was not archived
    LIST = "list"  # a list page that failed: the articles it links were not looked for
    FLAGGED = "flagged"  # archived, but needs a look (garbled text, implausible date, ...)
    GONE = "gone"  # the source answers 404/410: nothing to fetch, the archived file is kept
    OFFSITE = "offsite"  # listed by the site but lives elsewhere (WeChat): not fetched
    IGNORED = "ignored"  # listed, but the site's config acknowledges it (ignore_links)
    CHANGED = "changed"  # refresh rewrote the archived file (what changed: the reason)
    HEALTH = "health"  # the site looks redesigned, or a list's walk could not go on
    ALIAS = "alias"  # a listed URL that gave the article of an archived file: not archived twice
    CAPPED = "capped"  # the list-page cap paused a list's walk: the next run goes on from there
    # A refresh that would have made the file worse (archiver.archive.integrity): the file is
    # kept as it was, the new version held back for review (archiver.archive.held).
    HELD_BACK = "held_back"
    # A run record (.state.json, .gone.json, .last-run.json) that could not be used: ignored,
    # treated as absent and written anew (archiver.run.records); url is the file.
    RECORD = "record"


@dataclass(frozen=True)
class KindRule:
    section: str  # the list of the site's JSON report that holds the events of this kind
    counter: str | None  # the stats counter each event of this kind adds one to
    fails: bool  # an event of this kind makes the site's outcome "failed" (exit code 1)


# One row per kind. Sections are listed in the report (and the summary) in this order.
KINDS: Mapping[Kind, KindRule] = MappingProxyType({
    Kind.ARTICLE: KindRule("failures", keys.ARTICLES_FAILED, fails=True),
    Kind.IMAGE: KindRule("failures", keys.IMAGES_FAILED, fails=True),
    Kind.LIST: KindRule("failures", keys.LISTS_FAILED, fails=True),
    Kind.FLAGGED: KindRule("flagged", keys.ARTICLES_FLAGGED, fails=True),
    Kind.GONE: KindRule("gone", keys.ARTICLES_GONE, fails=False),
    Kind.OFFSITE: KindRule("offsite", keys.ARTICLES_OFFSITE, fails=True),
    Kind.IGNORED: KindRule("ignored", keys.ARTICLES_IGNORED, fails=False),
    Kind.CHANGED: KindRule("changed_articles", keys.ARTICLES_CHANGED, fails=False),
    Kind.HEALTH: KindRule("health", None, fails=True),
    Kind.ALIAS: KindRule("aliases", keys.ARTICLES_ALIAS, fails=False),
    # The cap bounds one run, not the archive: a note of how far the walk got, not a failure.
    Kind.CAPPED: KindRule("capped_lists", keys.LISTS_CAPPED, fails=False),
    Kind.HELD_BACK: KindRule("held_back", keys.ARTICLES_HELD_BACK, fails=True),
    Kind.RECORD: KindRule("bad_records", keys.RECORDS_BAD, fails=True),
})

# Stats counter per kind and code, as Scrapy's CoreStats keeps item_dropped_reasons_count/<X>.
CODE_COUNTER = "archiver/codes/{kind}/{code}"


@dataclass(frozen=True)
class Event:
    kind: Kind
    code: str  # stable snake_case code: what tools and tests read
    url: str
    reason: str  # the same in words: what a person reads
    site: str = ""
    # Kind-specific facts, written into the report beside the others: `article` (the article
    # an image belongs to), `file` (the archive file a refresh rewrote), `traceback` (an
    # unexpected error), `max_pages`, `next_page`, `next_url` (a capped list walk).
    detail: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def rule(self) -> KindRule:
        return KINDS[self.kind]

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {"kind": str(self.kind), "code": self.code, "url": self.url,
                                    "reason": self.reason}
        if self.site:
            document["site"] = self.site
        return {**document, **self.detail}


# -- codes of download failures ---------------------------------------------------------------

# Scrapy's download exceptions (2.19 wraps Twisted's in them) and the Twisted ones older code
# paths still raise, by class name -> the code of the failure they mean.
_ERROR_CODES = {
    "CannotResolveHostError": "dns",
    "DNSLookupError": "dns",
    "DownloadTimeoutError": "timeout",
    "TimeoutError": "timeout",
    "TCPTimedOutError": "timeout",
    "UserTimeoutError": "timeout",
    "DownloadConnectionRefusedError": "connection_refused",
    "ConnectionRefusedError": "connection_refused",
    "ResponseDataLossError": "connection_lost",
    "DownloadFailedError": "connection_lost",
    "ConnectionLost": "connection_lost",
    "ConnectionDone": "connection_lost",
    "ResponseFailed": "connection_lost",
    "ResponseNeverReceived": "connection_lost",
    "DownloadCancelledError": "cancelled",
    "CancelledError": "cancelled",
    "UnsupportedURLSchemeError": "unsupported_scheme",
    "SSLError": "tls",
    # archiver.middlewares: a redirect to a host outside allowed_domains, never followed.
    "OffsiteRedirect": "offsite_redirect",
    # A request a downloader middleware refused (robots.txt forbids it, ...).
    "IgnoreRequest": "ignored_request",
}


def download_failure(failure: Any) -> tuple[str, str]:
    """(code, reason a user can act on) of a download failure."""
    value = failure.value
    response = getattr(value, "response", None)
    if response is not None:
        return f"http_{response.status}", f"HTTP {response.status}"
    if getattr(value, "archiver_reason", False):
        # The archiver's own refusals (archiver.middlewares) carry their code and say it all.
        return value.code, str(value)
    reason = f"{type(value).__name__}: {value}".strip().rstrip(":")
    return _ERROR_CODES.get(type(value).__name__, "download_error"), reason
