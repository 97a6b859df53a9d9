"""The bookkeeping of one site's crawl, however it was started (`archiver crawl/fetch/refresh`,
`scrapy crawl SITE`, a Scrapyd job): a Scrapy extension, on by default (settings.EXTENSIONS).

When the spider opens it takes the site's lock (a second run of any kind refuses at once,
naming the holder), then clears partial files a killed run left, reads the archive index, the
walk record (archiver.run.resume) and the dead links (archiver.run.deadlinks), and marks the lists
as being walked; it hands all that to the spider as `spider.run` (a RunState) and sends
`run_opened` with it. While the crawl runs it holds the run's events and listens for what the
spider reports (archiver.run.signals). When the spider closes it records how each walk ended,
the dead links, the last run (for --due), the site's outcome and the JSON report, and releases
the lock. Neither the spider nor any pipeline imports this module.
"""

from __future__ import annotations

import dataclasses
import logging
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.exceptions import CloseSpider, NotConfigured

from archiver.archive import ArchiveIndex, OutputProblem, site_dir
from archiver.run import outcome
from archiver.run import signals as run_signals
from archiver.run.deadlinks import DeadLinks
from archiver.run.events import CODE_COUNTER, KINDS, Event, Kind
from archiver.run.exitcodes import ExitCode
from archiver.run.guard import site_is_up
from archiver.run.lock import SiteLock, SiteLocked
from archiver.run.outcome import Outcome, RunOutcome, SiteOutcome
from archiver.run.record import Recorder
from archiver.run.records import BAD_RECORD, BadRecord
from archiver.run.report import default_report_path, write_report
from archiver.run.resume import Plan, WalkRecord
from archiver.run.schedule import read_last_run, record_run
from archiver.run.state import Mode, RunState

logger = logging.getLogger(__name__)
# ARCHIVER_JOB_REPORT value that means "the command writes one report for all its sites".
REPORT_BY_COMMAND = "-"
# Articles whose body came from the generic fallback, named by the site's health.
FALLBACK_SAMPLE = 5


def command_line() -> str:
    return " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])


class Refused(Exception):
    """The crawl must not run: the site's outcome says why."""

    def __init__(self, outcome: Outcome, code: str, reason: str, exit_code: ExitCode):
        super().__init__(reason)
        self.outcome, self.code, self.reason, self.exit_code = outcome, code, reason, exit_code


