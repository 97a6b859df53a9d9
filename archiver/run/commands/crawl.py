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

from archiver.run.extension import REPORT_BY_COMMAND, SiteRun, crawler_outcome, start_errors
from archiver.run.outcome import Outcome, RunOutcome, SiteOutcome
from archiver.run.report import default_report_path, write_report
from archiver.run.state import Mode


class Command(ScrapyCrawl):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("name one spider: scrapy crawl SITE")
        started = time.time()
        try:
            crawler = self._create_crawler(args[0])
        except KeyError:
            if not self._config_error(args[0], started):
                # Scrapy would print "Spider not found" with a traceback and exit 1.
                from archiver.run.exitcodes import EXIT_CONFIG

                folder = self.crawler_process.settings["ARCHIVER_CONFIG_DIR"]
                print(f"unknown site: {args[0]} (no config of that name in {folder}; see "
                      "`scrapy list`)", file=sys.stderr)
                self.exitcode = EXIT_CONFIG
            return
        errors = start_errors(self.crawler_process.crawl(crawler, **opts.spargs))
        self.crawler_process.start()
        # A second signal stops the reactor before the spider closes: no report was written.
        unwritten = report_unwritten(crawler)
        spargs = opts.spargs
        mode = Mode.of(urls=spargs.get("urls"), refresh=spargs.get("refresh"))
        site = crawler_outcome(crawler, str(mode), errors[0] if errors else None)
        self.exitcode = int(site.exit_code)
        if (site.outcome is Outcome.NOT_STARTED and not crawler_opened(crawler)) or unwritten:
            # The extension never ran: the report is written here.
            self._write_report(crawler.settings, args[0], started, site)

    def _write_report(self, settings, name: str, started: float, site: SiteOutcome) -> None:
        output = Path(settings["ARCHIVER_OUTPUT_DIR"])
        path = settings.get("ARCHIVER_JOB_REPORT", "")
        if path != REPORT_BY_COMMAND:
            path = Path(path) if path else default_report_path(output, name)
            write_report(path, RunOutcome("scrapy crawl", [name], started, output,
                                          {name: site}))

    def _config_error(self, name: str, started: float) -> bool:
        """A site whose config file does not load: one line, exit 2, and a report saying so
        (Scrapy would print "Spider not found" with a traceback and exit 1)."""
        from archiver.config import load_sites

        settings = self.crawler_process.settings
        errors = load_sites(settings["ARCHIVER_CONFIG_DIR"]).broken([name])
        if not errors:
            return False
        site = SiteOutcome.config_error(errors[0].one_line())
        print(f"config error: {site.reason}", file=sys.stderr)
        self.exitcode = int(site.exit_code)
        self._write_report(settings, name, started, site)
        return True


def report_unwritten(crawler) -> bool:
    """True when the crawl's SiteRun opened but its spider never closed (a second signal
    stopped the reactor at once), so it wrote no report."""
    try:
        run = crawler.get_extension(SiteRun)
    except Exception:  # noqa: BLE001 (the crawler died before its extensions existed)
        return False
    return run.opened and run.outcome is None and not run.refused


def crawler_opened(crawler) -> bool:
    """True when the crawl's SiteRun opened (and so wrote the site's report itself)."""
    try:
        return crawler.get_extension(SiteRun).opened
    except Exception:  # noqa: BLE001 (the crawler died before its extensions existed)
        return False
