"""The `archiver` command: a thin layer over Scrapy's CrawlerProcess.

Exit codes (also in the README): 0 everything archived; 1 something failed or needs a look (an
article, image or list page failed, an article was flagged as garbled, the archive check found
problems); 2 usage or configuration error; 3 another run holds the lock of a site; 130 the run
was interrupted (what finished is kept).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

EXIT_OK, EXIT_FAILED, EXIT_CONFIG, EXIT_LOCKED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def _settings(args: argparse.Namespace):
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "archiver.settings")
    if args.config_dir:
        os.environ["ARCHIVER_CONFIG_DIR"] = str(Path(args.config_dir).resolve())
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    if args.config_dir:
        settings.set("ARCHIVER_CONFIG_DIR", os.environ["ARCHIVER_CONFIG_DIR"], priority="cmdline")
    output = getattr(args, "output", None)
    if output:
        settings.set("ARCHIVER_OUTPUT_DIR", str(Path(output).resolve()), priority="cmdline")
    if getattr(args, "image_links", None):
        settings.set("ARCHIVER_IMAGE_LINKS", args.image_links, priority="cmdline")
    settings.set("LOG_LEVEL", "INFO" if args.verbose else "WARNING", priority="cmdline")
    if getattr(args, "log_file", None):
        # The whole log to the file (for cron and systemd); the summary still goes to stdout.
        settings.set("LOG_FILE", str(Path(args.log_file).resolve()), priority="cmdline")
        settings.set("LOG_LEVEL", "INFO", priority="cmdline")
    settings.set("ARCHIVER_PROGRESS", sys.stderr.isatty() and not args.verbose, priority="cmdline")
    return settings


def _registry(settings):
    from archiver.config import load_sites

    return load_sites(settings["ARCHIVER_CONFIG_DIR"])


def _report_config_errors(registry) -> None:
    for error in registry.errors:
        print(f"config error: {error}", file=sys.stderr)


@dataclass
class Job:
    """One site's crawl: its site config, the spider (a name or a class), spider arguments."""

    site: Any
    spider: Any
    kwargs: dict


def run_crawls(settings, jobs: list[Job], command: str, args: argparse.Namespace) -> int:
    """Lock the sites, run one crawl per job in one process, print the summary, write the JSON
    report."""
    from scrapy.crawler import CrawlerProcess

    from archiver import report
    from archiver.render import find_browser, missing_browser_message
    from archiver.runlock import SiteLocked, lock_sites, remove_partial_files
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
        for lock in locks:
            if lock.stale:
                print(f"{lock.site}: took over the lock of process {lock.stale.get('pid')}, "
                      "which is no longer running", file=sys.stderr)
            removed = remove_partial_files(output / lock.site)
            if removed:
                print(f"{lock.site}: removed {removed} partial file(s) an interrupted run left",
                      file=sys.stderr)

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
        # A preset or a selector of the site's own should find the body; for `cms: auto` and
        # `generic` the fallback is the normal way.
        has_selectors = job.site.cms not in ("auto", "generic") or bool(job.site.article.body)
        health = report.health(stats, job.site.start_urls, has_selectors)
        sites[job.site.name] = site_report(stats, health)
        for line in report.summary_lines(job.site.name, stats, refresh=command == "refresh"):
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
    report_path = Path(args.report) if args.report else default_report_path(output, command)
    write_report(report_path, command, sys.argv[1:], started, status, output, sites)
    print(f"archive: {output}")
    print(f"report: {report_path}")
    return status


def cmd_sites(args: argparse.Namespace) -> int:
    registry = _registry(_settings(args))
    for site in registry.sites.values():
        print(f"{site.name:<16} {site.school} ({site.label})  cms: {site.cms}  "
              f"{', '.join(site.allowed_domains)}")
    _report_config_errors(registry)
    if not registry.sites and not registry.errors:
        print("no site configs found", file=sys.stderr)
    return EXIT_CONFIG if registry.errors else EXIT_OK


def _select_sites(args: argparse.Namespace, registry, output: Path) -> list[str] | None:
    """The sites a command works on: named, --all, or --due (saying which are due); None after
    printing why the choice is wrong."""
    from archiver.schedule import due_sites

    if sum((args.all, args.due, bool(args.sites))) != 1:
        print("name the sites, or give --all or --due", file=sys.stderr)
        return None
    if args.due:
        now = datetime.fromisoformat(args.now) if args.now else datetime.now()
        names = due_sites(registry.sites, output, now)
        print(f"due at {now:%Y-%m-%d %H:%M}: {', '.join(names) or 'no site'}")
        return names
    names = sorted(registry.sites) if args.all else args.sites
    unknown = [n for n in names if n not in registry.sites]
    if unknown:
        print(f"unknown site(s): {', '.join(unknown)} (see `archiver sites`)", file=sys.stderr)
        return None
    return names


