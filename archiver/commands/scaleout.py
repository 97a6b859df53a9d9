"""Commands that spread crawls over Scrapyd nodes: deploy, dispatch."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from archiver.commands.common import (
    EXIT_CONFIG,
    EXIT_FAILED,
    EXIT_OK,
    load_registry,
    report_config_errors,
    select_sites,
    settings_for,
)


def cmd_deploy(args: argparse.Namespace) -> int:
    from archiver import scrapyd

    settings = settings_for(args)
    registry = load_registry(settings)
    report_config_errors(registry)
    if registry.errors:
        return EXIT_CONFIG
    version = args.version or time.strftime("%Y%m%d%H%M%S")
    egg = scrapyd.build_egg(settings["ARCHIVER_CONFIG_DIR"], version)
    messages = scrapyd.deploy(args.scrapyd, egg, version)
    print("\n".join(messages))
    return EXIT_OK if all("NOT deployed" not in m for m in messages) else EXIT_FAILED


def cmd_dispatch(args: argparse.Namespace) -> int:
    from archiver import scrapyd

    settings = settings_for(args)
    registry = load_registry(settings)
    report_config_errors(registry)
    output = Path(settings["ARCHIVER_OUTPUT_DIR"])
    names = select_sites(args, registry, output)
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
        site = result["sites"][job.site]
        if site["outcome"] == "locked":
            print(f"{job.site}: skipped by the job on {job.node}: {site['reason']}")
            continue
        articles, images = site["articles"], site["images"]
        print(f"{job.site} (on {job.node}): {articles['new']} new, "
              f"{articles['already_archived']} already archived, {articles['failed']} failed; "
              f"images {images['fetched']} fetched, {images['failed']} failed")
        for failure in site["failures"]:
            print(f"  {failure['kind']} failed: {failure['url']}: {failure['reason']}")
        for line in site["health"]:
            print(f"  health: {line}")
        # The same verdict as `archiver crawl` gives: the job's own outcome.
        if site["exit_code"] and status == EXIT_OK:
            status = EXIT_FAILED
    return status
