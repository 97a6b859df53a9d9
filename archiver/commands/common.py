"""What every command shares: settings, the site registry, choosing sites. (The exit codes are
archiver.run.exitcodes'; re-exported here for the commands.)"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
import traceback
from datetime import datetime
from pathlib import Path

from archiver.run.exitcodes import (  # noqa: F401 (re-exported for the commands)
    EXIT_CONFIG,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_LOCKED,
    EXIT_OK,
)


def settings_for(args: argparse.Namespace):
    """The project's settings with the command line's choices applied, passed explicitly to
    every crawler of this process (spider loader included)."""
    from scrapy.settings import Settings

    settings = Settings()
    # Scrapy's own variable, read (never set): a settings module of the operator's (one that
    # imports archiver.settings and adds to it) counts for `archiver` as for `scrapy crawl`.
    settings.setmodule(os.environ.get("SCRAPY_SETTINGS_MODULE", "archiver.settings"),
                       priority="project")
    if args.config_dir:
        settings.set("ARCHIVER_CONFIG_DIR", str(Path(args.config_dir).resolve()),
                     priority="cmdline")
    output = getattr(args, "output", None)
    if output:
        settings.set("ARCHIVER_OUTPUT_DIR", str(Path(output).resolve()), priority="cmdline")
    # A relative folder from the environment is printed, reported and locked by its full path.
    for key in ("ARCHIVER_CONFIG_DIR", "ARCHIVER_OUTPUT_DIR"):
        if not str(settings[key]).startswith("package:"):
            settings.set(key, str(Path(settings[key]).resolve()),
                         priority=settings.getpriority(key))
    if getattr(args, "image_links", None):
        settings.set("ARCHIVER_IMAGE_LINKS", args.image_links, priority="cmdline")
    settings.set("LOG_LEVEL", "INFO", priority="cmdline")
    if getattr(args, "log_file", None):
        # The whole log to the file (for cron and systemd); the summary still goes to stdout.
        settings.set("LOG_FILE", str(Path(args.log_file).resolve()), priority="cmdline")
    elif not args.verbose:
        # Quiet by default: the summary names every failure with its reason, so Scrapy's log
        # (robots.txt tracebacks, one ERROR line per failure, item dumps, warnings) would only
        # repeat it, and under cron it is mail nobody reads. -v or --log-file bring it back.
        settings.set("LOG_ENABLED", False, priority="cmdline")
    # The log's handler is installed once, by the entry point (configure_logging), not by
    # each CrawlerProcess the command starts.
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    settings.set("ARCHIVER_PROGRESS", sys.stderr.isatty() and not args.verbose, priority="cmdline")
    return settings


def configure_logging(args: argparse.Namespace) -> logging.Handler:
    """The process's logging, set once by the entry point (archiver.cli.main) before any
    command runs: one handler on the root logger from the command line's choices (-v: stderr,
    --log-file: that file, else nothing), made as Scrapy makes its own (its crawlers are told
    not to install theirs: LOG_INSTALL_ROOT_HANDLER), which leaves out the image tracebacks the
    report already names; Python warnings (a broken config met by the spider loader,
    deprecations) are routed to it like the rest of the log."""
    from archiver.pipelines.images import ReportedElsewhere

    settings = settings_for(args)
    if settings.get("LOG_FILE"):
        handler: logging.Handler = logging.FileHandler(
            settings["LOG_FILE"], mode="a" if settings.getbool("LOG_FILE_APPEND") else "w",
            encoding=settings.get("LOG_ENCODING"))
    elif settings.getbool("LOG_ENABLED"):
        handler = logging.StreamHandler()
    else:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter(settings["LOG_FORMAT"], settings["LOG_DATEFORMAT"]))
    handler.setLevel(settings["LOG_LEVEL"])
    handler.addFilter(ReportedElsewhere())
    logging.root.setLevel(logging.NOTSET)
    logging.root.addHandler(handler)
    if not sys.warnoptions:  # as Scrapy does: an explicit -W keeps Python's own handling
        logging.captureWarnings(True)
    return handler


def load_registry(settings):
    """Every site config of the configured folder, validated."""
    from archiver.config import load_sites

    return load_sites(settings["ARCHIVER_CONFIG_DIR"])


def one_line(error: object) -> str:
    """An error message on one line (YAML's messages span several, with a caret drawing)."""
    return " ".join(line.strip() for line in str(error).splitlines() if line.strip(" ^"))


def report_config_errors(registry) -> None:
    for error in registry.errors:
        print(f"config error: {one_line(error)}", file=sys.stderr)


def select_sites(args: argparse.Namespace, registry, output: Path) -> list[str] | None:
    """The sites a command works on: named, --all, or --due (saying which are due); None after
    printing why the choice is wrong."""
    from archiver.run.schedule import due_sites

    given = [what for what, on in (("site names", args.sites), ("--all", args.all),
                                   ("--due", args.due)) if on]
    if len(given) != 1:
        print("name the sites, or give --all or --due" if not given else
              f"give site names, --all or --due, not {' and '.join(given)}", file=sys.stderr)
        return None
    folder = registry_folder_missing(registry)
    if folder:
        print(f"no site config folder at {folder}: give --config-dir DIR (or set "
              "ARCHIVER_CONFIG_DIR), or run from the folder that holds spiders_config/",
              file=sys.stderr)
        return None
    if args.due:
        now = args.now or datetime.now()  # parsed by archiver.commands.args.moment
        names = due_sites(registry.sites, output, now)
        print(f"due at {now:%Y-%m-%d %H:%M}: {', '.join(names) or 'no site'}")
        return names
    names = sorted(registry.sites) if args.all else args.sites
    if not known_sites(registry, names):
        return None
    return [name for name in names if name in registry.sites]


def registry_folder_missing(registry) -> str | None:
    """The config folder, when it does not exist (its registry holds only that error)."""
    from archiver.config.registry import MISSING_FOLDER

    return next((error.source for error in registry.errors
                 if error.problem == MISSING_FOLDER), None)


def broken_configs(registry, names: list[str]) -> list:
    """The config errors of the named sites whose files do not load."""
    return registry.broken(names)


def known_sites(registry, names: list[str]) -> bool:
    """True when every name is a site of the folder, loaded or broken (a broken one is said on
    stderr, one line, and reported with the run); else says which names are unknown."""
    broken = {Path(error.source).stem: error for error in registry.errors}
    for name in names:
        if name in broken:
            print(f"config error: {one_line(broken[name])}", file=sys.stderr)
    unknown = [n for n in names if n not in registry.sites and n not in broken]
    if unknown:
        print(f"unknown site(s): {', '.join(unknown)} (see `archiver sites`)", file=sys.stderr)
    return not unknown


def unexpected_error(args: argparse.Namespace) -> int:
    """A bug of ours (or a fault nobody foresaw): one line on stderr that says where the
    traceback went: the log file, else a file beside the reports; on stderr only with -v."""
    text = traceback.format_exc()
    error = sys.exc_info()[1]
    if args.verbose:
        sys.stderr.write(text)
    where = Path(args.log_file) if getattr(args, "log_file", None) else None
    if where is None:
        from archiver import settings as defaults

        folder = Path(args.output or defaults.ARCHIVER_OUTPUT_DIR) / ".reports"
        where = folder / f"{time.strftime('%Y%m%d-%H%M%S')}-{args.command}-error.txt"
    try:
        where.parent.mkdir(parents=True, exist_ok=True)
        with open(where, "a", encoding="utf-8") as log:
            log.write(f"archiver {' '.join(sys.argv[1:])}\n{text}")
        kept = f"traceback in {where}"
    except OSError:
        kept = "run with -v to see the traceback"
    print(f"archiver: unexpected error: {type(error).__name__}: {error} ({kept}; please report "
          "it)", file=sys.stderr)
    return EXIT_FAILED
