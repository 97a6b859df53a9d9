"""Dead links: an article a list still links that answered 404 or 410 on two crawls in a row is
recorded as gone, so that later crawls skip it (and count it as gone, not failed) instead of
failing every run forever. `archiver crawl --retry-gone` requests them again.

The record is one small JSON file per site, <output>/<site>/.gone.json, written atomically when
the crawl ends: {url: {"status": 404, "runs": 2, "last": "2026-11-23"}}. "runs" counts the
crawls in a row that got 404/410; any other answer removes the entry.

An outage is not death: the 404/410 answers of a run count toward "gone" only when the site is
otherwise up in that run (archiver.run.guard.site_is_up: other articles answered, and most of
the article requests did not fail); so they are kept pending until the run ends (`settle`).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from archiver.archive import write_atomic

GONE_AFTER = 2  # crawls in a row: one 404 may be a site's hiccup, two are a decision
RECORD = ".gone.json"


class DeadLinks:
    """Read and saved by the run's bookkeeping (archiver.run.extension), with the lock held."""

    def __init__(self, folder: Path, retry: bool = False):
        self.path = folder / RECORD
        self.retry = retry
        try:
            self.entries: dict[str, dict[str, Any]] = json.loads(self.path.read_text("utf-8"))
        except (OSError, ValueError):
            self.entries = {}
        self.seen: set[str] = set()  # answered in this run, one way or the other
        self.pending: dict[str, int] = {}  # this run's 404/410 answers: URL -> status
        self.dirty = False

    def skip(self, url: str) -> dict[str, Any] | None:
        """The entry of a gone URL this crawl leaves alone, or None to request it."""
        entry = self.entries.get(url)
        if self.retry or not entry or entry["runs"] < GONE_AFTER:
            return None
        return entry

    def strike(self, url: str, status: int) -> None:
        """Note a 404/410 of this run; `settle` decides at the end whether it counts."""
        if url in self.seen:
            return
        self.seen.add(url)
        self.pending[url] = status

    def settle(self, site_up: bool) -> list[str]:
        """Count this run's 404/410 answers when the site was up (else leave the record as
        it was: an outage is not death); the URLs that this makes gone."""
        gone = []
        for url, status in self.pending.items() if site_up else ():
            runs = self.entries.get(url, {}).get("runs", 0) + 1
            self.entries[url] = {"status": status, "runs": runs,
                                 "last": time.strftime("%Y-%m-%d")}
            self.dirty = True
            if runs == GONE_AFTER:
                gone.append(url)
        self.pending = {}
        return gone

    def alive(self, url: str) -> None:
        """The URL answered: it is not (or no longer) dead."""
        self.seen.add(url)
        if self.entries.pop(url, None) is not None:
            self.dirty = True

    def save(self) -> None:
        if not self.dirty:
            return
        write_atomic(self.path, json.dumps(self.entries, ensure_ascii=False, indent=1,
                                           sort_keys=True) + "\n")
        self.dirty = False
