"""What a run did, kept in Scrapy's stats so every command can summarise it.

Counters live under `archiver/...`; the failures with their URLs and reasons are kept as a list
under `archiver/failures` so the summary can name each one.
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
LOCKED = "archiver/locked"  # set when a Scrapyd job finds its site locked by another run


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


def health(stats: dict, site: Any) -> list[str]:
    """Signs that a site was redesigned: its lists show no article links any more, a list's
    pager shows more pages that no rule could follow, or every article it gave came from the
    generic fallback instead of its selectors."""
    # A preset or a selector of the site's own should find the body; for `cms: auto` and
    # `generic` the fallback is the normal way.
    has_selectors = site.cms not in ("auto", "generic") or bool(site.article.body)
    start_urls = site.start_urls
    problems = []
    walked = stats.get(LISTS_WALKED, 0)
    if walked and not stats.get(LIST_LINKS, 0):
        problems.append(f"no article links on {walked} list page(s): the site was probably "
                        f"redesigned; look at {', '.join(start_urls)}")
    for url in stats.get(PAGER_WITHOUT_NEXT, []):
        problems.append(f"list page {url} shows a pager but no next page was found: the walk "
                        "of that list ended there; set list.next_page in the site's config "
                        "(or render: lists when the pager is a script)")
    fallback, selector = stats.get(BODY_FALLBACK, 0), stats.get(BODY_SELECTOR, 0)
    if has_selectors and fallback and not selector:
        problems.append(f"all {fallback} article(s) came from the generic fallback, none from "
                        "the site's selectors: the site was probably redesigned; look at "
                        + ", ".join(stats.get(FALLBACK_URLS, [])))
    return problems


def summary_lines(site: str, stats: dict, refresh: bool = False) -> list[str]:
    """Human summary of one site's run."""
    if refresh:
        articles = (
            f"{stats.get(ARTICLES_CHANGED, 0)} changed, {stats.get(ARTICLES_UNCHANGED, 0)} "
            f"unchanged, {stats.get(ARTICLES_GONE, 0)} gone, {stats.get(ARTICLES_FAILED, 0)} failed"
        )
    else:
        articles = (
            f"{stats.get(ARTICLES_NEW, 0)} new, {stats.get(ARTICLES_ARCHIVED, 0)} already "
            f"archived, {stats.get(ARTICLES_FAILED, 0)} dropped or failed"
        )
    line = (f"{site}: {articles}; images {stats.get(IMAGES_FETCHED, 0)} fetched, "
            f"{stats.get(IMAGES_FAILED, 0)} failed")
    lines = [line]
    for failure in stats.get(FAILURES, []):
        if failure["kind"] == "image":
            lines.append(
                f"  image failed: {failure['url']} (in {failure.get('article', '?')}): "
                f"{failure['reason']}"
            )
        elif failure["kind"] == "flagged":
            lines.append(f"  archived but flagged: {failure['url']}: {failure['reason']}")
        elif failure["kind"] == "list":
            lines.append(f"  list page failed: {failure['url']}: {failure['reason']} "
                         "(the articles it links were not looked for)")
        elif failure["kind"] == "gone":
            lines.append(f"  gone: {failure['url']}: {failure['reason']}")
        elif failure["kind"] == "changed":
            lines.append(f"  changed: {failure['url']} ({failure['file']}): {failure['reason']}")
        else:
            lines.append(f"  article failed: {failure['url']}: {failure['reason']}")
    return lines


def failed(stats: dict) -> bool:
    """True when anything failed or needs a look: the run's exit code is then 1."""
    return any(stats.get(key) for key in (ARTICLES_FAILED, IMAGES_FAILED, ARTICLES_FLAGGED,
                                          LISTS_FAILED))
