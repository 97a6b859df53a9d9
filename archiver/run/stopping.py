"""A signal ends the run promptly, whatever is downloading.

On SIGTERM or Ctrl-C Scrapy stops gracefully: it makes no new request, but waits for every
download already handed to the downloader, and an article's images are all handed over at once
(3,000 of them took 87 s to drain). Two pieces make the stop prompt:

- DownloadGate, a downloader middleware, lets at most CONCURRENT_REQUESTS requests per download
  slot (host) into the downloader at once; the rest wait at the gate (Scrapy's downloader would
  otherwise start every handed-over request at the same time, 3,000 connections to one school
  server);
- PromptStop, an extension, notices the stop (the crawler no longer crawls while its spider is
  open) and fails every request waiting at the gate or in a downloader queue with RunStopped,
  now and every DROP_EVERY seconds (items still in the pipelines may ask for more). An article
  whose images or attachments were dropped is not written, so the next run fetches it and them
  again (images already on disk are kept and not fetched twice). Transfers under way are waited
  for GRACE seconds at most; then the reactor is stopped, as a second signal does, and the run
  is reported as interrupted with what it wrote (archiver.run.extension.SiteRun.killed_report).
"""

from __future__ import annotations

import logging
from collections import deque
from typing import Any

from scrapy import Request, signals
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.asyncio import CallLaterResult, call_later, create_looping_call
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

logger = logging.getLogger(__name__)
DROP_EVERY = 0.2  # seconds
# After a signal, transfers under way get this long before the reactor is stopped (the run
# must end within 10 s: systemd's default stop timeout is 90 s, an operator's patience less).
GRACE = 7.0
_GATE_KEY = "archiver_gate"


class RunStopped(IgnoreRequest):
    """A download dropped because the run was stopped by a signal."""

    def __init__(self) -> None:
        super().__init__("the run was stopped before this download")


class DownloadGate:
    def __init__(self, limit: int):
        self.limit = max(1, limit)
        self.inside: dict[str, int] = {}
        self.waiting: dict[str, deque[Deferred]] = {}
        self.closed = False

    @classmethod
    def from_crawler(cls, crawler: Any) -> DownloadGate:
        return cls(crawler.settings.getint("CONCURRENT_REQUESTS"))

    async def process_request(self, request: Request, spider: Any = None) -> None:
        key = request.meta.get("download_slot") or urlparse_cached(request).hostname or ""
        while not self.closed and self.inside.get(key, 0) >= self.limit:
            turn: Deferred = Deferred()
            self.waiting.setdefault(key, deque()).append(turn)
            await maybe_deferred_to_future(turn)
        if self.closed:
            raise RunStopped()
        self.inside[key] = self.inside.get(key, 0) + 1
        request.meta[_GATE_KEY] = key

    def process_response(self, request: Request, response: Any, spider: Any = None) -> Any:
        self._leave(request)
        return response

    def process_exception(self, request: Request, exception: Exception,
                          spider: Any = None) -> None:
        self._leave(request)

    def _leave(self, request: Request) -> None:
        key = request.meta.pop(_GATE_KEY, None)
        if key is None:
            return
        self.inside[key] -= 1
        queue = self.waiting.get(key)
        if queue:
            queue.popleft().callback(None)

    def close(self) -> int:
        """Let nothing more in: every request waiting at the gate fails with RunStopped."""
        self.closed = True
        dropped = 0
        for queue in self.waiting.values():
            while queue:
                queue.popleft().callback(None)  # it wakes, sees the gate closed and fails
                dropped += 1
        return dropped


class PromptStop:
    def __init__(self, crawler: Any):
        self.crawler = crawler
        self.loop: Any = None
        self.deadline: CallLaterResult | None = None
        self.dropped = 0
        self.open = False

    @classmethod
    def from_crawler(cls, crawler: Any) -> PromptStop:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Any) -> None:
        self.open = True
        self.loop = create_looping_call(self._tick)
        self.loop.start(DROP_EVERY, now=False)

    def spider_closed(self, spider: Any) -> None:
        self.open = False
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        if self.deadline is not None and self.deadline.active():
            self.deadline.cancel()
        if self.dropped:
            logger.info("Dropped %d download(s) when the run was stopped", self.dropped)

    def _tick(self) -> None:
        if self.crawler.crawling or not self.open:
            return
        if self.deadline is None:
            self.deadline = call_later(GRACE, self._force)
        self.drop_waiting()

    def drop_waiting(self) -> None:
        """Fail every download waiting at the gate or in a downloader queue."""
        downloader = getattr(self.crawler.engine, "downloader", None)
        if downloader is None:
            return
        for gate in downloader.middleware.middlewares:
            if isinstance(gate, DownloadGate):
                self.dropped += gate.close()
        for slot in list(downloader.slots.values()):
            while slot.queue:
                _request, deferred = slot.queue.popleft()
                self.dropped += 1
                deferred.errback(Failure(RunStopped()))

    def _force(self) -> None:
        if not self.open:
            return
        from twisted.internet import reactor

        logger.warning("Transfers still under way %s s after the signal: stopping now", GRACE)
        if reactor.running:
            reactor.stop()
