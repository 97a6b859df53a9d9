"""Never archive an article twice: its urlname is already a file, or came earlier in this run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scrapy.exceptions import DropItem

from archiver import report
from archiver.archive import ArchiveIndex
from archiver.items import ArticleItem


class DedupPipeline:
    def __init__(self, index: Callable[[str], ArchiveIndex], stats: Any):
        self.index = index
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> DedupPipeline:
        output = crawler.settings["ARCHIVER_OUTPUT_DIR"]
        # Read from the files once per crawl: they are the source of truth.
        return cls(lambda site: ArchiveIndex.of(crawler, output, site), crawler.stats)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        if item.refresh:
            return item  # re-fetched on purpose: the write pipeline compares it with the file
        index = self.index(item.site)
        if item.url in index:
            self.stats.inc_value(report.ARTICLES_ARCHIVED)
            raise DropItem(f"{item.url}: already archived", log_level="DEBUG")
        index.add(item.url)
        return item
