"""`archiver status`: the state of every site's archive, from the records on disk only."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from archiver.commands.common import (
    EXIT_CONFIG,
    EXIT_OK,
    settings_for,
)


def cmd_status(args: argparse.Namespace) -> int:
    from archiver.status.collect import RUNS_SHOWN, collect, known_sites, read_configs
    from archiver.status.records import Cache

    settings = settings_for(args)
    output = Path(settings["ARCHIVER_OUTPUT_DIR"])
    cache = Cache(output, RUNS_SHOWN)
    known = known_sites(output, read_configs(settings["ARCHIVER_CONFIG_DIR"], cache))
    unknown = [name for name in args.sites if name not in known]
    if unknown:
        print(f"unknown site(s): {', '.join(unknown)} (see `archiver sites`)", file=sys.stderr)
        return EXIT_CONFIG
    document = collect(output, settings["ARCHIVER_CONFIG_DIR"], args.sites, cache=cache)
    if args.html:
        from archiver.status.html import render

        try:
            Path(args.html).write_text(render(document), encoding="utf-8")
        except OSError as error:
            print(f"cannot write {args.html}: {error.strerror or error}", file=sys.stderr)
            return EXIT_CONFIG
    if args.json:
        json.dump(document, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        from archiver.status.text import lines

        print(f"archive: {output}")
        for line in lines(document):
            print(line)
        if args.html:
            print(f"dashboard: {Path(args.html).resolve()}")
    return EXIT_OK
