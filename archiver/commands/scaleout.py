"""Commands that spread crawls over Scrapyd nodes: deploy, dispatch (and dispatch --cancel)."""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from archiver.commands import args as types
from archiver.commands.common import (
    load_registry,
    report_config_errors,
    select_sites,
    settings_for,
)
from archiver.commands.dispatch_summary import (
    print_node_problems,
    print_outcome,
    print_scheduled,
    print_totals,
    totals,
)
from archiver.run.exitcodes import EXIT_CONFIG, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK

KEEP_VERSIONS = 5  # versions `deploy` keeps on each node (the one it adds included)


def add_node_options(parser: argparse.ArgumentParser) -> None:
    """The Scrapyd nodes to work with (deploy and dispatch)."""
    parser.add_argument("--scrapyd", action=types.UrlList, metavar="URL",
                        help="a Scrapyd node; repeat, or separate with commas (instead of the "
                        "targets of scrapy.cfg)")
    parser.add_argument("--target", action=types.NameList, metavar="NAME",
                        help="a [deploy:NAME] target of scrapy.cfg; repeat, or separate with "
                        "commas (default: every target)")


def add_deploy_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--version", metavar="NAME",
                        help="version name of the egg (default: the time)")
    parser.add_argument("--keep", type=types.count, default=KEEP_VERSIONS, metavar="N",
                        help="versions kept on each node, this one included; older ones are "
                        f"deleted (default {KEEP_VERSIONS})")
    parser.add_argument("-l", "--list-targets", action="store_true",
                        help="list the targets of scrapy.cfg and exit")


def add_dispatch_options(parser: argparse.ArgumentParser) -> None:
    """The options dispatch shares with crawl, and its own."""
    from archiver.dispatch_watch import LOST_AFTER

    parser.add_argument("--max-articles", type=types.count, metavar="N",
                        help="each job requests at most N new articles of its site")
    parser.add_argument("--full", action="store_true",
                        help="each job walks every list page of its site")
    parser.add_argument("--lost-after", type=float, default=LOST_AFTER, metavar="N",
                        help="with --wait: a node that has not answered for N seconds is lost "
                        f"and its sites run on the other nodes (default {LOST_AFTER:.0f})")
    parser.add_argument("--cancel", action="store_true",
                        help="stop the jobs of the last dispatch into the output folder, on "
                        "every node; their sites are reported interrupted")
    parser.add_argument("--report", metavar="FILE", help="where to write the dispatch's JSON "
                        "report (default: <output>/.reports/<time>-dispatch.json)")


def parse_nodes(args: argparse.Namespace):
    """The nodes: --scrapyd URLs, else the --target names of scrapy.cfg, else every target of
    scrapy.cfg; None after saying what is wrong."""
    from archiver.scrapyd import BadNodeURL, Node
    from archiver.targets import UnknownTarget, target_nodes

    try:
        if args.scrapyd:
            return [Node.parse(url) for url in dict.fromkeys(args.scrapyd)]
        nodes = target_nodes(args.target)
    except BadNodeURL as error:
        print(f"cannot use {'--scrapyd' if args.scrapyd else 'scrapy.cfg'}: {error}",
              file=sys.stderr)
        return None
    except UnknownTarget as error:
        print(f"cannot use --target: {error}", file=sys.stderr)
        return None
    if not nodes:
        print("no Scrapyd node: give --scrapyd URL, or name targets in scrapy.cfg "
              "([deploy:NAME] with url = http://host:6800)", file=sys.stderr)
        return None
    return nodes


def label(node) -> str:
    return f"{node.target} ({node.name})" if node.target else node.name


def cmd_deploy(args: argparse.Namespace) -> int:
    from archiver import scrapyd

    if args.list_targets:
        return list_targets()
    settings = settings_for(args)
    registry = load_registry(settings)
    report_config_errors(registry)
    nodes = parse_nodes(args)
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
            spiders = scrapyd.deploy(node, egg, version)
            deleted = scrapyd.prune_versions(node, args.keep, version)
        except scrapyd.ScrapydError as error:
            print(f"NOT deployed: {error}", file=sys.stderr)
            status = EXIT_FAILED
            continue
        print(f"{label(node)}: deployed version {version} ({spiders} sites)"
              + (f"; deleted {len(deleted)} older version(s): {', '.join(deleted)}"
                 if deleted else ""))
    return status


