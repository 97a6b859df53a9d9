"""What every command shares: exit codes, settings, the site registry, choosing sites."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

# Exit codes (README "Output, reports and exit codes").
EXIT_OK, EXIT_FAILED, EXIT_CONFIG, EXIT_LOCKED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def settings_for(args: argparse.Namespace):
    """The project's settings with the command line's choices applied, passed explicitly to
    every crawler of this process (spider loader included)."""
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("archiver.settings", priority="project")
    if args.config_dir:
        settings.set("ARCHIVER_CONFIG_DIR", str(Path(args.config_dir).resolve()),
                     priority="cmdline")
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


def load_registry(settings):
    """Every site config of the configured folder, validated."""
    from archiver.config import load_sites

    return load_sites(settings["ARCHIVER_CONFIG_DIR"])


def report_config_errors(registry) -> None:
    for error in registry.errors:
        print(f"config error: {error}", file=sys.stderr)


def select_sites(args: argparse.Namespace, registry, output: Path) -> list[str] | None:
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
