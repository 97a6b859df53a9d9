"""The quality gate in the pipeline: drop what extract.quality refuses (counted and named with
its reason), flag what it flags, pass the rest."""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import DropItem

from archiver.extract.quality import verdict
from archiver.items import ArticleItem
from archiver.run import stats as keys


class ValidatePipeline:
    def __init__(self, stats: Any):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> ValidatePipeline:
        return cls(crawler.stats)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        found = verdict(item)
        reason = found.refused
        if reason and item.refresh:
            # Not written over the archived file, but kept beside it for review (the write
            # pipeline holds it back, archiver.archive.held).
            item.refused = reason
            return item
        if reason:
            keys.record_failure(self.stats, "article", item.url, reason, site=item.site)
            raise DropItem(f"{item.url}: {reason}")
        if found.flags:
            keys.record_flag(self.stats, item.url, "; ".join(found.flags), site=item.site)
        return item
