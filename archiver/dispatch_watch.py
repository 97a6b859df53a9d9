"""Follow a dispatch's jobs to their end, over nodes that may be lost and come back.

Node loss (the rule the README states): a node is lost when it has not answered for
`lost_after` seconds (and LOST_POLLS polls in a row), and a job is lost when its node answers
without it (FORGOTTEN_POLLS times: a restarted Scrapyd forgets its running jobs). A lost job's
site runs again, on the least loaded healthy node, once nobody holds the site's lock (a crawl
that outlived its Scrapyd still holds it, and its report is awaited instead) and its report is
still missing, FREE_POLLS polls in a row. The replaced job is recorded (dispatch_record) and
cancelled wherever it shows up again, in this dispatch or the next.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from archiver.dispatch import Ready, SiteJob, read_result
from archiver.run.exitcodes import EXIT_FAILED, EXIT_INTERRUPTED
from archiver.run.lock import live_holder
from archiver.scrapyd import PROJECT, Node, ScrapydError

LOST_AFTER = 30.0  # seconds without an answer before a node's jobs are given up
LOST_POLLS = 3  # ... and at least this many failed polls in a row
FORGOTTEN_POLLS = 2  # answers in a row that do not list a job before it counts as lost
FREE_POLLS = 2  # polls in a row a lost job's site is unlocked, without report, before it reruns
MAX_JOBS = 3  # jobs one site gets in one dispatch (its first and two replacements)
LOST_NODE_POLL = 5.0  # seconds between polls of a lost node (to see it come back)


class Cluster:
    """The dispatch's nodes as they change: each one's state (ready, lost, back, or why it was
    skipped), the ready ones with their load, and what happened when, for the report."""

    def __init__(self, nodes: list[Node], ready: list[Ready], problems: dict[str, str]):
        self.nodes = nodes
        self.ready = {each.node.name: each for each in ready}
        self.states = {node.name: problems.get(node.name, "ready") for node in nodes}
        self.events: list[dict] = []

    def set(self, node: Node, state: str) -> None:
        self.states[node.name] = state
        self.events.append({"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "node": node.name,
                            "state": state})

    def lost(self, node: Node) -> bool:
        return self.states.get(node.name, "").startswith("lost")

    def healthy(self, besides: Node | None = None) -> list[Ready]:
        return [each for name, each in self.ready.items()
                if not self.lost(each.node) and each.node != besides]


Say = Callable[[str, str], None]  # (kind, message): "node" events, "requeue" of a site


class Watch:
    """Follows scheduled jobs until each has ended, calling `on_end` with each job as it ends.
    A lost job (see the module's rule) runs again through `requeue` (True when scheduled),
    or ends `lost` when it cannot. Jobs it replaced are cancelled when their node shows them."""

    def __init__(self, jobs: list[SiteJob], on_end: Callable[[SiteJob], None],
                 lost_after: float = LOST_AFTER, poll: float = 1.0,
                 on_silence: Callable[[Node, str], None] = lambda node, why: None,
                 cluster: Cluster | None = None,
                 requeue: Callable[[SiteJob], bool] | None = None,
                 cancelled: Callable[[], bool] = lambda: False, say: Say = lambda k, m: None):
        self.waiting = [job for job in jobs if job.outcome == "scheduled"]
        self.orphans: list[SiteJob] = []
        self.on_end, self.on_silence, self.say = on_end, on_silence, say
        self.cluster, self.requeue, self.cancelled = cluster, requeue, cancelled
        self.lost_after, self.poll = lost_after, poll
        self.answered = {job.node.name: time.monotonic() for job in self.waiting if job.node}
        self.failed_polls: dict[str, int] = {}
        self.unlisted: dict[str, int] = {}
        self.replaced: dict[str, Node] = {}  # job id -> node, of jobs replaced by this watch
        self.lost_nodes: dict[str, tuple[Node, float]] = {}  # name -> (node, next poll)

    def run(self) -> None:
        while self.waiting:
            followed = [job for job in self.waiting if job not in self.orphans and job.node]
            for node in {job.node.name: job.node for job in followed}.values():
                self._poll(node)
            now = time.monotonic()
            for name, (node, due) in list(self.lost_nodes.items()):
                if now >= due and not any(job.node == node for job in followed):
                    self.lost_nodes[name] = (node, now + LOST_NODE_POLL)
                    self._poll(node, timeout=2)
            self._orphaned()
            if self.waiting:
                time.sleep(self.poll)

    def _poll(self, node: Node, timeout: float | None = None) -> None:
        try:
            listed = {job.id: job.state for job in node.jobs(timeout)}
        except ScrapydError as error:
            self._no_answer(node, error.reason)
            return
        if node.name in self.lost_nodes:
            del self.lost_nodes[node.name]
            if self.cluster:
                self.cluster.set(node, "back: answers again")
            self.say("node", f"scrapyd node {node.name} answers again")
        self.answered[node.name], self.failed_polls[node.name] = time.monotonic(), 0
        self._cancel_replaced(node, listed)
        for job in [job for job in self.waiting if job.node == node and job not in self.orphans]:
            state = listed.get(job.job)
            self.unlisted[job.job] = 0 if state else self.unlisted.get(job.job, 0) + 1
            if state == "finished" or (state is None and job.report and job.report.exists()):
                self._ended(job, *read_result(job))
            elif self.unlisted[job.job] >= FORGOTTEN_POLLS:
                self._orphan(job, f"{node.name} no longer knows job {job.job} (Scrapyd "
                             "restarted, or the job was cancelled)")

    def _cancel_replaced(self, node: Node, listed: dict[str, str]) -> None:
        """A job this dispatch replaced, listed pending or running again (its node came back
        with its queue): cancelled, so that nothing runs unseen."""
        stale = [job for job, state in listed.items()
                 if state != "finished" and self.replaced.get(job) == node]
        for job in stale:
            try:
                node.call("cancel.json", {"project": PROJECT, "job": job})
            except ScrapydError:
                continue
            del self.replaced[job]
        if stale:
            what = f"cancelled {len(stale)} job(s) it held that ran again elsewhere"
            if self.cluster:
                self.cluster.set(node, f"back: {what}")
            self.say("node", f"scrapyd node {node.name}: {what}")

    def _no_answer(self, node: Node, why: str) -> None:
        failed = self.failed_polls[node.name] = self.failed_polls.get(node.name, 0) + 1
        silent = time.monotonic() - self.answered.setdefault(node.name, time.monotonic())
        if failed == 1 and node.name not in self.lost_nodes:
            self.on_silence(node, why)
        if failed >= LOST_POLLS and silent >= self.lost_after and \
                node.name not in self.lost_nodes:
            self.lost_nodes[node.name] = (node, time.monotonic() + LOST_NODE_POLL)
            if self.cluster:
                self.cluster.set(node, f"lost: {why} for {silent:.0f} s")
            jobs = [job for job in self.waiting if job.node == node and job not in self.orphans]
            self.say("node", f"scrapyd node {node.name} is lost ({why} for {silent:.0f} s): "
                     f"its {len(jobs)} site(s) run elsewhere once nobody holds their lock")
            for job in jobs:
                self._orphan(job, f"node lost: {why} for {silent:.0f} s")

    def _orphan(self, job: SiteJob, why: str) -> None:
        job.reason, job.free_polls, job.holder_said = why, 0, False
        self.orphans.append(job)

    def _orphaned(self) -> None:
        """Each lost job: its report, when it came after all; else, once its site's lock is
        free, a new job elsewhere."""
        for job in list(self.orphans):
            if job.report and job.report.exists():
                self.orphans.remove(job)
                self._ended(job, *read_result(job))
                continue
            if self.cancelled():
                self.orphans.remove(job)
                self._end(job, "interrupted", EXIT_INTERRUPTED,
                          "the dispatch was cancelled (`dispatch --cancel`)")
                continue
            holder = live_holder(job.output, job.site) if job.output else None
            if holder is not None:
                job.free_polls = 0
                if not job.holder_said:
                    job.holder_said = True
                    self.say("wait", f"{job.site}: {job.reason}; its lock is held by "
                             f"{describe(holder)}: waiting for that crawl")
                continue
            job.free_polls += 1
            if job.free_polls >= FREE_POLLS:
                self.orphans.remove(job)
                self._again(job)

    def _again(self, job: SiteJob) -> None:
        old, why = job.node, job.reason
        if self.requeue is None or len(job.earlier) + 1 >= MAX_JOBS:
            self._end(job, "lost", EXIT_FAILED, why)
            return
        previous = job.job
        if self.requeue(job):
            self.replaced[previous] = old
            self.unlisted[job.job] = 0
            self.answered.setdefault(job.node.name, time.monotonic())
            self.say("requeue", f"{job.site}: job {previous} lost ({why}); scheduled again as "
                     f"job {job.job} on {job.node.name}")
            job.reason = ""
        else:
            self._end(job, "lost", EXIT_FAILED, f"{why}; no healthy node left to run it again")

    def _ended(self, job: SiteJob, outcome: str, exit_code: int, reason: str = "") -> None:
        """A job's report was read. A replacement job that found its site locked (by the job it
        replaced, still running when its node came back) waits for the lock and runs again."""
        if outcome == "locked" and job.earlier and len(job.earlier) + 1 < MAX_JOBS:
            self._orphan(job, f"job {job.job} found {job.site} locked: {reason}")
            return
        self._end(job, outcome, exit_code, reason)

    def _end(self, job: SiteJob, outcome: str, exit_code: int, reason: str = "") -> None:
        job.end(outcome, exit_code, reason)
        self.waiting.remove(job)
        self.on_end(job)


def describe(holder: dict) -> str:
    if not isinstance(holder, dict) or not holder.get("pid"):
        return "a process that left no details"
    return f"process {holder.get('pid')} on {holder.get('host', '?')}"
