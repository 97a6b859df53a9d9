"""Commands that look without archiving: sites, check, preview, new-site."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from archiver.commands.common import (
    EXIT_CONFIG,
    EXIT_FAILED,
    EXIT_OK,
    known_sites,
    load_registry,
    report_config_errors,
    settings_for,
)

if TYPE_CHECKING:  # types only: commands import their machinery when they run
    from scrapy.settings import Settings

    from archiver.config import SiteConfig
    from archiver.newsite import Findings


def cmd_sites(args: argparse.Namespace) -> int:
    registry = load_registry(settings_for(args))
    for site in registry.sites.values():
        print(f"{site.name:<16} {site.school} ({site.label})  cms: {site.cms}  "
              f"{', '.join(site.allowed_domains)}")
    report_config_errors(registry)
    if not registry.sites and not registry.errors:
        print("no site configs found", file=sys.stderr)
    return EXIT_CONFIG if registry.errors else EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from archiver.archive.check import check_archive
    from archiver.capture.verify import check_captures

    output = Path(settings_for(args)["ARCHIVER_OUTPUT_DIR"])
    if not output.is_dir():
        # The gate before publishing must not pass an archive it never saw.
        print(f"check: no archive folder at {output}: give the archive with --output DIR",
              file=sys.stderr)
        return EXIT_CONFIG
    problems, files = check_archive(output)
    captures = check_captures(output)
    problems = problems + captures.problems
    for problem in problems:
        print(problem)
    for site, missing in captures.no_capture.items():
        # Not a problem: archived before captures were kept; `refresh` captures them.
        shown = ", ".join(p.name for p in missing[:5]) + (", …" if len(missing) > 5 else "")
        print(f"{site}: {len(missing)} archive file(s) with no capture ({shown}); "
              "`archiver refresh` captures them")
    print(f"checked {files} archive file(s) in {output}, {captures.files} capture file(s) "
          f"({captures.records} records): {len(problems)} problem(s)")
    return EXIT_FAILED if problems else EXIT_OK


def describe(item) -> list[str]:
    """How an article would be archived, in a few lines, and which rule gave each field."""
    from archiver.extract.quality import verdict

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
    found = verdict(item).summary
    if found:
        lines.append(f"  PROBLEM:  {found}")
    return lines


def cmd_preview(args: argparse.Namespace) -> int:
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess

    from archiver.commands.verdict import site_lines
    from archiver.extract.quality import verdict
    from archiver.run import stats as keys
    from archiver.run.extension import SiteRun

    settings = settings_for(args)
    registry = load_registry(settings)
    if not known_sites(registry, [args.site]) or args.site not in registry.sites:
        return EXIT_CONFIG
    # A dry run: no pipeline (no images, no files) and no lock; the articles are collected as
    # Scrapy hands them over, for display.
    settings.set("ITEM_PIPELINES", {}, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(args.site)
    items: list = []

    def collect(item: Any, **_: Any) -> None:
        items.append(item)

    # Scrapy keeps a weak reference to a receiver: `collect` lives as long as this call.
    crawler.signals.connect(collect, signal=signals.item_scraped)
    process.crawl(crawler, max_articles=args.max_articles, preview=True)
    process.start()
    for item in items:
        print("\n".join(describe(item)))
    # Why nothing (or less) was seen: list pages and articles that failed, with the reason.
    site = crawler.get_extension(SiteRun).outcome
    for line in site_lines(args.site, site)[1:] if site else ():
        print(line)
    walked = crawler.stats.get_value(keys.LISTS_WALKED, 0)
    print(f"{args.site}: {len(items)} article(s) previewed from {walked} list page(s); "
          "nothing was written")
    return EXIT_FAILED if not items or any(verdict(item).summary for item in items) else EXIT_OK


def cmd_new_site(args: argparse.Namespace) -> int:
    from archiver.config import ConfigError, load_site
    from archiver.newsite import config_text, default_name

    settings = settings_for(args)
    folder = Path(settings["ARCHIVER_CONFIG_DIR"])
    name = args.name or default_name(args.url)
    path = folder / f"{name}.yaml"
    if path.exists() and not args.force:
        print(f"{path} exists: choose another --name, or --force to replace it", file=sys.stderr)
        return EXIT_CONFIG
    folder.mkdir(parents=True, exist_ok=True)
    findings = probe_site(settings, args.url)
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
    show_samples(findings, site, args.full_text)
    # The next commands must look in the same config folder as this one did.
    where = f"--config-dir {shlex.quote(str(folder))} " if args.config_dir else ""
    print(f"next: `archiver {where}preview {name}`, then `archiver {where}crawl {name}`")
    return EXIT_OK if findings.articles and not findings.problems else EXIT_FAILED


def probe_site(settings: Settings, url: str) -> Findings:
    """What the new-site probe found on the site at `url` (archiver.newsite.Findings)."""
    from scrapy.crawler import CrawlerProcess

    from archiver.newsite import Findings, SiteProbeSpider

    findings = Findings(url)
    # The probe yields no items: no pipelines, no progress line.
    settings.set("ITEM_PIPELINES", {}, priority="cmdline")
    settings.set("ARCHIVER_PROGRESS", False, priority="cmdline")
    process = CrawlerProcess(settings)
    process.crawl(SiteProbeSpider, url=url, findings=findings)
    process.start()
    return findings


def show_samples(findings: Findings, site: SiteConfig, full_text: bool) -> None:
    """The sample articles, newest first (with --full-text as archived), then the problems."""
    from archiver.archive import to_markdown
    from archiver.extract.quality import verdict

    for item in findings.newest_first():
        print("\n" + "\n".join(describe(item)))
        if full_text and not verdict(item).refused:
            print("---- as archived ----")
            print(to_markdown(item, site))
    for line in findings.problems:
        print(f"problem: {line}")
