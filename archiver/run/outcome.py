"""A site's outcome and the run's JSON report, the same for `archiver crawl/fetch/refresh`,
`scrapy crawl SITE` and a Scrapyd job.

A site report is a dict built from the crawler's stats (or from why the crawler never ran); the
terminal summary, the exit code and the JSON report are all read from it.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from archiver.archive import write_atomic
from archiver.commands.common import (
    EXIT_CONFIG,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_LOCKED,
    EXIT_OK,
)
from archiver.run import stats as keys

# Worst first: the process's exit code is the first of these that any site gives, so a config
# error (nothing runs until the file is fixed) is never hidden by another site's failure.
_PRECEDENCE = (EXIT_INTERRUPTED, EXIT_CONFIG, EXIT_LOCKED, EXIT_FAILED)
# A Scrapy finish reason that means the run was stopped by a signal (Ctrl-C, SIGTERM).
INTERRUPTED = "shutdown"


def health(stats: dict, site: Any) -> list[str]:
    """Signs that a site was redesigned (its lists show no article links any more, a list's
    pager shows more pages that no rule could follow, or every article came from the generic
    fallback instead of its selectors), or that a list's pager is endless."""
    # A preset or a selector of the site's own should find the body; for `cms: auto` and
    # `generic` the fallback is the normal way.
    has_selectors = site.cms not in ("auto", "generic") or bool(site.article.body)
    problems = []
    walked = stats.get(keys.LISTS_WALKED, 0)
    if walked and not stats.get(keys.LIST_LINKS, 0):
        problems.append(f"no article links on {walked} list page(s): the site was probably "
                        f"redesigned; look at {', '.join(site.start_urls)}")
    for url in stats.get(keys.PAGER_WITHOUT_NEXT, []):
        problems.append(f"list page {url} shows a pager but no next page was found: the walk "
                        "of that list ended there; set list.next_page in the site's config "
                        "(or render: lists when the pager is a script)")
    fallback, selector = stats.get(keys.BODY_FALLBACK, 0), stats.get(keys.BODY_SELECTOR, 0)
    if has_selectors and fallback and not selector:
        problems.append(f"all {fallback} article(s) came from the generic fallback, none from "
                        "the site's selectors: the site was probably redesigned; look at "
                        + ", ".join(stats.get(keys.FALLBACK_URLS, [])))
    for endless in stats.get(keys.LISTS_ENDLESS, []):
        problems.append(f"the list {endless['url']} looks like an endless pager: "
                        f"{endless['barren_pages']} list pages in a row, up to page "
                        f"{endless['page']} ({endless['page_url']}), brought no article link "
                        "not seen before; its walk stopped there")
    return problems


def failed(stats: dict) -> bool:
    """True when anything failed or needs a look: the site's exit code is then 1."""
    return any(stats.get(key) for key in (keys.ARTICLES_FAILED, keys.IMAGES_FAILED,
                                          keys.ARTICLES_FLAGGED, keys.LISTS_FAILED,
                                          keys.ARTICLES_OFFSITE))


def site_report(stats: dict, site: Any | None, mode: str, notes: list[str] | None = None
                ) -> dict[str, Any]:
    """One site's outcome and figures from its crawler's stats. mode: crawl, fetch or
    refresh."""
    failures = stats.get(keys.FAILURES, [])
    problems = health(stats, site) if site is not None else []
    outcome, code, reason = site_outcome(stats, problems)
    return {
        "mode": mode, "outcome": outcome, "exit_code": code, "reason": reason,
        "notes": list(notes or []),
        "health": problems,
        **counts(stats),
        "finish_reason": stats.get("finish_reason", ""),
        "failures": [n for n in failures if n["kind"] in ("article", "image", "list")],
        "flagged": [n for n in failures if n["kind"] == "flagged"],
        "gone": [n for n in failures if n["kind"] == "gone"],
        "offsite": [n for n in failures if n["kind"] == "offsite"],
        "aliases": [n for n in failures if n["kind"] == "alias"],
        "changed_articles": [n for n in failures if n["kind"] == "changed"],
        "unreachable": unreachable(failures, stats.get(keys.LISTS_WALKED, 0)),
    }


