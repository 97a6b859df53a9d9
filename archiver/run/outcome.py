"""A site's outcome and a run's outcome as data, the same for `archiver crawl/fetch/refresh`,
`scrapy crawl SITE` and a Scrapyd job: `SiteOutcome` (built from the crawler's counters and
SiteRun's events, or from why the crawler never ran) and `RunOutcome` (every site of one
process, and its exit code). The terminal summary (archiver.commands.verdict), the exit code
and the JSON report (archiver.run.report) are all read from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from archiver.run import stats as keys
from archiver.run.events import KINDS, Event, Kind
from archiver.run.exitcodes import ExitCode, combined_exit_code

# A Scrapy finish reason that means the run was stopped by a signal (Ctrl-C, SIGTERM).
INTERRUPTED = "shutdown"
# The report's lists of events, in the order the report and the summary give them.
SECTIONS = tuple(dict.fromkeys(rule.section for rule in KINDS.values()))
# Health findings in the order the summary gives them (a code not listed comes last).
_HEALTH_ORDER = ("no_article_links", "pager_without_next", "endless_pager", "fallback_only")


class Outcome(StrEnum):
    OK = "ok"
    FAILED = "failed"  # something was not archived or needs a look (exit 1)
    INTERRUPTED = "interrupted"  # stopped by Ctrl-C or SIGTERM (exit 130)
    LOCKED = "locked"  # another run holds the site's lock (exit 3)
    NOT_STARTED = "not_started"  # the crawler could not start (exit 2 or 1)
    CONFIG_ERROR = "config_error"  # the site's config file does not load (exit 2)
    SKIPPED = "skipped"  # nothing to do (refresh of a site with nothing archived) (exit 0)


@dataclass
class SiteOutcome:
    outcome: Outcome
    exit_code: ExitCode
    reason: str = ""  # why the outcome is not ok, in words ("" when it is)
    code: str = ""  # the same as a stable code ("" when ok)
    mode: str = "crawl"  # the command: crawl, fetch or refresh
    notes: list[str] = field(default_factory=list)  # resuming, lock taken over, ...
    events: list[Event] = field(default_factory=list)
    counts: dict[str, Any] = field(default_factory=dict)  # see counts()
    finish_reason: str = ""
    # The list failure that shows the site could not be reached at all (no list page read).
    unreachable: Event | None = None
    ran: bool = True  # False for a config error or a skipped site: no crawler, no figures

    @classmethod
    def not_run(cls, mode: str, outcome: Outcome, code: str, reason: str,
                exit_code: ExitCode) -> SiteOutcome:
        """A site whose crawl never ran: locked by another run, or a crawler that could not
        start."""
        return cls(outcome, exit_code, reason, code, mode, counts=counts({}, []),
                   finish_reason=str(outcome))

    @classmethod
    def config_error(cls, reason: str) -> SiteOutcome:
        """A site whose config file does not load."""
        return cls(Outcome.CONFIG_ERROR, ExitCode.CONFIG, reason, "config_error", ran=False)

    @classmethod
    def skipped(cls, reason: str, code: str = "nothing_archived") -> SiteOutcome:
        """A site with nothing to do in this run (refresh of a site with nothing archived)."""
        return cls(Outcome.SKIPPED, ExitCode.OK, reason, code, ran=False)

    def section(self, name: str) -> list[Event]:
        """The events of one list of the report (`failures`, `health`, ...)."""
        return [event for event in self.events if event.rule.section == name]

    def to_json(self) -> dict[str, Any]:
        """The site's part of the JSON report (docs/design.md "The JSON report")."""
        if not self.ran:
            # The reason also under the outcome's own name, as reports always had it.
            return {"outcome": str(self.outcome), str(self.outcome): self.reason,
                    "exit_code": int(self.exit_code), "reason": self.reason,
                    "code": self.code}
        unreachable = self.unreachable
        return {
            "mode": self.mode, "outcome": str(self.outcome), "exit_code": int(self.exit_code),
            "reason": self.reason, "code": self.code, "notes": list(self.notes),
            **self.counts,
            "finish_reason": self.finish_reason,
            **{name: [event.to_json() for event in self.section(name)] for name in SECTIONS},
            "unreachable": f"{unreachable.reason} ({unreachable.url})" if unreachable else None,
            "unreachable_code": unreachable.code if unreachable else None,
        }


