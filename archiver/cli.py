"""The `archiver` command: parses the command line and hands over to archiver.commands, a thin
layer over Scrapy's CrawlerProcess. Exit codes: see archiver.run.exitcodes and the README.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from archiver.commands import args as types
from archiver.commands.capture import cmd_export, cmd_history, cmd_rebuild
from archiver.commands.common import configure_logging, unexpected_error
from archiver.commands.demo import cmd_demo
from archiver.commands.inspect import cmd_check, cmd_new_site, cmd_preview, cmd_sites
from archiver.commands.publish import cmd_publish
from archiver.commands.run import cmd_crawl, cmd_fetch, cmd_refresh
from archiver.commands.scaleout import (
    add_deploy_options,
    add_dispatch_options,
    add_node_options,
    cmd_deploy,
    cmd_dispatch,
)
from archiver.commands.status import cmd_status
from archiver.run.exitcodes import (
    EXIT_CONFIG,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_LOCKED,
    MEANINGS,
)


def exit_codes(ok: str, failed: str | None, crawls: bool = False) -> str:
    """The exit codes section of a command's help (README "Output, reports and exit codes");
    the lock's code only for the commands that crawl (they take site locks)."""
    meanings = {0: ok, **({1: failed} if failed else {}),
                **{code: text for code, text in MEANINGS.items()
                   if crawls or code is not EXIT_LOCKED}}
    return "\n".join(["exit codes:", *(f"  {int(code):<4} {text}"
                                        for code, text in meanings.items())])


RUN_CODES = exit_codes("everything archived", "partial failure: something was not archived or "
                       "needs a look (named in the summary and the report)", crawls=True)


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
    p.add_argument("--log-file", metavar="FILE", type=types.log_file,
                   help="write Scrapy's full log to this file (its folder is created)")


def site_choice(p: argparse.ArgumentParser) -> None:
    """Which sites: named, --all, or --due (crawl and dispatch)."""
    p.add_argument("sites", nargs="*", metavar="SITE", help="site names (see `archiver sites`)")
    p.add_argument("--all", action="store_true", help="every configured site")
    p.add_argument("--due", action="store_true",
                   help="the sites whose schedule is due (see `schedule:` in the README)")
    p.add_argument("--now", metavar="TIME", type=types.moment,
                   help="with --due: the time to decide by, YYYY-MM-DDTHH:MM (default: now)")


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
    for add in (add_crawl, add_fetch, add_refresh, add_check, add_rebuild, add_history,
                add_export, add_publish, add_new_site, add_preview, add_deploy, add_dispatch,
                add_sites, add_status, add_demo):
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
    refresh.add_argument("--accept", nargs="+", metavar="URL", type=types.web_url,
                         help="apply the versions of these articles that an earlier refresh "
                         "held back for review (<output>/<site>/.held/); nothing is fetched")
    refresh.add_argument("--accept-all", action="store_true",
                         help="apply every held-back version (of the named sites, or all)")
    run_options(refresh)
    refresh.set_defaults(func=cmd_refresh)


def add_check(command: Command) -> None:
    check = command("check", "validate the whole archive", "archiver check --output "
                    "/srv/archive", exit_codes(
                        "no problem found", "problems found (each listed with its file)"))
    check.set_defaults(func=cmd_check)


def add_rebuild(command: Command) -> None:
    rebuild = command("rebuild", "re-derive every archive file from its newest capture with "
                      "today's extraction, no network", "archiver rebuild njust --dry-run",
                      exit_codes("every captured article rebuilt (or unchanged)",
                                 "an article held back: today's extraction gives no article "
                                 "from its capture (its file is kept)"))
    rebuild.add_argument("sites", nargs="*", metavar="SITE",
                         help="site names (default: every site archived or captured)")
    rebuild.add_argument("--dry-run", action="store_true",
                         help="list what would change; write nothing")
    rebuild.add_argument("--image-links", choices=("original", "local"),
                         help="image URLs in the Markdown (default: as the capturing crawl "
                         "linked them)")
    rebuild.add_argument("--report", metavar="FILE", help="where to write the JSON report "
                         "(default: <output>/.reports/<time>-rebuild.json)")
    rebuild.set_defaults(func=cmd_rebuild)


def add_history(command: Command) -> None:
    history = command("history", "list the captured versions of an article",
                      "archiver history http://news.example.edu.cn/2025/0430/c1a2/page.htm "
                      "--show 2", exit_codes("versions listed (or shown)",
                                             "no capture of the URL, or that version gives "
                                             "no article"))
    history.add_argument("url", metavar="URL", type=types.web_url, help="the article's URL")
    history.add_argument("--show", metavar="N", type=types.count,
                         help="print the archive file version N gives")
    history.set_defaults(func=cmd_history)


