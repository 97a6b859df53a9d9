"""The bookkeeping of one site's crawl, however it was started (`archiver crawl/fetch/refresh`,
`scrapy crawl SITE`, a Scrapyd job): a Scrapy extension, on by default (settings.EXTENSIONS).

When the spider opens it takes the site's lock (a second run of any kind refuses at once,
naming the holder), then clears partial files a killed run left, reads the archive index, the
walk record (archiver.run.resume) and the dead links (archiver.deadlinks), and marks the lists
as being walked. When the spider closes it records how each walk ended, the dead links, the
last run (for --due), the site's outcome and the JSON report, and releases the lock. The
spider and the dedup pipeline reach it through `crawler.get_extension(SiteRun)`.
"""

from __future__ import annotations

import logging
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.exceptions import CloseSpider, NotConfigured

from archiver.archive import ArchiveIndex, OutputProblem, site_dir
from archiver.commands.common import EXIT_CONFIG, EXIT_FAILED, EXIT_LOCKED
from archiver.deadlinks import DeadLinks
from archiver.run import outcome
from archiver.run import stats as keys
from archiver.run.lock import SiteLock, SiteLocked
from archiver.run.resume import Plan, WalkRecord
from archiver.schedule import record_run

logger = logging.getLogger(__name__)
# ARCHIVER_JOB_REPORT value that means "the command writes one report for all its sites".
REPORT_BY_COMMAND = "-"


def command_line() -> str:
    return " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])