def list_targets() -> int:
    """scrapyd-deploy -l: each target of scrapy.cfg with its URL (password masked)."""
    from archiver.scrapyd import BadNodeURL, Node
    from archiver.targets import read_targets

    targets = read_targets()
    if not targets:
        print("no [deploy:NAME] target in scrapy.cfg", file=sys.stderr)
    for name, values in targets.items():
        try:
            shown = Node.parse(values.get("url", "")).name
        except BadNodeURL as error:
            shown = f"(bad url: {error})"
        print(f"{name:<20} {shown}")
    return EXIT_OK


def cmd_dispatch(args: argparse.Namespace) -> int:
    from archiver import dispatch, dispatch_record, scrapyd
    from archiver.dispatch_watch import Cluster

    started = time.time()
    settings = settings_for(args)
    output = Path(settings["ARCHIVER_OUTPUT_DIR"])
    nodes = parse_nodes(args)
    if nodes is None:
        return EXIT_CONFIG
    if args.cancel:
        return cancel_dispatch(args, output, nodes, started)
    registry = load_registry(settings)
    report_config_errors(registry)
    names = select_sites(args, registry, output)
    if names is None:
        return EXIT_CONFIG
    if not names:
        return EXIT_CONFIG if registry.errors or not args.due else EXIT_OK
    digest = scrapyd.content_digest(scrapyd.project_files(settings["ARCHIVER_CONFIG_DIR"]))
    ready, problems = dispatch.check_nodes(nodes, digest)
    print_node_problems(problems, ready)
    record = dispatch_record.Record.new(output, waiting=bool(args.wait))
    found = dispatch.reconcile(ready, output, names)
    cluster = Cluster(nodes, ready, problems)
    for node in nodes:
        if node.name in found.cancelled:
            ids = found.cancelled[node.name]
            cluster.set(node, f"ready: cancelled {len(ids)} job(s) an earlier dispatch had "
                        "replaced")
            print(f"scrapyd node {node.name}: cancelled {len(ids)} queued or running job(s) of "
                  f"earlier dispatches whose sites ran elsewhere: {', '.join(ids)}",
                  file=sys.stderr)
    jobs = dispatch.schedule(names, ready, output, spider_args(args), found)
    for job in jobs:
        if job.node and job.job and job.outcome == "scheduled":
            record.job(job.site, job.node.url, job.job)
    record.save()
    print_scheduled(jobs, args.verbose)
    interrupted = args.wait and not wait_for(jobs, args, cluster, record)
    dispatch.read_earlier(jobs)
    codes = [job.exit_code for job in jobs] + [EXIT_CONFIG] * bool(registry.errors)
    status = EXIT_INTERRUPTED if interrupted else overall(codes)
    document = {"command": "dispatch", "argv": mask_argv(nodes, sys.argv[1:]),
                "dispatch": record.id, "started": iso_time(started),
                "finished": iso_time(time.time()),
                "duration_seconds": round(time.time() - started, 3), "exit_code": status,
                "output": str(output), "version": digest, "waited": bool(args.wait),
                "nodes": cluster.states, "node_events": cluster.events,
                "totals": totals(jobs), "sites": {job.site: job.as_report() for job in jobs}}
    record.report = str(write_dispatch_report(args.report, output, document) or "")
    if any(job.exit_code in (EXIT_FAILED, EXIT_INTERRUPTED) for job in jobs):
        print("run the same dispatch again to resume the sites that failed or were stopped")
    print_totals(jobs, cluster, status)
    record.save()
    record.close()
    dispatch_record.prune(output)
    return status


def spider_args(args: argparse.Namespace) -> dict[str, str]:
    """crawl's options as the spider arguments of each job (Scrapyd passes them as `-a`)."""
    return {**({"full": "1"} if args.full else {}),
            **({"max_articles": str(args.max_articles)} if args.max_articles else {})}


