"""The spider of one configured site. archiver.spiderloader makes one subclass per config."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar

import scrapy
from scrapy.http import Response, TextResponse
from scrapy_playwright.page import PageMethod
from twisted.python.failure import Failure

from archiver import report
from archiver.archive import ArchiveIndex
from archiver.browser import BrowserNotFound, missing_browser_message
from archiver.cms.detect import detect_family
from archiver.config import SiteConfig
from archiver.extract.article import extract_article
from archiver.extract.listing import article_links, ecms_page_urls, ecms_pager_script, next_page
from archiver.report import describe_failure


def _url_list(urls: list[str] | str | None) -> list[str]:
    """URLs given as a list (the CLI) or comma-separated (`scrapy crawl -a urls=A,B`)."""
    if isinstance(urls, str):
        return [u for u in urls.split(",") if u]
    return list(urls or [])


class SiteSpider(scrapy.Spider):
    site: ClassVar[SiteConfig]

    def __init__(self, *args: Any, urls: list[str] | str | None = None,
                 max_articles: int | str | None = None, full: bool | str = False,
                 refresh: list[str] | str | None = None, preview: bool = False,
                 **kwargs: Any):
        super().__init__(*args, **kwargs)
        # `archiver fetch` (or `scrapy crawl SITE -a urls=A,B`) archives these pages only.
        self.fetch_urls = _url_list(urls)
        # `archiver refresh`: re-fetch these archived articles.
        self.refresh_urls = _url_list(refresh)
        self.max_articles = int(max_articles) if max_articles else None
        # Walk every list page, not only up to the first one without a new article.
        self.full = full in (True, "1", "true", "yes")
        # `archiver preview`: archived articles are shown too, and nothing is written.
        self.preview = preview
        self.previewed: list[Any] = []
        self.requested_articles = 0
        self.archived: ArchiveIndex | set[str] = set()
        # Article URLs requested and not yet answered: whatever is left when the crawl ends
        # was dropped on the way (a redirect loop ends in Scrapy's duplicate filter, silently).
        self.pending: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SiteSpider:
        if cls.site.render and not crawler.settings.getbool("ARCHIVER_BROWSER_FOUND"):
            raise BrowserNotFound(f"{cls.name}: {missing_browser_message()}")
        spider = super().from_crawler(crawler, *args, **kwargs)
        if not spider.preview:
            spider.archived = ArchiveIndex.of(crawler, crawler.settings["ARCHIVER_OUTPUT_DIR"],
                                              cls.name)
        return spider

    def _browser_meta(self, kind: str) -> dict[str, Any]:
        """Request meta that sends a page through the browser, when the site renders it."""
        if not self.site.renders(kind):
            return {}
        methods = [PageMethod("wait_for_load_state", "networkidle")]
        if self.site.render_wait:
            methods.append(PageMethod("wait_for_selector", self.site.render_wait))
        return {"playwright": True, "playwright_page_methods": methods}

    def _list_request(self, url: str, page: int, pending: list[str] | None = None
                      ) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_list, errback=self.list_failed,
                              cb_kwargs={"page": page},
                              meta={"ecms_pages": pending or [], **self._browser_meta("lists")})

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.crawler.stats.get_value(report.LOCKED):
            return  # another run holds this site's lock (see archiver.jobreport)
        if self.refresh_urls:
            for url in self.refresh_urls:
                request = self._article_request(url)
                request.meta["refresh"] = True
                yield request
            return
        if self.fetch_urls:
            for url in self.fetch_urls:
                yield self._article_request(url)
            return
        for url in self.site.start_urls:
            yield self._list_request(url, 1)

    # -- list pages ------------------------------------------------------------------------------

    def parse_list(self, response: Response, page: int) -> Iterator[scrapy.Request]:
        if not isinstance(response, TextResponse):
            report.record_failure(self.crawler.stats, "list", response.url,
                                  "not an HTML page; the walk of this list ends here",
                                  site=self.name)
            return
        self.crawler.stats.inc_value(report.LISTS_WALKED)
        family = detect_family(response.text) if self.site.cms == "auto" else self.site.cms
        new = 0
        links = article_links(response.selector, response.url, self.site, family)
        self.crawler.stats.inc_value(report.LIST_LINKS, len(links))
        for link in links:
            if link in self.archived:
                # Checked before the request is scheduled: archived articles cost nothing.
                self.crawler.stats.inc_value(report.ARTICLES_ARCHIVED)
                continue
            if self.max_articles is not None and self.requested_articles >= self.max_articles:
                return
            self.requested_articles += 1
            new += 1
            yield self._article_request(link)
        if self.site.list.max_pages and page >= self.site.list.max_pages:
            return
        if not new and not self.full:
            # Lists run newest first: a page with nothing new means the rest is archived. An
            # unchanged site costs one list page per start URL (`--full` walks them all).
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
            yield self._list_request(url, page + 1, pending[1:])

    def parse_ecms_pager(self, response: Response) -> Iterator[scrapy.Request]:
        pages = ecms_page_urls(response.url, response.text if isinstance(response, TextResponse)
                               else response.body.decode("latin-1"))
        if pages:
            yield self._list_request(pages[0], 2, pages[1:])

    def list_failed(self, failure: Failure) -> None:
        # A dead list page ends that list's walk; the articles found so far still archive.
        reason = describe_failure(failure)
        self.logger.error("List page failed: %s: %s", failure.request.url, reason)
        report.record_failure(self.crawler.stats, "list", failure.request.url, reason,
                              site=self.name)

    # -- article pages ---------------------------------------------------------------------------

    def _article_request(self, url: str) -> scrapy.Request:
        self.pending.add(url)
        return scrapy.Request(url, callback=self.parse_article, errback=self.article_failed,
                              cb_kwargs={"source_url": url}, meta=self._browser_meta("articles"))

    def closed(self, reason: str) -> None:
        if reason != "finished":
            return  # interrupted: what was not fetched is simply not done yet
        for url in sorted(self.pending):
            report.record_failure(self.crawler.stats, "article", url,
                                  "no response: the request was dropped on the way (a redirect "
                                  "loop, or a redirect to a page already fetched)",
                                  site=self.name)

    def parse_article(self, response: Response, source_url: str) -> Any:
        self.pending.discard(source_url)
        refresh = bool(response.meta.get("refresh"))
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
        # Scrapy guesses HTML from a .htm URL even when the server says application/pdf: the
        # server's word wins.
        declared_other = content_type and not any(t in content_type for t in ("html", "xml"))
        if not isinstance(response, TextResponse) or declared_other:
            report.record_failure(self.crawler.stats, "article", source_url,
                                  f"not an HTML page (Content-Type: {content_type or 'none'})",
                                  site=self.name)
            return None
        if not response.body.strip():
            report.record_failure(self.crawler.stats, "article", source_url,
                                  f"empty page (HTTP {response.status} with no content)",
                                  site=self.name)
            return None
        # The archive keeps the URL as linked, even when the server redirected it.
        item = extract_article(response.text, source_url, self.site)
        item.refresh = refresh
        report.record_rules(self.crawler.stats, item.url, item.rules)
        return item

    def article_failed(self, failure: Failure) -> None:
        url = failure.request.cb_kwargs.get("source_url", failure.request.url)
        self.pending.discard(url)
        reason = describe_failure(failure)
        response = getattr(failure.value, "response", None)
        if failure.request.meta.get("refresh") and response is not None \
                and response.status in (404, 410):
            # The source is gone; the archived file is kept (that is what the archive is for).
            self.crawler.stats.inc_value(report.ARTICLES_GONE)
            report.record_note(self.crawler.stats, "gone", url,
                               f"HTTP {response.status} at the source; archived file kept",
                               site=self.name)
            return
        self.logger.error("Article failed: %s: %s", url, reason)
        report.record_failure(self.crawler.stats, "article", url, reason, site=self.name)
