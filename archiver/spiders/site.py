"""The spider of one configured site. archiver.spiderloader makes one subclass per config."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar

import scrapy
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from archiver import report
from archiver.archive import archived_urlnames, urlname
from archiver.cms.detect import detect_family
from archiver.config import SiteConfig
from archiver.extract.article import extract_article
from archiver.extract.listing import article_links, ecms_page_urls, ecms_pager_script, next_page


def describe_failure(failure: Failure) -> str:
    """A reason a user can act on, from a download failure."""
    value = failure.value
    response = getattr(value, "response", None)
    if response is not None:
        return f"HTTP {response.status}"
    return f"{type(value).__name__}: {value}".strip().rstrip(":")


class SiteSpider(scrapy.Spider):
    site: ClassVar[SiteConfig]

    def __init__(self, *args: Any, urls: list[str] | str | None = None,
                 max_articles: int | str | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # `archiver fetch` (or `scrapy crawl SITE -a urls=A,B`) archives these pages only.
        self.fetch_urls = urls.split(",") if isinstance(urls, str) else list(urls or [])
        self.max_articles = int(max_articles) if max_articles else None
        self.requested_articles = 0
        self.archived: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SiteSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.archived = archived_urlnames(crawler.settings["ARCHIVER_OUTPUT_DIR"], cls.name)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.fetch_urls:
            for url in self.fetch_urls:
                yield self._article_request(url)
            return
        for url in self.site.start_urls:
            yield scrapy.Request(url, callback=self.parse_list, errback=self.list_failed,
                                 cb_kwargs={"page": 1})

    # -- list pages ------------------------------------------------------------------------------

    def parse_list(self, response: Response, page: int) -> Iterator[scrapy.Request]:
        if not isinstance(response, TextResponse):
            self.logger.warning("List page %s is not HTML; skipped", response.url)
            return
        self.crawler.stats.inc_value(report.LISTS_WALKED)
        family = detect_family(response.text) if self.site.cms == "auto" else self.site.cms
        for link in article_links(response.selector, response.url, self.site, family):
            if urlname(link) in self.archived:
                # Checked before the request is scheduled: archived articles cost nothing.
                self.crawler.stats.inc_value(report.ARTICLES_ARCHIVED)
                continue
            if self.max_articles is not None and self.requested_articles >= self.max_articles:
                return
            self.requested_articles += 1
            yield self._article_request(link)
        if self.site.list.max_pages and page >= self.site.list.max_pages:
            return
        yield from self._next_list(response, page, family)

    def _next_list(self, response: TextResponse, page: int,
                   family: str | None) -> Iterator[scrapy.Request]:
        pending: list[str] = response.meta.get("ecms_pages", [])
        if self.site.paging(family) == "ecms" and page == 1:
            script = ecms_pager_script(response.selector, response.url)
            if script:
                yield scrapy.Request(script, callback=self.parse_ecms_pager,
                                     errback=self.list_failed)
            return
        url = pending[0] if pending else next_page(response.selector, response.url, self.site,
                                                   family)
        if url:
            yield scrapy.Request(url, callback=self.parse_list, errback=self.list_failed,
                                 cb_kwargs={"page": page + 1}, meta={"ecms_pages": pending[1:]})

    def parse_ecms_pager(self, response: Response) -> Iterator[scrapy.Request]:
        pages = ecms_page_urls(response.url, response.text if isinstance(response, TextResponse)
                               else response.body.decode("latin-1"))
        if pages:
            yield scrapy.Request(pages[0], callback=self.parse_list, errback=self.list_failed,
                                 cb_kwargs={"page": 2}, meta={"ecms_pages": pages[1:]})

    def list_failed(self, failure: Failure) -> None:
        # A dead list page ends that list's walk; the articles found so far still archive.
        self.logger.error("List page failed: %s: %s", failure.request.url,
                          describe_failure(failure))
        self.crawler.stats.inc_value(report.LISTS_FAILED)

    # -- article pages ---------------------------------------------------------------------------

    def _article_request(self, url: str) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_article, errback=self.article_failed,
                              cb_kwargs={"source_url": url})

    def parse_article(self, response: Response, source_url: str) -> Any:
        if not isinstance(response, TextResponse):
            content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
            report.record_failure(self.crawler.stats, "article", source_url,
                                  f"not an HTML page (Content-Type: {content_type or 'none'})",
                                  site=self.name)
            return None
        # The archive keeps the URL as linked, even when the server redirected it.
        item = extract_article(response.text, source_url, self.site)
        self.crawler.stats.inc_value(f"archiver/cms/{item.rules['cms']}")
        return item

    def article_failed(self, failure: Failure) -> None:
        url = failure.request.cb_kwargs.get("source_url", failure.request.url)
        reason = describe_failure(failure)
        self.logger.error("Article failed: %s: %s", url, reason)
        report.record_failure(self.crawler.stats, "article", url, reason, site=self.name)