def cmd_crawl(args: argparse.Namespace) -> int:
    settings = _settings(args)
    registry = _registry(settings)
    _report_config_errors(registry)
    names = _select_sites(args, registry, Path(settings["ARCHIVER_OUTPUT_DIR"]))
    if names is None:
        return EXIT_CONFIG
    if not names:
        if not args.due:
            print("no valid site configs to crawl", file=sys.stderr)
            return EXIT_CONFIG
        return EXIT_CONFIG if registry.errors else EXIT_OK
    kwargs: dict[str, Any] = {"full": args.full}
    if args.max_articles:
        kwargs["max_articles"] = args.max_articles
    jobs = [Job(registry.sites[name], name, kwargs) for name in names]
    status = run_crawls(settings, jobs, "crawl", args)
    return EXIT_CONFIG if registry.errors and status == EXIT_OK else status


def _site_job(registry, name_or_url: str, kwargs: dict) -> Job:
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

    settings = _settings(args)
    registry = _registry(settings)
    by_site: dict[str, Job] = {}
    for url in args.urls:
        site = registry.site_for_url(url)
        try:
            # A host no config covers: its pages say which CMS made them.
            job = by_site.get(site.name) if site else None
            job = job or _site_job(registry, site.name if site else url, {"urls": []})
        except ConfigError as error:
            print(f"cannot fetch: {error}", file=sys.stderr)
            return EXIT_CONFIG
        by_site.setdefault(job.site.name, job).kwargs["urls"].append(url)
    return run_crawls(settings, list(by_site.values()), "fetch", args)


def cmd_refresh(args: argparse.Namespace) -> int:
    from archiver.archive import archived_articles, archived_sites, source_link
    from archiver.config import ConfigError

    settings = _settings(args)
    registry = _registry(settings)
    output = Path(settings["ARCHIVER_OUTPUT_DIR"])
    names = args.sites or archived_sites(output)
    jobs = []
    for name in names:
        urls = [url for _, post in archived_articles(output, name)
                if (url := source_link(post.content))
                and (args.since is None or str(post.get("date", "")) >= args.since)]
        if not urls:
            print(f"{name}: nothing archived{' since ' + args.since if args.since else ''}")
            continue
        try:
            job = _site_job(registry, name, {"refresh": urls})
        except ConfigError:
            print(f"{name}: no site config and not a host name; skipped", file=sys.stderr)
            continue
        jobs.append(job)
    if not jobs:
        return EXIT_OK
    return run_crawls(settings, jobs, "refresh", args)


def cmd_check(args: argparse.Namespace) -> int:
    from archiver.check import check_archive

    output = Path(_settings(args)["ARCHIVER_OUTPUT_DIR"])
    problems, files = check_archive(output)
    for problem in problems:
        print(problem)
    print(f"checked {files} archive file(s) in {output}: {len(problems)} problem(s)")
    return EXIT_FAILED if problems else EXIT_OK


def _describe(item, site) -> list[str]:
    """How an article would be archived, in a few lines, and which rule gave each field."""
    from archiver.extract.quality import garbled
    from archiver.pipelines.validate import problem

    first = next(iter(item.text_blocks), "")
    lines = [
        f"{item.url}",
        f"  headline: {item.headline or '(none)'}   [{item.rules.get('headline')}]",
        f"  date:     {item.published or '(none)'}   [{item.rules.get('published')}"
        + (f": {item.published_raw!r}]" if item.published_raw else "]"),
        f"  body:     {len(item.text_blocks)} paragraph(s), {len(item.image_urls)} image(s)"
        f"   [{item.rules.get('body')}, cms {item.rules.get('cms')}]",
        f"  first:    {first[:120]}",
    ]
    issue = problem(item) or garbled("\n".join(item.text_blocks))
    if issue:
        lines.append(f"  PROBLEM:  {issue}")
    return lines


