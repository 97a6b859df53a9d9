"""The downloader middleware that captures what the crawl fetches, as the extraction gets it.

At 570 it sits after HttpCompressionMiddleware (590) and CharsetMiddleware (580): the body kept
is the one Scrapy hands to the spider (decompressed), with the encoding the spider reads it in,
so `archiver rebuild` derives exactly the item the crawl derived. Redirects were followed
before (RedirectMiddleware, 600): the record is the final answer, with the URL asked for kept
as `Archiver-Source-URI`.

Which responses: those the spider marks (`archiver_capture` meta: "list", "article"), and with
`capture: all` the images and attachments the images pipeline fetches. A site with
`capture: off` gets no middleware at all (NotConfigured).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response, TextResponse

from archiver.capture import DEFAULT_MODE, capture_dir
from archiver.capture.writer import CaptureWriter, repair
from archiver.run import signals as run_signals

logger = logging.getLogger(__name__)

CAPTURES = "archiver/captures/written"
REVISITS = "archiver/captures/revisits"


class CaptureMiddleware:
    def __init__(self, crawler: Any, site: Any, mode: str):
        self.crawler = crawler
        self.site = site
        self.mode = mode
        self.writer: CaptureWriter | None = None
        self.image_links = site.image_links or crawler.settings.get("ARCHIVER_IMAGE_LINKS",
                                                                    "original")

    @classmethod
    def from_crawler(cls, crawler: Any) -> CaptureMiddleware:
        site = getattr(crawler.spidercls, "site", None)
        mode = getattr(site, "capture", DEFAULT_MODE) if site is not None else "off"
        if mode == "off":
            raise NotConfigured
        middleware = cls(crawler, site, mode)
        crawler.signals.connect(middleware.run_opened, signal=run_signals.run_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def _note(self, text: str) -> None:
        self.crawler.signals.send_catch_log(signal=run_signals.note, text=text)

    def run_opened(self, state: Any) -> None:
        """The site's lock is held (SiteRun sends this only then): open this crawl's file."""
        if not state.mode.writes:
            return  # a preview writes nothing
        output = self.crawler.settings["ARCHIVER_OUTPUT_DIR"]
        folder = capture_dir(output, self.site.name)
        try:
            for line in repair(folder):
                self._note(f"captures: {line}")
            # Scrapyd gives each job its id as the `_job` spider argument.
            job = getattr(self.crawler.spider, "_job", None)
            self.writer = CaptureWriter(folder, self.site.name, job)
        except OSError as error:
            self._note(f"no capture this run: cannot write {folder}: "
                       f"{error.strerror or error}")

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.writer is not None:
            try:
                self.writer.close()
            except OSError as error:
                logger.error("cannot close the capture %s: %s", self.writer.path, error)
            self.writer = None

    def _kind(self, request: Request) -> str | None:
        kind = request.meta.get("archiver_capture")
        if kind is None and self.mode == "all" and request.meta.get("archiver_site"):
            kind = "attachment" if request.meta.get("archiver_attachment") else "image"
        return kind

    def process_response(self, request: Request, response: Response,
                         spider: Any = None) -> Response:
        kind = self.writer is not None and self._kind(request)
        if not kind:
            return response
        source = (request.meta.get("redirect_urls") or [request.url])[0]
        parts = urlsplit(request.url)
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        request_headers = [(b"Host", parts.netloc.encode("latin-1"))] + [
            (key, value) for key, values in request.headers.items() for value in values]
        try:
            capture = self.writer.capture(
                url=response.url, source=source, kind=kind, status=response.status,
                headers=[(key, value) for key, values in response.headers.items()
                         for value in values],
                body=response.body, protocol=response.protocol or "HTTP/1.1",
                request_line=f"{request.method} {target} HTTP/1.1",
                request_headers=request_headers,
                encoding=response.encoding if isinstance(response, TextResponse) else None,
                list_date=(request.cb_kwargs or {}).get("list_date"),
                image_links=self.image_links if kind == "article" else None)
        except OSError as error:
            # A full disk: the crawl goes on (the archive matters more than its capture), and
            # the run says once that its captures stop here.
            self._note(f"captures stopped at {response.url}: cannot write "
                       f"{self.writer.path}: {error.strerror or error}")
            self.writer = None
            return response
        stats = self.crawler.stats
        stats.inc_value(REVISITS if capture.type == "revisit" else CAPTURES)
        return response
