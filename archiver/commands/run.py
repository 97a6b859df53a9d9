"""Commands that crawl: crawl, fetch, refresh (and the machinery they share)."""

from __future__ import annotations

import argparse
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from archiver.commands.common import (
    EXIT_CONFIG,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_LOCKED,
    EXIT_OK,
    known_sites,
    load_registry,
    select_sites,
    settings_for,
)


@dataclass
class Job:
    """One site's crawl: its site config, the spider (a name or a class), spider arguments."""

    site: Any
    spider: Any
    kwargs: dict


def run_crawls(settings, jobs: list[Job], command: str, args: argparse.Namespace,
               config_errors=(), skipped: dict[str, str] | None = None) -> int:
    """Lock the sites, run one crawl per job in one process, print the summary, write the JSON
    report. Sites whose config is broken (config_errors) and sites with nothing to do (skipped:
    name -> why) appear in both as well."""
    from scrapy.crawler import CrawlerProcess

    from archiver import report
    from archiver.archive import OutputProblem
    from archiver.browser import find_browser, missing_browser_message
    from archiver.commands import verdict
    from archiver.runlock import SiteLocked, lock_sites
    from archiver.runreport import default_report_path, site_report, write_report

    output = Path(settings["ARCHIVER_OUTPUT_DIR"])
    started = time.time()
    rendered = [job.site.name for job in jobs if job.site.render]
    if rendered and find_browser() is None:
        print(f"cannot crawl {', '.join(rendered)}: {missing_browser_message()}", file=sys.stderr)
        return EXIT_CONFIG
    with ExitStack() as stack:
        try:
            locks = lock_sites(stack, output, [job.site.name for job in jobs])
        except SiteLocked as error:
            print(f"another run is in progress: {error}", file=sys.stderr)
            return EXIT_LOCKED
        except OutputProblem as error:  # before anything is crawled
            print(f"cannot write the archive: {error}", file=sys.stderr)
            return EXIT_CONFIG
        for lock in locks:
            if lock.stale:
                print(f"{lock.site}: took over the lock of process {lock.stale.get('pid')}, "
                      "which is no longer running", file=sys.stderr)
            if lock.removed:
                print(f"{lock.site}: removed {lock.removed} partial file(s) an interrupted run "
                      "left", file=sys.stderr)

        process = CrawlerProcess(settings)
        crawlers = []
        for job in jobs:
            crawler = process.create_crawler(job.spider)
            crawlers.append((job, crawler))
            process.crawl(crawler, **job.kwargs)
        process.start()

    from archiver.schedule import record_run

    status = EXIT_OK
    sites = {}
    for job, crawler in crawlers:
        stats = crawler.stats.get_stats()
        if command == "crawl":
            record_run(output, job.site.name, datetime.fromtimestamp(started),
                       stats.get("finish_reason", ""))
        sites[job.site.name] = site_report(stats, job.site)
        sites[job.site.name]["unreachable"] = verdict.unreachable(stats)
        health = sites[job.site.name]["health"]
        for line in verdict.site_lines(job.site.name, stats, refresh=command == "refresh"):
            print(line)
        for line in health:
            print(f"  health: {line}")
        if health and status == EXIT_OK:
            status = EXIT_FAILED
        if job.site.source.startswith("(no config"):
            detected = ", ".join(sites[job.site.name]["cms_detected"]) or "none"
            print(f"  no site config for {job.site.name}: archived under its host name; CMS "
                  f"detected: {detected}")
        if stats.get("finish_reason") == "shutdown":
            left = stats.get("scheduler/enqueued", 0) - stats.get("scheduler/dequeued", 0)
            print(f"  interrupted: {left} queued request(s) not made; every file written is "
                  "complete; run the same command again to finish")
            status = EXIT_INTERRUPTED
        elif report.failed(stats) and status == EXIT_OK:
            status = EXIT_FAILED
    for name, why in (skipped or {}).items():
        sites[name] = {"skipped": why}
        print(f"{name}: {why}")
    for error in config_errors:
        name, sites[name] = verdict.config_error_site(error)
        print(f"{name}: CONFIG ERROR: {sites[name]['config_error']}")
    status = verdict.combine([status, EXIT_CONFIG if config_errors else EXIT_OK])
    report_path = Path(args.report) if args.report else default_report_path(output, command)
    write_report(report_path, command, sys.argv[1:], started, status, output, sites)
    print(f"archive: {output}")
    print(f"report: {report_path}")
    print(verdict.totals_line(sites, status))
    return status


