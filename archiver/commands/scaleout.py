"""Commands that spread crawls over Scrapyd nodes: deploy, dispatch."""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from archiver.commands import args as types
from archiver.commands.common import (
    EXIT_CONFIG,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    load_registry,
    report_config_errors,
    select_sites,
    settings_for,
)


def add_dispatch_options(parser: argparse.ArgumentParser) -> None:
    """The options dispatch shares with crawl, and its own."""
    from archiver.dispatch import LOST_AFTER

    parser.add_argument("--max-articles", type=types.count, metavar="N",
                        help="each job requests at most N new articles of its site")
    parser.add_argument("--full", action="store_true",
                        help="each job walks every list page of its site")
    parser.add_argument("--lost-after", type=float, default=LOST_AFTER, metavar="N",
                        help="with --wait: give up a node's jobs (as failed) once it has not "
                        f"answered for N seconds (default {LOST_AFTER:.0f})")
    parser.add_argument("--report", metavar="FILE", help="where to write the dispatch's JSON "
                        "report (default: <output>/.reports/<time>-dispatch.json)")


def parse_nodes(values: list[str]):
    """The --scrapyd nodes (each value one URL, or several separated by commas), or None after
    saying which URL (or ~/.netrc) is wrong."""
    from archiver.scrapyd import BadNodeURL, Node

    urls = [url for value in values for url in value.split(",") if url.strip()]
    try:
        return [Node.parse(url) for url in dict.fromkeys(urls)]
    except BadNodeURL as error:
        print(f"cannot use --scrapyd: {error}", file=sys.stderr)
        return None


def cmd_deploy(args: argparse.Namespace) -> int:
    from archiver import scrapyd

    settings = settings_for(args)
    registry = load_registry(settings)
    report_config_errors(registry)
    nodes = parse_nodes(args.scrapyd)
    if registry.errors or nodes is None:
        return EXIT_CONFIG
    files = scrapyd.project_files(settings["ARCHIVER_CONFIG_DIR"])
    version = scrapyd.version_name(args.version or time.strftime("%Y%m%d%H%M%S"),
                                   scrapyd.content_digest(files))
    try:
        egg = scrapyd.build_egg(files, version)
    except subprocess.CalledProcessError as error:
        why = (error.stderr or b"").decode(errors="replace").strip().splitlines()[-1:]
        print(f"cannot build the project's egg: {''.join(why) or error}", file=sys.stderr)
        return EXIT_FAILED
    status = EXIT_OK
    for node in nodes:
        try:
            print(f"{node.name}: deployed version {version} "
                  f"({scrapyd.deploy(node, egg, version)} sites)")
        except scrapyd.ScrapydError as error:
            print(f"NOT deployed: {error}", file=sys.stderr)
            status = EXIT_FAILED
    return status


def cmd_dispatch(args: argparse.Namespace) -> int:
    from archiver import dispatch, scrapyd

    started = time.time()
    settings = settings_for(args)
    registry = load_registry(settings)
    report_config_errors(registry)
    output = Path(settings["ARCHIVER_OUTPUT_DIR"])
    names = select_sites(args, registry, output)
    nodes = parse_nodes(args.scrapyd)
    if names is None or nodes is None:
        return EXIT_CONFIG
    if not names:
        return EXIT_CONFIG if registry.errors or not args.due else EXIT_OK
    digest = scrapyd.content_digest(scrapyd.project_files(settings["ARCHIVER_CONFIG_DIR"]))
    ready, problems = dispatch.check_nodes(nodes, digest)
    print_node_problems(problems, ready)
    jobs = dispatch.schedule(names, ready, output, spider_args(args))
    print_scheduled(jobs)
    interrupted = args.wait and not wait_for(jobs, args.lost_after)
    codes = [job.exit_code for job in jobs] + [EXIT_CONFIG] * bool(registry.errors)
    status = EXIT_INTERRUPTED if interrupted else overall(codes)
    print_totals(jobs)
    document = {"command": "dispatch", "argv": mask_argv(nodes, sys.argv[1:]),
                "started": iso_time(started), "finished": iso_time(time.time()),
                "duration_seconds": round(time.time() - started, 3), "exit_code": status,
                "output": str(output), "version": digest, "waited": bool(args.wait),
                "nodes": {node.name: problems.get(node.name, "ready") for node in nodes},
                "sites": {job.site: job.as_report() for job in jobs}}
    write_dispatch_report(args.report, output, document)
    return status