def cmd_preview(args: argparse.Namespace) -> int:
    from scrapy.crawler import CrawlerProcess

    settings = _settings(args)
    registry = _registry(settings)
    if args.site not in registry.sites:
        _report_config_errors(registry)
        print(f"unknown site: {args.site} (see `archiver sites`)", file=sys.stderr)
        return EXIT_CONFIG
    # A dry run: no images, no files, no lock; only the articles kept for display.
    settings.set("ITEM_PIPELINES", {"archiver.pipelines.preview.PreviewPipeline": 100},
                 priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(args.site)
    process.crawl(crawler, max_articles=args.limit, preview=True)
    process.start()
    site = registry.sites[args.site]
    items = crawler.spider.previewed if crawler.spider else []
    for item in items:
        print("\n".join(_describe(item, site)))
    stats = crawler.stats.get_stats()
    print(f"{args.site}: {len(items)} article(s) previewed from "
          f"{stats.get('archiver/lists/walked', 0)} list page(s); nothing was written")
    bad = [item for item in items if _describe(item, site)[-1].startswith("  PROBLEM")]
    return EXIT_FAILED if bad or not items else EXIT_OK


def cmd_new_site(args: argparse.Namespace) -> int:
    from scrapy.crawler import CrawlerProcess

    from archiver.archive import render
    from archiver.config import ConfigError, load_site
    from archiver.newsite import Findings, SiteProbeSpider, config_text, default_name
    from archiver.pipelines.validate import problem

    settings = _settings(args)
    folder = Path(settings["ARCHIVER_CONFIG_DIR"])
    name = args.name or default_name(args.url)
    path = folder / f"{name}.yaml"
    if path.exists() and not args.force:
        print(f"{path} exists: choose another --name, or --force to replace it", file=sys.stderr)
        return EXIT_CONFIG
    findings = Findings(args.url)
    folder.mkdir(parents=True, exist_ok=True)
    # The probe yields no items: no pipelines, no progress line.
    settings.set("ITEM_PIPELINES", {}, priority="cmdline")
    settings.set("ARCHIVER_PROGRESS", False, priority="cmdline")
    process = CrawlerProcess(settings)
    process.crawl(SiteProbeSpider, url=args.url, findings=findings)
    process.start()
    if not findings.lists:
        for line in findings.problems or ["nothing found"]:
            print(f"new-site: {line}", file=sys.stderr)
        return EXIT_FAILED
    host = urlsplit(args.url).hostname or args.url
    school = args.school or findings.school or host
    label = args.label or host
    path.write_text(config_text(findings, name, school, label), encoding="utf-8")
    try:
        site = load_site(path)
    except ConfigError as error:  # a bug of ours: say so rather than leave a broken file
        print(f"new-site wrote an invalid config: {error}", file=sys.stderr)
        return EXIT_FAILED
    print(f"wrote {path}: cms {findings.family}, {len(findings.lists)} list page(s), "
          f"pagination: {findings.paging}")
    for item in findings.articles:
        print("\n" + "\n".join(_describe(item, site)))
        if not problem(item):
            print("---- as archived ----")
            print(render(item, site))
    for line in findings.problems:
        print(f"problem: {line}")
    print(f"next: `archiver preview {name}`, then `archiver crawl {name}`")
    return EXIT_OK if findings.articles and not findings.problems else EXIT_FAILED


def cmd_deploy(args: argparse.Namespace) -> int:
    from archiver import scrapyd

    settings = _settings(args)
    registry = _registry(settings)
    _report_config_errors(registry)
    if registry.errors:
        return EXIT_CONFIG
    version = args.version or time.strftime("%Y%m%d%H%M%S")
    egg = scrapyd.build_egg(settings["ARCHIVER_CONFIG_DIR"], version)
    messages = scrapyd.deploy(args.scrapyd, egg, version)
    print("\n".join(messages))
    return EXIT_OK if all("NOT deployed" not in m for m in messages) else EXIT_FAILED


def cmd_dispatch(args: argparse.Namespace) -> int:
    from archiver import report, scrapyd

    settings = _settings(args)
    registry = _registry(settings)
    _report_config_errors(registry)
    output = Path(settings["ARCHIVER_OUTPUT_DIR"])
    names = _select_sites(args, registry, output)
    if names is None:
        return EXIT_CONFIG
    nodes, down = scrapyd.probe(args.scrapyd)
    for line in down:
        print(line, file=sys.stderr)
    if not nodes:
        print("no scrapyd node answered: nothing dispatched", file=sys.stderr)
        return EXIT_FAILED
    jobs, skipped = scrapyd.dispatch(names, nodes, output, {})
    for line in skipped:
        print(line)
    for job in jobs:
        print(f"{job.site}: job {job.job} on {job.node}")
    if not args.wait:
        return EXIT_OK
    scrapyd.wait(jobs)
    status = EXIT_OK
    for job in jobs:
        try:
            result = json.loads(job.report.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            print(f"{job.site}: no report from job {job.job} on {job.node} (see its Scrapyd log)")
            status = EXIT_FAILED
            continue
        if result.get("locked"):
            print(f"{job.site}: skipped by the job on {job.node}: {result['locked']}")
            continue
        articles, images = result["articles"], result["images"]
        print(f"{job.site} (on {job.node}): {articles['new']} new, "
              f"{articles['already_archived']} already archived, {articles['failed']} failed; "
              f"images {images['fetched']} fetched, {images['failed']} failed")
        for failure in result["failures"]:
            print(f"  {failure['kind']} failed: {failure['url']}: {failure['reason']}")
        if report.failed({report.ARTICLES_FAILED: articles["failed"],
                          report.IMAGES_FAILED: images["failed"],
                          report.LISTS_FAILED: result["list_pages"]["failed"]}):
            status = EXIT_FAILED
    return status


def cmd_demo(args: argparse.Namespace) -> int:
    from archiver.demo import run_demo

    return run_demo(args, _settings)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="archiver", description="Crawl university news sites into a Markdown archive.")
    parser.add_argument("--config-dir", help="folder of site configs (default: spiders_config/ "
                        "of the project, or $ARCHIVER_CONFIG_DIR)")
    parser.add_argument("-v", "--verbose", action="store_true", help="show Scrapy's log")
    sub = parser.add_subparsers(dest="command", required=True)

    def with_output(p: argparse.ArgumentParser, run: bool = True) -> argparse.ArgumentParser:
        p.add_argument("--output", help="archive folder (default: output/ of the project, "
                       "or $ARCHIVER_OUTPUT_DIR)")
        if run:
            p.add_argument("--image-links", choices=("original", "local"),
                           help="image URLs in the Markdown: the source's, or the archived "
                           "copies'")
            p.add_argument("--report", help="where to write the JSON run report (default: "
                           "<output>/.reports/<time>-<command>.json)")
            p.add_argument("--log-file", help="write the full log to this file")
        return p

    crawl = with_output(sub.add_parser("crawl", help="crawl configured sites"))
    crawl.add_argument("sites", nargs="*", help="site names (see `archiver sites`)")
    crawl.add_argument("--all", action="store_true", help="crawl every configured site")
    crawl.add_argument("--due", action="store_true",
                       help="crawl the sites whose schedule is due (see `schedule:`)")
    crawl.add_argument("--now", metavar="ISO_TIME",
                       help="with --due: the time to decide by (default: now)")
    crawl.add_argument("--max-articles", type=int, help="request at most N new articles per site")
    crawl.add_argument("--full", action="store_true",
                       help="walk every list page (default: stop at the first page with "
                       "nothing new)")
    crawl.set_defaults(func=cmd_crawl)

    fetch = with_output(sub.add_parser("fetch", help="archive the given article pages"))
    fetch.add_argument("urls", nargs="+", metavar="URL")
    fetch.set_defaults(func=cmd_fetch)

    refresh = with_output(sub.add_parser(
        "refresh", help="re-fetch archived articles; rewrite only the ones that changed"))
    refresh.add_argument("sites", nargs="*", help="site names (default: every site archived)")
    refresh.add_argument("--since", metavar="DATE",
                         help="only articles published on or after DATE (YYYY-MM-DD)")
    refresh.set_defaults(func=cmd_refresh)

    check = with_output(sub.add_parser("check", help="validate the whole archive"), run=False)
    check.set_defaults(func=cmd_check)

    new_site = sub.add_parser("new-site", help="work out and write the config of a new site")
    new_site.add_argument("url", help="the school's news home page or a news list page")
    new_site.add_argument("--name", help="site name (default: from the host name)")
    new_site.add_argument("--school", help="school name (default: from the page title)")
    new_site.add_argument("--label", help="archive label (default: the host name)")
    new_site.add_argument("--force", action="store_true", help="replace an existing config")
    new_site.set_defaults(func=cmd_new_site)

    preview = sub.add_parser("preview", help="dry run of a configured site: nothing is written")
    preview.add_argument("site")
    preview.add_argument("--limit", type=int, default=5, help="articles to show (default 5)")
    preview.set_defaults(func=cmd_preview)

    deploy = sub.add_parser("deploy", help="deploy the project, site configs inside, to "
                            "Scrapyd nodes")
    deploy.add_argument("--scrapyd", nargs="+", required=True, metavar="URL")
    deploy.add_argument("--version", help="version name (default: the time)")
    deploy.set_defaults(func=cmd_deploy)

    dispatch = with_output(sub.add_parser(
        "dispatch", help="spread site crawls over Scrapyd nodes"), run=False)
    dispatch.add_argument("sites", nargs="*")
    dispatch.add_argument("--all", action="store_true")
    dispatch.add_argument("--due", action="store_true")
    dispatch.add_argument("--now", metavar="ISO_TIME", help="with --due: the time to decide by")
    dispatch.add_argument("--scrapyd", nargs="+", required=True, metavar="URL")
    dispatch.add_argument("--wait", action="store_true",
                          help="wait for every job and print each site's outcome")
    dispatch.set_defaults(func=cmd_dispatch)

    sites = sub.add_parser("sites", help="list configured sites and validate every config")
    sites.set_defaults(func=cmd_sites)

    demo = with_output(sub.add_parser("demo", help="crawl the bundled demo site on 127.0.0.1"))
    demo.set_defaults(func=cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("interrupted: files already written are complete; run again to finish",
              file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
