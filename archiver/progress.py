"""Live progress on a terminal: one line for all sites of the run, rewritten every second.

Off unless ARCHIVER_PROGRESS is set (the CLI sets it when stderr is a terminal and Scrapy's log
is not shown there), so cron output stays quiet and only the summary is printed, and no log line
lands inside the progress line. Sites crawl concurrently in one process, so their crawlers share
one line (totals, then the sites being worked on) rather than overwrite each other's.
"""

from __future__ import annotations

import os
import shutil
import sys
from typing import Any, ClassVar

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from archiver.run import stats as keys


class Progress:
    active: ClassVar[dict[str, Progress]] = {}
    everyone: ClassVar[dict[str, Progress]] = {}  # finished sites count in the totals too
    loop: ClassVar[task.LoopingCall | None] = None

    def __init__(self, stats: Any, name: str):
        self.stats = stats
        self.name = name

    @classmethod
    def from_crawler(cls, crawler: Any) -> Progress:
        if not crawler.settings.getbool("ARCHIVER_PROGRESS"):
            raise NotConfigured
        ext = cls(crawler.stats, crawler.spidercls.name)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def counts(self) -> tuple[int, ...]:
        get = self.stats.get_value
        return (get(keys.LISTS_WALKED, 0), get(keys.ARTICLES_NEW, 0),
                get(keys.ARTICLES_ARCHIVED, 0), get(keys.ARTICLES_FAILED, 0),
                get(keys.IMAGES_FETCHED, 0))

    @classmethod
    def line(cls, width: int) -> str:
        """Totals over every site of the run, then the sites still being worked on, cut to the
        terminal's width: a longer line would wrap, and `\r` cannot clear a wrapped line."""
        lists, new, archived, failed, images = (sum(c) for c in zip(
            *(p.counts() for p in cls.everyone.values()), strict=True))
        working = [name for name in cls.everyone if name in cls.active]
        text = (f"{len(cls.everyone) - len(working)}/{len(cls.everyone)} sites done: "
                f"{lists} lists, {new} new, {archived} archived, {failed} failed, "
                f"{images} images | now: {', '.join(working) or '-'}")
        return text if len(text) < width else text[:max(width - 2, 0)] + "…"

    @classmethod
    def show(cls) -> None:
        try:  # the terminal the line goes to (stdout may be a pipe to a mailer or a file)
            width = os.get_terminal_size(sys.stderr.fileno()).columns
        except (OSError, ValueError):
            width = shutil.get_terminal_size().columns
        sys.stderr.write("\r\x1b[K" + cls.line(width))
        sys.stderr.flush()

    def spider_opened(self, spider: Any) -> None:
        Progress.active[self.name] = self
        Progress.everyone[self.name] = self
        if Progress.loop is None:
            Progress.loop = task.LoopingCall(Progress.show)
            Progress.loop.start(1.0)

    def spider_closed(self, spider: Any) -> None:
        Progress.show()
        del Progress.active[self.name]
        if not Progress.active and Progress.loop is not None:
            Progress.loop.stop()
            Progress.loop = None
            sys.stderr.write("\r\x1b[K")  # the summary follows on a clean line
            sys.stderr.flush()
