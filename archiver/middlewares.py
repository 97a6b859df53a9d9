"""Downloader middlewares."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor
from twisted.internet.task import deferLater
from w3lib.url import safe_url_string

from archiver.extract.charset import true_encoding


def with_true_encoding(response: Response) -> Response:
    """The response, re-decoded when its bytes are not in the charset it declares."""
    if not isinstance(response, TextResponse):
        return response
    encoding = true_encoding(response.body, response.encoding)
    if encoding and encoding != response.encoding:
        return response.replace(encoding=encoding)
    return response


class CharsetMiddleware:
    """Decode every page by its bytes, not only by its declaration (see extract/charset.py)."""

    def process_response(self, request: Any, response: Response) -> Response:
        return with_true_encoding(response)


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's RetryMiddleware (server errors, timeouts, dropped connections), with a pause
    before each retry that doubles every time: a struggling campus server gets room to recover
    instead of the same load again at once."""

    def __init__(self, settings: Any):
        super().__init__(settings)
        self.base = settings.getfloat("ARCHIVER_RETRY_BACKOFF")
        self.ceiling = settings.getfloat("ARCHIVER_RETRY_BACKOFF_MAX")

    async def _pause(self, result: Any) -> Any:
        if isinstance(result, Request) and self.base > 0:
            tries = result.meta.get("retry_times", 1)
            delay = min(self.base * 2 ** (tries - 1), self.ceiling)
            await maybe_deferred_to_future(deferLater(reactor, delay, lambda: None))
        return result

    async def process_response(self, request: Request, response: Response,
                               spider: Any = None) -> Any:
        return await self._pause(super().process_response(request, response))

    async def process_exception(self, request: Request, exception: Exception,
                                spider: Any = None) -> Any:
        return await self._pause(super().process_exception(request, exception))


class OffsiteRedirect(IgnoreRequest):
    """A page answered with a redirect out of the site's allowed_domains."""


class OffsiteRedirectMiddleware:
    """Stop a redirect out of the site before it is followed, with that as the reason.

    Scrapy's offsite filter drops a redirected request to another domain without calling its
    errback, so the article would only be reported as lost on the way. Its number (610) is above
    RedirectMiddleware's (600): responses pass the higher numbers first, so it sees the 3xx
    before the redirect is followed."""

    REDIRECTS = (301, 302, 303, 307, 308)

    def __init__(self, crawler: Any):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> OffsiteRedirectMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response,
                         spider: Any = None) -> Response:
        location = response.headers.get(b"Location")
        if (response.status not in self.REDIRECTS or not location
                or request.meta.get("allow_offsite") or request.meta.get("dont_redirect")):
            return response
        site = getattr(self.crawler.spidercls, "site", None)
        target = urljoin(response.url, safe_url_string(location.decode("latin-1")))
        if site is None or site.allows(target):
            return response
        shown = target if len(target) <= 200 else target[:200] + "..."
        raise OffsiteRedirect(f"redirected off-site to {shown} (outside allowed_domains)")
