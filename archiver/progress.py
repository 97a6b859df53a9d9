"""Live progress on a terminal: one line per site, rewritten every second.

Off unless ARCHIVER_PROGRESS is set (the CLI sets it when stderr is a terminal), so cron output
stays quiet and only the summary is printed.
"""

from __future__ import annotations

import sys
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from archiver import report


class Progress:
    def __init__(self, stats: Any, name: str, interval: float = 1.0):
        self.stats = stats
        self.name = name
        self.interval = interval
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> Progress:
        if not crawler.settings.getbool("ARCHIVER_PROGRESS"):
            raise NotConfigured
        ext = cls(crawler.stats, crawler.spidercls.name)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def line(self) -> str:
        get = self.stats.get_value
        return (
            f"{self.name}: list pages {get(report.LISTS_WALKED, 0)}, "
            f"articles {get(report.ARTICLES_NEW, 0)} new / "
            f"{get(report.ARTICLES_ARCHIVED, 0)} archived / {get(report.ARTICLES_FAILED, 0)} "
            f"failed, images {get(report.IMAGES_FETCHED, 0)}"
        )

    def show(self) -> None:
        sys.stderr.write("\r\x1b[K" + self.line())
        sys.stderr.flush()

    def spider_opened(self, spider: Any) -> None:
        self.loop = task.LoopingCall(self.show)
        self.loop.start(self.interval)

    def spider_closed(self, spider: Any) -> None:
        if self.loop and self.loop.running:
            self.loop.stop()
        self.show()
        sys.stderr.write("\n")
