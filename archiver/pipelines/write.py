"""Write each article as <output>/<site>/<urlname>.md (FORMAT.md), atomically."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import Any

from scrapy.exceptions import DropItem

from archiver.archive import ArchiveIndex, article_path, held, to_markdown, urlname, write_atomic
from archiver.archive.fs import WrittenFiles
from archiver.archive.index import article_fingerprint
from archiver.archive.integrity import (
    NOT_AN_ARTICLE,
    Problem,
    archived_headline,
    replacement_problem,
    same_page_problem,
)
from archiver.archive.pasted import is_data_uri
from archiver.changes import what_changed
from archiver.config import SiteConfig
from archiver.items import ArticleItem
from archiver.run import stats as keys
from archiver.run.events import Kind
from archiver.run.guard import RunGuard
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
        # The run's guard (handed over with `run_opened`): pages found to repeat, files this
        # run wrote or replaced.
        self.guard = RunGuard()
        self._old = ""  # the archived text the last refresh judged (kept if it is rewritten)
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
        self.guard = state.guard

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
        if not item.refresh and self.guard.repeats.count(item.url):
            # Found to be one page answered for many URLs while its images were fetched.
            problem = same_page_problem(self.guard.repeats.count(item.url))
            self.record(Kind.ARTICLE, problem.code, item.url, problem.reason + "; not archived, "
                        "asked for again by the next run", site=item.site)
            raise DropItem(f"{item.url}: one page for many URLs")
        fingerprint = "" if item.refresh else article_fingerprint(text)
        if not item.refresh and self._alias(item, fingerprint):
            raise DropItem(f"{item.url}: an alias of an archived article", log_level="DEBUG")
        # Written here, in the reactor thread, with no fsync per file: a few KB into the page
        # cache cost less than a hand-over to a thread, and an fsync per file (about 5 ms of
        # disk and 0.5 ms of CPU each) was the largest cost the archiver added to a plain
        # Scrapy crawl (docs/benchmarks.md). The crawl's files reach the disk together, synced
        # when it closes. Items of one URL never race: dedup lets each through once.
        try:
            if item.refresh:
                self._old = ""
                outcome = refresh_file(path, text, lambda old, new: self._judge(item, old, new))
            else:
                outcome = new_file(path, text, self.written)
        except OSError as error:
            # No space, permission denied, read-only, I/O error: this article is not archived,
            # and says so; the next run asks for it again (archiver.run.resume).
            reason = f"cannot write {path}: {error.strerror or error}"
            self.record(Kind.ARTICLE, "write_error", item.url, reason, site=item.site)
            raise DropItem(f"{item.url}: {reason}", log_level="DEBUG") from None
        if isinstance(outcome, Problem):
            self._hold(item, path, text, outcome)
        if isinstance(outcome, tuple):  # a refresh that rewrote the file: say what changed
            # (the event counts it as changed)
            outcome, parts = outcome
            self.record(Kind.CHANGED, "rewritten", item.url, ", ".join(parts), site=item.site,
                        file=str(path), parts=parts)
            if self._old:
                self.guard.replaced[item.url] = (path, self._old)  # undone if it repeats
        else:
            self.stats.inc_value(outcome)
        if item.refresh:
            # The archive holds what the site gives (again): an older held version is stale.
            held.discard(self.output, item.site, item.url)
        elif outcome == keys.ARTICLES_NEW:
            self.guard.written.add(item.url)  # undone if the page turns out to repeat
            self.index.wrote(item.url, fingerprint)
        if outcome == keys.ARTICLES_ARCHIVED:
            raise DropItem(f"{item.url}: already archived", log_level="DEBUG")
        return item

    def _judge(self, item: ArticleItem, old: str, new: str) -> Problem | None:
        """Why this refreshed version must not replace the archived text (see
        archiver.archive.integrity), or None."""
        self._old = old
        problem = replacement_problem(old, new, date.today(), password_input=item.login_form)
        if problem is None and item.refused:
            problem = Problem(NOT_AN_ARTICLE, "the page no longer gives an article "
                              f"({item.refused})")
        # One page for many URLs: each may still pass as an edit of a short article.
        repeats = self.guard.repeats
        group = repeats.see(item.url, item.headline, "\n".join(item.text_blocks),
                            archived_headline(old))
        if not group:
            return problem
        same = same_page_problem(repeats.count(item.url))
        for url in group:
            if url != item.url and url in self.guard.replaced:
                self._restore(url, item.site, same)
        return same

    def _restore(self, url: str, site: str, problem: Problem) -> None:
        """Put back the archived text of a file this refresh rewrote with a page that turned
        out to be answered for many URLs; the rewrite is held back instead."""
        path, old = self.guard.replaced.pop(url)
        try:
            new = path.read_text(encoding="utf-8")
            write_atomic(path, old)
            kept = held.hold(self.output, site, url, new, problem.code, problem.reason)
        except OSError as error:
            kept = f"(not restored: {error.strerror or error})"
        self.record.retract(Kind.CHANGED, url)
        self.record(Kind.HELD_BACK, problem.code, url, problem.reason + "; the archived text "
                    "was put back, the new version held back for review", site=site,
                    file=str(path), held=str(kept))

    def _hold(self, item: ArticleItem, path: Path, text: str, problem: Problem) -> None:
        """Keep the archived file; keep the new version beside it for review."""
        try:
            kept = held.hold(self.output, item.site, item.url, text, problem.code, problem.reason)
        except OSError as error:
            kept = f"(not kept: {error.strerror or error})"
        self.record(Kind.HELD_BACK, problem.code, item.url, problem.reason + "; archived file "
                    "kept, the new version held back for review (`archiver refresh --accept "
                    "URL` applies it)", site=item.site, file=str(path), held=str(kept))
        raise DropItem(f"{item.url}: held back: {problem.reason}", log_level="DEBUG")

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


def refresh_file(path: Path, text: str, judge=None) -> str | tuple[str, list[str]] | Problem:
    """Rewrite the file only when the article changed: an unchanged file keeps its bytes and
    its mtime, so publishing tools and backups see no change. A rewrite says what changed. A
    version `judge` finds implausible as an edit is not written: its Problem is returned."""
    try:
        old = path.read_bytes()
    except FileNotFoundError:
        old = b""
    if old == text.encode("utf-8"):
        return keys.ARTICLES_UNCHANGED
    problem = judge(old.decode("utf-8", "replace"), text) if judge and old else None
    if problem is not None:
        return problem
    write_atomic(path, text)
    return keys.ARTICLES_CHANGED, what_changed(old.decode("utf-8", "replace"), text)