class SiteRun:
    def __init__(self, crawler: Any, site: Any, output: Path, report_path: str):
        self.crawler = crawler
        self.site = site
        self.output = output
        self.report_path = report_path
        self.started = time.time()
        self.state = RunState(Mode.CRAWL)
        self.lock: SiteLock | None = None
        self.refused: Refused | None = None
        self.walks: WalkRecord | None = None  # how each list walk ended (archiver.run.resume)
        self.events: list[Event] = []
        self.notes: list[str] = []
        self.cuts: dict[str, str] = {}  # start URL -> why its walk did not finish
        # start URL -> where the walk continues next run (the cap stopped it), or None (the
        # list was walked to its end): absent, the recorded point stays.
        self.resume_at: dict[str, dict | None] = {}
        self.article_list: dict[str, str] = {}  # article URL -> start URL of the list
        self.fallback_urls: list[str] = []  # articles whose body came from the fallback
        self.outcome: SiteOutcome | None = None  # the site's outcome, once closed
        self.opened = False

    @classmethod
    def from_crawler(cls, crawler: Any) -> SiteRun:
        site = getattr(crawler.spidercls, "site", None)
        if site is None:
            raise NotConfigured  # not one of the archiver's site spiders
        ext = cls(crawler, site, Path(crawler.settings["ARCHIVER_OUTPUT_DIR"]),
                  crawler.settings.get("ARCHIVER_JOB_REPORT", ""))
        for receiver, signal in (
                (ext.spider_opened, signals.spider_opened),
                (ext.spider_closed, signals.spider_closed),
                (ext.event_recorded, run_signals.event_recorded),
                (ext.event_retracted, run_signals.event_retracted),
                (ext.articles_listed, run_signals.articles_listed),
                (ext.walk_cut, run_signals.walk_cut),
                (ext.walk_paused, run_signals.walk_paused),
                (ext.walk_ended, run_signals.walk_ended),
                (ext.body_fallback, run_signals.body_fallback),
                (ext.noted, run_signals.note)):
            crawler.signals.connect(receiver, signal=signal)
        return ext

    # -- what the spider and the pipelines report ------------------------------------------------

    def event_recorded(self, event: Event) -> None:
        self.events.append(event)

    def event_retracted(self, kind: Kind, url: str) -> None:
        for event in [e for e in self.events if e.kind is kind and e.url == url]:
            self.events.remove(event)
            self._uncount(event)

    def _uncount(self, event: Event) -> None:
        stats = self.crawler.stats
        if KINDS[event.kind].counter:
            stats.inc_value(KINDS[event.kind].counter, -1)
        stats.inc_value(CODE_COUNTER.format(kind=event.kind, code=event.code), -1)

    def articles_listed(self, urls: list[str], start: str) -> None:
        for url in urls:
            self.article_list.setdefault(url, start)

    def walk_cut(self, start: str, why: str) -> None:
        """This list's walk did not reach its end (or its first page with nothing new)."""
        self.cuts.setdefault(start, why)

    def walk_paused(self, start: str, point: dict, deep: bool) -> None:
        """The cap (or a failed list page) stopped the walk of a long list at `point`; the next
        run continues there. The walk from the top never takes the place of a deeper point."""
        recorded = self.state.plan(start).resume
        if deep or (start not in self.resume_at
                    and (recorded is None or recorded["page"] < point["page"])):
            self.resume_at[start] = point

    def walk_ended(self, start: str, page: int | None = None) -> None:
        """The walk reached the end of the list (at list page `page`; None: an endless pager):
        nothing is left to resume."""
        if page is not None and self.state.plan(start).resume:
            self.notes.append(f"the walk of {start} reached the end of the list at list page "
                              f"{page}")
        self.resume_at[start] = None
    def noted(self, text: str) -> None:
        """A line for the report's notes (the captures' repairs and troubles)."""
        self.notes.append(text)

    def body_fallback(self, url: str) -> None:
        if len(self.fallback_urls) < FALLBACK_SAMPLE:
            self.fallback_urls.append(url)

    # -- opening ---------------------------------------------------------------------------------

    def spider_opened(self, spider: Any) -> None:
        self.opened = True
        self.state = RunState(spider.mode)
        try:
            if spider.mode.writes:  # `archiver preview` writes nothing and needs no lock
                self._open(spider)
        except Refused as refused:
            self.refused = refused
            logger.error("%s: not crawled: %s", self.site.name, refused.reason)
            raise CloseSpider(str(refused.outcome)) from None
        except Exception as error:  # noqa: BLE001 (a crawl without its bookkeeping must not run)
            self.refused = Refused(Outcome.NOT_STARTED, "bookkeeping_error",
                                   f"{type(error).__name__}: {error}", ExitCode.FAILED)
            logger.error("%s: not crawled: %s", self.site.name, self.refused.reason)
            raise CloseSpider(str(Outcome.NOT_STARTED)) from None
        spider.run = self.state
        self.crawler.signals.send_catch_log(signal=run_signals.run_opened, state=self.state)

    def _open(self, spider: Any) -> None:
        self._take_lock()
        self.state.index = ArchiveIndex.open(site_dir(self.output, self.site.name),
                                             self.site.canonical, self.site.is_article_url)
        if self.state.index.problem:
            self.notes.append(self.state.index.problem)
        self.state.dead = DeadLinks(self.output / self.site.name, retry=spider.retry_gone)
        self.state.folder = self.output / self.site.name
        self._bad_record(self.state.dead.bad)
        if self.state.mode is Mode.CRAWL:
            try:
                read_last_run(self.output / self.site.name)
            except BadRecord as error:  # --due took the site as due; this run rewrites it
                self._bad_record(error)
            self._begin_walks(full=spider.full)

    def _bad_record(self, error: BadRecord | None) -> None:
        """A run record that could not be used: said once, in the summary and the report."""
        if error is not None:
            logger.warning("%s: %s: %s", self.site.name, BAD_RECORD, error)
            Recorder(self.crawler)(Kind.RECORD, BAD_RECORD, str(error.path), error.problem,
                                   site=self.site.name, file=str(error.path))

    def _take_lock(self) -> None:
        self.lock = SiteLock(self.output, self.site.name, command_line())
        try:
            self.lock.acquire()
        except SiteLocked as error:
            raise Refused(Outcome.LOCKED, "locked", str(error), ExitCode.LOCKED) from None
        except OutputProblem as error:  # one line naming the path (archiver.archive.fs)
            raise Refused(Outcome.NOT_STARTED, "output_unusable",
                          f"cannot write the archive: {error}", ExitCode.CONFIG) from None
        except OSError as error:
            raise Refused(Outcome.NOT_STARTED, "site_folder_unusable",
                          f"cannot use the site folder {self.lock.path.parent}: "
                          f"{error.strerror or error}", ExitCode.CONFIG) from None
        if self.lock.stale:
            self.notes.append(f"took over the lock of process {self.lock.stale.get('pid')}, "
                              "which is no longer running")
        if self.lock.removed:
            self.notes.append(f"removed {self.lock.removed} partial file(s) an interrupted run "
                              "left")

    def _begin_walks(self, full: bool) -> None:
        self.walks = WalkRecord(self.output / self.site.name, self.site)
        plans = self.walks.load()
        self._bad_record(self.walks.bad)
        self.state.plans = {url: Plan(True, resume=plan.resume) for url, plan in plans.items()} \
            if full else plans
        for url, plan in self.state.plans.items():
            if plan.why and self.state.index.names:  # a first crawl has nothing to resume
                self.notes.append(f"resuming: walking {url} in full: {plan.why}")
            if plan.resume:
                self.notes.append(f"resuming: the walk of {url} goes on from list page "
                                  f"{plan.resume['page']} ({plan.resume['url']}), where the last "
                                  "run stopped")
            if plan.retry:
                self.notes.append(f"resuming: asking again for {len(plan.retry)} article(s) of "
                                  f"{url} that failed last time")
        self.walks.begin()
        if self.walks.error and self.walks.path.exists():
            # A stale "clean" record could hide this run's gaps from the next one.
            raise Refused(Outcome.NOT_STARTED, "walk_record_unwritable", self.walks.error,
                          ExitCode.FAILED)

    # -- closing ---------------------------------------------------------------------------------

    def spider_closed(self, spider: Any, reason: str) -> None:
        if not self.opened:
            return  # a crawler that failed while opening: see crawler_outcome()
        if self.refused:
            refused = self.refused
            self.outcome = SiteOutcome.not_run(str(self.state.mode), refused.outcome,
                                               refused.code, refused.reason, refused.exit_code)
        else:
            self.outcome = self._close(reason)
        if self.lock is not None:
            self.lock.release()
        if self.state.mode.writes and self.report_path != REPORT_BY_COMMAND:
            self._write_report(self.outcome)

    def killed_report(self) -> SiteOutcome:
        """The outcome of a run stopped at once by a second signal (its spider never closed):
        interrupted, with what the stats counted as written. Its walks stay recorded as
        "walking", so the next run walks them in full; the lock goes with the process."""
        self.notes.append("stopped at once by a second signal: every file written is "
                          "complete; the next run walks every list in full")
        self.outcome = self._outcome(outcome.INTERRUPTED)
        return self.outcome

    def _write_report(self, site: SiteOutcome) -> None:
        """The job's own report (`scrapy crawl`, Scrapyd): the run is this one site."""
        path = Path(self.report_path) if self.report_path else \
            default_report_path(self.output, self.site.name)
        run = RunOutcome("scrapy crawl", sys.argv[1:], self.started, self.output,
                         {self.site.name: site})
        error = write_report(path, run)
        if error:
            logger.error(error)

    def _outcome(self, reason: str) -> SiteOutcome:
        stats = {**self.crawler.stats.get_stats(), "finish_reason": reason}
        events = (self.events + outcome.health(stats, self.site, self.fallback_urls)
                  + outcome.guard_causes(self.events, self.site.name))
        return outcome.crawled(stats, events, str(self.state.mode), self.notes)

    def _close(self, reason: str) -> SiteOutcome:
        if self.walks is not None:
            self.walks.finish(self._walk_ends(reason))
            if self.walks.error:
                self.notes.append(self.walks.error)
        try:
            self.state.index.save()
        except OSError as error:
            self.notes.append(f"cannot record aliases: {error.strerror or error}")
        if self.state.dead is not None:
            self._settle_dead_links()
            try:
                self.state.dead.save()
            except OSError as error:
                self.notes.append(f"cannot record dead links: {error.strerror or error}")
        if self.state.mode is Mode.CRAWL:
            try:
                record_run(self.output, self.site.name, datetime.fromtimestamp(self.started),
                           reason)
            except OSError as error:
                self.notes.append(f"cannot record the last run: {error.strerror or error}")
        if not self.site.configured:
            detected = outcome.detected_families(self.crawler.stats.get_stats())
            self.notes.append(f"no site config for {self.site.name}: archived under its host "
                              f"name; CMS detected: {', '.join(detected) or 'none'}")
        return self._outcome(reason)

    def _settle_dead_links(self) -> None:
        """This run's 404/410s count toward "gone" only if the site was otherwise up (an
        outage is not death, archiver.run.guard); the failures that made a URL gone say so."""
        answered, failed = self.state.guard.answers(self.crawler.stats.get_stats())
        had_strikes = bool(self.state.dead.pending)
        up = site_is_up(answered, failed)
        gone = set(self.state.dead.settle(up))
        for n, event in enumerate(self.events):
            if event.kind is Kind.ARTICLE and event.url in gone:
                self._uncount(event)
                self.events[n] = dataclasses.replace(
                    event, code="recorded_gone", reason=event.reason + " on two crawls in a "
                    "row: recorded as gone, later crawls skip it")
                self.crawler.stats.inc_value(KINDS[Kind.ARTICLE].counter)
                self.crawler.stats.inc_value(CODE_COUNTER.format(kind=Kind.ARTICLE,
                                                                 code="recorded_gone"))
        if had_strikes and not up:
            self.notes.append(f"outage, not dead links: {failed} of {failed + answered} article "
                              "request(s) failed and no other article answered enough to show "
                              "the site is up, so this run's 404/410 answers are not counted "
                              'toward "gone"')

    def _walk_ends(self, reason: str) -> dict[str, dict]:
        failed: dict[str, list[str]] = {}
        for event in self.events:
            if event.kind is Kind.ARTICLE and event.url in self.article_list:
                failed.setdefault(self.article_list[event.url], []).append(event.url)
        ends = {}
        for url, plan in self.state.plans.items():
            if reason != "finished":
                why = "the run was interrupted" if reason == outcome.INTERRUPTED else \
                    f"the crawl ended early ({reason})"
                ends[url] = {"walk": "incomplete", "why": why}
            elif url in self.cuts:
                ends[url] = {"walk": "incomplete", "why": self.cuts[url]}
            else:
                ends[url] = {"walk": "clean", "retry": sorted(set(failed.get(url, [])))}
            # An unfinished run keeps the point it started from: its own progress is walked
            # again, never skipped.
            resume = self.resume_at.get(url, plan.resume) if reason == "finished" \
                else plan.resume
            if resume:
                ends[url]["resume"] = resume
        return ends


