"""Unexpected errors inside a crawl (a bug in a callback or a pipeline) are failures like any
other: counted, named with their URL in the summary (one line), their traceback kept in the JSON
report (and in the log, when there is one). Scrapy would only log them, and without -v or
--log-file the log is off, so an article lost to a bug would otherwise vanish without a word."""

from __future__ import annotations

from typing import Any

from scrapy import signals
from twisted.python.failure import Failure

from archiver.run.events import Kind
from archiver.run.record import Recorder


class UnexpectedErrors:
    def __init__(self, record: Recorder):
        self.record_event = record

    @classmethod
    def from_crawler(cls, crawler: Any) -> UnexpectedErrors:
        ext = cls(Recorder(crawler))
        crawler.signals.connect(ext.spider_error, signal=signals.spider_error)
        crawler.signals.connect(ext.item_error, signal=signals.item_error)
        return ext

    def record(self, failure: Failure, url: str, where: str, kind: Kind = Kind.ARTICLE) -> None:
        error = failure.value
        self.record_event(
            kind, "unexpected_error", url,
            f"unexpected error in {where}: {type(error).__name__}: {error} (a bug: the "
            "traceback is in the JSON report; please report it)",
            traceback=failure.getTraceback())

    def spider_error(self, failure: Failure, response: Any, spider: Any) -> None:
        source = response.request.cb_kwargs.get("source_url") if response.request else None
        getattr(spider, "pending", set()).discard(source)
        self.record(failure, source or response.url, "the spider",
                    Kind.ARTICLE if source else Kind.LIST)

    def item_error(self, item: Any, response: Any, spider: Any, failure: Failure) -> None:
        self.record(failure, getattr(item, "url", "") or getattr(response, "url", ""),
                    "an item pipeline")
