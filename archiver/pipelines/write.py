"""Write each article as <output>/<site>/<urlname>.md (FORMAT.md), atomically."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from scrapy.exceptions import DropItem

from archiver.archive import ArchiveIndex, article_path, to_markdown, urlname, write_atomic
from archiver.archive.fs import WrittenFiles
from archiver.archive.index import article_fingerprint
from archiver.archive.pasted import is_data_uri
from archiver.changes import what_changed
from archiver.config import SiteConfig
from archiver.items import ArticleItem
from archiver.run import stats as keys
from archiver.run.events import Kind
from archiver.run.record import Recorder
from archiver.run.signals import run_opened
from archiver.run.state import RunState

logger = logging.getLogger(__name__)


def local_image_paths(item: ArticleItem) -> dict[str, str]:
    """Image URL -> path relative to the article file, for the images that were downloaded."""
    prefix = f"{item.site}/"
    return {
        image["url"]: image["path"][len(prefix):] if image["path"].startswith(prefix)
        else image["path"]
        for image in item.images
    }


class WritePipeline:
    def __init__(self, output: str, image_links: str, stats: Any, sites: dict[str, SiteConfig],
                 record: Recorder):
        self.output = Path(output)
        self.image_links = image_links
        self.stats = stats
        self.sites = sites
        self.record = record
        # The run's archive index (handed over with `run_opened`): this run's articles are
        # added to it, and a URL that gives an archived article is recorded as its alias.
        self.index = ArchiveIndex(set())
        self.written = WrittenFiles()  # synced together when the crawl closes

    @classmethod
    def from_crawler(cls, crawler: Any) -> WritePipeline:
        site = crawler.spidercls.site
        pipeline = cls(crawler.settings["ARCHIVER_OUTPUT_DIR"],
                       crawler.settings.get("ARCHIVER_IMAGE_LINKS", "original"),
                       crawler.stats, {site.name: site}, Recorder(crawler))
        crawler.signals.connect(pipeline.run_opened, signal=run_opened)
        return pipeline

    def run_opened(self, state: RunState) -> None:
        self.index = state.index

    def _alias(self, item: ArticleItem, fingerprint: str) -> bool:
        """Whether an archived file holds this article already (the same headline, date and
        body under another URL): the file stays, this URL is recorded as its alias."""
        index = self.index
        found = index.same_article(fingerprint)
        if found is None or found[0] == urlname(item.url):
            return False
        params = index.alias_params(item.url, found[1])
        if params is None:
            return False  # the same text under an unrelated URL: `check` names the two files
        index.names.discard(urlname(item.url))  # the dedup pipeline counted it in
        index.record_alias(item.url, found[0], params)
        self.record.alias(item.url, found[0], site=item.site)
        return True

    def process_item(self, item: ArticleItem) -> ArticleItem:
        site = self.sites[item.site]
        mode = site.image_links or self.image_links
        paths = local_image_paths(item)
        if mode != "local":
            # A pasted picture is always linked locally: its data: URI is the picture itself.
            paths = {url: path for url, path in paths.items() if is_data_uri(url)}
        drop_pasted_failures(item, paths)
        text = to_markdown(item, site, paths or None)
        path = article_path(self.output, item.site, item.url)
        fingerprint = "" if item.refresh else article_fingerprint(text)
        if not item.refresh and self._alias(item, fingerprint):
            raise DropItem(f"{item.url}: an alias of an archived article", log_level="DEBUG")
        # Written here, in the reactor thread, with no fsync per file: a few KB into the page
        # cache cost less than a hand-over to a thread, and an fsync per file (about 5 ms of
        # disk and 0.5 ms of CPU each) was the largest cost the archiver added to a plain
        # Scrapy crawl (docs/benchmarks.md). The crawl's files reach the disk together, synced
        # when it closes. Items of one URL never race: dedup lets each through once.
        try:
            outcome = refresh_file(path, text) if item.refresh else \
                new_file(path, text, self.written)
        except OSError as error:
            # No space, permission denied, read-only, I/O error: this article is not archived,
            # and says so; the next run asks for it again (archiver.run.resume).
            reason = f"cannot write {path}: {error.strerror or error}"
            self.record(Kind.ARTICLE, "write_error", item.url, reason, site=item.site)
            raise DropItem(f"{item.url}: {reason}", log_level="DEBUG") from None
        if isinstance(outcome, tuple):  # a refresh that rewrote the file: say what changed
            # (the event counts it as changed)
            outcome, parts = outcome
            self.record(Kind.CHANGED, "rewritten", item.url, ", ".join(parts), site=item.site,
                        file=str(path), parts=parts)
        else:
            self.stats.inc_value(outcome)
        if outcome == keys.ARTICLES_NEW:
            self.index.wrote(item.url, fingerprint)
        if outcome == keys.ARTICLES_ARCHIVED:
            raise DropItem(f"{item.url}: already archived", log_level="DEBUG")
        return item

    def close_spider(self) -> None:
        # Every archive file of this crawl on disk before the run reports it done (the images
        # pipeline syncs its own files).
        for problem in self.written.sync():
            logger.error(problem)


def drop_pasted_failures(item: ArticleItem, paths: dict[str, str]) -> None:
    """A pasted picture that could not be archived (reported as an image failure) leaves no
    data: URI in the file: it would be megabytes of text, or a broken image."""
    item.blocks = [b for b in item.blocks
                   if not (b.startswith("![图](data:") and b[len("![图]("):-1] not in paths)]


def new_file(path: Path, text: str, written: WrittenFiles) -> str:
    if path.exists():
        return keys.ARTICLES_ARCHIVED  # another process archived it meanwhile: it wins
    write_atomic(path, text, durable=False)
    written.add(path)
    return keys.ARTICLES_NEW


def refresh_file(path: Path, text: str) -> str | tuple[str, list[str]]:
    """Rewrite the file only when the article changed: an unchanged file keeps its bytes and
    its mtime, so publishing tools and backups see no change. A rewrite says what changed."""
    try:
        old = path.read_bytes()
    except FileNotFoundError:
        old = b""
    if old == text.encode("utf-8"):
        return keys.ARTICLES_UNCHANGED
    write_atomic(path, text)
    return keys.ARTICLES_CHANGED, what_changed(old.decode("utf-8", "replace"), text)
