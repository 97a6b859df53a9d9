"""Which list walks finished cleanly: the record that decides where the incremental stop is
trusted.

A walk of a list (one start URL and its next pages) stops at the first list page with nothing
new. That is only sound when every earlier walk of that list archived everything it listed; a
run killed mid-walk archives list pages out of order and leaves holes behind a fully archived
first page. So `<output>/<site>/.state.json` keeps, per start URL, how its last walk ended:

- "walking": written (atomically) before the walk starts; still there means that run died
  (kill -9, crash, power loss), so the next run walks this list in full;
- "incomplete": the walk ended but not cleanly (interrupted, a list page failed, the page cap
  or --max-articles cut it); the next run walks this list in full;
- "clean": the walk ended and every article it listed is archived, except the ones in `retry`
  (they failed); the next run stops at the first page with nothing new and asks for the
  `retry` articles directly.

A list longer than one run's list-page cap is walked over several runs: where a walk stopped at
the cap, the entry keeps `"resume": {"url", "page", "pending"}` (the next list page, its place in
the list, and the ecms pages after it). The next run walks the top of the list as usual and
also walks on from there, until the list ends (the entry loses its `resume`) or the cap stops it
again. The point survives a run that dies or is interrupted (that run's own progress is simply
walked again).

The record also holds a fingerprint of the site's list and article rules: after they change,
every list is walked in full once. No record at all (a first crawl, an archive from an older
version), or one that cannot be used (archiver.run.records: damaged, of the wrong shape, too
large), means full walks too. The record keeps only the lists of the site's config.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from archiver.archive import write_atomic
from archiver.run.records import BadRecord, expect, expect_time, read_record

STATE_NAME = ".state.json"


def fingerprint(site: Any) -> str:
    """Changes when the rules that find articles on list pages and read them change (and only
    then: a compiled pattern counts by its text, not by the object's address)."""
    def plain(rules: Any) -> dict[str, Any]:
        return {f.name: getattr(getattr(rules, f.name), "pattern", getattr(rules, f.name))
                for f in fields(rules)}

    text = json.dumps([site.cms, plain(site.list), plain(site.article)], sort_keys=True,
                      default=str)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


@dataclass
class Plan:
    """How this run walks one start URL."""

    full: bool
    why: str = ""  # why a full walk is needed to resume ("" when it is not)
    retry: list[str] = field(default_factory=list)  # articles that failed last time
    # Where the walk of a list longer than one run's cap continues: {"url", "page", "pending"}.
    resume: dict | None = None


# ecms pages after a resume point kept in the record at most (the record stays small).
PENDING_MAX = 2000


def resume_point(value: Any) -> dict | None:
    """A recorded resume point, checked (the record is untrusted), or None."""
    if not isinstance(value, dict):
        return None
    url, page, pending = value.get("url"), value.get("page"), value.get("pending", [])
    if not isinstance(url, str) or not url.startswith(("http://", "https://")) \
            or len(url) > 2000 or isinstance(page, bool) or not isinstance(page, int) \
            or page < 1 or not isinstance(pending, list):
        return None
    return {"url": url, "page": page,
            "pending": [u for u in pending[:PENDING_MAX]
                        if isinstance(u, str) and u.startswith(("http://", "https://"))]}


class WalkRecord:
    def __init__(self, folder: Path, site: Any):
        self.path = Path(folder) / STATE_NAME
        self.fingerprint = fingerprint(site)
        self.start_urls = list(site.start_urls)
        self.lists: dict[str, dict] = {}
        self.error = ""  # why the record could not be written, if it could not
        self.bad: BadRecord | None = None  # the record read back could not be used

    def load(self) -> dict[str, Plan]:
        """The plan for every start URL, from what the previous runs recorded. A record that
        cannot be used is kept in `bad` (the run reports it) and counts as none."""
        try:
            state = read_state(self.path)
        except BadRecord as error:
            self.bad, state = error, None
        same_rules = state is None or state.get("fingerprint") == self.fingerprint
        lists = state.get("lists", {}) if state is not None and same_rules else {}
        # Only the config's lists: the entries of start URLs it no longer has are dropped, so
        # the record stays as small as the config.
        self.lists = {url: lists[url] for url in self.start_urls if url in lists}
        plans = {}
        for url in self.start_urls:
            entry = self.lists.get(url, {})
            resume = resume_point(entry.get("resume")) if same_rules else None
            if not same_rules:
                plans[url] = Plan(True, "the site's list or article rules changed since the "
                                        "last walk")
            elif entry.get("walk") == "clean":
                plans[url] = Plan(False, retry=list(entry.get("retry", [])))
            elif entry.get("walk") == "walking":
                plans[url] = Plan(True, f"the run started {entry.get('started', '?')} (process "
                                        f"{entry.get('pid', '?')}) stopped before this walk "
                                        "finished (killed, crashed or out of power)")
            elif entry.get("walk") == "incomplete":
                plans[url] = Plan(True, f"the last walk did not finish cleanly: "
                                        f"{entry.get('why', '?')}")
            else:
                plans[url] = Plan(True, "no finished walk of this list is recorded")
            plans[url].resume = resume
        return plans

    def begin(self) -> None:
        """Mark every list as being walked, before the first request: if this run dies, the
        next one knows."""
        started = datetime.now().isoformat(timespec="seconds")
        for url in self.start_urls:
            old = self.lists.get(url) if isinstance(self.lists.get(url), dict) else {}
            resume = resume_point(old.get("resume"))
            self.lists[url] = {"walk": "walking", "started": started, "pid": os.getpid(),
                               **({"resume": resume} if resume else {})}
        self._write()

    def finish(self, ends: dict[str, dict]) -> None:
        """Record how each walk ended: {"walk": "clean", "retry": [...]} or
        {"walk": "incomplete", "why": ...}."""
        finished = datetime.now().isoformat(timespec="seconds")
        for url, end in ends.items():
            self.lists[url] = {**end, "finished": finished}
        self._write()

    def _write(self) -> None:
        document = {"version": 1, "fingerprint": self.fingerprint, "lists": self.lists}
        try:
            write_atomic(self.path, json.dumps(document, ensure_ascii=False, indent=1) + "\n")
        except OSError as error:
            # Without a record the next run walks every list in full: safe, only slower. A
            # stale "clean" must not survive, so the old record goes (unlinking needs no space).
            self.error = f"cannot write {self.path}: {error.strerror or error}"
            try:
                self.path.unlink(missing_ok=True)
            except OSError:
                pass


WALKS = ("walking", "incomplete", "clean")
# The fields an entry may have, with their types (bool is never taken for an int).
_ENTRY_FIELDS: dict[str, type | tuple[type, ...]] = {
    "walk": str, "retry": list, "why": str, "pid": int}
_TIMES = ("started", "finished")


def read_state(path: Path) -> dict[str, Any] | None:
    """The record, checked: {"version": 1, "fingerprint": str, "lists": {start URL: entry}}.
    Raises BadRecord."""
    state = read_record(path)
    if state is None:
        return None
    expect(path, state, dict, "the record")
    expect(path, state.get("fingerprint"), str, "'fingerprint'")
    for url, entry in expect(path, state.get("lists"), dict, "'lists'").items():
        expect(path, entry, dict, f"the entry of {url[:80]}")
        for name, kind in _ENTRY_FIELDS.items():
            if name in entry:
                expect(path, entry[name], kind, f"'{name}' of {url[:80]}")
        for name in _TIMES:
            if name in entry:
                expect_time(path, entry[name], f"'{name}' of {url[:80]}")
        if entry.get("walk") not in WALKS:
            raise BadRecord(path, f"the walk of {url[:80]} is not one of {', '.join(WALKS)}")
        for retry in entry.get("retry", []):
            expect(path, retry, str, f"a retry URL of {url[:80]}")
    return state
