"""One verdict for a run, the same in the summary and in the JSON report: every selected site
appears (a broken config, a site with nothing to do), and the last line gives the totals and
the exit code. A crawled site's own lines come from archiver.run.outcome."""

from __future__ import annotations

from pathlib import Path

from archiver.commands.common import (
    EXIT_CONFIG,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_LOCKED,
    EXIT_OK,
    one_line,
)
from archiver.run.outcome import summary_lines

WORDS = {EXIT_OK: "OK", EXIT_FAILED: "PARTIAL FAILURE", EXIT_CONFIG: "CONFIG ERROR",
         EXIT_LOCKED: "LOCKED", EXIT_INTERRUPTED: "INTERRUPTED"}


def config_error_site(error) -> tuple[str, dict]:
    """A site whose config file does not load: its name (the file's) and its report entry."""
    name = Path(error.source).stem
    return name, {"outcome": "config_error", "config_error": one_line(error),
                  "exit_code": EXIT_CONFIG}


def skipped_site(why: str) -> dict:
    """A site with nothing to do in this run (refresh of a site with nothing archived)."""
    return {"outcome": "skipped", "skipped": why, "exit_code": EXIT_OK}


def site_lines(name: str, site: dict) -> list[str]:
    if "config_error" in site:
        return [f"{name}: CONFIG ERROR: {site['config_error']}"]
    if "skipped" in site:
        return [f"{name}: {site['skipped']}"]
    return summary_lines(name, site)


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
                for key in ("new", "already_archived", "alias", "changed", "gone", "failed",
                            "flagged", "offsite")
                if key in ("new", "failed") or total("articles", key)]
    return (f"total: {', '.join(parts)}; articles {', '.join(articles)}; images "
            f"{total('images', 'fetched')} fetched, {total('images', 'failed')} failed; "
            f"{WORDS[status]} (exit {status})")
