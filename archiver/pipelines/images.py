"""Download every article image into <output>/<site>/images/, and every attachment the body
links to (pdf, doc, xls, zip, ...) into <output>/<site>/files/, with Scrapy's FilesPipeline.

A failed image or attachment is reported with its reason (as an image failure: the run's
counts of images include attachments) and the article is archived all the same. Attachments on
other hosts than the site's (a paper on a publisher's server) are plain links, not archived.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.exceptions import DropItem, IgnoreRequest
from scrapy.http import Response
from scrapy.pipelines.files import FilesPipeline, FSFilesStore
from scrapy.pipelines.media import FileException

from archiver.archive import image_file_name, write_atomic
from archiver.archive.fs import WrittenFiles
from archiver.archive.layout import FILES, IMAGES
from archiver.archive.pasted import decode, is_data_uri, pasted_name, shown
from archiver.archive.svg import active_content, looks_like_svg
from archiver.extract.markdown import ATTACHMENT_EXTENSIONS
from archiver.items import ArticleItem
from archiver.run import stats as keys
from archiver.run.events import Kind, download_failure
from archiver.run.record import Recorder
from archiver.run.stopping import RunStopped


class MediaFailure(FileException):
    """An image or attachment that was not archived, with its code (archiver.run.events):
    "data_image_invalid" (a pasted picture that does not decode to an image), "image_too_large"
    (a pasted picture over the image size cap), "svg_script" (an SVG that could run code), ..."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code = code


class AtomicFilesStore(FSFilesStore):
    """FSFilesStore that writes through a temporary file, so no image is ever half-written."""

    def __init__(self, basedir: str):
        super().__init__(basedir)
        self.written = WrittenFiles()  # synced together when the crawl closes

    def _mkdir(self, dirname: Path, domain: Any = None) -> None:
        # FSFilesStore checks that the folder is missing, then mkdir(parents=True): two jobs
        # starting together on a new archive (dispatch) race there, and the loser's crawler
        # could not start (FileExistsError on the archive folder).
        dirname.mkdir(parents=True, exist_ok=True)

    def persist_file(self, path: str, buf: Any, info: Any, meta: Any = None,
                     headers: Any = None) -> None:
        # Like FSFilesStore, in the reactor thread and with no fsync per file: the pipeline
        # syncs the crawl's files together when it closes (close_spider).
        target = Path(self.basedir, path)
        _write_image(target, buf.getvalue())
        self.written.add(target)


def _write_image(path: Path, data: bytes) -> None:
    try:
        write_atomic(path, data, durable=False)
    except OSError as error:
        # No space, permission denied, read-only, I/O error: an image failure with its reason.
        raise MediaFailure("write_error", f"cannot write {path}: {error.strerror or error}") \
            from None


logger = logging.getLogger(__name__)
_ATTACHMENT_SUFFIXES = frozenset(f".{ext}" for ext in ATTACHMENT_EXTENSIONS)


