"""Downloader middlewares."""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response, TextResponse
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor
from twisted.internet.task import deferLater

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
