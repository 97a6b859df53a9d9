"""Reading what the archive keeps on disk, for `archiver status`: the articles' dates, the site
records (.last-run.json, .state.json, .gone.json) and the runs' JSON reports.

Every record is untrusted input: a file that does not parse or has the wrong shape is named in
`problems` and read as absent; nothing here raises on a record's content. Nothing takes a lock
or touches the network: a run may be writing while this reads, and that is fine (every record
is replaced atomically).

Reading the dates of 100,000 articles means opening 100,000 files (seconds); so the dates and
the reports' figures are kept in one cache file, <output>/.cache/status.json, and read again
only for a site folder whose modification time changed (every archive write replaces a file
by rename, which changes its folder's time) and for reports not seen before (a report is never
rewritten). The cache is only an accelerator: a missing, broken or unwritable one means reading
everything. (A file changed in place, not replaced, keeps its folder's time: `status` shows it
as it was until anything else in the folder changes.)
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

CACHE_VERSION = 3
REPORTS = ".reports"
# The front matter's date line; archive files write it among the first lines (docs/format.md).
_DATE = re.compile(rb"^date:\s*['\"]?(\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?)",
                   re.M)
HEAD_BYTES = 2048  # a title is one line; the date follows it well within this
# Per site and report, the failures kept in the cache and shown (the report has them all).
MAX_LISTED = 50
# A record bigger than this is not read (house rule: records stay small).
MAX_RECORD_BYTES = 8 * 1024 * 1024


@dataclass
class Problems:
    """Records that could not be read, each named once with its file."""

    lines: list[str] = field(default_factory=list)

    def add(self, path: Path, why: str) -> None:
        self.lines.append(f"{path}: {why}; read as absent")


def read_json(path: Path, problems: Problems) -> Any:
    """A JSON record, or None when it is missing, oversized or does not parse."""
    try:
        if path.stat().st_size > MAX_RECORD_BYTES:
            problems.add(path, "larger than 8 MB")
            return None
        return json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError, RecursionError) as error:
        problems.add(path, f"does not read as JSON ({type(error).__name__})")
        return None


def article_date(path: str) -> str | None:
    """The `date` of an archive file, from its first bytes only."""
    try:
        fd = os.open(path, os.O_RDONLY)
        try:
            head = os.read(fd, HEAD_BYTES)
        finally:
            os.close(fd)
    except OSError:
        return None
    match = _DATE.search(head)
    return match.group(1).decode("ascii").replace("T", " ") if match else None


def site_articles(folder: Path, cache: Cache) -> dict[str, Any]:
    """{count, newest, per_month} of a site's archive files. The cached figures are used as
    they are when the folder did not change since; else the site's file list is read from its
    own cache file and only files whose own time changed are read again."""
    from collections import Counter

    try:
        mtime = folder.stat().st_mtime_ns
    except OSError:
        return {"count": 0, "newest": None, "per_month": {}}
    name = folder.name
    cached = cache.sites.get(name)
    if isinstance(cached, dict) and cached.get("mtime_ns") == mtime and {
            "count", "newest", "per_month"} <= set(cached):
        return cached
    old = cache.site_files(name)
    files: dict[str, list] = {}
    try:
        entries = list(os.scandir(folder))
    except OSError:
        entries = []
    for entry in entries:
        if not entry.name.endswith(".md") or entry.name.startswith("."):
            continue
        try:
            stamp = entry.stat().st_mtime_ns
        except OSError:
            continue
        known = old.get(entry.name)
        if isinstance(known, list) and len(known) == 2 and known[0] == stamp:
            files[entry.name] = known
        else:
            files[entry.name] = [stamp, article_date(entry.path)]
    dates = [value[1] for value in files.values()]
    months = Counter((date or "")[:7] or "undated" for date in dates)
    known_dates = [d for d in dates if d]
    figures = {"mtime_ns": mtime, "count": len(files),
               "newest": max(known_dates) if known_dates else None,
               "per_month": dict(sorted(months.items()))}
    cache.keep_site(name, figures, files)
    return figures


def last_run_started(folder: Path, problems: Problems) -> datetime | None:
    """The start of the site's last finished run (.last-run.json), naive local time."""
    path = folder / ".last-run.json"
    data = read_json(path, problems)
    if data is None:
        return None
    try:
        started = datetime.fromisoformat(data["started"])
    except (TypeError, KeyError, ValueError):
        problems.add(path, "holds no start time")
        return None
    if started.tzinfo is not None:
        started = started.astimezone().replace(tzinfo=None)
    if started > datetime.now():
        problems.add(path, "holds a time in the future")
        return None
    return started


