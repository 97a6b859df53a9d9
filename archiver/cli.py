"""The `archiver` command: parses the command line and hands over to archiver.commands, a thin
layer over Scrapy's CrawlerProcess. Exit codes: see archiver.run.exitcodes and the README.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from archiver.commands import args as types
from archiver.commands.common import configure_logging, unexpected_error
from archiver.commands.demo import cmd_demo
from archiver.commands.inspect import cmd_check, cmd_new_site, cmd_preview, cmd_sites
from archiver.commands.publish import cmd_publish
from archiver.commands.run import cmd_crawl, cmd_fetch, cmd_refresh
from archiver.commands.scaleout import add_dispatch_options, cmd_deploy, cmd_dispatch
from archiver.run.exitcodes import EXIT_CONFIG, EXIT_FAILED, EXIT_INTERRUPTED, MEANINGS


def exit_codes(ok: str, failed: str | None) -> str:
    """The exit codes section of a command's help (README "Output, reports and exit codes")."""
    meanings = {0: ok, **({1: failed} if failed else {}), **MEANINGS}
    return "\n".join(["exit codes:", *(f"  {int(code):<4} {text}"
                                        for code, text in meanings.items())])


RUN_CODES = exit_codes("everything archived", "partial failure: something was not archived or "
                       "needs a look (named in the summary and the report)")


