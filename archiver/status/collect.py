"""The state of the archive, per site, as plain data: what `archiver status` prints, writes as
JSON (README "archiver status", field by field) and draws in the HTML dashboard.

Built from the site configs (schedules, which sites exist) and the records on disk
(archiver.status.records); no network, no lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from archiver.status import records

# Runs shown per site (the dashboard's strip of outcomes).
RUNS_SHOWN = 10


def next_due(schedule: str | None, last: datetime | None) -> datetime | None:
    """When `crawl --due` takes the site (archiver.run.schedule): the time it is, or became, due
    after its last finished run; None for a site never run (due at once)."""
    from croniter import croniter

    from archiver.run.schedule import DEFAULT, INTERVALS, SLACK

    schedule = schedule or DEFAULT
    if last is None:
        return None
    if schedule in INTERVALS:
        return last + INTERVALS[schedule] - SLACK
    # is_due: due once the expression fired more than SLACK after the last run.
    return croniter(schedule, last + SLACK).get_next(datetime)


@dataclass
class Configs:
    """What the status needs of the site configs: each site's schedule, and the config errors
    by site name (the file's stem)."""

    schedules: dict[str, str | None]
    errors: dict[str, str]


def _code_stamp() -> str:
    """Changes when the config validation's code does: cached verdicts then count for nothing."""
    from archiver import config

    folder = Path(config.__file__).parent
    return ",".join(str(p.stat().st_mtime_ns) for p in sorted(folder.glob("*.py")))


def one_line(error: object) -> str:
    """An error message on one line (YAML's messages span several, with a caret drawing), as
    `archiver sites` prints it (nothing below the command line imports archiver.commands)."""
    return " ".join(line.strip() for line in str(error).splitlines() if line.strip(" ^"))


def read_configs(folder: str, cache: records.Cache) -> Configs:
    """Every config of the folder, validated as `archiver sites` does; a file whose time and
    size did not change since the last status keeps its cached verdict (parsing 200 YAML
    files takes longer than the whole status may)."""
    from archiver.config import ConfigError
    from archiver.config.loading import config_files, load_site

    files = config_files(folder)
    if files is None:
        return Configs({}, {"": f"{folder}: site config folder does not exist"})
    stamp = _code_stamp()
    if cache.configs.get("") != [stamp]:
        cache.configs = {"": [stamp]}
    schedules: dict[str, str | None] = {}
    errors: dict[str, str] = {}
    for path in files:
        try:
            info = Path(str(path)).stat()
            key = [info.st_mtime_ns, info.st_size]
        except OSError:
            key = None
        cached = cache.configs.get(str(path))
        if key is None or not isinstance(cached, list) or len(cached) != 5 or cached[:2] != key:
            try:
                site = load_site(path)
                cached = [*(key or [0, 0]), site.name, site.schedule, None]
            except ConfigError as error:
                cached = [*(key or [0, 0]), Path(str(path)).stem, None, one_line(error)]
            if key is not None:
                cache.configs[str(path)] = cached
                cache.changed = True
        name, schedule, error = cached[2:]
        if error:
            errors[name] = error
        elif name in schedules:
            errors[Path(str(path)).stem] = (f"{path}: key 'name': {name!r} is already used by "
                                            "another config")
        else:
            schedules[name] = schedule
    return Configs(schedules, errors)


def dispatched_jobs(name: str, cache: records.Cache) -> list[dict[str, Any]]:
    """The site's job of the newest dispatch that sent it (node, job, outcome).

    This is the place for the status of dispatched work: the `nodes` lane may answer from
    Scrapyd here (pending/running); today it is what the newest dispatch report recorded."""
    job = cache.jobs.get(name)
    if not isinstance(job, dict):
        return []
    return [{k: v for k, v in job.items() if k != "sort"}]


def site_status(name: str, output: Path, configs: Configs, reports: set[str],
                cache: records.Cache, now: datetime) -> dict[str, Any]:
    folder = output / name
    problems = records.Problems()
    articles = records.site_articles(folder, cache)
    last_started = records.last_run_started(folder, problems)
    # Runs whose report was removed (older than the reports are kept) are not shown.
    runs = [r for r in cache.site_runs(name) if r.get("file") in reports]
    run = runs[-1] if runs else {}
    configured = name in configs.schedules
    schedule = (configs.schedules.get(name) or "daily") if configured else None
    due = next_due(schedule, last_started) if configured else None
    retry = records.retry_urls(folder, problems)
    gone = records.gone_urls(folder, problems)
    failures = [*run.get("failures", []), *run.get("held_back_items", []),
                *run.get("offsite_links", [])]
    return {
        "name": name,
        "configured": configured,
        "config_error": configs.errors.get(name),
        "schedule": schedule,
        "articles": articles["count"],
        "newest": articles["newest"],
        "per_month": articles["per_month"],
        "last_run": {
            "started": run["started"], "command": run["command"], "outcome": run["outcome"],
            "exit_code": run["exit_code"], "new": run["new"], "changed": run["changed"],
            "failed": run["failed"], "reason": run.get("reason", ""),
            "report": str(output / records.REPORTS / run["file"]),
        } if run else None,
        "last_finished_run": last_started.isoformat(timespec="seconds") if last_started
        else None,
        "next_due": due.isoformat(timespec="minutes") if due else None,
        "due": configured and (due is None or due <= now),
        "runs": [{"started": r["started"], "command": r["command"], "outcome": r["outcome"],
                  "exit_code": r["exit_code"], "new": r["new"], "failed": r["failed"]}
                 for r in reversed(runs[-RUNS_SHOWN:])],
        "retry": len(retry),
        "retry_urls": retry[:records.MAX_LISTED],
        "gone": len(gone),
        "gone_urls": gone[:records.MAX_LISTED],
        "offsite": run.get("offsite", 0),
        "ignored": run.get("ignored", 0),
        "ignored_urls": [i["url"] for i in run.get("ignored_links", [])],
        "held_back": run.get("held_back", 0),
        "failures": failures[:records.MAX_LISTED],
        "health": [*run.get("health", []), *problems.lines],
        "jobs": dispatched_jobs(name, cache),
    }


def known_sites(output: Path, configs: Configs) -> list[str]:
    from archiver.archive import archived_sites

    return sorted({*configs.schedules, *configs.errors, *archived_sites(output)} - {""})


def collect(output: Path, config_dir: str, names: list[str] | None = None,
            now: datetime | None = None, cache: records.Cache | None = None
            ) -> dict[str, Any]:
    """The status document: every configured or archived site (or the named ones) and the
    totals."""
    now = now or datetime.now().replace(microsecond=0)
    cache = cache or records.Cache(output, RUNS_SHOWN)
    problems = records.Problems()
    configs = read_configs(config_dir, cache)
    reports = records.read_new_reports(output / records.REPORTS, cache, problems)
    chosen = names or known_sites(output, configs)
    sites = [site_status(name, output, configs, reports, cache, now) for name in chosen]
    cache.save()
    return {
        "output": str(output),
        "generated": now.isoformat(timespec="seconds"),
        "sites": sites,
        "totals": totals(sites),
        "problems": [*([configs.errors[""]] if "" in configs.errors else []), *problems.lines],
    }


def totals(sites: list[dict[str, Any]]) -> dict[str, Any]:
    def failing(site: dict) -> bool:
        run = site["last_run"]
        return bool(site["config_error"]) or bool(run and run["exit_code"] != 0)

    newest = [s["newest"] for s in sites if s["newest"]]
    return {
        "sites": len(sites),
        "articles": sum(s["articles"] for s in sites),
        "newest": max(newest) if newest else None,
        "never_run": sum(1 for s in sites if s["last_run"] is None),
        "failing": sum(1 for s in sites if failing(s)),
        "due": sum(1 for s in sites if s["due"]),
        "retry": sum(s["retry"] for s in sites),
        "gone": sum(s["gone"] for s in sites),
        "offsite": sum(s["offsite"] for s in sites),
        "ignored": sum(s["ignored"] for s in sites),
        "held_back": sum(s["held_back"] for s in sites),
        "health": sum(len(s["health"]) for s in sites),
    }
