"""Never archive a page that is not the article its URL should give (crawl and fetch): an
error, maintenance or login page served with HTTP 200, or one page answered for many article
URLs of the run (archiver.archive.integrity says which). Such a URL is a failure with its
code, so the walk record asks for it again next run; it never becomes "already archived".

One page for many URLs is only known once a second or third URL gave it (RepeatedPages), and
the first were archived meanwhile. Then the files this run wrote for that page are
removed again (they were new in this run: nothing older is touched) and counted as failures;
the ones still on their way (fetching images) are refused by the write pipeline. Writing first
and undoing keeps a crawl's files on disk as they come (a killed run keeps its work), at the
cost of a window: a run killed between the first and the deciding answer of one page leaves
those few files behind as archived (a later refresh holds the real article back beside
them, for review).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scrapy.exceptions import DropItem

from archiver.archive import article_path
from archiver.archive.integrity import page_problem, same_page_problem
from archiver.items import ArticleItem
from archiver.run import stats as keys
from archiver.run.events import Kind
from archiver.run.guard import RunGuard
from archiver.run.record import Recorder
from archiver.run.signals import run_opened
from archiver.run.state import RunState


class GuardPipeline:
    def __init__(self, stats: Any, output: Path, record: Recorder):
        self.stats = stats
        self.output = output
        self.record = record
        self.guard = RunGuard()  # the run's, handed over with `run_opened`

    @classmethod
    def from_crawler(cls, crawler: Any) -> GuardPipeline:
        pipeline = cls(crawler.stats, Path(crawler.settings["ARCHIVER_OUTPUT_DIR"]),
                       Recorder(crawler))
        crawler.signals.connect(pipeline.run_opened, signal=run_opened)
        return pipeline

    def run_opened(self, state: RunState) -> None:
        self.guard = state.guard

    def process_item(self, item: ArticleItem) -> ArticleItem:
        if item.refresh:
            return item  # compared with the archived file by the write pipeline
        text = "\n".join(item.text_blocks)
        problem = page_problem(item.headline, text, password_input=item.login_form,
                               expected_headline=item.list_headline or None)
        if problem:
            self._refuse(item.url, problem.code, problem.reason, item.site)
        guard = self.guard
        group = guard.repeats.see(item.url, item.headline, text, item.list_headline)
        if not group:
            return item
        problem = same_page_problem(guard.repeats.count(item.url))
        for url in group:
            if url != item.url and url in guard.written:
                guard.written.discard(url)
                path = article_path(self.output, item.site, url)
                try:
                    path.unlink(missing_ok=True)
                    undone = "the file written for it earlier in this run was removed"
                except OSError as error:
                    undone = f"cannot remove {path}: {error.strerror or error}"
                # Written as new earlier in this run: a failure instead.
                self.stats.inc_value(keys.ARTICLES_NEW, -1)
                self.record(Kind.ARTICLE, problem.code, url, f"{problem.reason}; {undone}, "
                            "asked for again by the next run", site=item.site)
        self._refuse(item.url, problem.code, problem.reason, item.site)
        return item  # not reached

    def _refuse(self, url: str, code: str, reason: str, site: str) -> None:
        self.record(Kind.ARTICLE, code, url, reason + "; not archived, asked for again by the "
                    "next run", site=site)
        raise DropItem(f"{url}: {reason}")
