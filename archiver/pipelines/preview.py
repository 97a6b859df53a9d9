"""`archiver preview`: keep the extracted articles for the command to show; write nothing."""

from __future__ import annotations

from typing import Any

from archiver.items import ArticleItem


class PreviewPipeline:
    def __init__(self, crawler: Any):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> PreviewPipeline:
        return cls(crawler)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        self.crawler.spider.previewed.append(item)
        return item
