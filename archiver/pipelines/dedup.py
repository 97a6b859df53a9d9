"""Never archive an article twice: its URL (as linked or canonical, or as an alias) already
names a file, or came earlier in this run."""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import DropItem

from archiver.items import ArticleItem
from archiver.run import stats as keys
from archiver.run.extension import SiteRun


class DedupPipeline:
    def __init__(self, run: SiteRun, stats: Any):
        self.run = run
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> DedupPipeline:
        # The run's archive index, read from the files once the site's lock is held.
        return cls(crawler.get_extension(SiteRun), crawler.stats)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        if item.refresh:
            return item  # re-fetched on purpose: the write pipeline compares it with the file
        index = self.run.index
        found = index.find(item.url)
        if found is not None:
            if found.fresh:
                keys.record_alias(self.stats, item.url, found.file, site=item.site)
            else:
                self.stats.inc_value(keys.ARTICLES_ARCHIVED)
            raise DropItem(f"{item.url}: already archived", log_level="DEBUG")
        index.add(item.url)
        return item