def site_outcome(stats: dict, problems: list[str]) -> tuple[str, int, str]:
    """(outcome, exit code, reason) of a crawl that ran, from how it finished and what it
    counted; `problems` are its health findings."""
    finish_reason = stats.get("finish_reason", "")
    if finish_reason == INTERRUPTED:
        return "interrupted", EXIT_INTERRUPTED, "stopped by a signal"
    if finish_reason != "finished":
        return ("failed", EXIT_FAILED,
                f"the crawl ended early ({finish_reason or 'no finish reason'})")
    if failed(stats) or problems:
        return "failed", EXIT_FAILED, "see failures and health"
    return "ok", EXIT_OK, ""


def counts(stats: dict) -> dict[str, Any]:
    """The report's figures: articles, images, list pages, requests, time."""
    return {
        "articles": {
            "new": stats.get(keys.ARTICLES_NEW, 0),
            "already_archived": stats.get(keys.ARTICLES_ARCHIVED, 0),
            "changed": stats.get(keys.ARTICLES_CHANGED, 0),
            "unchanged": stats.get(keys.ARTICLES_UNCHANGED, 0),
            "gone": stats.get(keys.ARTICLES_GONE, 0),
            "failed": stats.get(keys.ARTICLES_FAILED, 0),
            "flagged": stats.get(keys.ARTICLES_FLAGGED, 0),
            "offsite": stats.get(keys.ARTICLES_OFFSITE, 0),
            "alias": stats.get(keys.ARTICLES_ALIAS, 0),
        },
        "images": {
            "fetched": stats.get(keys.IMAGES_FETCHED, 0),
            "already_archived": stats.get(keys.IMAGES_PRESENT, 0),
            "failed": stats.get(keys.IMAGES_FAILED, 0),
        },
        "list_pages": {"walked": stats.get(keys.LISTS_WALKED, 0),
                       "failed": stats.get(keys.LISTS_FAILED, 0),
                       "capped": stats.get(keys.LISTS_CAPPED, []),
                       "endless": stats.get(keys.LISTS_ENDLESS, [])},
        "requests": stats.get("downloader/request_count", 0),
        "queued_not_made": max(0, stats.get("scheduler/enqueued", 0)
                               - stats.get("scheduler/dequeued", 0)),
        "responses_by_status": {
            key.rsplit("/", 1)[1]: value for key, value in stats.items()
            if key.startswith("downloader/response_status_count/")
        },
        "cms_detected": sorted(k[len(keys.CMS_DETECTED):] for k in stats
                               if k.startswith(keys.CMS_DETECTED)),
        "duration_seconds": round(stats.get("elapsed_time_seconds", 0.0), 3),
    }


def unreachable(failures: list[dict], walked: int) -> str | None:
    """Why a site could not be reached at all (every list page failed, none was read), or
    None. Such a site must not read like a site with no news."""
    lists = [f for f in failures if f["kind"] == "list"]
    if not lists or walked:
        return None
    return f"{lists[0]['reason']} ({lists[0]['url']})"


def not_run_report(mode: str, outcome: str, reason: str, code: int) -> dict[str, Any]:
    """A site whose crawl never ran: locked by another run, or a crawler that could not
    start."""
    return {**site_report({"finish_reason": outcome}, None, mode),
            "outcome": outcome, "exit_code": code, "reason": reason}


def process_exit_code(sites: dict[str, dict]) -> int:
    return combined_exit_code(report.get("exit_code", EXIT_OK) for report in sites.values())


def combined_exit_code(codes: Iterable[int]) -> int:
    """The exit code of a run whose parts ended differently: the worst of them."""
    found = set(codes)
    return next((code for code in _PRECEDENCE if code in found), EXIT_OK)


