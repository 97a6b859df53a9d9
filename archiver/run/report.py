"""The run's JSON report, written from a RunOutcome (its fields: docs/design.md "The JSON
report"), and the pruning of old reports."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from archiver.archive import write_atomic
from archiver.run.outcome import RunOutcome

# Reports (and tracebacks of unexpected errors) in <output>/.reports/ are kept this long.
KEEP_REPORTS_DAYS = 90


def default_report_path(output: Path, name: str) -> Path:
    """A report file of this run's own in <output>/.reports/, named by the time: a second run
    in the same second gets `-2`, `-3`... (the name is reserved at once), so no run's report
    replaces another's. When the folder cannot be written, the plain name (writing the report
    then says why)."""
    from archiver.archive.fs import reserve_new

    path = Path(output) / ".reports" / f"{time.strftime('%Y%m%d-%H%M%S')}-{name}.json"
    try:
        return reserve_new(path)
    except OSError:
        return path


def report_document(run: RunOutcome) -> dict[str, Any]:
    return {
        "command": run.command,
        "argv": run.argv,
        "pid": os.getpid(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(run.started)),
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "duration_seconds": round(time.time() - run.started, 3),
        "exit_code": int(run.exit_code),
        "output": str(run.output),
        "sites": {name: site.to_json() for name, site in run.sites.items()},
    }


def write_report(path: Path, run: RunOutcome) -> str | None:
    """Write the run's JSON report; returns why it could not be written, or None."""
    text = json.dumps(report_document(run), ensure_ascii=False, indent=2) + "\n"
    try:
        write_atomic(path, text)
    except OSError as error:
        blocker = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
        why = f"{blocker} is not a folder" if blocker else error.strerror or str(error)
        return f"cannot write the report {path}: {why}"
    if path.parent.name == ".reports":  # the archive's own folder of reports, not --report's
        prune_reports(path.parent)
    return None


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
