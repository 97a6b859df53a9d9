"""Downloader middlewares."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.response import get_meta_refresh
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


class RedirectRefused(IgnoreRequest):
    """A redirect the crawl does not follow; its message is the reason, `code` names it."""

    code: str = ""  # each refusal names its own (the subclasses, or the `code` argument)
    archiver_reason = True  # its message is the whole reason (the failure's description)

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.code = code or self.code


class OffsiteRedirect(RedirectRefused):
    """A page answered with a redirect out of the site's allowed_domains."""

    code = "offsite_redirect"


class RedirectLoop(RedirectRefused):
    """A redirect back to a URL of the same chain (list.htm -> list2.htm -> list.htm): a
    login wall does that; Scrapy's duplicate filter would drop it without a word."""

    code = "redirect_loop"


def _shown(url: str) -> str:
    return url if len(url) <= 200 else url[:200] + "..."


def _loop(request: Request, target: str) -> RedirectLoop | None:
    chain = [*request.meta.get("redirect_urls", []), request.url]
    if target.split("#", 1)[0] not in [u.split("#", 1)[0] for u in chain]:
        return None
    return RedirectLoop("redirect loop: " + " -> ".join(_shown(u) for u in [*chain, target]))


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
        loop = _loop(request, target)
        if loop is not None:
            raise loop
        if site is None or site.allows(target):
            return response
        raise OffsiteRedirect(f"redirected off-site to {_shown(target)} (outside "
                              "allowed_domains)")


class MetaRefreshMiddleware:
    """Name what a `<meta http-equiv="refresh">` leads to before Scrapy's MetaRefreshMiddleware
    (580) follows it: to another host it is reported as such (not as a lost request or a
    redirect loop), back into its own chain as a redirect loop. Its number (585) is below
    HttpCompression's (590), so it reads the unpacked page."""

    def __init__(self, crawler: Any):
        self.crawler = crawler
        settings = crawler.settings
        self.enabled = settings.getbool("METAREFRESH_ENABLED")
        self.ignore_tags = settings.getlist("METAREFRESH_IGNORE_TAGS")
        self.maxdelay = settings.getfloat("METAREFRESH_MAXDELAY")

    @classmethod
    def from_crawler(cls, crawler: Any) -> MetaRefreshMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response,
                         spider: Any = None) -> Response:
        if (not self.enabled or request.meta.get("dont_redirect")
                or not isinstance(response, HtmlResponse) or b"refresh" not in
                response.body[:65536].lower()):
            return response
        interval, target = get_meta_refresh(response, ignore_tags=self.ignore_tags)
        if not target or interval >= self.maxdelay:
            return response
        loop = _loop(request, target)
        if loop is not None:
            raise loop
        site = getattr(self.crawler.spidercls, "site", None)
        if site is not None and not request.meta.get("allow_offsite") \
                and not site.allows(target):
            raise RedirectRefused(f"a <meta refresh> to another host: {_shown(target)} "
                                  "(outside allowed_domains)", "meta_refresh_offsite")
        return response
