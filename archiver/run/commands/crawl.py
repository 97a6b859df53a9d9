"""`scrapy crawl SITE` (and so every Scrapyd job): Scrapy's crawl command, whose exit code is
the site's outcome (README "Output, reports and exit codes") rather than 0 whatever happened.

The bookkeeping itself (lock, resume state, report) is the SiteRun extension's; this command
only adds the exit code, and the report of a crawler that could not start at all.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from archiver.run import outcome
from archiver.run.extension import REPORT_BY_COMMAND, SiteRun, crawler_report, start_errors


class Command(ScrapyCrawl):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("name one spider: scrapy crawl SITE")
        started = time.time()
        try:
            crawler = self._create_crawler(args[0])
        except KeyError:
            if not self._config_error(args[0], started):
                raise
            return
        errors = start_errors(self.crawler_process.crawl(crawler, **opts.spargs))
        self.crawler_process.start()
        try:
            run = crawler.get_extension(SiteRun)
        except RuntimeError:  # the crawler died before its extensions existed
            run = None
        # A second signal stops the reactor before the spider closes: no report was written.
        unwritten = run is not None and run.opened and run.report is None
        mode = "fetch" if "urls" in opts.spargs else \
            "refresh" if "refresh" in opts.spargs else "crawl"
        report = crawler_report(crawler, mode, errors[0] if errors else None)
        self.exitcode = report["exit_code"]
        if report["outcome"] == "not_started" or unwritten:
            # The extension never ran: the report is written here.
            settings = crawler.settings
            output = Path(settings["ARCHIVER_OUTPUT_DIR"])
            path = settings.get("ARCHIVER_JOB_REPORT", "")
            if path != REPORT_BY_COMMAND:
                path = Path(path) if path else outcome.default_report_path(output, args[0])
                outcome.write_report(path, "scrapy crawl", [args[0]], started, self.exitcode,
                                     output, {args[0]: report})

    def _config_error(self, name: str, started: float) -> bool:
        """A site whose config file does not load: one line, exit 2, and a report saying so
        (Scrapy would print "Spider not found" with a traceback and exit 1)."""
        from archiver.commands.common import EXIT_CONFIG, broken_configs, one_line
        from archiver.config import load_sites

        settings = self.crawler_process.settings
        errors = broken_configs(load_sites(settings["ARCHIVER_CONFIG_DIR"]), [name])
        if not errors:
            return False
        reason = one_line(errors[0])
        print(f"config error: {reason}", file=sys.stderr)
        self.exitcode = EXIT_CONFIG
        output = Path(settings["ARCHIVER_OUTPUT_DIR"])
        path = settings.get("ARCHIVER_JOB_REPORT", "")
        if path != REPORT_BY_COMMAND:
            path = Path(path) if path else outcome.default_report_path(output, name)
            site = {"outcome": "config_error", "config_error": reason, "exit_code": EXIT_CONFIG}
            outcome.write_report(path, "scrapy crawl", [name], started, EXIT_CONFIG, output,
                                 {name: site})
        return True
