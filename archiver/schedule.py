"""Per-site schedules: which sites are due, from the last run recorded beside the archive.

The clock is always passed in (`now`), so tests and `archiver crawl --due --now …` decide
exactly, without patching time.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from croniter import croniter

from archiver.archive import write_atomic

INTERVALS = {"hourly": timedelta(hours=1), "daily": timedelta(days=1),
             "weekly": timedelta(weeks=1)}
# A cron job that fires at 10:00 finds the 9:00 run started at 9:00:04: a run counts for its
# period when it started within this much of the period's start.
SLACK = timedelta(minutes=5)
# Sites without a `schedule:` are crawled daily.
DEFAULT = "daily"
LAST_RUN = ".last-run.json"


def valid(schedule: str) -> bool:
    return schedule in INTERVALS or croniter.is_valid(schedule)


def is_due(schedule: str | None, last_run: datetime | None, now: datetime) -> bool:
    """Whether a site with this schedule, last run at `last_run`, is due at `now`."""
    if last_run is None:
        return True
    schedule = schedule or DEFAULT
    if schedule in INTERVALS:
        return now - last_run >= INTERVALS[schedule] - SLACK
    # Due when the cron expression fired since the last run (at or before now).
    fired = croniter(schedule, now + timedelta(seconds=1)).get_prev(datetime)
    return fired - SLACK > last_run


def last_run(output: Path, site: str) -> datetime | None:
    try:
        data = json.loads((Path(output) / site / LAST_RUN).read_text(encoding="utf-8"))
        return datetime.fromisoformat(data["started"])
    except (OSError, ValueError, KeyError):
        return None


def record_run(output: Path, site: str, started: datetime, finish_reason: str) -> None:
    """Remember a finished run (an interrupted one does not count: the site stays due)."""
    if finish_reason != "finished":
        return
    write_atomic(Path(output) / site / LAST_RUN,
                 json.dumps({"started": started.isoformat(timespec="seconds")}) + "\n")


def due_sites(sites: dict, output: Path, now: datetime) -> list[str]:
    return sorted(name for name, site in sites.items()
                  if is_due(site.schedule, last_run(output, name), now))
