"""The quality gate: drop articles that would make an empty or undated archive file, and flag
the ones whose text is still garbled after decoding."""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import DropItem

from archiver import report
from archiver.extract.quality import garbled
from archiver.items import ArticleItem


def problem(item: ArticleItem) -> str | None:
    """Why the item cannot be archived, or None."""
    if not item.headline:
        return "no headline found on the page"
    if not item.text_blocks:
        return "no body text found on the page"
    if item.published is None:
        return "no publish time found on the page or in its URL"
    return None


class ValidatePipeline:
    def __init__(self, stats: Any):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> ValidatePipeline:
        return cls(crawler.stats)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        reason = problem(item)
        if reason and item.refresh:
            reason = f"the page no longer gives an article ({reason}); archived file kept"
        if reason:
            report.record_failure(self.stats, "article", item.url, reason, site=item.site)
            raise DropItem(f"{item.url}: {reason}")
        flag = garbled("\n".join((item.headline, *item.text_blocks)))
        if flag:
            report.record_flag(self.stats, item.url, flag, site=item.site)
        return item