def add_export(command: Command) -> None:
    export = command("export", "write the captures of sites as a WACZ file for replay tools",
                     "archiver export njust --wacz njust.wacz",
                     exit_codes("written", "no capture to export, or the WACZ failed"))
    export.add_argument("sites", nargs="*", metavar="SITE",
                        help="site names (default: every site captured)")
    export.add_argument("--wacz", metavar="FILE", required=True, help="the WACZ file to write")
    export.set_defaults(func=cmd_export)


def add_publish(command: Command) -> None:
    publish = command("publish", "copy the archive into a Hexo site (only what changed)",
                      "archiver publish ~/blog nankai",
                      exit_codes("published, and the Hexo site's _config.yml is right",
                                 "a post not copied (it would break Hexo, was edited in the "
                                 "Hexo folder, or lies behind a link out of it), or a "
                                 "_config.yml key to set"))
    publish.add_argument("hexo_dir", metavar="HEXO_DIR", help="the Hexo site's folder")
    publish.add_argument("sites", nargs="*", metavar="SITE",
                         help="site names (default: every site archived)")
    publish.add_argument("--force", action="store_true",
                         help="also replace posts changed in the Hexo folder since they were "
                         "last published (by default they are kept and named)")
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
                     "archiver deploy  (every [deploy:NAME] target of scrapy.cfg; or --target "
                     "NAME, or --scrapyd http://node1:6800,http://node2:6800)",
                     exit_codes("deployed to every node",
                                "a node did not take the egg"))
    add_node_options(deploy)
    add_deploy_options(deploy)
    deploy.set_defaults(func=cmd_deploy)


def add_dispatch(command: Command) -> None:
    dispatch = command("dispatch", "spread site crawls over Scrapyd nodes",
                       "archiver dispatch --all --wait  (on every target of scrapy.cfg; or "
                       "--target NAME, or --scrapyd http://node1:6800,http://node2:6800)")
    site_choice(dispatch)
    add_node_options(dispatch)
    dispatch.add_argument("--wait", action="store_true",
                          help="wait for every job and print each site's outcome")
    add_dispatch_options(dispatch)
    dispatch.set_defaults(func=cmd_dispatch)


def add_sites(command: Command) -> None:
    sites = command("sites", "list configured sites and validate every config",
                    "archiver sites --config-dir ~/sites", exit_codes(
                        "every config is valid", None))
    sites.set_defaults(func=cmd_sites)


def add_status(command: Command) -> None:
    status = command("status", "the state of each site's archive: articles, newest, last run, "
                     "next due, failures (read from the archive's records; no network)",
                     "archiver status --html status.html",
                     exit_codes("the status was shown", None))
    status.add_argument("sites", nargs="*", metavar="SITE",
                        help="site names (default: every configured or archived site)")
    status.add_argument("--json", action="store_true",
                        help="the same as JSON (fields: README \"archiver status\")")
    status.add_argument("--html", metavar="FILE",
                        help="also write a dashboard page: one HTML file, no external assets")
    status.set_defaults(func=cmd_status)


def add_demo(command: Command) -> None:
    demo = command("demo", "crawl the bundled demo sites on 127.0.0.1 (--serve: keep them up "
                   "to try the other commands on)", "archiver demo --serve")
    run_options(demo)
    demo.add_argument("--serve", action="store_true",
                      help="only serve the demo sites, until Ctrl-C, and print what to set "
                      "(http_proxy, --config-dir) to use every command on them; their configs "
                      "are copied to --config-dir (default ./demo-configs)")
    demo.add_argument("--port", metavar="N", type=types.count,
                      help="with --serve: the proxy's port on 127.0.0.1 (default: any free one)")
    demo.set_defaults(func=cmd_demo)


class ClosedReaderSafe:
    """stdout for `archiver … | head`: once the reader is gone, what is printed goes nowhere
    instead of raising BrokenPipeError in the middle of the run, so the run ends as it would
    have (its report written, its exit code the report's)."""

    def __init__(self, stream):
        self.stream = stream

    def _gone(self) -> None:
        # Python's own advice: point stdout at /dev/null so that nothing more can fail.
        os.dup2(os.open(os.devnull, os.O_WRONLY), self.stream.fileno())

    def write(self, text: str) -> int:
        try:
            return self.stream.write(text)
        except BrokenPipeError:
            self._gone()
            return len(text)

    def flush(self) -> None:
        try:
            self.stream.flush()
        except BrokenPipeError:
            self._gone()

    def __getattr__(self, name: str):
        return getattr(self.stream, name)


def readable_output() -> None:
    """Text the terminal's encoding cannot show (Chinese under PYTHONIOENCODING=latin-1, a
    C locale) is written as escapes instead of failing the command."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="backslashreplace")
        except (AttributeError, ValueError):
            pass


def main(argv: Sequence[str] | None = None) -> int:
    readable_output()
    if not isinstance(sys.stdout, ClosedReaderSafe):
        sys.stdout = ClosedReaderSafe(sys.stdout)
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
