"""The `archiver` command: parses the command line and hands over to archiver.commands, a thin
layer over Scrapy's CrawlerProcess. Exit codes: see archiver.commands.common and the README.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from archiver.commands.common import EXIT_INTERRUPTED, settings_for
from archiver.commands.inspect import cmd_check, cmd_new_site, cmd_preview, cmd_sites
from archiver.commands.run import cmd_crawl, cmd_fetch, cmd_refresh
from archiver.commands.scaleout import add_dispatch_options, cmd_deploy, cmd_dispatch


def cmd_demo(args: argparse.Namespace) -> int:
    from archiver.demo import run_demo

    return run_demo(args, settings_for)


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
    add_dispatch_options(dispatch)
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
