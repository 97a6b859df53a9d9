"""Commands that crawl: crawl, fetch, refresh (and the machinery they share)."""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archiver.commands.common import (
    EXIT_CONFIG,
    EXIT_OK,
    broken_configs,
    known_sites,
    load_registry,
    select_sites,
    settings_for,
)

if TYPE_CHECKING:
    from archiver.run.outcome import SiteOutcome


@dataclass
class Job:
    """One site's crawl: its site config, the spider (a name or a class), spider arguments."""

    site: Any
    spider: Any
    kwargs: dict


def run_crawls(settings, jobs: list[Job], command: str, args: argparse.Namespace,
               config_errors=(), skipped: dict[str, str] | None = None) -> int:
    """Run one crawl per job in one process, print the summary, write the JSON report. Each
    crawl's bookkeeping (lock, resume state, outcome) is its SiteRun extension's. Sites whose
    config is broken (config_errors) and sites with nothing to do (skipped: name -> why)
    appear in the summary and the report as well."""
    from archiver.browser import find_browser, missing_browser_message
    from archiver.run.outcome import SiteOutcome

    rendered = [job.site.name for job in jobs if job.site.render]
    if rendered and find_browser() is None:
        print(f"cannot crawl {', '.join(rendered)}: {missing_browser_message()}", file=sys.stderr)
        return EXIT_CONFIG
    problem = unusable_output(settings, jobs)
    if problem:
        print(f"cannot write the archive: {problem}", file=sys.stderr)
        return EXIT_CONFIG
    started = time.time()
    # One report for the whole run, written below, instead of one per site.
    settings.set("ARCHIVER_JOB_REPORT", "-", priority="cmdline")
    sites = crawl_sites(settings, jobs, command) if jobs else {}
    for name, why in (skipped or {}).items():
        sites[name] = SiteOutcome.skipped(why)
    return finish_run(settings, sites, command, args, started, config_errors)


def unusable_output(settings, jobs: list[Job]) -> str | None:
    """Why the archive cannot be written for these sites (a file where the folder should be, no
    permission, a link out of the archive), or None: checked before anything is crawled, so the
    run is one line and exit 2 instead of one refused site after another. Each crawl's SiteRun
    checks its own folder again when it takes the lock (`scrapy crawl` has no such run)."""
    from archiver.archive import OutputProblem, prepare_site_folder

    for job in jobs:
        try:
            prepare_site_folder(settings["ARCHIVER_OUTPUT_DIR"], job.site.name)
        except OutputProblem as error:
            return str(error)
    return None


def crawl_sites(settings, jobs: list[Job], command: str) -> dict[str, SiteOutcome]:
    """Run the crawls; each site's outcome."""
    from scrapy.crawler import CrawlerProcess

    from archiver.run.extension import crawler_outcome, start_errors

    process = CrawlerProcess(settings)
    crawlers = []
    for job in jobs:
        crawler = process.create_crawler(job.spider)
        crawlers.append((job, crawler, start_errors(process.crawl(crawler, **job.kwargs))))
    process.start()
    return {job.site.name: crawler_outcome(crawler, command, errors[0] if errors else None)
            for job, crawler, errors in crawlers}


def finish_run(settings, sites: dict[str, SiteOutcome], command: str,
               args: argparse.Namespace, started: float, config_errors) -> int:
    """Print each site's summary and write the run's report; the run's exit code (the same
    in both)."""
    from archiver.commands import verdict
    from archiver.run.outcome import RunOutcome, SiteOutcome
    from archiver.run.report import default_report_path, write_report

    output = Path(settings["ARCHIVER_OUTPUT_DIR"])
    for error in config_errors:
        sites[Path(error.source).stem] = SiteOutcome.config_error(error.one_line())
    for name, site in sites.items():
        for line in verdict.site_lines(name, site):
            print(line)
    run = RunOutcome(command, sys.argv[1:], started, output, sites)
    status = run.exit_code
    report_path = Path(args.report) if args.report else default_report_path(output, command)
    error = write_report(report_path, run)
    print(f"archive: {output}")
    if error:
        print(error, file=sys.stderr)
    else:
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
    broken = registry.errors if args.all or args.due else broken_configs(registry, args.sites)
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


def archived_dates(output: Path, site: str, since: str | None) -> dict[str, str | None]:
    """A site's archived article URLs (those dated `since` or later) with their archived dates.
    A refresh passes each date on as the article's list date: it is the article's date when
    its page states none (the date came from its list page, which a refresh does not walk)."""
    from archiver.archive import archived_articles, source_link

    urls = {}
    for _, post in archived_articles(output, site):
        url, date = source_link(post.content), str(post.get("date") or "")
        if url and (since is None or date >= since):
            urls[url] = date or None
    return urls


def cmd_refresh(args: argparse.Namespace) -> int:
    from archiver.archive import archived_sites
    from archiver.config import ConfigError

    settings = settings_for(args)
    if args.accept or args.accept_all:
        return accept_held(Path(settings["ARCHIVER_OUTPUT_DIR"]), args)
    registry = load_registry(settings)
    output = Path(settings["ARCHIVER_OUTPUT_DIR"])
    archived = archived_sites(output)
    # A site is known by its config, or by its folder (a host archived by `fetch`).
    unknown = [name for name in args.sites if name not in archived]
    if not known_sites(registry, unknown) or not set(unknown) <= set(registry.sites):
        return EXIT_CONFIG
    names = args.sites or archived
    if not names:
        print(f"refresh: the archive at {output} holds no article yet: nothing to refresh")
    jobs, skipped = [], {}
    for name in names:
        urls = archived_dates(output, name, args.since)
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


def accept_held(output: Path, args: argparse.Namespace) -> int:
    """`refresh --accept URL…` / `--accept-all`: the held-back versions (archiver.archive.held)
    become the archive files, under each site's lock. Exit 1 when a URL has no held version."""
    from archiver.archive import archived_sites
    from archiver.archive.held import accept, held_versions
    from archiver.commands.common import EXIT_FAILED, EXIT_LOCKED
    from archiver.run.lock import SiteLock, SiteLocked

    wanted = set(args.accept or ())
    applied: set[str] = set()
    status = EXIT_OK
    for site in args.sites or archived_sites(output):
        found = [h for h in held_versions(output, site) if args.accept_all or h.url in wanted]
        if not found:
            continue
        lock = SiteLock(output, site, "archiver refresh --accept")
        try:
            lock.acquire()
        except SiteLocked as error:
            print(str(error), file=sys.stderr)
            status = EXIT_LOCKED
            continue
        try:
            for held in found:
                print(f"accepted: {held.url} ({accept(output, held)}) [{held.code}]")
                applied.add(held.url)
        finally:
            lock.release()
    for url in sorted(wanted - applied):
        print(f"not accepted: {url}: no held-back version of it in {output}", file=sys.stderr)
        status = status or EXIT_FAILED
    print(f"accepted {len(applied)} held-back version(s)")
    return status
