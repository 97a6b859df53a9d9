"""What every dispatch scheduled, kept in the shared archive (`<output>/.dispatch/`), because
Scrapyd forgets: it keeps its last 100 finished jobs, in memory, and keeps a restarted node's
queued jobs under their old ids with nobody following them.

Per dispatch, `<id>.json` names each site's current job (node URL, job id) and the jobs it
replaced (a lost node's); `<id>.lock` is flock-ed by the dispatch while it runs, so any machine
can tell a live dispatch from a finished one (the kernel, or NFS, frees the lock however the
dispatch ends); `<id>.cancel` says `dispatch --cancel` stopped it. The next dispatch reads them
to recognise jobs it finds on a node (reconcile), and `dispatch --cancel` to know what to stop.
Records are data read back from disk: a broken one is skipped, never trusted.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from archiver.archive import write_atomic

FOLDER = ".dispatch"
KEEP = 50  # records kept; older ones (and their jobs) are forgotten


@dataclass
class Record:
    """One dispatch: its id, and per site its current job and the jobs that job replaced."""

    folder: Path
    id: str
    started: str = ""
    waiting: bool = False
    sites: dict[str, dict] = field(default_factory=dict)  # site -> {job, node, earlier: [...]}
    report: str = ""  # the dispatch's report, once written
    _lock: object = None

    @property
    def path(self) -> Path:
        return self.folder / f"{self.id}.json"

    @classmethod
    def new(cls, output: Path, waiting: bool) -> Record:
        record = cls(Path(output) / FOLDER, f"{time.strftime('%Y%m%d-%H%M%S')}-"
                     f"{uuid.uuid4().hex[:6]}", time.strftime("%Y-%m-%dT%H:%M:%S%z"), waiting)
        record.folder.mkdir(parents=True, exist_ok=True)
        # Held until this process ends: the record's dispatch is live while it is held.
        record._lock = open(record.folder / f"{record.id}.lock", "wb")  # noqa: SIM115
        fcntl.flock(record._lock, fcntl.LOCK_EX)
        return record

    def job(self, site: str, node_url: str, job: str) -> None:
        """The site's job is now `job` on `node_url`; a previous job becomes an earlier one."""
        entry = self.sites.setdefault(site, {"job": "", "node": "", "earlier": []})
        if entry["job"]:
            entry["earlier"].append({"job": entry["job"], "node": entry["node"]})
        entry["job"], entry["node"] = job, node_url

    def save(self) -> None:
        write_atomic(self.path, json.dumps({
            "id": self.id, "started": self.started, "host": socket.gethostname(),
            "pid": os.getpid(), "waiting": self.waiting, "report": self.report,
            "sites": self.sites}, ensure_ascii=False, indent=1) + "\n")

    def close(self) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def live(self) -> bool:
        """Whether the dispatch that wrote this record is still running (holds its lock)."""
        if self._lock is not None:
            return True
        try:
            with open(self.folder / f"{self.id}.lock", "rb") as handle:
                fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        except OSError:
            return False
        return False

    def cancelled(self) -> bool:
        return (self.folder / f"{self.id}.cancel").exists()

    def mark_cancelled(self) -> None:
        write_atomic(self.folder / f"{self.id}.cancel", time.strftime("%Y-%m-%dT%H:%M:%S%z\n"))


def load(path: Path) -> Record | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("sites"), dict):
        return None
    sites = {str(site): entry for site, entry in data["sites"].items()
             if isinstance(entry, dict) and isinstance(entry.get("job"), str)
             and isinstance(entry.get("node"), str)}
    for entry in sites.values():
        earlier = entry.get("earlier")
        entry["earlier"] = [e for e in earlier if isinstance(e, dict) and isinstance(
            e.get("job"), str) and isinstance(e.get("node"), str)] if isinstance(
            earlier, list) else []
    return Record(path.parent, path.stem, str(data.get("started", "")),
                  bool(data.get("waiting")), sites, str(data.get("report") or ""))


def records(output: Path) -> list[Record]:
    """The dispatches recorded in the archive, oldest first (ids begin with the time)."""
    folder = Path(output) / FOLDER
    found = [load(path) for path in sorted(folder.glob("*.json"))] if folder.is_dir() else []
    return [record for record in found if record is not None]


def last(output: Path) -> Record | None:
    """The newest dispatch that scheduled (or followed) anything."""
    found = [record for record in records(output) if record.sites]
    return found[-1] if found else None


@dataclass(frozen=True)
class Known:
    """A job some recorded dispatch scheduled: whose, for which site, and whether it is still
    that site's job there (False: replaced, after its node was lost, or cancelled)."""

    record: Record
    site: str
    current: bool


def known_jobs(output: Path) -> dict[str, Known]:
    """Every recorded job id, newest record last (a job adopted by a later dispatch is known
    by the later one)."""
    known: dict[str, Known] = {}
    for record in records(output):
        cancelled = record.cancelled()
        for site, entry in record.sites.items():
            for earlier in entry["earlier"]:
                known[earlier["job"]] = Known(record, site, False)
            known[entry["job"]] = Known(record, site, not cancelled)
    return known


def prune(output: Path, keep: int = KEEP) -> None:
    """Remove the oldest records beyond `keep` (with their lock and cancel files)."""
    folder = Path(output) / FOLDER
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.json"))[:-keep]:
        for suffix in (".json", ".lock", ".cancel"):
            path.with_suffix(suffix).unlink(missing_ok=True)