def spider_args(args: argparse.Namespace) -> dict[str, str]:
    """crawl's options as the spider arguments of each job (Scrapyd passes them as `-a`)."""
    return {**({"full": "1"} if args.full else {}),
            **({"max_articles": str(args.max_articles)} if args.max_articles else {})}


def print_node_problems(problems: dict[str, str], ready: list) -> None:
    for name, problem in problems.items():
        print(f"scrapyd node {name} is {problem}: skipped, its share goes to the other nodes",
              file=sys.stderr)
    if not ready:
        down = all(problem.startswith("down") for problem in problems.values())
        print(f"no scrapyd node {'answered' if down else 'is ready'}: nothing dispatched",
              file=sys.stderr)


def print_scheduled(jobs) -> None:
    for job in jobs:
        if job.outcome == "scheduled":
            print(f"{job.site}: job {job.job} on {job.node.name}", flush=True)
        else:
            print(f"{job.site}: {job.outcome.upper()}: {job.reason}", flush=True)


def wait_for(jobs, lost_after: float) -> bool:
    """Print each site's outcome as its job ends; False when interrupted (Ctrl-C)."""
    from archiver.dispatch import Watch

    def silent(node, why: str) -> None:
        print(f"scrapyd node {node.name}: {why}; its jobs are given up if it stays silent for "
              f"{lost_after:g} s", file=sys.stderr, flush=True)

    try:
        Watch(jobs, print_outcome, lost_after, on_silence=silent).run()
    except KeyboardInterrupt:
        for job in jobs:
            if job.outcome == "scheduled":
                job.end("running", EXIT_INTERRUPTED, "still running when the wait was stopped")
        print("interrupted: the jobs keep running on their nodes; their reports will be in "
              "<output>/.reports/", file=sys.stderr)
        return False
    return True


def print_outcome(job) -> None:
    """One site's result, as `archiver crawl` would print it, from its job's report."""
    result = job.result or {}
    if job.outcome == "locked":
        print(f"{job.site}: skipped by the job on {job.node.name}: {job.reason}", flush=True)
        return
    if job.outcome != "finished":
        print(f"{job.site}: {job.outcome.upper()} (on {job.node.name}): {job.reason}", flush=True)
        return
    articles, images = result.get("articles", {}), result.get("images", {})
    print(f"{job.site} (on {job.node.name}): {articles.get('new', 0)} new, "
          f"{articles.get('already_archived', 0)} already archived, "
          f"{articles.get('failed', 0)} failed; images {images.get('fetched', 0)} fetched, "
          f"{images.get('failed', 0)} failed")
    for note in result.get("notes", []):
        print(f"  {note}")
    for failure in result.get("failures", []):
        print(f"  {failure.get('kind')} failed: {failure.get('url')}: {failure.get('reason')}")
    for flag in result.get("flagged", []):
        print(f"  archived but flagged: {flag.get('url')}: {flag.get('reason')}")
    for finding in result.get("health", []):
        # An event ({"code", "reason", ...}); a job of an older version wrote the words only.
        print(f"  health: {finding.get('reason') if isinstance(finding, dict) else finding}")
    if job.reason:
        print(f"  {job.reason}")
    sys.stdout.flush()


def print_totals(jobs) -> None:
    """The last lines: how many sites ended how, and what to do about the failed ones."""
    outcomes = Counter(job.outcome for job in jobs)
    print("sites: " + ", ".join(f"{n} {outcome}" for outcome, n in sorted(outcomes.items())))
    if any(job.exit_code == EXIT_FAILED for job in jobs):
        print("run the same dispatch again to resume the sites that failed")


def overall(codes: list[int]) -> int:
    """When sites end differently, the dispatch exits as crawl does (archiver.run.exitcodes)."""
    from archiver.run.exitcodes import combined_exit_code

    return combined_exit_code(codes)


def mask_argv(nodes, argv: list[str]) -> list[str]:
    for node in nodes:
        argv = [node.mask(arg) for arg in argv]
    return argv


def iso_time(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(seconds))


def write_dispatch_report(path: str | None, output: Path, document: dict) -> None:
    from archiver.dispatch import write_report

    report = Path(path) if path else output / ".reports" / (
        f"{time.strftime('%Y%m%d-%H%M%S')}-dispatch.json")
    try:
        write_report(report, document)
    except OSError as error:
        print(f"cannot write the report {report}: {error.strerror or error}", file=sys.stderr)
        return
    print(f"report: {report}")
