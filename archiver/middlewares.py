"""Downloader middlewares."""

from __future__ import annotations

from typing import Any

from scrapy.http import Response, TextResponse

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