class ReportedElsewhere(logging.Filter):
    """Image failures are reported once, with their reason, in the run summary; MediaPipeline's
    own traceback for each of them is noise. A filter on the log handler the `archiver`
    command installs (archiver.commands.common.configure_logging); Scrapy's loggers are left
    as they are, and `scrapy crawl` logs as Scrapy does."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info
                    and isinstance(record.exc_info[1], FileException | RunStopped))


class ArticleImagesPipeline(FilesPipeline):
    STORE_SCHEMES = {**FilesPipeline.STORE_SCHEMES, "file": AtomicFilesStore}

    @classmethod
    def from_crawler(cls, crawler: Any) -> ArticleImagesPipeline:
        cls._update_stores(crawler.settings)
        output = Path(crawler.settings["ARCHIVER_OUTPUT_DIR"]).resolve()
        pipeline = cls(str(output), crawler=crawler)
        pipeline.site = crawler.spidercls.site
        pipeline.maxsize = crawler.settings.getint("ARCHIVER_IMAGE_MAXSIZE")
        pipeline.attachment_maxsize = crawler.settings.getint("ARCHIVER_ATTACHMENT_MAXSIZE")
        pipeline.record = Recorder(crawler)
        return pipeline

    def close_spider(self) -> None:
        # Every image and attachment of this crawl on disk before the run reports it done.
        if isinstance(self.store, AtomicFilesStore):  # the archive's folder, not a cloud store
            for problem in self.store.written.sync():
                logger.error(problem)

    def _attachments(self, item: ArticleItem) -> list[str]:
        # Only the site's own attachments: a link to a file elsewhere stays a link.
        return [url for url in item.attachment_urls if self.site.allows_image(url)]

    def _allowed(self, url: str) -> bool:
        """An image the archive fetches: on the site's hosts (or image_domains), or pasted
        into the page (a data: URI, decoded by Scrapy's data: download handler)."""
        return self.site.allows_image(url) or (is_data_uri(url) and not self._too_long(url))

    def _too_long(self, url: str) -> bool:
        # Base64 takes 4 characters for 3 bytes: a longer URI is over the cap, undecoded.
        return is_data_uri(url) and len(url) > self.maxsize * 4 // 3 + 1024

    def get_media_requests(self, item: ArticleItem, info: Any) -> list[Request]:
        images = [
            Request(url, meta={"archiver_site": item.site, "download_maxsize": self.maxsize,
                               # An image_domains host (a CDN) is outside allowed_domains.
                               "allow_offsite": True})
            for url in item.image_urls if self._allowed(url)
        ]
        return images + [
            Request(url, meta={"archiver_site": item.site, "archiver_attachment": True,
                               "download_maxsize": self.attachment_maxsize,
                               "allow_offsite": True})
            for url in self._attachments(item)
        ]

    def file_path(self, request: Request, response: Response | None = None, info: Any = None,
                  *, item: Any = None) -> str:
        site = request.meta.get("archiver_site") or getattr(item, "site", "unknown")
        content_type = disposition = ""
        if response is not None:
            content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
            disposition = response.headers.get(b"Content-Disposition", b"").decode("latin-1")
        if request.meta.get("archiver_attachment"):
            name = image_file_name(request.url, content_type, disposition, _ATTACHMENT_SUFFIXES)
            return f"{site}/{FILES}/{name}"
        if is_data_uri(request.url):
            return f"{site}/{IMAGES}/{pasted_name(request.url)}"
        return f"{site}/{IMAGES}/{image_file_name(request.url, content_type)}"

    async def media_downloaded(self, response: Response, request: Request, info: Any, *,
                               item: Any = None) -> Any:
        # Clear reasons for the report before FilesPipeline's generic "download-error".
        if is_data_uri(request.url):
            self._check_pasted(request.url, len(response.body))
        elif response.status != 200:
            raise MediaFailure(f"http_{response.status}", f"HTTP {response.status}")
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
        if content_type.startswith(("text/", "application/json")):
            if request.meta.get("archiver_attachment"):
                raise MediaFailure("not_attachment",
                                   f"not an attachment file (Content-Type: {content_type})")
            raise MediaFailure("not_image", f"not an image (Content-Type: {content_type})")
        if not request.meta.get("archiver_attachment") \
                and looks_like_svg(response.body, content_type, request.url):
            active = active_content(response.body)
            if active:
                raise MediaFailure("svg_script", f"an SVG image that carries script ({active}): "
                                   "refused, it would run in the published blog")
        result = await super().media_downloaded(response, request, info, item=item)
        # Counted when the file is written: a run stopped halfway reports what is on disk.
        self.crawler.stats.inc_value(keys.IMAGES_FETCHED)
        return result

    def _check_pasted(self, url: str, size: int) -> None:
        if size > self.maxsize:
            raise MediaFailure("image_too_large", f"a pasted picture larger than the image size "
                               f"cap ({self.maxsize} bytes)")
        try:
            decode(url)
        except ValueError as error:
            raise MediaFailure("data_image_invalid", f"a pasted picture (data: URI) that cannot "
                               f"be archived: {error}") from None

    def media_failed(self, failure: Any, request: Request, info: Any) -> Any:
        if isinstance(failure.value, RunStopped):
            # Not raised: MediaPipeline logs a traceback for every exception it is given, and
            # a signal drops thousands of downloads at once (seconds of logging after a second
            # signal that must end the run at once). The download gives no file: item_completed
            # reads that as "stopped" and drops the article for now.
            return None
        if isinstance(failure.value, IgnoreRequest):
            return super().media_failed(failure, request, info)
        if isinstance(failure.value, FileException):
            raise failure.value
        code, reason = download_failure(failure)
        if is_data_uri(request.url):  # Scrapy's data: handler could not decode it
            raise MediaFailure("data_image_invalid", "a pasted picture (data: URI) that cannot "
                               f"be archived: {reason}")
        if "maxsize" in reason.replace(" ", "").lower() or "max size" in reason.lower():
            code = "too_large"
            if request.meta.get("archiver_attachment"):
                reason = f"larger than the attachment size cap ({self.attachment_maxsize} bytes)"
            else:
                reason = f"larger than the image size cap ({self.maxsize} bytes)"
        raise MediaFailure(code, reason)

    def item_completed(self, results: list, item: ArticleItem, info: Any) -> ArticleItem:
        if any(value is None or isinstance(getattr(value, "value", None), RunStopped)
               for ok, value in results):
            # A signal stopped the run before all its images came: the article is not written,
            # so the next run fetches it and the images still missing (those on disk stay).
            raise DropItem(f"{item.url}: the run was stopped before its images and "
                           "attachments were all downloaded", log_level="INFO")
        item.images = []
        # Results come in the order of get_media_requests: the allowed images only.
        outcomes = iter(results)
        for url in item.image_urls:
            if self._too_long(url):
                self.record(Kind.IMAGE, "image_too_large", shown(url), "a pasted picture "
                            f"larger than the image size cap ({self.maxsize} bytes)",
                            site=item.site, article=item.url)
                continue
            if not self._allowed(url):
                host = urlsplit(url).hostname
                self.record(Kind.IMAGE, "host_not_allowed", url, f"image host {host} is "
                            "outside allowed_domains; add it to image_domains to archive it",
                            site=item.site, article=item.url)
                continue
            self._outcome(item, url, next(outcomes))
        for url in self._attachments(item):
            self._outcome(item, url, next(outcomes))
        return item

    def _outcome(self, item: ArticleItem, url: str, result: tuple[bool, Any]) -> None:
        stats = self.crawler.stats
        ok, value = result
        if ok:
            item.images.append(value)
            # "uptodate": already in the archive, nothing was downloaded (a download was
            # counted when its file was written).
            if value.get("status") == "uptodate":
                stats.inc_value(keys.IMAGES_PRESENT)
            return
        error = getattr(value, "value", value)
        reason = str(error) or type(error).__name__
        # FilesPipeline's own failures ("download-error", ...) carry no code of ours.
        code = error.code if isinstance(error, MediaFailure) else "download_error"
        self.record(Kind.IMAGE, code, shown(url), reason, site=item.site, article=item.url)