def wait_for(jobs, args: argparse.Namespace, cluster, record) -> bool:
    """Print each site's outcome as its job ends; False when interrupted (Ctrl-C)."""
    from archiver.dispatch import start
    from archiver.dispatch_watch import Watch
    from archiver.progress import Ticker

    lost_after = args.lost_after

    def silent(node, why: str) -> None:
        print(f"scrapyd node {node.name}: {why}; it is lost if it stays silent for "
              f"{lost_after:g} s", file=sys.stderr, flush=True)

    # On a terminal, a progress line under the outcomes: sites done of those scheduled, the
    # rate and the time left (archiver.progress).
    progress = Ticker("sites", sum(job.outcome == "scheduled" for job in jobs))

    def say(kind: str, message: str) -> None:
        if kind != "requeue" or args.verbose:
            progress.finish()
            print(message, file=sys.stderr, flush=True)
            progress.tick(now_too=True)

    def requeue(job) -> bool:
        """The site's job again, on the least loaded healthy node (this dispatch's jobs)."""
        def load(each) -> int:
            return sum(1 for j in jobs if j.outcome == "scheduled" and j.node == each.node)

        previous = {"job": job.job, "node": job.node.name, "why": job.reason}
        for target in sorted(cluster.healthy(besides=job.node), key=load):
            if start(target, job, spider_args(args)) is None:
                job.earlier.append(previous)
                record.job(job.site, target.node.url, job.job)
                record.save()
                return True
        return False

    def ended(job) -> None:
        progress.finish()
        print_outcome(job, args.verbose)
        progress.tick(now_too=True)

    try:
        Watch(jobs, ended, lost_after, on_silence=silent, cluster=cluster, requeue=requeue,
              cancelled=record.cancelled, say=say).run()
        progress.finish()
    except KeyboardInterrupt:
        progress.finish()
        for job in jobs:
            if job.outcome == "scheduled":
                job.end("running", EXIT_INTERRUPTED, "still running when the wait was stopped")
        print("interrupted: the jobs keep running on their nodes; their reports will be in "
              "<output>/.reports/, and the next dispatch follows them", file=sys.stderr)
        return False
    return True


def cancel_dispatch(args: argparse.Namespace, output: Path, nodes, started: float) -> int:
    """Stop the last dispatch's jobs on every node: pending ones leave their queue, running
    ones stop gracefully (SIGINT), and their reports are awaited. Their sites are reported
    interrupted; a dispatch still waiting for them reports the same."""
    from archiver import dispatch, dispatch_record
    from archiver.dispatch_watch import Watch
    from archiver.scrapyd import BadNodeURL, Node, ScrapydError

    record = dispatch_record.last(output)
    if record is None:
        print(f"no dispatch recorded in {output / dispatch_record.FOLDER}: nothing to cancel")
        return EXIT_OK
    record.mark_cancelled()
    by_url = {node.url: node for node in nodes}

    def node_of(url: str):
        try:
            return by_url.get(url) or Node.parse(url)
        except BadNodeURL:
            return None

    jobs = []
    for site, entry in record.sites.items():
        for earlier in entry["earlier"]:  # replaced jobs: stopped too, quietly
            node = node_of(earlier["node"])
            try:
                node and node.cancel(earlier["job"])
            except ScrapydError:
                pass
        job = dispatch.SiteJob(site, node_of(entry["node"]), entry["job"],
                               dispatch.report_path(output, entry["job"]), output=output)
        try:
            before = job.node.cancel(job.job) if job.node else None
        except ScrapydError as error:
            job.end("not cancelled", EXIT_FAILED, str(error))
        else:
            if before == "pending":
                job.end("interrupted", EXIT_INTERRUPTED, "cancelled before it started; the "
                        "next run crawls the site")
            elif before is None:
                job.end(*dispatch.read_result(job)) if job.report.exists() else \
                    job.end("not running", EXIT_OK, "the job had ended; nothing to cancel")
        jobs.append(job)
    print(f"dispatch {record.id}: cancelling the jobs of {len(jobs)} site(s)")
    for job in jobs:
        if job.outcome != "scheduled":  # ended at once: pending, gone, or its node unreachable
            print_outcome(job, True)
    Watch(jobs, lambda job: print_outcome(job, True), lost_after=args.lost_after).run()
    failed = any(job.outcome in ("not cancelled", "lost") for job in jobs)
    status = EXIT_FAILED if failed else EXIT_OK
    print(f"total: {len(jobs)} site(s): " + ", ".join(
        f"{n} {o}" for o, n in sorted(Counter(job.outcome for job in jobs).items()))
        + f" (exit {status})")
    document = {"command": "dispatch", "cancel": True, "argv": mask_argv(nodes, sys.argv[1:]),
                "dispatch": record.id, "started": iso_time(started),
                "finished": iso_time(time.time()), "exit_code": status, "output": str(output),
                "sites": {job.site: job.as_report() for job in jobs}}
    write_dispatch_report(args.report, output, document, "dispatch-cancel")
    return status


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


def write_dispatch_report(path: str | None, output: Path, document: dict,
                          name: str = "dispatch") -> Path | None:
    from archiver.dispatch import write_report
    from archiver.run.report import default_report_path

    report = Path(path) if path else default_report_path(output, name)
    try:
        write_report(report, document)
    except OSError as error:
        print(f"cannot write the report {report}: {error.strerror or error}", file=sys.stderr)
        return None
    print(f"report: {report}")
    return report