def summary_lines(name: str, report: dict[str, Any]) -> list[str]:
    """The terminal summary of one site's run, from its report."""
    if report["outcome"] in ("locked", "not_started"):
        return [f"{name}: not crawled: {report['reason']}"]
    a, images = report["articles"], report["images"]
    if report["mode"] == "refresh":
        articles = (f"{a['changed']} changed, {a['unchanged']} unchanged, {a['gone']} gone, "
                    f"{a['failed']} failed")
    else:
        articles = (f"{a['new']} new, {a['already_archived']} already archived, "
                    f"{a['failed']} dropped or failed")
    lines = [f"{name}: {articles}; images {images['fetched']} fetched, {images['failed']} failed"]
    if report["unreachable"]:
        lines = [f"{name}: UNREACHABLE: {report['unreachable']}"]
    lines += [f"  {note}" for note in report["notes"]]
    for failure in (report["failures"] + report["flagged"] + report["gone"] + report["offsite"]
                    + report["changed_articles"]):
        lines.append("  " + _failure_line(failure))
    for capped in report["list_pages"].get("capped", []):
        lines.append(f"  list {capped['url']}: this run walked it to the cap of "
                     f"{capped['max_pages']} list pages; the next run goes on from list page "
                     f"{capped['next_page']}")
    aliases = report["articles"].get("alias", 0)
    if aliases:
        files = sorted({a["file"] for a in report.get("aliases", [])})
        lines.append(f"  aliases: {aliases} listed URL(s) gave the same article as a file "
                     f"already archived ({', '.join(f + '.md' for f in files[:3])}"
                     f"{', …' if len(files) > 3 else ''}); recorded, not archived twice")
    lines += [f"  health: {line}" for line in report["health"]]
    if report["outcome"] == "interrupted":
        lines.append(f"  interrupted: {report['queued_not_made']} queued request(s) not made; "
                     "every file written is complete; run the same command again to finish")
    elif report["finish_reason"] != "finished":
        lines.append(f"  failed: {report['reason']}")
    return lines


def _failure_line(failure: dict[str, str]) -> str:
    kind, url, reason = failure["kind"], failure["url"], failure["reason"]
    if kind == "image":
        return f"image failed: {url} (in {failure.get('article', '?')}): {reason}"
    if kind == "flagged":
        return f"archived but flagged: {url}: {reason}"
    if kind == "list":
        return f"list page failed: {url}: {reason} (the articles it links were not looked for)"
    if kind == "gone":
        return f"gone: {url}: {reason}"
    if kind == "offsite":
        return f"not archived: {url}: {reason}"
    if kind == "changed":
        return f"changed: {url} ({failure['file']}): {reason}"
    return f"article failed: {url}: {reason}"


def default_report_path(output: Path, name: str) -> Path:
    return Path(output) / ".reports" / f"{time.strftime('%Y%m%d-%H%M%S')}-{name}.json"


# Reports (and tracebacks of unexpected errors) in <output>/.reports/ are kept this long.
KEEP_REPORTS_DAYS = 90


def prune_reports(folder: Path, keep_days: int = KEEP_REPORTS_DAYS) -> list[Path]:
    """Remove the reports of `folder` last written more than `keep_days` days ago, so that a
    crawl every 15 minutes does not fill the disk with them."""
    cutoff = time.time() - keep_days * 86400
    removed = []
    for report in [*folder.glob("*.json"), *folder.glob("*-error.txt")]:
        try:
            if report.is_file() and report.stat().st_mtime < cutoff:
                report.unlink()
                removed.append(report)
        except OSError:
            continue  # another run removed it, or it is not ours to remove
    return removed


def write_report(path: Path, command: str, argv: list[str], started: float, exit_code: int,
                 output: Path, sites: dict[str, dict]) -> str | None:
    """Write the run's JSON report; returns why it could not be written, or None."""
    document = {
        "command": command,
        "argv": argv,
        "pid": os.getpid(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "duration_seconds": round(time.time() - started, 3),
        "exit_code": exit_code,
        "output": str(output),
        "sites": sites,
    }
    try:
        write_atomic(path, json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    except OSError as error:
        return f"cannot write the report {path}: {error.strerror or error}"
    if path.parent.name == ".reports":  # the archive's own folder of reports, not --report's
        prune_reports(path.parent)
    return None
