"""What a run did, kept in Scrapy's stats: the keys, and the functions that record into them.

Counters live under `archiver/...`; the failures with their URLs and reasons are kept as a list
under `archiver/failures` so the summary and the report can name each one.
"""

from __future__ import annotations

from typing import Any

from scrapy.statscollectors import StatsCollector

ARTICLES_NEW = "archiver/articles/new"
ARTICLES_ARCHIVED = "archiver/articles/already_archived"
ARTICLES_FAILED = "archiver/articles/failed"
IMAGES_FETCHED = "archiver/images/fetched"
IMAGES_FAILED = "archiver/images/failed"
ARTICLES_FLAGGED = "archiver/articles/flagged"
ARTICLES_CHANGED = "archiver/articles/changed"
ARTICLES_UNCHANGED = "archiver/articles/unchanged"
ARTICLES_GONE = "archiver/articles/gone"
# Listed articles that live off the site (WeChat) and are not fetched: named, never silent.
ARTICLES_OFFSITE = "archiver/articles/offsite"
# Listed URLs found to be another URL's article (same headline, date and body): not archived
# again, recorded as aliases (archiver.archive.index).
ARTICLES_ALIAS = "archiver/articles/alias"
IMAGES_PRESENT = "archiver/images/present"
LISTS_WALKED = "archiver/lists/walked"
LISTS_FAILED = "archiver/lists/failed"
LIST_LINKS = "archiver/lists/article_links"
# List pages whose pager shows more pages but whose next page no rule found (URLs).
PAGER_WITHOUT_NEXT = "archiver/lists/pager_without_next"
BODY_SELECTOR = "archiver/rules/body/selector"
BODY_FALLBACK = "archiver/rules/body/fallback"
FALLBACK_URLS = "archiver/rules/fallback_urls"
FAILURES = "archiver/failures"
CMS_DETECTED = "archiver/cms/"  # + family: pages extracted with that family's rules
# Start URLs whose walk reached the list-page cap (list.max_pages, default 500) in this run,
# with where the next run goes on.
LISTS_CAPPED = "archiver/lists/capped"
# Start URLs whose pager was recognised as endless by what it serves.
LISTS_ENDLESS = "archiver/lists/endless"


def describe_failure(failure: Any) -> str:
    """A reason a user can act on, from a download failure."""
    value = failure.value
    response = getattr(value, "response", None)
    if response is not None:
        return f"HTTP {response.status}"
    return f"{type(value).__name__}: {value}".strip().rstrip(":")


def record_failure(stats: StatsCollector, kind: str, url: str, reason: str, **extra: str) -> None:
    """Count a failure and keep its URL and reason. kind: "article", "image" or "list"."""
    stats.inc_value({"image": IMAGES_FAILED, "list": LISTS_FAILED}.get(kind, ARTICLES_FAILED))
    failures = stats.get_value(FAILURES) or []
    failures.append({"kind": kind, "url": url, "reason": reason, **extra})
    stats.set_value(FAILURES, failures)


def record_note(stats: StatsCollector, kind: str, url: str, reason: str, **extra: str) -> None:
    """Keep an article-level fact for the summary without counting it as a failure: "flagged"
    (archived, but the text looks garbled) or "gone" (the source answers 404/410)."""
    failures = stats.get_value(FAILURES) or []
    failures.append({"kind": kind, "url": url, "reason": reason, **extra})
    stats.set_value(FAILURES, failures)


def record_flag(stats: StatsCollector, url: str, reason: str, **extra: str) -> None:
    """An article that was archived but needs a look (garbled text)."""
    stats.inc_value(ARTICLES_FLAGGED)
    record_note(stats, "flagged", url, reason, **extra)


# The report names this many aliases per run with their URLs; the count is always exact.
ALIASES_NAMED = 50


def record_alias(stats: StatsCollector, url: str, file: str, **extra: str) -> None:
    """A URL that gave (or, by a learned variant, gives) the article of an archived file: counted
    and, for the first ALIASES_NAMED of the run, named with the file. Not a failure."""
    count = stats.get_value(ARTICLES_ALIAS, 0)
    stats.inc_value(ARTICLES_ALIAS)
    if count < ALIASES_NAMED:
        record_note(stats, "alias", url, f"the same headline, date and body as {file}.md: an "
                    "alias of that article, not archived twice", file=file, code="alias",
                    **extra)


def record_rules(stats: StatsCollector, url: str, rules: dict[str, str]) -> None:
    """Which CMS family and which rule gave the body, per article: the site's health."""
    stats.inc_value(CMS_DETECTED + rules["cms"])
    if rules.get("body") == "fallback":
        stats.inc_value(BODY_FALLBACK)
        urls = stats.get_value(FALLBACK_URLS) or []
        if len(urls) < 5:
            stats.set_value(FALLBACK_URLS, [*urls, url])
    else:
        stats.inc_value(BODY_SELECTOR)


def record_capped(stats: StatsCollector, start_url: str, cap: int, next_page: int,
                  next_url: str) -> None:
    """A list walk stopped by the list-page cap: the next run goes on at next_page (a note, not
    a failure: the cap bounds one run, not the archive)."""
    stats.set_value(LISTS_CAPPED, [*(stats.get_value(LISTS_CAPPED) or []),
                                   {"url": start_url, "max_pages": cap, "next_page": next_page,
                                    "next_url": next_url}])


def record_endless(stats: StatsCollector, start_url: str, page_url: str, page: int,
                   barren: int) -> None:
    """A list whose pager serves pages that bring no new article link: a health warning."""
    stats.set_value(LISTS_ENDLESS, [*(stats.get_value(LISTS_ENDLESS) or []),
                                    {"url": start_url, "page_url": page_url, "page": page,
                                     "barren_pages": barren, "code": "endless_pager"}])