def crawled(stats: dict, events: list[Event], mode: str, notes: list[str] | None = None
            ) -> SiteOutcome:
    """The outcome of a crawl that ran, from its counters (Scrapy's stats, with its
    finish_reason) and its events (health findings included, see health())."""
    events = sorted(events, key=_report_order)
    outcome, exit_code, reason, code = _verdict(stats.get("finish_reason", ""), events)
    return SiteOutcome(outcome, exit_code, reason, code, mode, list(notes or []), events,
                       counts(stats, events), stats.get("finish_reason", ""),
                       unreachable(events, stats.get(keys.LISTS_WALKED, 0)))


def _report_order(event: Event) -> tuple[int, int]:
    """Health findings in a fixed order; every other event as it came (the sort is stable)."""
    if event.kind is not Kind.HEALTH:
        return (0, 0)
    code = event.code
    return (1, _HEALTH_ORDER.index(code) if code in _HEALTH_ORDER else len(_HEALTH_ORDER))


def _verdict(finish_reason: str, events: list[Event]) -> tuple[Outcome, ExitCode, str, str]:
    """(outcome, exit code, reason, code) of a crawl that ran, from how it finished and what
    it recorded."""
    if finish_reason == INTERRUPTED:
        return Outcome.INTERRUPTED, ExitCode.INTERRUPTED, "stopped by a signal", "interrupted"
    if finish_reason != "finished":
        return (Outcome.FAILED, ExitCode.FAILED,
                f"the crawl ended early ({finish_reason or 'no finish reason'})", "ended_early")
    failing = [event for event in events if event.rule.fails]
    if failing:
        only_health = all(event.kind is Kind.HEALTH for event in failing)
        return (Outcome.FAILED, ExitCode.FAILED, "see failures and health",
                "health" if only_health else "failures")
    return Outcome.OK, ExitCode.OK, "", ""


def health(stats: dict, site: Any, fallback_urls: list[str]) -> list[Event]:
    """Signs, read from the counters at the end of a crawl, that a site was redesigned: its
    lists show no article links any more, or every article came from the generic fallback
    instead of its selectors. (A pager no rule could follow and an endless pager are recorded
    by the spider as they happen.)"""
    # A preset or a selector of the site's own should find the body; for `cms: auto` and
    # `generic` the fallback is the normal way.
    has_selectors = site.cms not in ("auto", "generic") or bool(site.article.body)
    found = []
    walked = stats.get(keys.LISTS_WALKED, 0)
    if walked and not stats.get(keys.LIST_LINKS, 0):
        found.append(Event(
            Kind.HEALTH, "no_article_links", next(iter(site.start_urls), ""),
            f"no article links on {walked} list page(s): the site was probably redesigned; "
            f"look at {', '.join(site.start_urls)}", site.name))
    fallback, selector = stats.get(keys.BODY_FALLBACK, 0), stats.get(keys.BODY_SELECTOR, 0)
    if has_selectors and fallback and not selector:
        found.append(Event(
            Kind.HEALTH, "fallback_only", next(iter(fallback_urls), ""),
            f"all {fallback} article(s) came from the generic fallback, none from the site's "
            f"selectors: the site was probably redesigned; look at {', '.join(fallback_urls)}",
            site.name, {"urls": list(fallback_urls)}))
    return found