def cmd_crawl(args: argparse.Namespace) -> int:
    settings = settings_for(args)
    registry = load_registry(settings)
    names = select_sites(args, registry, Path(settings["ARCHIVER_OUTPUT_DIR"]))
    if names is None:
        return EXIT_CONFIG
    # Broken configs of the selection: with --all (or --due) every one of the folder, as
    # --due cannot read their schedules. They appear in the summary and the report.
    broken = registry.errors if args.all or args.due else ()
    if not names and not broken:
        if not args.due:
            print("no valid site configs to crawl", file=sys.stderr)
            return EXIT_CONFIG
        return EXIT_OK
    kwargs: dict[str, Any] = {"full": args.full, "retry_gone": args.retry_gone}
    if args.max_articles:
        kwargs["max_articles"] = args.max_articles
    jobs = [Job(registry.sites[name], name, kwargs) for name in names]
    return run_crawls(settings, jobs, "crawl", args, config_errors=broken)


def site_job(registry, name_or_url: str, kwargs: dict) -> Job:
    """The job for a configured site, or for a host without config (by URL or folder name)."""
    from archiver.config import adhoc_site
    from archiver.spiderloader import spider_class

    if name_or_url in registry.sites:
        return Job(registry.sites[name_or_url], name_or_url, kwargs)
    url = name_or_url if "://" in name_or_url else f"http://{name_or_url}/"
    site = adhoc_site(url)
    return Job(site, spider_class(site), kwargs)


def cmd_fetch(args: argparse.Namespace) -> int:
    from archiver.config import ConfigError

    settings = settings_for(args)
    registry = load_registry(settings)
    by_site: dict[str, Job] = {}
    for url in args.urls:
        site = registry.site_for_url(url)
        try:
            # A host no config covers: its pages say which CMS made them.
            job = by_site.get(site.name) if site else None
            job = job or site_job(registry, site.name if site else url, {"urls": []})
        except ConfigError as error:
            print(f"cannot fetch: {error}", file=sys.stderr)
            return EXIT_CONFIG
        by_site.setdefault(job.site.name, job).kwargs["urls"].append(url)
    return run_crawls(settings, list(by_site.values()), "fetch", args)


def cmd_refresh(args: argparse.Namespace) -> int:
    from archiver.archive import archived_articles, archived_sites, source_link
    from archiver.config import ConfigError

    settings = settings_for(args)
    registry = load_registry(settings)
    output = Path(settings["ARCHIVER_OUTPUT_DIR"])
    archived = archived_sites(output)
    # A site is known by its config, or by its folder (a host archived by `fetch`).
    unknown = [name for name in args.sites if name not in archived]
    if unknown and not known_sites(registry, unknown):
        return EXIT_CONFIG
    names = args.sites or archived
    if not names:
        print(f"refresh: the archive at {output} holds no article yet: nothing to refresh")
    jobs, skipped = [], {}
    for name in names:
        urls = [url for _, post in archived_articles(output, name)
                if (url := source_link(post.content))
                and (args.since is None or str(post.get("date", "")) >= args.since)]
        if not urls:
            skipped[name] = f"nothing archived{' since ' + args.since if args.since else ''}"
            continue
        try:
            job = site_job(registry, name, {"refresh": urls})
        except ConfigError:
            print(f"{name}: no site config and not a host name; skipped", file=sys.stderr)
            continue
        jobs.append(job)
    # Nothing to re-fetch is an outcome too: it gets its summary line and report.
    return run_crawls(settings, jobs, "refresh", args, skipped=skipped)