def retry_urls(folder: Path, problems: Problems) -> list[str]:
    """Articles that failed and that the next run asks for again (.state.json)."""
    path = folder / ".state.json"
    data = read_json(path, problems)
    if data is None:
        return []
    lists = data.get("lists") if isinstance(data, dict) else None
    if not isinstance(lists, dict):
        problems.add(path, "is not a walk record")
        return []
    urls: list[str] = []
    for entry in lists.values():
        retry = entry.get("retry") if isinstance(entry, dict) else None
        if isinstance(retry, list):
            urls += [url for url in retry if isinstance(url, str) and url not in urls]
    return urls


def gone_urls(folder: Path, problems: Problems) -> list[str]:
    """Articles recorded as gone (.gone.json: 404/410 on two crawls in a row)."""
    from archiver.run.deadlinks import GONE_AFTER

    path = folder / ".gone.json"
    data = read_json(path, problems)
    if data is None:
        return []
    if not isinstance(data, dict):
        problems.add(path, "is not a dead-link record")
        return []
    gone = []
    for url, entry in data.items():
        runs = entry.get("runs") if isinstance(entry, dict) else None
        if isinstance(runs, int) and not isinstance(runs, bool) and runs >= GONE_AFTER:
            gone.append(url)
    return sorted(gone)


