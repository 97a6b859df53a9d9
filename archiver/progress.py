"""Live progress on a terminal: one line, rewritten every second.

Off unless ARCHIVER_PROGRESS is set (the CLI sets it when stderr is a terminal and Scrapy's log
is not shown there), so cron output stays quiet and only the summary is printed, and no log line
lands inside the progress line. Sites crawl concurrently in one process, so their crawlers share
one line rather than overwrite each other's.

The line is made of parts in order of importance: the counts (always kept; on a narrow terminal
they are what is left), the rate, the estimate of the time left (only where the total is
known: `refresh` and `fetch` know how many articles they ask for, a crawl does not), and the
sites being worked on. A part that does not fit the terminal's width is left out whole; a line
longer than the terminal would wrap, and `\r` cannot clear a wrapped line. Commands that are
not crawls (`publish`) use the same line through Ticker.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from typing import Any, ClassVar

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from archiver.run import stats as keys


def terminal_width() -> int:
    try:  # the terminal the line goes to (stdout may be a pipe to a mailer or a file)
        return os.get_terminal_size(sys.stderr.fileno()).columns
    except (OSError, ValueError):
        return shutil.get_terminal_size().columns


def fit(parts: list[str], width: int) -> str:
    """The parts joined by " | ", as many as fit in width - 1 columns: the first always (cut
    with "…" when even it is too long), each further one only whole."""
    room = max(width - 1, 1)
    line = parts[0] if len(parts[0]) <= room else parts[0][:max(room - 1, 0)] + "…"
    for part in parts[1:]:
        if len(line) + 3 + len(part) > room:
            break
        line += " | " + part
    return line


def duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def rate_and_eta(done: int, total: int | None, elapsed: float, unit: str) -> list[str]:
    """[rate] or [rate, ETA]: nothing before the first item is done (no rate to tell yet)."""
    if done <= 0 or elapsed <= 0:
        return []
    rate = done / elapsed
    parts = [f"{rate:.1f} {unit}/s" if rate < 10 else f"{rate:.0f} {unit}/s"]
    if total is not None and total > done:
        parts.append(f"ETA {duration((total - done) / rate)}")
    return parts


def show(line: str) -> None:
    sys.stderr.write("\r\x1b[K" + line)
    sys.stderr.flush()


def clear() -> None:
    sys.stderr.write("\r\x1b[K")  # the summary follows on a clean line
    sys.stderr.flush()


class Progress:
    """The crawl commands' progress line (a Scrapy extension, one per crawler)."""

    active: ClassVar[dict[str, Progress]] = {}
    everyone: ClassVar[dict[str, Progress]] = {}  # finished sites count in the totals too
    loop: ClassVar[task.LoopingCall | None] = None
    started: ClassVar[float] = 0.0

    def __init__(self, stats: Any, name: str):
        self.stats = stats
        self.name = name
        self.mode = "crawl"
        self.total: int | None = None  # articles this crawl asks for, when known

    @classmethod
    def from_crawler(cls, crawler: Any) -> Progress:
        if not crawler.settings.getbool("ARCHIVER_PROGRESS"):
            raise NotConfigured
        ext = cls(crawler.stats, crawler.spidercls.name)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def counts(self) -> dict[str, int]:
        get = self.stats.get_value
        return {key: get(stat, 0) for key, stat in (
            ("lists", keys.LISTS_WALKED), ("new", keys.ARTICLES_NEW),
            ("archived", keys.ARTICLES_ARCHIVED), ("failed", keys.ARTICLES_FAILED),
            ("changed", keys.ARTICLES_CHANGED), ("unchanged", keys.ARTICLES_UNCHANGED),
            ("gone", keys.ARTICLES_GONE), ("images", keys.IMAGES_FETCHED))}

    @staticmethod
    def done(counts: dict[str, int]) -> int:
        """Articles answered one way or another (a new, changed, unchanged, gone or failed
        one; not an archived one, which costs no request)."""
        return sum(counts[k] for k in ("new", "failed", "changed", "unchanged", "gone"))

    @classmethod
    def line(cls, width: int, now: float | None = None) -> str:
        """Totals over every site of the run, then rate, time left and the sites at work."""
        sites = list(cls.everyone.values())
        c = {key: sum(p.counts()[key] for p in sites) for key in sites[0].counts()}
        done = cls.done(c)
        totals = [p.total for p in sites]
        total = sum(t for t in totals if t is not None) if None not in totals else None
        if all(p.mode == "refresh" for p in sites):
            counts = (f"{done}/{total} refreshed: {c['changed']} changed, {c['failed']} "
                      f"failed, {c['gone']} gone")
        elif all(p.mode == "fetch" for p in sites):
            counts = f"{done}/{total} fetched: {c['new']} new, {c['failed']} failed"
        else:
            counts = (f"{c['new']} new, {c['failed']} failed, {c['images']} images, "
                      f"{c['lists']} lists, {c['archived']} known")
        elapsed = (now or time.monotonic()) - cls.started
        working = [name for name in cls.everyone if name in cls.active]
        parts = [counts, *rate_and_eta(done, total, elapsed, "articles"),
                 f"{len(cls.everyone) - len(working)}/{len(cls.everyone)} sites done"
                 + (f"; now: {', '.join(working)}" if working else "")]
        return fit(parts, width)

    @classmethod
    def show(cls) -> None:
        show(cls.line(terminal_width()))

    def spider_opened(self, spider: Any) -> None:
        if getattr(spider, "refresh_urls", None):
            self.mode, self.total = "refresh", len(spider.refresh_urls)
        elif getattr(spider, "fetch_urls", None):
            self.mode, self.total = "fetch", len(spider.fetch_urls)
        if not Progress.everyone:
            Progress.started = time.monotonic()
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
            clear()


class Ticker:
    """The same line for a loop that is not a crawl (`publish`): call tick() per item; the
    line is redrawn at most once a second, and only on a terminal."""

    def __init__(self, what: str, total: int | None, enabled: bool | None = None):
        self.what = what
        self.total = total
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.done = 0
        self.started = self.last = time.monotonic()
        self.extra = ""

    def tick(self, extra: str = "", now_too: bool = False) -> None:
        """One more item done; the line is redrawn when a second has passed (or now_too)."""
        self.done += 1
        self.extra = extra or self.extra
        now = time.monotonic()
        if self.enabled and (now_too or now - self.last >= 1.0):
            self.last = now
            counts = f"{self.done}/{self.total} {self.what}" if self.total is not None \
                else f"{self.done} {self.what}"
            parts = [counts + (f": {self.extra}" if self.extra else ""),
                     *rate_and_eta(self.done, self.total, now - self.started, self.what)]
            show(fit(parts, terminal_width()))

    def finish(self) -> None:
        """Clear the line (before the summary, or before a line printed in between)."""
        if self.enabled and self.last != self.started:
            clear()
