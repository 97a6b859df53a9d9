"""Spread site crawls over Scrapyd nodes and follow each job to its end.

The unit of distribution is the site: each job is `scrapy crawl <site>` on one node, exactly as
on one machine, and writes its own JSON report (ARCHIVER_JOB_REPORT) into the shared archive,
which is read here as data: whenever a job's report exists, the site's outcome comes from it,
whatever its node said or stopped saying. A site's outcome, with its exit code:

- finished: the job ended and its report was read; the exit code is the job's (0 or 1)
- interrupted: the job was stopped before it finished (`dispatch --cancel`, or its node shut
  it down); the next run resumes the site (130)
- locked: the job found its site locked by another run and did nothing (3)
- busy: the site was already pending or running on a node as a job no finished dispatch into
  this archive owns, so it was not scheduled again (3)
- not scheduled: no node was ready, or the node refused the job (1)
- lost: its node was lost and no healthy node was left to run it again (1)
- no report: the job ended without writing its report (1)
- scheduled: started, not waited for; running: still running when the wait was interrupted

Following the jobs, and node loss: archiver.dispatch_watch.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from archiver import dispatch_record
from archiver.archive import write_atomic
from archiver.run.exitcodes import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_LOCKED, EXIT_OK
from archiver.run.report import prune_reports
from archiver.scrapyd import PROJECT, Node, NodeJob, ScrapydError, version_on

STOP_WAIT = 60.0  # seconds a dispatch waits for the replaced jobs it cancelled to stop


@dataclass
class Ready:
    """A node that answered and holds this version of the project, with its load."""

    node: Node
    version: str  # the version name to run there
    load: int  # pending + running jobs, every project's
    active: list[NodeJob] = field(default_factory=list)  # this project's pending + running jobs


@dataclass
class SiteJob:
    site: str
    node: Node | None = None
    job: str = ""
    report: Path | None = None
    outcome: str = "scheduled"
    reason: str = ""
    result: dict | None = None  # the job's own JSON report, once read
    exit_code: int = EXIT_OK
    output: Path | None = None  # the shared archive (where the site's lock is)
    earlier: list[dict] = field(default_factory=list)  # jobs it replaced: node, job, why
    adopted: str = ""  # the earlier dispatch whose job this one follows
    free_polls: int = 0  # polls in a row its lost job's site was found unlocked
    holder_said: bool = False

    def end(self, outcome: str, exit_code: int, reason: str = "") -> None:
        self.outcome, self.exit_code, self.reason = outcome, exit_code, reason

    def as_report(self) -> dict:
        return {"node": self.node.name if self.node else None, "job": self.job or None,
                "outcome": self.outcome, "exit_code": self.exit_code, "reason": self.reason,
                "job_report": str(self.report) if self.report else None,
                "earlier_jobs": self.earlier, "adopted_from": self.adopted or None,
                "result": self.result}


def check_nodes(nodes: list[Node], digest: str) -> tuple[list[Ready], dict[str, str]]:
    """The nodes ready to run this version of the project (code + configs = `digest`), and for
    every other node why not: down, refusing calls, or stale (without this version)."""
    ready, problems = [], {}
    for node in nodes:
        try:
            version = version_on(node, digest)
            jobs = node.jobs() if version else []
        except ScrapydError as error:
            state = "refusing calls" if error.answered else "down"
            problems[node.name] = f"{state}: {error.reason}"
            continue
        if version is None:
            problems[node.name] = (f"stale: it does not hold this version of the project "
                                   f"(code and configs {digest}); run `archiver deploy` to it")
            continue
        active = [job for job in jobs if job.state != "finished"]
        ready.append(Ready(node, version, len(active),
                           [job for job in active if job.project == PROJECT]))
    return ready, problems


@dataclass
class Reconciled:
    """What the jobs found on the ready nodes mean for this dispatch (see reconcile)."""

    adopted: dict[str, tuple[Ready, NodeJob, str]] = field(default_factory=dict)
    busy: dict[str, tuple[Node, NodeJob, str]] = field(default_factory=dict)
    cancelled: dict[str, list[str]] = field(default_factory=dict)  # node name -> job ids


def reconcile(ready: list[Ready], output: Path, sites: list[str]) -> Reconciled:
    """Recognise the project's pending and running jobs on the ready nodes by the dispatch
    records of the archive. A job of a finished dispatch that had replaced it (its node was
    lost, or the dispatch was cancelled) is cancelled: a node that comes back with old queued
    jobs does not run them unseen. A finished dispatch's current job for a site asked for now is
    followed as this dispatch's job for it (adopted), not scheduled again. A job of a dispatch
    still running elsewhere, or of nobody known, makes its site busy."""
    known = dispatch_record.known_jobs(output)
    live: dict[str, bool] = {}
    found = Reconciled()
    wanted = set(sites)
    stopping: list[tuple[Node, str]] = []  # cancelled while running: they hold their site's lock
    for each in ready:
        for job in list(each.active):
            mine = known.get(job.id)
            owner_live = mine is not None and live.setdefault(mine.record.id, mine.record.live())
            if mine is not None and not owner_live and not mine.current:
                try:
                    each.node.call("cancel.json", {"project": PROJECT, "job": job.id})
                except ScrapydError:
                    pass  # it stays listed: busy below, and cancelled by a later dispatch
                else:
                    found.cancelled.setdefault(each.node.name, []).append(job.id)
                    if job.state == "running":
                        stopping.append((each.node, job.id))
                    each.active.remove(job)
                    each.load -= 1
                    continue
            if job.spider not in wanted:
                continue
            if mine is not None and not owner_live and mine.current \
                    and job.spider not in found.adopted:
                found.adopted[job.spider] = (each, job, mine.record.id)
            elif job.spider not in found.busy and job.spider not in found.adopted:
                whose = (f"job {job.id} of dispatch {mine.record.id}, which is still running"
                         if mine is not None else f"job {job.id}, which no dispatch into this "
                         "archive scheduled")
                found.busy[job.spider] = (each.node, job, f"already {job.state} on "
                                          f"{each.node.name} as {whose}; not scheduled again")
    wait_stopped(stopping)
    return found


def wait_stopped(jobs: list[tuple[Node, str]], timeout: float = STOP_WAIT) -> None:
    """Wait until the cancelled running jobs have stopped (SIGINT: Scrapy finishes the requests
    under way, writes its report and releases the site's lock), so that the site's new job does
    not find it locked; at most `timeout` seconds, then the new job meets whatever holds it."""
    deadline = time.monotonic() + timeout
    while jobs and time.monotonic() < deadline:
        still = []
        for node, job in jobs:
            try:
                states = {each.id: each.state for each in node.jobs()}
            except ScrapydError:
                continue  # a node that stops answering stops its jobs' wait
            if states.get(job) in ("pending", "running"):
                still.append((node, job))
        jobs = still
        if jobs:
            time.sleep(0.5)


def schedule(sites: list[str], ready: list[Ready], output: Path, spider_args: dict[str, str],
             found: Reconciled | None = None) -> list[SiteJob]:
    """One job per site on the least loaded ready node, unless the site's job is found on a
    node already (adopted or busy, see reconcile). A node's refusal is its site's outcome; a
    node that stops answering gets no more sites, and the site goes to the next node."""
    found = found or Reconciled()
    ready = list(ready)
    jobs = []
    for site in dict.fromkeys(sites):  # a site named twice is crawled once
        job = SiteJob(site, output=output)
        if site in found.adopted:
            each, running, owner = found.adopted[site]
            job.node, job.job, job.adopted = each.node, running.id, owner
            job.report = report_path(output, running.id)
            job.reason = f"its job {running.id} of dispatch {owner} is {running.state}: followed"
        elif site in found.busy:
            job.node, running, why = found.busy[site]
            job.job = running.id
            job.end("busy", EXIT_LOCKED, why)
        else:
            error = None
            while ready:
                target = min(ready, key=lambda each: each.load)
                error = start(target, job, spider_args)
                if error is None or error.answered:
                    break
                ready.remove(target)  # silent now: the site goes to the next node
            if error is not None:
                job.end("not scheduled", EXIT_FAILED, str(error))
            elif not job.job:
                job.end("not scheduled", EXIT_FAILED, "no Scrapyd node is ready")
        jobs.append(job)
    return jobs


def report_path(output: Path, job: str) -> Path:
    return output / ".reports" / f"dispatch-{job}.json"


def start(target: Ready, job: SiteJob, spider_args: dict[str, str]) -> ScrapydError | None:
    """Start the site's job on the node (a new job id); the node's error, if it failed."""
    job_id = f"{job.site}-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
    report = report_path(job.output, job_id)
    settings = {"ARCHIVER_OUTPUT_DIR": str(job.output), "ARCHIVER_JOB_REPORT": str(report)}
    try:
        target.node.call("schedule.json", {
            "project": PROJECT, "spider": job.site, "jobid": job_id, "_version": target.version,
            "setting": [f"{key}={value}" for key, value in settings.items()], **spider_args})
    except ScrapydError as error:
        return error
    job.node, job.job, job.report = target.node, job_id, report
    target.load += 1
    return None


def read_earlier(jobs: list[SiteJob]) -> None:
    """The replaced jobs that wrote a report after all (a node back with its queue ran some
    before they were cancelled): their outcome and figures, kept in their `earlier_jobs`
    entry, so the dispatch's report and totals count what they archived."""
    for job in jobs:
        for earlier in job.earlier:
            old = SiteJob(job.site, job=earlier["job"],
                          report=report_path(job.output, earlier["job"]) if job.output else None)
            if old.report and old.report.exists():
                earlier["outcome"], earlier["exit_code"], _ = read_result(old)
                earlier["result"] = old.result


def read_result(job: SiteJob) -> tuple[str, int, str]:
    """The outcome, exit code and reason of an ended job, from its JSON report; the site's part
    of the report is kept in job.result. Read as data: a missing figure counts as zero."""
    try:
        document = json.loads(job.report.read_text(encoding="utf-8")) if job.report else None
    except (OSError, ValueError) as error:
        return "no report", EXIT_FAILED, f"no report from the job ({error}); see its Scrapyd log"
    if not isinstance(document, dict):
        return "no report", EXIT_FAILED, "the job's report is not a JSON object"
    job.result = result = _site_part(document, job.site)
    if result.get("locked") or result.get("outcome") == "locked":
        return "locked", EXIT_LOCKED, str(result.get("locked") or result.get("reason", ""))
    code = result.get("exit_code", document.get("exit_code"))
    if result.get("finish_reason") == "shutdown" or result.get("outcome") == "interrupted" \
            or code == EXIT_INTERRUPTED:
        return ("interrupted", EXIT_INTERRUPTED, "the job was stopped before it finished; the "
                "next run resumes the site")
    if not isinstance(code, int) and "articles" not in result:
        return "no report", EXIT_FAILED, "the job's report gives no outcome"
    code = code if isinstance(code, int) else _verdict(result)
    return "finished", code, str(result.get("reason") or "") if code else ""


def _site_part(document: dict, site: str) -> dict:
    """A job report's part about the site: its entry under "sites", or the whole report (one
    site's figures at the top level)."""
    sites = document.get("sites")
    return sites[site] if isinstance(sites, dict) and isinstance(sites.get(site), dict) \
        else document


def _verdict(result: dict) -> int:
    """The exit code `archiver crawl` gives for these figures (a report without exit_code)."""
    def part(key: str) -> dict:
        value = result.get(key)
        return value if isinstance(value, dict) else {}

    counts = (part("articles").get("failed"), part("articles").get("flagged"),
              part("images").get("failed"), part("list_pages").get("failed"))
    return EXIT_FAILED if any(counts) or result.get("health") else EXIT_OK


def write_report(path: Path, document: dict) -> None:
    """Write the dispatch's report, and remove old reports of its folder (job reports pile up
    there, one per job; see run.report.prune_reports)."""
    write_atomic(path, json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    prune_reports(path.parent)


def last_dispatch(output: Path) -> dict | None:
    """The last dispatch into the archive, as `archiver status` shows it, from the shared folder
    alone (no node is asked): whether it is still running (following its jobs) or was
    cancelled, its report, and per site its node, job and outcome: the job's report when it
    exists, else "in flight" (queued or running, or lost with its node)."""
    record = dispatch_record.last(output)
    if record is None:
        return None
    sites = {}
    for site, entry in record.sites.items():
        job = SiteJob(site, job=entry["job"], report=report_path(Path(output), entry["job"]))
        if job.report.exists():
            job.end(*read_result(job))
        else:
            job.end("in flight", EXIT_OK, "no report yet: queued or running (or lost)")
        sites[site] = {"node": entry["node"], "job": job.job, "outcome": job.outcome,
                       "exit_code": job.exit_code, "reason": job.reason,
                       "earlier_jobs": len(entry["earlier"])}
    return {"dispatch": record.id, "started": record.started, "running": record.live(),
            "cancelled": record.cancelled(), "report": record.report or None, "sites": sites}
