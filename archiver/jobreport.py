"""For crawls that run without the `archiver` command (Scrapyd jobs started by `archiver
dispatch`): take the site's lock, write the JSON report and record the run, from inside Scrapy.

Enabled by the ARCHIVER_JOB_REPORT setting (the report's path), which dispatch passes to every
job; `archiver crawl` does the same things itself and leaves it unset.
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from archiver import report
from archiver.archive import OutputProblem, write_atomic
from archiver.runlock import SiteLock, SiteLocked
from archiver.runreport import site_report
from archiver.schedule import record_run


class JobReport:
    def __init__(self, crawler: Any, path: Path, output: Path):
        self.crawler = crawler
        self.path = path
        self.output = output
        self.lock: SiteLock | None = None
        self.started = datetime.now()

    @classmethod
    def from_crawler(cls, crawler: Any) -> JobReport:
        path = crawler.settings.get("ARCHIVER_JOB_REPORT")
        if not path:
            raise NotConfigured
        ext = cls(crawler, Path(path), Path(crawler.settings["ARCHIVER_OUTPUT_DIR"]))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Any) -> None:
        try:
            self.lock = SiteLock(self.output, spider.name).acquire()
        except (SiteLocked, OutputProblem) as error:
            # Another node runs this site on the same (shared) archive, or the archive cannot be
            # written safely (read-only, a link out of it): this job does nothing.
            # The spider sees the mark and requests nothing.
            self.crawler.stats.set_value(report.LOCKED, str(error))

    def spider_closed(self, spider: Any, reason: str) -> None:
        stats = self.crawler.stats.get_stats()
        if self.lock:
            record_run(self.output, spider.name, self.started, reason)
            self.lock.release()
        document = {
            "command": "scrapyd job", "site": spider.name, "finish_reason": reason,
            "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "locked": stats.get(report.LOCKED), **site_report(stats, spider.site),
        }
        write_atomic(self.path, json.dumps(document, ensure_ascii=False, indent=2) + "\n")