def crawler_outcome(crawler: Any, mode: str, error: BaseException | None) -> SiteOutcome:
    """The site's outcome once its crawler is done, or why it never ran: a crawler that could
    not start is a failed site (exit 2 when its config caused it, 1 otherwise)."""
    try:
        run = crawler.get_extension(SiteRun)
    except Exception:  # noqa: BLE001 (the crawler died before its extensions existed)
        run = None
    if run is not None and run.outcome is not None:
        return run.outcome
    if run is not None and run.opened and not run.refused:
        # A second signal stopped the reactor at once: the spider never closed. The run did
        # crawl: it is interrupted (exit 130), with the counts of what was written.
        return run.killed_report()
    reason = f"{type(error).__name__}: {error}" if error else "it stopped before opening"
    problem = settings_problem(crawler.spidercls.site.settings)
    # Scrapy builds a crawler from its settings before it freezes them: a failure before that
    # comes from the settings (the site's own ones), one after it from the machine or a bug.
    if problem or not crawler.settings.frozen:
        return SiteOutcome.not_run(mode, Outcome.NOT_STARTED, "settings_error",
                                   f"the crawler could not start: {problem or reason}",
                                   ExitCode.CONFIG)
    return SiteOutcome.not_run(mode, Outcome.NOT_STARTED, "crawler_error",
                               f"the crawler could not start: {reason}", ExitCode.FAILED)


def settings_problem(site_settings: Any) -> str | None:
    """A per-site setting Scrapy cannot read as the type its default has, named; or None."""
    from scrapy.settings import Settings

    defaults = Settings()
    defaults.setmodule("archiver.settings")
    getters = ((bool, "getbool"), (int, "getint"), (float, "getfloat"), (dict, "getdict"),
               (list, "getlist"))
    for key, value in site_settings.items():
        default = defaults.get(key)
        getter = next((name for kind, name in getters if isinstance(default, kind)), None)
        if getter is None:
            continue
        try:
            getattr(Settings({key: value}), getter)(key)
        except (ValueError, TypeError) as error:
            return f"settings: {key}: {value!r} is not a valid {type(default).__name__} ({error})"
    return None


def start_errors(started: Any) -> list[BaseException]:
    """Collect the error a crawl ends with (CrawlerProcess gives a Deferred, AsyncCrawlerProcess
    an asyncio task) instead of letting it print as an unhandled traceback."""
    errors: list[BaseException] = []
    if hasattr(started, "addErrback"):
        started.addErrback(lambda failure: errors.append(failure.value))
    else:
        started.add_done_callback(
            lambda task: None if task.cancelled() or task.exception() is None
            else errors.append(task.exception()))
    return errors