def _number(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _listed(entries: Any, kind: str) -> list[dict[str, str]]:
    """Entries of a report list (failures, offsite, ...; docs/design.md "The JSON report") as
    {kind, code, url, reason}."""
    if not isinstance(entries, list):
        return []
    out = []
    for entry in entries[:MAX_LISTED]:
        if isinstance(entry, dict) and isinstance(entry.get("url"), str):
            out.append({"kind": str(entry.get("kind") or kind),
                        "code": str(entry.get("code") or ""), "url": entry["url"],
                        "reason": str(entry.get("reason", ""))})
    return out


def _health_line(entry: Any) -> str:
    """A health finding in words: an event (kind `health`, its `reason`), or the plain line
    that reports written before events had."""
    if isinstance(entry, dict):
        return str(entry.get("reason") or entry.get("code") or "")
    return str(entry)


def site_run(report: Any) -> dict[str, Any] | None:
    """What the status shows of one site's part of a run report (None: not a site report)."""
    if not isinstance(report, dict) or not isinstance(report.get("outcome"), str):
        return None
    articles = report.get("articles") if isinstance(report.get("articles"), dict) else {}
    health = report.get("health") if isinstance(report.get("health"), list) else []
    held = report.get("held_back")
    return {
        "outcome": report["outcome"],
        "exit_code": _number(report.get("exit_code")),
        "mode": str(report.get("mode", "")),
        "new": _number(articles.get("new")),
        "changed": _number(articles.get("changed")),
        "failed": _number(articles.get("failed")),
        "offsite": _number(articles.get("offsite")),
        "ignored": _number(articles.get("ignored")),
        "held_back": _number(articles.get("held_back")) or (len(held) if isinstance(held, list)
                                                             else 0),
        "health": [_health_line(entry) for entry in health[:MAX_LISTED]],
        "failures": _listed(report.get("failures"), "article"),
        "offsite_links": _listed(report.get("offsite"), "offsite"),
        "ignored_links": _listed(report.get("ignored"), "ignored"),
        "held_back_items": _listed(held, "held_back"),
        "reason": str(report.get("reason") or report.get("config_error") or ""),
    }


def report_summary(document: Any) -> dict[str, Any] | None:
    """The figures of one run report the status uses, or None for a file that is no report.

    A dispatch's own report is left out of the runs: each of its jobs writes a report of its
    own (dispatch-<job>.json) that counts the site's run. Its jobs are kept under "jobs" for
    the status of dispatched work (see status.collect.dispatched_jobs)."""
    if not isinstance(document, dict) or not isinstance(document.get("sites"), dict):
        return None
    command = str(document.get("command", ""))
    summary: dict[str, Any] = {"command": command, "started": str(document.get("started", "")),
                               "sites": {}, "jobs": {}}
    for name, part in document["sites"].items():
        if command == "dispatch":
            if isinstance(part, dict):
                summary["jobs"][str(name)] = {
                    key: part.get(key) for key in ("node", "job", "outcome", "exit_code",
                                                   "reason") if key in part}
            continue
        run = site_run(part)
        if run is not None:
            summary["sites"][str(name)] = run
    return summary


def _started(summary: dict) -> str:
    """A report's start time, comparable across reports (UTC, ISO)."""
    try:
        moment = datetime.fromisoformat(summary["started"])
    except (KeyError, TypeError, ValueError):
        return ""
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.astimezone(UTC).isoformat()


def read_new_reports(folder: Path, cache: Cache, problems: Problems) -> set[str]:
    """Fold the run reports of <output>/.reports not seen before into the cache's runs per
    site (a report is written once, never changed); the names of the reports present."""
    try:
        names = {e.name for e in os.scandir(folder)
                 if e.name.endswith(".json") and not e.name.startswith(".")}
    except OSError:
        return set()
    new = sorted(names - cache.seen)
    for name in new:
        try:
            if (folder / name).stat().st_size == 0:
                continue  # reserved by a run that is writing it now: read next time
        except OSError:
            continue
        summary = report_summary(read_json(folder / name, problems))
        cache.seen.add(name)
        cache.changed = True
        if summary is None:
            continue
        when = _started(summary)
        for site, run in summary["sites"].items():
            cache.add_run(site, {"file": name, "started": summary["started"],
                                 "sort": when, "command": summary["command"], **run})
        for site, job in summary["jobs"].items():
            cache.jobs[site] = {"file": name, "sort": when, **job} \
                if when >= cache.jobs.get(site, {}).get("sort", "") else cache.jobs[site]
    cache.seen &= names  # reports removed (older than 90 days) need not be remembered
    return names


# The details (failures, health) are kept for the newest run of a site only.
DETAILS = ("health", "failures", "offsite_links", "ignored_links", "held_back_items", "reason")


class Cache:
    """The status cache: <output>/.cache/status.json (per site its article figures and its
    last runs, the reports already read, the config verdicts) and, per site, the dates of its
    files (<output>/.cache/status/<site>.json, read only when the site's folder changed).
    Written back (atomically, not synced: it can always be rebuilt) when anything changed."""

    def __init__(self, output: Path, runs_kept: int = 10):
        self.root = output / ".cache"
        self.path = self.root / "status.json"
        self.runs_kept = runs_kept
        data = None
        try:
            data = json.loads(self.path.read_bytes())
        except (OSError, ValueError, RecursionError):
            pass
        if not isinstance(data, dict) or data.get("version") != CACHE_VERSION:
            data = {}

        def part(key: str, kind: type) -> Any:
            value = data.get(key)
            return value if isinstance(value, kind) else kind()

        self.sites: dict[str, Any] = part("sites", dict)
        self.runs: dict[str, list] = part("runs", dict)
        self.jobs: dict[str, dict] = part("jobs", dict)
        self.configs: dict[str, list] = part("configs", dict)
        self.seen: set[str] = set(part("seen", list))
        self.files: dict[str, dict] = {}  # per-site file lists to write back
        self.changed = False

    def site_files(self, name: str) -> dict:
        try:
            data = json.loads((self.root / "status" / f"{name}.json").read_bytes())
        except (OSError, ValueError, RecursionError):
            return {}
        return data if isinstance(data, dict) else {}

    def keep_site(self, name: str, figures: dict, files: dict) -> None:
        self.sites[name] = figures
        self.files[name] = files
        self.changed = True

    def add_run(self, site: str, run: dict) -> None:
        runs = self.runs.get(site)
        runs = [r for r in runs if isinstance(r, dict)] if isinstance(runs, list) else []
        runs.append(run)
        runs.sort(key=lambda r: (str(r.get("sort", "")), str(r.get("file", ""))))
        runs = runs[-self.runs_kept:]
        for older in runs[:-1]:
            for key in DETAILS:
                older.pop(key, None)
        self.runs[site] = runs

    def site_runs(self, site: str) -> list[dict]:
        runs = self.runs.get(site)
        return [r for r in runs if isinstance(r, dict)] if isinstance(runs, list) else []

    def save(self) -> None:
        """Write the cache back; a read-only archive keeps none, which is only slower."""
        from archiver.archive import write_atomic

        if not self.changed or not self.root.parent.is_dir():
            return  # nothing new, or no archive folder (status never creates one)
        document = {"version": CACHE_VERSION, "sites": self.sites, "runs": self.runs,
                    "jobs": self.jobs, "configs": self.configs, "seen": sorted(self.seen)}
        try:
            (self.root / "status").mkdir(parents=True, exist_ok=True)
            for name, files in self.files.items():
                write_atomic(self.root / "status" / f"{name}.json",
                             json.dumps(files, separators=(",", ":")), durable=False)
            write_atomic(self.path, json.dumps(document, ensure_ascii=False,
                                               separators=(",", ":")), durable=False)
        except OSError:
            pass
