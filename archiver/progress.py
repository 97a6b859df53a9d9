"""Live progress on a terminal: one line for all sites of the run, rewritten every second.

Off unless ARCHIVER_PROGRESS is set (the CLI sets it when stderr is a terminal), so cron output
stays quiet and only the summary is printed. Sites crawl concurrently in one process, so their
crawlers share one line rather than overwrite each other's.
"""

from __future__ import annotations

import sys
from typing import Any, ClassVar

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from archiver.run import stats as report


class Progress:
    active: ClassVar[dict[str, Progress]] = {}
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

    def part(self) -> str:
        get = self.stats.get_value
        return (
            f"{self.name}: {get(report.LISTS_WALKED, 0)} lists, "
            f"{get(report.ARTICLES_NEW, 0)} new, {get(report.ARTICLES_ARCHIVED, 0)} archived, "
            f"{get(report.ARTICLES_FAILED, 0)} failed, {get(report.IMAGES_FETCHED, 0)} images"
        )

    @classmethod
    def show(cls) -> None:
        line = " | ".join(p.part() for p in cls.active.values())
        sys.stderr.write("\r\x1b[K" + line)
        sys.stderr.flush()

    def spider_opened(self, spider: Any) -> None:
        Progress.active[self.name] = self
        if Progress.loop is None:
            Progress.loop = task.LoopingCall(Progress.show)
            Progress.loop.start(1.0)

    def spider_closed(self, spider: Any) -> None:
        Progress.show()
        del Progress.active[self.name]
        if not Progress.active and Progress.loop is not None:
            Progress.loop.stop()
            Progress.loop = None
            sys.stderr.write("\n")
