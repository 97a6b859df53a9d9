"""Never archive an article twice: its urlname is already a file, or came earlier in this run."""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import DropItem

from archiver import report
from archiver.archive import archived_urlnames, urlname
from archiver.items import ArticleItem


class DedupPipeline:
    def __init__(self, output: str, stats: Any):
        self.output = output
        self.stats = stats
        self.seen: dict[str, set[str]] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> DedupPipeline:
        return cls(crawler.settings["ARCHIVER_OUTPUT_DIR"], crawler.stats)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        if item.refresh:
            return item  # re-fetched on purpose: the write pipeline compares it with the file
        seen = self.seen.get(item.site)
        if seen is None:
            # Read from the files each run: they are the source of truth.
            seen = self.seen[item.site] = archived_urlnames(self.output, item.site)
        name = urlname(item.url)
        if name in seen:
            self.stats.inc_value(report.ARTICLES_ARCHIVED)
            raise DropItem(f"{item.url}: already archived", log_level="DEBUG")
        seen.add(name)
        return item