class Parser(argparse.ArgumentParser):
    """argparse with a one-line error: what is wrong and where to look, exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_CONFIG, f"{self.prog}: {message} (see `{self.prog} --help`)\n")


def global_options(in_command: bool) -> argparse.ArgumentParser:
    """Options every command takes, before or after its name. After the name they default to
    SUPPRESS, so that they do not undo the same option given before the name."""
    unset = argparse.SUPPRESS if in_command else None
    options = argparse.ArgumentParser(add_help=False)
    group = options.add_argument_group("global options (before or after the command)")
    group.add_argument("--config-dir", metavar="DIR", default=unset,
                       help="folder of site configs (default: $ARCHIVER_CONFIG_DIR, or "
                       "./spiders_config of the working directory)")
    group.add_argument("--output", metavar="DIR", default=unset,
                       help="archive folder (default: $ARCHIVER_OUTPUT_DIR, or ./output "
                       "of the working directory)")
    group.add_argument("-v", "--verbose", action="store_true",
                       default=argparse.SUPPRESS if in_command else False,
                       help="show Scrapy's log and the traceback of an unexpected error")
    return options


def run_options(p: argparse.ArgumentParser) -> None:
    """Options of the commands that archive and write a report."""
    p.add_argument("--image-links", choices=("original", "local"),
                   help="image URLs in the Markdown: the source's, or the archived copies'")
    p.add_argument("--report", metavar="FILE", help="where to write the JSON run report "
                   "(default: <output>/.reports/<time>-<command>.json)")
    p.add_argument("--log-file", metavar="FILE", help="write Scrapy's full log to this file")


def site_choice(p: argparse.ArgumentParser) -> None:
    """Which sites: named, --all, or --due (crawl and dispatch)."""
    p.add_argument("sites", nargs="*", metavar="SITE", help="site names (see `archiver sites`)")
    p.add_argument("--all", action="store_true", help="every configured site")
    p.add_argument("--due", action="store_true",
                   help="the sites whose schedule is due (see `schedule:` in the README)")
    p.add_argument("--now", metavar="TIME", type=types.moment,
                   help="with --due: the time to decide by, YYYY-MM-DDTHH:MM (default: now)")


def scrapyd_nodes(p: argparse.ArgumentParser) -> None:
    """The Scrapyd nodes to work with (deploy and dispatch)."""
    p.add_argument("--scrapyd", action=types.UrlList, required=True, metavar="URL",
                   help="a Scrapyd node; repeat, or separate with commas")


def build_parser() -> argparse.ArgumentParser:
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("archiver")
    except PackageNotFoundError:  # run from a source tree that was never installed
        release = "unknown"
    parser = Parser(
        prog="archiver", parents=[global_options(False)],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Crawl university news sites into a Markdown archive.",
        epilog="example:\n  archiver crawl --all\n\n" + RUN_CODES)
    parser.add_argument("--version", action="version", version=f"archiver {release}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, summary: str, example: str, codes: str = RUN_CODES
                ) -> argparse.ArgumentParser:
        return sub.add_parser(
            name, help=summary, description=summary, parents=[global_options(True)],
            formatter_class=argparse.RawDescriptionHelpFormatter,
            epilog=f"example:\n  {example}\n\n{codes}")

    # In the order `archiver --help` lists them.
    for add in (add_crawl, add_fetch, add_refresh, add_check, add_publish, add_new_site,
                add_preview, add_deploy, add_dispatch, add_sites, add_demo):
        add(command)
    return parser


# Each add_<command> takes `command(name, summary, example, codes=RUN_CODES)`, which makes the
# subcommand's parser with the global options, its example and its exit codes.
Command = Callable[..., argparse.ArgumentParser]


def add_crawl(command: Command) -> None:
    crawl = command("crawl", "crawl configured sites: list pages, then every article not yet "
                    "archived", "archiver crawl njust --max-articles 20")
    site_choice(crawl)
    crawl.add_argument("--max-articles", metavar="N", type=types.count,
                       help="request at most N new articles per site (default: no limit)")
    crawl.add_argument("--full", action="store_true",
                       help="walk every list page (default: stop at the first page with "
                       "nothing new)")
    crawl.add_argument("--retry-gone", action="store_true",
                       help="request again the articles recorded as gone (404/410 twice)")
    run_options(crawl)
    crawl.set_defaults(func=cmd_crawl)


def add_fetch(command: Command) -> None:
    fetch = command("fetch", "archive the given article pages",
                    "archiver fetch http://news.nankai.edu.cn/ywsd/system/2025/05/30/"
                    "030067323.shtml")
    fetch.add_argument("urls", nargs="+", metavar="URL", type=types.web_url,
                       help="article page, http:// or https://")
    run_options(fetch)
    fetch.set_defaults(func=cmd_fetch)


def add_refresh(command: Command) -> None:
    refresh = command("refresh", "re-fetch archived articles; rewrite only the ones that "
                      "changed, and list them", "archiver refresh njust --since 2026-01-01")
    refresh.add_argument("sites", nargs="*", metavar="SITE",
                         help="site names (default: every site archived)")
    refresh.add_argument("--since", metavar="DATE", type=types.day,
                         help="only articles published on or after DATE (YYYY-MM-DD)")
    run_options(refresh)
    refresh.set_defaults(func=cmd_refresh)


def add_check(command: Command) -> None:
    check = command("check", "validate the whole archive", "archiver check --output "
                    "/srv/archive", exit_codes(
                        "no problem found", "problems found (each listed with its file)"))
    check.set_defaults(func=cmd_check)


def add_publish(command: Command) -> None:
    publish = command("publish", "copy the archive into a Hexo site (only what changed)",
                      "archiver publish ~/blog nankai",
                      exit_codes("published, and the Hexo site's _config.yml is right",
                                 "a post not copied (it would break Hexo), or a _config.yml "
                                 "key to set"))
    publish.add_argument("hexo_dir", metavar="HEXO_DIR", help="the Hexo site's folder")
    publish.add_argument("sites", nargs="*", metavar="SITE",
                         help="site names (default: every site archived)")
    publish.set_defaults(func=cmd_publish)


def add_new_site(command: Command) -> None:
    new_site = command("new-site", "work out and write the config of a new site",
                       "archiver new-site http://news.example.edu.cn/ --name example",
                       exit_codes("config written, sample articles pass",
                                  "no list found, or the sample shows problems"))
    new_site.add_argument("url", metavar="URL", type=types.web_url,
                          help="the school's news home page or a news list page")
    new_site.add_argument("--name", metavar="NAME",
                          help="site name (default: from the host name)")
    new_site.add_argument("--school", metavar="TEXT",
                          help="school name (default: from the page title)")
    new_site.add_argument("--label", metavar="TEXT",
                          help="archive label (default: the host name)")
    new_site.add_argument("--force", action="store_true", help="replace an existing config")
    new_site.add_argument("--full-text", action="store_true",
                          help="show each sample article as it would be archived")
    new_site.set_defaults(func=cmd_new_site)


def add_preview(command: Command) -> None:
    preview = command("preview", "dry run of a configured site: nothing is written",
                      "archiver preview njust --max-articles 3",
                      exit_codes("articles found and all pass the quality gate",
                                 "no article found, or one fails the gate"))
    preview.add_argument("site", metavar="SITE", help="site name (see `archiver sites`)")
    # One name per idea: --max-articles as in crawl; --limit is the old name, kept hidden.
    preview.add_argument("--max-articles", "--limit", metavar="N", type=types.count,
                         default=5, help="articles to show (default 5)")
    preview.set_defaults(func=cmd_preview)


def add_deploy(command: Command) -> None:
    deploy = command("deploy", "deploy the project, site configs inside, to Scrapyd nodes",
                     "archiver deploy --scrapyd http://node1:6800 --scrapyd http://node2:6800",
                     exit_codes("deployed to every node",
                                "a node did not take the egg"))
    scrapyd_nodes(deploy)
    deploy.add_argument("--version", metavar="NAME",
                        help="version name of the egg (default: the time)")
    deploy.set_defaults(func=cmd_deploy)


def add_dispatch(command: Command) -> None:
    dispatch = command("dispatch", "spread site crawls over Scrapyd nodes",
                       "archiver dispatch --scrapyd http://node1:6800,http://node2:6800 --all "
                       "--wait")
    site_choice(dispatch)
    scrapyd_nodes(dispatch)
    dispatch.add_argument("--wait", action="store_true",
                          help="wait for every job and print each site's outcome")
    add_dispatch_options(dispatch)
    dispatch.set_defaults(func=cmd_dispatch)


def add_sites(command: Command) -> None:
    sites = command("sites", "list configured sites and validate every config",
                    "archiver sites --config-dir ~/sites", exit_codes(
                        "every config is valid", None))
    sites.set_defaults(func=cmd_sites)


def add_demo(command: Command) -> None:
    demo = command("demo", "crawl the bundled demo site on 127.0.0.1", "archiver demo")
    run_options(demo)
    demo.set_defaults(func=cmd_demo)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        configure_logging(args)  # once, for the whole process
        status = args.func(args)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's exit
        return status
    except KeyboardInterrupt:
        print("interrupted: files already written are complete; run again to finish",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # `archiver … | head`: the reader has what it wanted. Python's own advice: point
        # stdout at /dev/null so that the flush at exit raises nothing more.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILED
    except Exception:  # noqa: BLE001 (a bug of ours: one line here, the traceback kept)
        return unexpected_error(args)


if __name__ == "__main__":
    sys.exit(main())
