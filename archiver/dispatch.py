"""Spread site crawls over Scrapyd nodes and follow each job to its end.

The unit of distribution is the site: each job is `scrapy crawl <site>` on one node, exactly as
on one machine, and writes its own JSON report (ARCHIVER_JOB_REPORT), which is read here as
data. A site's outcome (the `outcome` of the dispatch report), with its exit code:

- finished: the job ended and its report was read; the exit code is the job's (0 or 1)
- locked: the job found its site locked by another run and did nothing (3)
- busy: the site was already pending or running on a node, so it was not scheduled again (3)
- not scheduled: no node was ready, or the node refused the job (1)
- lost: its node stopped answering for `lost_after` seconds, or forgot the job (a restarted
  Scrapyd has an empty job list) (1)
- no report: the job ended without writing its report (1)
- scheduled: started, not waited for; running: still running when the wait was interrupted
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from archiver.archive import write_atomic
from archiver.run.exitcodes import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_LOCKED, EXIT_OK
from archiver.run.report import prune_reports
from archiver.scrapyd import PROJECT, Node, ScrapydError, version_on

LOST_AFTER = 30.0  # seconds without an answer before a node's jobs are given up
LOST_POLLS = 3  # ... and at least this many failed polls in a row
FORGOTTEN_POLLS = 2  # answers in a row that do not list a job before it counts as forgotten


@dataclass
class Ready:
    """A node that answered and holds this version of the project, with its load."""

    node: Node
    version: str  # the version name to run there
    load: int  # pending + running jobs, every project's
    busy: set[str] = field(default_factory=set)  # sites of this project pending or running


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

    def end(self, outcome: str, exit_code: int, reason: str = "") -> None:
        self.outcome, self.exit_code, self.reason = outcome, exit_code, reason

    def as_report(self) -> dict:
        return {"node": self.node.name if self.node else None, "job": self.job or None,
                "outcome": self.outcome, "exit_code": self.exit_code, "reason": self.reason,
                "job_report": str(self.report) if self.report else None, "result": self.result}


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
                           {job.spider for job in active if job.project == PROJECT}))
    return ready, problems


def schedule(sites: list[str], ready: list[Ready], output: Path,
             spider_args: dict[str, str]) -> list[SiteJob]:
    """One job per site on the least loaded ready node, unless the site runs somewhere already.
    A node's refusal is its site's outcome; a node that stops answering gets no more sites."""
    busy = {site: each.node for each in ready for site in each.busy}
    ready = list(ready)
    jobs = []
    for site in dict.fromkeys(sites):  # a site named twice is crawled once
        job = SiteJob(site, busy.get(site))
        if job.node:
            job.end("busy", EXIT_LOCKED, f"already pending or running on {job.node.name}; "
                    "not scheduled again")
        elif not ready:
            job.end("not scheduled", EXIT_FAILED, "no Scrapyd node is ready")
        else:
            target = min(ready, key=lambda each: each.load)
            if not _schedule_on(target, job, output, spider_args):
                ready.remove(target)
        jobs.append(job)
    return jobs


def _schedule_on(target: Ready, job: SiteJob, output: Path, spider_args: dict[str, str]) -> bool:
    """Start the site's job on the node; False when the node did not answer."""
    job.node = target.node
    job.job = f"{job.site}-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
    job.report = output / ".reports" / f"dispatch-{job.job}.json"
    settings = {"ARCHIVER_OUTPUT_DIR": str(output), "ARCHIVER_JOB_REPORT": str(job.report)}
    try:
        target.node.call("schedule.json", {
            "project": PROJECT, "spider": job.site, "jobid": job.job, "_version": target.version,
            "setting": [f"{key}={value}" for key, value in settings.items()], **spider_args})
    except ScrapydError as error:
        job.end("not scheduled", EXIT_FAILED, str(error))
        return error.answered
    target.load += 1
    return True


class Watch:
    """Follows scheduled jobs until each has ended or its node is lost, calling `on_end` with
    each job as it ends. A node is lost when it has not answered for `lost_after` seconds (and
    LOST_POLLS polls in a row), or when it answers without the job (FORGOTTEN_POLLS times)."""

    def __init__(self, jobs: list[SiteJob], on_end: Callable[[SiteJob], None],
                 lost_after: float = LOST_AFTER, poll: float = 1.0,
                 on_silence: Callable[[Node, str], None] = lambda node, why: None):
        self.waiting = [job for job in jobs if job.outcome == "scheduled"]
        self.on_end, self.on_silence = on_end, on_silence
        self.lost_after, self.poll = lost_after, poll
        self.answered = {job.node.name: time.monotonic() for job in self.waiting if job.node}
        self.failed_polls: dict[str, int] = {}
        self.unlisted: dict[str, int] = {}

    def run(self) -> None:
        while self.waiting:
            for node in {job.node.name: job.node for job in self.waiting if job.node}.values():
                self._poll(node)
            if self.waiting:
                time.sleep(self.poll)

    def _poll(self, node: Node) -> None:
        try:
            states = {job.id: job.state for job in node.jobs()}
        except ScrapydError as error:
            self._no_answer(node, error.reason)
            return
        self.answered[node.name], self.failed_polls[node.name] = time.monotonic(), 0
        for job in [job for job in self.waiting if job.node == node]:
            state = states.get(job.job)
            self.unlisted[job.job] = 0 if state else self.unlisted.get(job.job, 0) + 1
            if state == "finished" or (state is None and job.report and job.report.exists()):
                self._end(job, *read_result(job))
            elif self.unlisted[job.job] >= FORGOTTEN_POLLS:
                self._end(job, "lost", EXIT_FAILED, f"{node.name} no longer knows job {job.job} "
                          "(Scrapyd restarted, or the job was cancelled)")

    def _no_answer(self, node: Node, why: str) -> None:
        failed = self.failed_polls[node.name] = self.failed_polls.get(node.name, 0) + 1
        silent = time.monotonic() - self.answered[node.name]
        if failed == 1:
            self.on_silence(node, why)
        if failed >= LOST_POLLS and silent >= self.lost_after:
            for job in [job for job in self.waiting if job.node == node]:
                self._end(job, "lost", EXIT_FAILED,
                          f"node lost: {why} for {silent:.0f} s")

    def _end(self, job: SiteJob, outcome: str, exit_code: int, reason: str = "") -> None:
        job.end(outcome, exit_code, reason)
        self.waiting.remove(job)
        self.on_end(job)


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
    if result.get("finish_reason") == "shutdown" or code == EXIT_INTERRUPTED:
        return "finished", EXIT_FAILED, "the job was stopped before it finished"
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
    counts = (result.get("articles", {}).get("failed"), result.get("articles", {}).get("flagged"),
              result.get("images", {}).get("failed"), result.get("list_pages", {}).get("failed"))
    return EXIT_FAILED if any(counts) or result.get("health") else EXIT_OK


def write_report(path: Path, document: dict) -> None:
    """Write the dispatch's report, and remove old reports of its folder (job reports pile up
    there, one per job; see run.report.prune_reports)."""
    write_atomic(path, json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    prune_reports(path.parent)
