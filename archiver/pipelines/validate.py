"""The quality gate in the pipeline: drop what extract.quality refuses (counted and named with
its reason), flag what it flags, pass the rest."""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import DropItem

from archiver.extract.quality import verdict
from archiver.items import ArticleItem
from archiver.run.events import Kind
from archiver.run.record import Recorder


class ValidatePipeline:
    def __init__(self, record: Recorder):
        self.record = record

    @classmethod
    def from_crawler(cls, crawler: Any) -> ValidatePipeline:
        return cls(Recorder(crawler))

    def process_item(self, item: ArticleItem) -> ArticleItem:
        found = verdict(item)
        reason = found.refused
        if reason and item.refresh:
            # Not written over the archived file, but kept beside it for review (the write
            # pipeline holds it back, archiver.archive.held).
            item.refused = reason
            return item
        if reason:
            self.record(Kind.ARTICLE, found.refused_code or "refused", item.url, reason,
                        site=item.site)
            raise DropItem(f"{item.url}: {reason}")
        if found.flags:
            # One event per article (the count is of articles): the first flag's code, every
            # flag's reason.
            self.record(Kind.FLAGGED, found.flag_codes[0], item.url, "; ".join(found.flags),
                        site=item.site)
        return item
