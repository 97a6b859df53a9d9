"""The quality gate: drop articles that would make an empty or undated archive file, and flag
the ones whose text is still garbled after decoding."""

from __future__ import annotations

import re
from typing import Any

from scrapy.exceptions import DropItem

from archiver.extract.quality import garbled
from archiver.items import ArticleItem
from archiver.run import stats as report

# What servers answer with status 200 when the page is gone.
_ERROR_PAGE = re.compile(
    r"页面不存在|页面未找到|找不到(?:该|此)?页面|文章不存在|信息不存在|内容不存在|已被删除|"
    r"无法访问|404 ?Not Found|Page Not Found|访问的页面不存在|出错了", re.I)


def problem(item: ArticleItem) -> str | None:
    """Why the item cannot be archived, or None."""
    text = "".join(item.text_blocks)
    if len(text) < 300 and (_ERROR_PAGE.search(item.headline) or _ERROR_PAGE.search(text)):
        return "an error page served with HTTP 200 (the article is gone or moved)"
    if not item.headline:
        return "no headline found on the page"
    if not item.text_blocks:
        return "no body text found on the page"
    if item.published is None:
        return "no publish time found on the page or in its URL"
    return None


def garbled_text(item: ArticleItem) -> str | None:
    """Why the headline or body still looks garbled after decoding, or None."""
    return garbled("\n".join((item.headline, *item.text_blocks)))


def issue(item: ArticleItem) -> str | None:
    """Everything the gate would say of the item: why it cannot be archived, or why it would be
    flagged; None when it passes."""
    return problem(item) or garbled_text(item)


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
        flag = garbled_text(item)
        if flag:
            report.record_flag(self.stats, item.url, flag, site=item.site)
        return item
