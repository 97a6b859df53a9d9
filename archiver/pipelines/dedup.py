"""Never archive an article twice: its URL (as linked or canonical, or as an alias) already
names a file, or came earlier in this run."""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import DropItem

from archiver.archive import ArchiveIndex
from archiver.items import ArticleItem
from archiver.run import stats as keys
from archiver.run.record import Recorder
from archiver.run.signals import run_opened
from archiver.run.state import RunState


class DedupPipeline:
    def __init__(self, stats: Any, record: Recorder):
        self.stats = stats
        self.record = record
        # The run's archive index, read from the files once the site's lock is held and
        # handed over with `run_opened`; empty until then.
        self.index = ArchiveIndex(set())

    @classmethod
    def from_crawler(cls, crawler: Any) -> DedupPipeline:
        pipeline = cls(crawler.stats, Recorder(crawler))
        crawler.signals.connect(pipeline.run_opened, signal=run_opened)
        return pipeline

    def run_opened(self, state: RunState) -> None:
        self.index = state.index

    def process_item(self, item: ArticleItem) -> ArticleItem:
        if item.refresh:
            return item  # re-fetched on purpose: the write pipeline compares it with the file
        index = self.index
        found = index.find(item.url)
        if found is not None:
            if found.fresh:
                self.record.alias(item.url, found.file, site=item.site)
            else:
                self.stats.inc_value(keys.ARTICLES_ARCHIVED)
            raise DropItem(f"{item.url}: already archived", log_level="DEBUG")
        index.add(item.url)
        return item
