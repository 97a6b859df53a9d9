"""The `schedule:` key: the values it takes (archiver.run.schedule decides when a site is due)."""

from __future__ import annotations

from datetime import timedelta

from croniter import croniter

INTERVALS = {"hourly": timedelta(hours=1), "daily": timedelta(days=1),
             "weekly": timedelta(weeks=1)}
# Sites without a `schedule:` are crawled daily.
DEFAULT = "daily"


def valid(schedule: str) -> bool:
    return schedule in INTERVALS or croniter.is_valid(schedule)