class SiteRun:
    def __init__(self, crawler: Any, site: Any, output: Path, report_path: str):
        self.crawler = crawler
        self.site = site
        self.output = output
        self.report_path = report_path
        self.started = time.time()
        self.mode = "crawl"
        self.lock: SiteLock | None = None
        self.refused: tuple[str, str, int] | None = None  # outcome, reason, exit code
        self.index = ArchiveIndex(set())
        self.dead: DeadLinks | None = None  # articles at rest after 404/410 on two crawls
        self.record: WalkRecord | None = None
        self.plans: dict[str, Plan] = {}
        self.notes: list[str] = []
        self.cuts: dict[str, str] = {}  # start URL -> why its walk did not finish
        # start URL -> where the walk continues next run (the cap stopped it), or None (the
        # list was walked to its end): absent, the recorded point stays.
        self.resume_at: dict[str, dict | None] = {}
        self.article_list: dict[str, str] = {}  # article URL -> start URL of the list
        self.report: dict[str, Any] | None = None  # the site's outcome, once closed
        self.opened = False

    @classmethod
    def from_crawler(cls, crawler: Any) -> SiteRun:
        site = getattr(crawler.spidercls, "site", None)
        if site is None:
            raise NotConfigured  # not one of the archiver's site spiders
        ext = cls(crawler, site, Path(crawler.settings["ARCHIVER_OUTPUT_DIR"]),
                  crawler.settings.get("ARCHIVER_JOB_REPORT", ""))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    # -- what the spider tells the bookkeeping ---------------------------------------------------

    def plan(self, start_url: str) -> Plan:
        return self.plans.get(start_url, Plan(True))

    def listed(self, article_url: str, start_url: str) -> None:
        self.article_list.setdefault(article_url, start_url)

    def walk_cut(self, start_url: str, why: str) -> None:
        """This list's walk did not reach its end (or its first page with nothing new)."""
        self.cuts.setdefault(start_url, why)

    def walk_paused(self, start_url: str, point: dict, deep: bool) -> None:
        """The cap (or a failed list page) stopped the walk of a long list at `point`; the next
        run continues there. The walk from the top never takes the place of a deeper point."""
        recorded = self.plan(start_url).resume
        if deep or (start_url not in self.resume_at
                    and (recorded is None or recorded["page"] < point["page"])):
            self.resume_at[start_url] = point

    def walk_ended(self, start_url: str) -> None:
        """The walk reached the end of the list: nothing is left to resume."""
        self.resume_at[start_url] = None

    # -- signals ---------------------------------------------------------------------------------

    def spider_opened(self, spider: Any) -> None:
        if spider.preview:
            return  # `archiver preview` writes nothing and needs no lock
        self.opened = True
        self.mode = "refresh" if spider.refresh_urls else "fetch" if spider.fetch_urls else "crawl"
        try:
            self._open(spider)
        except CloseSpider:
            raise
        except Exception as error:  # noqa: BLE001 (a crawl without its bookkeeping must not run)
            self._refuse("not_started", f"{type(error).__name__}: {error}", EXIT_FAILED)

    def _open(self, spider: Any) -> None:
        self.lock = SiteLock(self.output, self.site.name, command_line())
        try:
            self.lock.acquire()
        except SiteLocked as error:
            self._refuse("locked", str(error), EXIT_LOCKED)
        except OutputProblem as error:  # one line naming the path (archiver.archive.fs)
            self._refuse("not_started", f"cannot write the archive: {error}", EXIT_CONFIG)
        except OSError as error:
            self._refuse("not_started", f"cannot use the site folder {self.lock.path.parent}: "
                         f"{error.strerror or error}", EXIT_CONFIG)
        if self.lock.stale:
            self.notes.append(f"took over the lock of process {self.lock.stale.get('pid')}, "
                              "which is no longer running")
        if self.lock.removed:
            self.notes.append(f"removed {self.lock.removed} partial file(s) an interrupted run "
                              "left")
        self.index = ArchiveIndex.open(site_dir(self.output, self.site.name), self.site.canonical,
                                       self.site.is_article_url)
        if self.index.problem:
            self.notes.append(self.index.problem)
        self.dead = DeadLinks(self.output / self.site.name, retry=spider.retry_gone)
        if self.mode == "crawl":
            self._begin_walks(full=spider.full)

    def _refuse(self, what: str, reason: str, code: int) -> None:
        self.refused = (what, reason, code)
        logger.error("%s: not crawled: %s", self.site.name, reason)
        raise CloseSpider(what)

    def _begin_walks(self, full: bool) -> None:
        self.record = WalkRecord(self.output / self.site.name, self.site)
        self.plans = self.record.load()
        if full:
            self.plans = {url: Plan(True, resume=plan.resume) for url, plan in self.plans.items()}
        for url, plan in self.plans.items():
            if plan.why and self.index.names:  # a first crawl has nothing to resume
                self.notes.append(f"resuming: walking {url} in full: {plan.why}")
            if plan.resume:
                self.notes.append(f"resuming: the walk of {url} goes on from list page "
                                  f"{plan.resume['page']} ({plan.resume['url']}), where the last "
                                  "run stopped")
            if plan.retry:
                self.notes.append(f"resuming: asking again for {len(plan.retry)} article(s) of "
                                  f"{url} that failed last time")
        self.record.begin()
        if self.record.error and self.record.path.exists():
            # A stale "clean" record could hide this run's gaps from the next one.
            self._refuse("not_started", self.record.error, EXIT_FAILED)

    def spider_closed(self, spider: Any, reason: str) -> None:
        if spider.preview or not self.opened:
            return  # a crawler that failed while opening: see crawler_report()
        if self.refused:
            what, why, code = self.refused
            self.report = outcome.not_run_report(self.mode, what, why, code)
        else:
            self.report = self._close(reason)
        if self.lock is not None:
            self.lock.release()
        if self.report_path != REPORT_BY_COMMAND:
            path = Path(self.report_path) if self.report_path else \
                outcome.default_report_path(self.output, self.site.name)
            error = outcome.write_report(path, "scrapy crawl", sys.argv[1:], self.started,
                                         self.report["exit_code"], self.output,
                                         {self.site.name: self.report})
            if error:
                logger.error(error)

    def killed_report(self) -> dict[str, Any]:
        """The outcome of a run stopped at once by a second signal (its spider never closed):
        interrupted, with what the stats counted as written. Its walks stay recorded as
        "walking", so the next run walks them in full; the lock goes with the process."""
        stats = {**self.crawler.stats.get_stats(), "finish_reason": outcome.INTERRUPTED}
        notes = [*self.notes, "stopped at once by a second signal: every file written is "
                 "complete; the next run walks every list in full"]
        self.report = outcome.site_report(stats, self.site, self.mode, notes)
        return self.report

    def _close(self, reason: str) -> dict[str, Any]:
        stats = {**self.crawler.stats.get_stats(), "finish_reason": reason}
        if self.record is not None:
            self.record.finish(self._walk_ends(reason, stats))
            if self.record.error:
                self.notes.append(self.record.error)
        try:
            self.index.save()
        except OSError as error:
            self.notes.append(f"cannot record aliases: {error.strerror or error}")
        if self.dead is not None:
            try:
                self.dead.save()
            except OSError as error:
                self.notes.append(f"cannot record dead links: {error.strerror or error}")
        if self.mode == "crawl":
            try:
                record_run(self.output, self.site.name, datetime.fromtimestamp(self.started),
                           reason)
            except OSError as error:
                self.notes.append(f"cannot record the last run: {error.strerror or error}")
        if self.site.source.startswith("(no config"):
            detected = sorted(k[len(keys.CMS_DETECTED):] for k in stats
                              if k.startswith(keys.CMS_DETECTED))
            self.notes.append(f"no site config for {self.site.name}: archived under its host "
                              f"name; CMS detected: {', '.join(detected) or 'none'}")
        return outcome.site_report(stats, self.site, self.mode, self.notes)

    def _walk_ends(self, reason: str, stats: dict) -> dict[str, dict]:
        failed: dict[str, list[str]] = {}
        for failure in stats.get(keys.FAILURES, []):
            if failure["kind"] == "article" and failure["url"] in self.article_list:
                failed.setdefault(self.article_list[failure["url"]], []).append(failure["url"])
        ends = {}
        for url, plan in self.plans.items():
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


def crawler_report(crawler: Any, mode: str, error: BaseException | None) -> dict[str, Any]:
    """The site's outcome once its crawler is done, or why it never ran: a crawler that could
    not start is a failed site (exit 2 when its config caused it, 1 otherwise)."""
    try:
        run = crawler.get_extension(SiteRun)
    except Exception:  # noqa: BLE001 (the crawler died before its extensions existed)
        run = None
    if run is not None and run.report is not None:
        return run.report
    if run is not None and run.opened and not run.refused:
        # A second signal stopped the reactor at once: the spider never closed. The run did
        # crawl: it is interrupted (exit 130), with the counts of what was written.
        return run.killed_report()
    reason = f"{type(error).__name__}: {error}" if error else "it stopped before opening"
    problem = settings_problem(crawler.spidercls.site.settings)
    # Scrapy builds a crawler from its settings before it freezes them: a failure before that
    # comes from the settings (the site's own ones), one after it from the machine or a bug.
    if problem or not crawler.settings.frozen:
        return outcome.not_run_report(mode, "not_started", f"the crawler could not start: "
                                      f"{problem or reason}", EXIT_CONFIG)
    return outcome.not_run_report(mode, "not_started", f"the crawler could not start: {reason}",
                                  EXIT_FAILED)


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
