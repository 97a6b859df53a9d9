"""Download every article image into <output>/<site>/images/ with Scrapy's FilesPipeline.

A failed image is reported with its reason and the article is archived all the same.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.pipelines.files import FilesPipeline, FSFilesStore
from scrapy.pipelines.media import FileException

from archiver import report
from archiver.archive import write_atomic
from archiver.items import ArticleItem
from archiver.report import describe_failure

_IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".svg", ".tif", ".tiff"}


class AtomicFilesStore(FSFilesStore):
    """FSFilesStore that writes through a temporary file, so no image is ever half-written."""

    def persist_file(self, path: str, buf: Any, info: Any, meta: Any = None,
                     headers: Any = None) -> None:
        # Like FSFilesStore, in the reactor thread and with no fsync per file: the write
        # pipeline syncs the crawl's files once when it closes (see WritePipeline).
        write_atomic(Path(self.basedir, path), buf.getvalue(), durable=False)


def image_file_name(url: str, content_type: str = "") -> str:
    """A name from the URL's hash (never from page content), with the image's extension."""
    digest = hashlib.sha1(url.encode("utf-8")).hexdigest()
    ext = PurePosixPath(urlsplit(url).path).suffix.lower()
    if ext not in _IMAGE_EXTENSIONS:
        ext = mimetypes.guess_extension(content_type.split(";")[0].strip()) or ""
    return digest + ext


class _ReportedElsewhere(logging.Filter):
    """Image failures are reported once, with their reason, in the run summary; MediaPipeline's
    own traceback for each of them is noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], FileException))


class ArticleImagesPipeline(FilesPipeline):
    STORE_SCHEMES = {**FilesPipeline.STORE_SCHEMES, "file": AtomicFilesStore}

    @classmethod
    def from_crawler(cls, crawler: Any) -> ArticleImagesPipeline:
        cls._update_stores(crawler.settings)
        logging.getLogger("scrapy.pipelines.media").addFilter(_ReportedElsewhere())
        output = Path(crawler.settings["ARCHIVER_OUTPUT_DIR"]).resolve()
        pipeline = cls(str(output), crawler=crawler)
        pipeline.site = crawler.spidercls.site
        pipeline.maxsize = crawler.settings.getint("ARCHIVER_IMAGE_MAXSIZE")
        return pipeline

    def get_media_requests(self, item: ArticleItem, info: Any) -> list[Request]:
        return [
            Request(url, meta={"archiver_site": item.site, "download_maxsize": self.maxsize,
                               # An image_domains host (a CDN) is outside allowed_domains.
                               "allow_offsite": True})
            for url in item.image_urls if self.site.allows_image(url)
        ]

    def file_path(self, request: Request, response: Response | None = None, info: Any = None,
                  *, item: Any = None) -> str:
        site = request.meta.get("archiver_site") or getattr(item, "site", "unknown")
        content_type = ""
        if response is not None:
            content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        return f"{site}/images/{image_file_name(request.url, content_type)}"

    async def media_downloaded(self, response: Response, request: Request, info: Any, *,
                               item: Any = None) -> Any:
        # Clear reasons for the report before FilesPipeline's generic "download-error".
        if response.status != 200:
            raise FileException(f"HTTP {response.status}")
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
        if content_type.startswith(("text/", "application/json")):
            raise FileException(f"not an image (Content-Type: {content_type})")
        return await super().media_downloaded(response, request, info, item=item)

    def media_failed(self, failure: Any, request: Request, info: Any) -> Any:
        if isinstance(failure.value, IgnoreRequest):
            return super().media_failed(failure, request, info)
        if isinstance(failure.value, FileException):
            raise failure.value
        reason = describe_failure(failure)
        if "maxsize" in reason.replace(" ", "").lower() or "max size" in reason.lower():
            reason = f"larger than the image size cap ({self.maxsize} bytes)"
        raise FileException(reason)

    def item_completed(self, results: list, item: ArticleItem, info: Any) -> ArticleItem:
        stats = self.crawler.stats
        item.images = []
        # Results come in the order of get_media_requests: the allowed images only.
        outcomes = iter(results)
        for url in item.image_urls:
            if not self.site.allows_image(url):
                host = urlsplit(url).hostname
                report.record_failure(stats, "image", url, f"image host {host} is outside "
                                      "allowed_domains; add it to image_domains to archive it",
                                      article=item.url, site=item.site)
                continue
            ok, value = next(outcomes)
            if ok:
                item.images.append(value)
                # "uptodate": already in the archive, nothing was downloaded.
                present = value.get("status") == "uptodate"
                stats.inc_value(report.IMAGES_PRESENT if present else report.IMAGES_FETCHED)
                continue
            reason = str(getattr(value, "value", value)) or type(value.value).__name__
            report.record_failure(stats, "image", url, reason, article=item.url, site=item.site)
        return item
