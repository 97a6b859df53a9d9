"""Which sites are due (`archiver crawl --due`): each site's schedule against its last run,
recorded beside the archive in <output>/<site>/.last-run.json: {"started": "2026-01-01T05:00:00"}
(local time, no zone, as the schedule is).

The clock is always passed in (`now`), so tests and `archiver crawl --due --now …` decide
exactly, without patching time. A record that is damaged, of the wrong shape, with a zone or
in the future (archiver.run.records) counts as no record: the site is due now.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from croniter import croniter

from archiver.archive import write_atomic
from archiver.config.schedule import DEFAULT, INTERVALS
from archiver.run.records import BadRecord, expect, expect_time, read_record

# A cron job that fires at 10:00 finds the 9:00 run started at 9:00:04: a run counts for its
# period when it started within this much of the period's start.
SLACK = timedelta(minutes=5)
LAST_RUN = ".last-run.json"


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


def read_last_run(folder: Path, clock: datetime | None = None) -> datetime | None:
    """When the site's last finished crawl started, or None; raises BadRecord."""
    path = Path(folder) / LAST_RUN
    data = read_record(path)
    if data is None:
        return None
    return expect_time(path, expect(path, data, dict, "the record").get("started"),
                       "'started'", clock)


def last_run(output: Path, site: str) -> datetime | None:
    """The last run, or None (never run, or a bad record: the crawl reports that one)."""
    try:
        return read_last_run(Path(output) / site)
    except BadRecord:
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
