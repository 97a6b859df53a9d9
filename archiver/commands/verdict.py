"""One verdict for a run, the same in the summary and in the JSON report: every selected site
appears (a broken config too), an unreachable site says so and why, and the last line gives the
totals and the exit code."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from archiver import report
from archiver.commands.common import (
    EXIT_CONFIG,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_LOCKED,
    EXIT_OK,
    one_line,
)

# When sites end differently, the process exits with the most urgent code: an interruption,
# then a lock (nothing crawled), then a config error (a site cannot run until its file is
# fixed), then a partial failure. A config error is never hidden by another site's failure.
PRECEDENCE = (EXIT_INTERRUPTED, EXIT_LOCKED, EXIT_CONFIG, EXIT_FAILED, EXIT_OK)
WORDS = {EXIT_OK: "OK", EXIT_FAILED: "PARTIAL FAILURE", EXIT_CONFIG: "CONFIG ERROR",
         EXIT_LOCKED: "LOCKED", EXIT_INTERRUPTED: "INTERRUPTED"}


def combine(codes: Iterable[int]) -> int:
    codes = set(codes)
    return next((code for code in PRECEDENCE if code in codes), EXIT_OK)


def unreachable(stats: dict) -> str | None:
    """Why a site could not be reached at all (every list page failed, nothing answered), or
    None. Such a site must not read like a site with no news."""
    lists = [f for f in stats.get(report.FAILURES, []) if f["kind"] == "list"]
    if not lists or stats.get(report.LISTS_WALKED, 0):
        return None
    return f"{lists[0]['reason']} ({lists[0]['url']})"


def site_lines(name: str, stats: dict, refresh: bool) -> list[str]:
    lines = report.summary_lines(name, stats, refresh=refresh)
    reason = unreachable(stats)
    if reason:
        lines[0] = f"{name}: UNREACHABLE: {reason}"
    return lines


def config_error_site(error) -> tuple[str, dict]:
    """A site whose config file does not load: its name (the file's) and its report entry."""
    name = Path(error.source).stem
    return name, {"config_error": one_line(error)}


def totals_line(sites: dict[str, dict], status: int) -> str:
    """The last line of a run: what all sites did together, and the verdict."""
    def total(group: str, key: str) -> int:
        return sum(s.get(group, {}).get(key, 0) for s in sites.values())

    broken = sum(1 for s in sites.values() if "config_error" in s)
    down = sum(1 for s in sites.values() if s.get("unreachable"))
    parts = [f"{len(sites)} site(s)"]
    if broken:
        parts.append(f"{broken} with a config error")
    if down:
        parts.append(f"{down} unreachable")
    articles = [f"{total('articles', key)} {key.replace('_', ' ')}"
                for key in ("new", "already_archived", "changed", "gone", "failed", "flagged")
                if key in ("new", "failed") or total("articles", key)]
    return (f"total: {', '.join(parts)}; articles {', '.join(articles)}; images "
            f"{total('images', 'fetched')} fetched, {total('images', 'failed')} failed; "
            f"{WORDS[status]} (exit {status})")