# Codes of the article failures that mean "the site answered something else than the article"
# (archiver.archive.integrity), and how the site's health names the cause.
GUARD_CAUSES = {
    "same_page": "the site answers the same page for {n} article URLs: maintenance or a login "
                 "wall?",
    "maintenance_page": "the site answers a maintenance page for {n} article URL(s)",
    "login_page": "the site answers a login page for {n} article URL(s): a login wall?",
    "error_page": "the site answers an error page with HTTP 200 for {n} article URL(s)",
}


def guard_causes(events: list[Event], site: str) -> list[Event]:
    """The site-level cause behind article URLs that answered something else than the article:
    one health finding per code, with how many URLs it hit (code: the failures' code)."""
    found: dict[str, list[str]] = {}
    for event in events:
        if event.kind is Kind.ARTICLE and event.code in GUARD_CAUSES:
            found.setdefault(event.code, []).append(event.url)
    return [Event(Kind.HEALTH, code, urls[0], GUARD_CAUSES[code].format(n=len(urls))
                  + " (not archived; the next run asks for them again)", site)
            for code, urls in found.items()]


def counts(stats: dict, events: list[Event]) -> dict[str, Any]:
    """The report's figures: articles, images, list pages, requests, time."""
    return {
        "articles": article_counts(stats),
        "images": {
            "fetched": stats.get(keys.IMAGES_FETCHED, 0),
            "already_archived": stats.get(keys.IMAGES_PRESENT, 0),
            "failed": stats.get(keys.IMAGES_FAILED, 0),
        },
        "list_pages": {"walked": stats.get(keys.LISTS_WALKED, 0),
                       "failed": stats.get(keys.LISTS_FAILED, 0),
                       # how far each walk the cap paused got, and where the next run goes on
                       "capped": [{"url": e.url, **e.detail}
                                  for e in events if e.kind is Kind.CAPPED]},
        "requests": stats.get("downloader/request_count", 0),
        "queued_not_made": max(0, stats.get("scheduler/enqueued", 0)
                               - stats.get("scheduler/dequeued", 0)),
        "responses_by_status": {
            key.rsplit("/", 1)[1]: value for key, value in stats.items()
            if key.startswith("downloader/response_status_count/")
        },
        "cms_detected": detected_families(stats),
        "duration_seconds": round(stats.get("elapsed_time_seconds", 0.0), 3),
    }


def article_counts(stats: dict) -> dict[str, int]:
    return {
        "new": stats.get(keys.ARTICLES_NEW, 0),
        "already_archived": stats.get(keys.ARTICLES_ARCHIVED, 0),
        "changed": stats.get(keys.ARTICLES_CHANGED, 0),
        "unchanged": stats.get(keys.ARTICLES_UNCHANGED, 0),
        "gone": stats.get(keys.ARTICLES_GONE, 0),
        "failed": stats.get(keys.ARTICLES_FAILED, 0),
        "flagged": stats.get(keys.ARTICLES_FLAGGED, 0),
        "offsite": stats.get(keys.ARTICLES_OFFSITE, 0),
        # ... and the counter of any kind added later (`archiver/articles/<name>`).
        **{rule.counter.rsplit("/", 1)[1]: stats.get(rule.counter, 0)
           for rule in KINDS.values()
           if rule.counter and rule.counter.startswith("archiver/articles/")},
    }


def detected_families(stats: dict) -> list[str]:
    return sorted(k[len(keys.CMS_DETECTED):] for k in stats if k.startswith(keys.CMS_DETECTED))


def unreachable(events: list[Event], walked: int) -> Event | None:
    """The list failure that shows a site could not be reached at all (every list page failed,
    none was read), or None. Such a site must not read like a site with no news."""
    lists = [event for event in events if event.kind is Kind.LIST]
    return lists[0] if lists and not walked else None


@dataclass
class RunOutcome:
    """Every site of one run (one process), and the run's exit code: the worst of theirs."""

    command: str
    argv: list[str]
    started: float
    output: Path
    sites: dict[str, SiteOutcome] = field(default_factory=dict)

    @property
    def exit_code(self) -> ExitCode:
        return combined_exit_code(site.exit_code for site in self.sites.values())
