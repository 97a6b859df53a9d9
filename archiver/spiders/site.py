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
from archiver.cms.paging import ecms_page_urls
from archiver.config import SiteConfig
from archiver.deadlinks import DeadLinks
from archiver.extract.article import extract_article
from archiver.extract.listing import ListPage
from archiver.extract.quality import verdict
from archiver.report import describe_failure

# A page that cannot be archived and links at least this many articles is a list page.
LIST_PAGE_LINKS = 3


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
                 retry_gone: bool | str = False, **kwargs: Any):
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
        # Articles recorded as gone (404/410 on two crawls in a row); see archiver.deadlinks.
        self.retry_gone = retry_gone in (True, "1", "true", "yes")
        self.dead: DeadLinks | None = None
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
            spider.dead = DeadLinks.of(crawler, crawler.settings["ARCHIVER_OUTPUT_DIR"],
                                       cls.name, spider.retry_gone)
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
        listing = ListPage(response.text, response.url, self.site, response.selector)
        new = 0
        self.crawler.stats.inc_value(report.LIST_LINKS, len(listing.articles))
        for article in listing.articles:
            if article.url in self.archived:
                # Checked before the request is scheduled: archived articles cost nothing.
                self.crawler.stats.inc_value(report.ARTICLES_ARCHIVED)
                continue
            if self._gone(article.url):
                continue
            if self.max_articles is not None and self.requested_articles >= self.max_articles:
                return
            self.requested_articles += 1
            new += 1
            yield self._article_request(article.url, article.date)
        if self.site.list.max_pages and page >= self.site.list.max_pages:
            return
        if not new and not self.full:
            # Lists run newest first: a page with nothing new means the rest is archived. An
            # unchanged site costs one list page per start URL (`--full` walks them all).
            return
        yield from self._next_list(response, listing, page)

    def _next_list(self, response: TextResponse, listing: ListPage,
                   page: int) -> Iterator[scrapy.Request]:
        pending: list[str] = response.meta.get("ecms_pages", [])
        if pending:
            yield self._list_request(pending[0], page + 1, pending[1:])
            return
        if listing.ecms_script and page == 1:
            yield scrapy.Request(listing.ecms_script, callback=self.parse_ecms_pager,
                                 errback=self.list_failed)
            return
        url, rule = listing.next_page(page)
        if url:
            self.logger.debug("Next list page (by %s): %s", rule, url)
            yield self._list_request(url, page + 1)
        elif listing.pager.has_more(page):
            # Never a silent one-page walk: the pager says more pages follow (the summary and
            # the report say so through the site's health).
            self.logger.info("List page shows a pager (%s) but no next page was found: %s",
                             listing.pager.evidence, response.url)
            seen = self.crawler.stats.get_value(report.PAGER_WITHOUT_NEXT) or []
            self.crawler.stats.set_value(report.PAGER_WITHOUT_NEXT, [*seen, response.url])

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

    def _article_request(self, url: str, list_date: str | None = None) -> scrapy.Request:
        self.pending.add(url)
        # The date the list showed beside the link: the article's date when its page has none.
        return scrapy.Request(url, callback=self.parse_article, errback=self.article_failed,
                              cb_kwargs={"source_url": url, "list_date": list_date},
                              meta=self._browser_meta("articles"))

    def _gone(self, url: str) -> bool:
        """Count and skip an article recorded as gone (not a failure: it rests)."""
        entry = self.dead.skip(url) if self.dead else None
        if entry:
            self.crawler.stats.inc_value(report.ARTICLES_GONE)
            report.record_note(self.crawler.stats, "gone", url,
                               f"HTTP {entry['status']} on {entry['runs']} crawls in a row, "
                               f"last {entry['last']}; skipped (--retry-gone tries it again)",
                               site=self.name)
        return bool(entry)

    def closed(self, reason: str) -> None:
        if reason != "finished":
            return  # interrupted: what was not fetched is simply not done yet
        for url in sorted(self.pending):
            report.record_failure(self.crawler.stats, "article", url,
                                  "no response: the request was dropped on the way (a redirect "
                                  "loop, or a redirect to a page already fetched)",
                                  site=self.name)

    def parse_article(self, response: Response, source_url: str,
                      list_date: str | None = None) -> Any:
        self.pending.discard(source_url)
        if self.dead:
            self.dead.alive(source_url)
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
        item = extract_article(response.text, source_url, self.site, list_date=list_date)
        item.refresh = refresh
        if self.fetch_urls and self._list_page(response, item):
            return None
        report.record_rules(self.crawler.stats, item.url, item.rules)
        return item

    def _list_page(self, response: TextResponse, item: Any) -> bool:
        """`fetch` of a list or home page: say so, rather than only that it has no date."""
        reason = verdict(item).refused
        if not reason:
            return False
        links = ListPage(response.text, response.url, self.site, response.selector).articles
        if len(links) < LIST_PAGE_LINKS:
            return False
        report.record_failure(
            self.crawler.stats, "article", item.url,
            f"this looks like a list page ({len(links)} article links; {reason}): fetch takes "
            "article pages; `archiver crawl` walks the lists of a configured site",
            site=self.name)
        return True

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
        if self.dead and response is not None and response.status in (404, 410) \
                and not failure.request.meta.get("refresh") \
                and self.dead.strike(url, response.status):
            reason += " on two crawls in a row: recorded as gone, later crawls skip it"
        self.logger.error("Article failed: %s: %s", url, reason)
        report.record_failure(self.crawler.stats, "article", url, reason, site=self.name)
