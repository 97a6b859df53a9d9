"""One article, one request: an article request is checked against the archive again just
before it goes out (a downloader middleware), and what the check finds reaches the spider as a
KnownArticle. Kept apart from archiver.middlewares, which imports the reactor: the spider
imports this module before Scrapy has installed its reactor."""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.exceptions import IgnoreRequest, NotConfigured

from archiver.run.signals import run_opened

# Request meta key of an article request of a crawl or fetch (not a refresh).
ARTICLE_REQUEST = "archiver_article"


class KnownArticle(IgnoreRequest):
    """An article request whose article the archive holds by now: an alias found meanwhile."""

    def __init__(self, found: Any):
        super().__init__("already archived")
        self.found = found


class KnownArticleMiddleware:
    """The archive is asked again just before an article request goes out: once one URL of a
    family (`?x=1`, `?x=2`, ...) has shown itself an alias, the rest of the family, queued from
    the same list pages, is not fetched (archiver.archive.index)."""

    def __init__(self) -> None:
        # The run's archive index, handed over with `run_opened` (archiver.run.signals).
        self.index: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> KnownArticleMiddleware:
        if getattr(crawler.spidercls, "site", None) is None:
            raise NotConfigured  # not one of the archiver's site crawls
        middleware = cls()
        crawler.signals.connect(middleware.run_opened, signal=run_opened)
        return middleware

    def run_opened(self, state: Any) -> None:
        self.index = state.index

    def process_request(self, request: Request, spider: Any = None) -> None:
        # A refresh asks for archived articles on purpose.
        if request.meta.get(ARTICLE_REQUEST) and not request.meta.get("refresh") \
                and self.index is not None:
            found = self.index.find(request.url)
            if found is not None:
                raise KnownArticle(found)
