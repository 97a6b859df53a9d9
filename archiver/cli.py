"""The `archiver` command: a thin layer over Scrapy's CrawlerProcess.

Exit codes: 0 everything archived; 1 something failed (an article or image, named in the
summary); 2 usage or configuration error (nothing was crawled for that reason).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2


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
    settings.set("ARCHIVER_PROGRESS", sys.stderr.isatty() and not args.verbose, priority="cmdline")
    return settings


def _registry(settings):
    from archiver.config import load_sites

    return load_sites(settings["ARCHIVER_CONFIG_DIR"])


def _report_config_errors(registry) -> None:
    for error in registry.errors:
        print(f"config error: {error}", file=sys.stderr)


def run_crawls(settings, jobs: list[tuple[Any, dict]]) -> int:
    """Run one crawl per (site name or spider class, spider kwargs) in one process, then print
    the summary."""
    from scrapy.crawler import CrawlerProcess

    from archiver import report

    process = CrawlerProcess(settings)
    crawlers = []
    for spider, kwargs in jobs:
        crawler = process.create_crawler(spider)
        crawlers.append(crawler)
        process.crawl(crawler, **kwargs)
    process.start()
    status = EXIT_OK
    for crawler in crawlers:
        site = crawler.spidercls.site
        stats = crawler.stats.get_stats()
        for line in report.summary_lines(site.name, stats):
            print(line)
        if site.source.startswith("(no config"):
            families = sorted(k.rsplit("/", 1)[1] for k in stats if k.startswith("archiver/cms/"))
            print(f"  no site config for {site.name}: archived under its host name; CMS "
                  f"detected: {', '.join(families) or 'none'}")
        if report.failed(stats):
            status = EXIT_FAILED
    print(f"archive: {settings['ARCHIVER_OUTPUT_DIR']}")
    return status


def cmd_sites(args: argparse.Namespace) -> int:
    registry = _registry(_settings(args))
    for site in registry.sites.values():
        print(f"{site.name:<16} {site.school} ({site.label})  {', '.join(site.allowed_domains)}")
    _report_config_errors(registry)
    if not registry.sites and not registry.errors:
        print("no site configs found", file=sys.stderr)
    return EXIT_CONFIG if registry.errors else EXIT_OK


def cmd_crawl(args: argparse.Namespace) -> int:
    settings = _settings(args)
    registry = _registry(settings)
    _report_config_errors(registry)
    if args.all == bool(args.sites):
        print("name the sites to crawl, or give --all", file=sys.stderr)
        return EXIT_CONFIG
    names = sorted(registry.sites) if args.all else args.sites
    unknown = [n for n in names if n not in registry.sites]
    if unknown:
        print(f"unknown site(s): {', '.join(unknown)} (see `archiver sites`)", file=sys.stderr)
        return EXIT_CONFIG
    if not names:
        print("no valid site configs to crawl", file=sys.stderr)
        return EXIT_CONFIG
    kwargs: dict[str, Any] = {"full": args.full}
    if args.max_articles:
        kwargs["max_articles"] = args.max_articles
    status = run_crawls(settings, [(name, kwargs) for name in names])
    return EXIT_CONFIG if registry.errors and status == EXIT_OK else status


def cmd_fetch(args: argparse.Namespace) -> int:
    from archiver.config import ConfigError, adhoc_site
    from archiver.spiderloader import spider_class

    settings = _settings(args)
    registry = _registry(settings)
    jobs: dict[str, tuple[Any, list[str]]] = {}
    for url in args.urls:
        site = registry.site_for_url(url)
        if site is not None:
            jobs.setdefault(site.name, (site.name, []))[1].append(url)
            continue
        try:
            site = adhoc_site(url)
        except ConfigError as error:
            print(f"cannot fetch: {error}", file=sys.stderr)
            return EXIT_CONFIG
        # A host no config covers: its pages say which CMS made them.
        jobs.setdefault(site.name, (spider_class(site), []))[1].append(url)
    return run_crawls(settings, [(spider, {"urls": urls}) for spider, urls in jobs.values()])


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

    def with_output(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--output", help="archive folder (default: output/ of the project, "
                       "or $ARCHIVER_OUTPUT_DIR)")
        p.add_argument("--image-links", choices=("original", "local"),
                       help="image URLs in the Markdown: the source's, or the archived copies'")
        return p

    crawl = with_output(sub.add_parser("crawl", help="crawl configured sites"))
    crawl.add_argument("sites", nargs="*", help="site names (see `archiver sites`)")
    crawl.add_argument("--all", action="store_true", help="crawl every configured site")
    crawl.add_argument("--max-articles", type=int, help="request at most N new articles per site")
    crawl.add_argument("--full", action="store_true",
                       help="walk every list page (default: stop at the first page with "
                       "nothing new)")
    crawl.set_defaults(func=cmd_crawl)

    fetch = with_output(sub.add_parser("fetch", help="archive the given article pages"))
    fetch.add_argument("urls", nargs="+", metavar="URL")
    fetch.set_defaults(func=cmd_fetch)

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
        return 130


if __name__ == "__main__":
    sys.exit(main())
