"""What a crawl's spider is handed when it opens: the run's mode, the archive index, the dead
links and the walk plans. SiteRun builds it on spider_opened and sets it as `spider.run` (as
Scrapy's SpiderState extension sets `spider.state`), then sends `run_opened` with it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from archiver.archive import ArchiveIndex
from archiver.run.deadlinks import DeadLinks
from archiver.run.guard import RunGuard
from archiver.run.resume import Plan


class Mode(StrEnum):
    """What a run does with a site: walk its lists (crawl), archive given pages (fetch),
    re-fetch archived articles (refresh), or show what a crawl would find (preview)."""

    CRAWL = "crawl"
    FETCH = "fetch"
    REFRESH = "refresh"
    PREVIEW = "preview"

    @classmethod
    def of(cls, *, urls: Any = None, refresh: Any = None, preview: bool = False) -> Mode:
        """The mode the spider's arguments ask for (`archiver` or `scrapy crawl -a ...`)."""
        if preview:
            return cls.PREVIEW
        if refresh:
            return cls.REFRESH
        return cls.FETCH if urls else cls.CRAWL

    @property
    def writes(self) -> bool:
        """A preview writes nothing: no lock, no records, no report."""
        return self is not Mode.PREVIEW


@dataclass
class RunState:
    mode: Mode
    index: ArchiveIndex = field(default_factory=lambda: ArchiveIndex(set()))
    dead: DeadLinks | None = None  # articles at rest after 404/410 on two crawls in a row
    plans: dict[str, Plan] = field(default_factory=dict)  # start URL -> how to walk it
    folder: Path | None = None  # the site's archive folder
    # Pages that are not the article, and evidence that the site is up (archiver.run.guard).
    guard: RunGuard = field(default_factory=RunGuard)

    def plan(self, start_url: str) -> Plan:
        """How to walk a list: in full unless the walk record says its stop can be trusted."""
        return self.plans.get(start_url, Plan(True))
