"""What `archiver dispatch` prints: readable at 100 sites. One line per site with a problem
(every line of every site with -v, as `archiver crawl` prints them), node events, and a
totals line like crawl's, last; everything else is in the JSON report."""

from __future__ import annotations

import sys
from collections import Counter

from archiver.run.exitcodes import EXIT_OK, ExitCode


def print_node_problems(problems: dict[str, str], ready: list) -> None:
    for name, problem in problems.items():
        print(f"scrapyd node {name} is {problem}: skipped, its share goes to the other nodes",
              file=sys.stderr)
    if not ready:
        down = all(problem.startswith("down") for problem in problems.values())
        print(f"no scrapyd node {'answered' if down else 'is ready'}: nothing dispatched",
              file=sys.stderr)


def print_scheduled(jobs, verbose: bool) -> None:
    """Each site's job (-v), or one line of how many went where; a site not scheduled always
    gets its line."""
    for job in jobs:
        if job.outcome != "scheduled":
            print(f"{job.site}: {job.outcome.upper()}: {job.reason}", flush=True)
        elif verbose:
            print(f"{job.site}: job {job.job} on {job.node.name}"
                  + (f" (adopted from dispatch {job.adopted})" if job.adopted else ""),
                  flush=True)
    placed = Counter(job.node.name for job in jobs if job.outcome == "scheduled")
    adopted = sum(1 for job in jobs if job.adopted)
    if placed:
        print(f"scheduled {sum(placed.values())} site(s): "
              + ", ".join(f"{n} on {name}" for name, n in placed.items())
              + (f" ({adopted} already queued or running there, followed)" if adopted else ""),
              flush=True)


def problem(job) -> bool:
    return job.outcome != "finished" or job.exit_code != EXIT_OK


def print_outcome(job, verbose: bool) -> None:
    """One site's result from its job's report: every line with -v (as `archiver crawl` prints
    them), else one line, for a site with a problem only."""
    if not verbose and not problem(job):
        return
    lines = outcome_lines(job)
    for line in lines if verbose else lines[:1]:
        print(line)
    sys.stdout.flush()


def outcome_lines(job) -> list[str]:
    """The site's lines: its outcome, or for a finished job the lines `archiver crawl` prints,
    rendered from the job's JSON report (data from the shared folder: any shape is read)."""
    where = f"{job.site} (on {job.node.name if job.node else 'no node'}, job {job.job or '-'})"
    if job.outcome != "finished":
        return [f"{where}: {job.outcome.upper()}: {job.reason}"]
    lines = report_lines(where, job.result if isinstance(job.result, dict) else {})
    if job.exit_code and len(lines) == 1 and job.reason:
        lines.append(f"  {job.reason}")
    if job.exit_code and len(lines) > 1:
        lines[0] += f" ({len(lines) - 1} more line(s) with -v and in the report)"
    return lines


# The lists of a site's report that name something to look at, in the order crawl prints
# them, and how a line of each begins.
PROBLEM_LISTS = {"failures": "", "flagged": "archived but flagged", "gone": "gone",
                 "offsite": "not archived", "changed_articles": "changed", "health": "health"}


def report_lines(where: str, result: dict) -> list[str]:
    def figure(group: str, key: str) -> object:
        part = result.get(group)
        return part.get(key, 0) if isinstance(part, dict) else 0

    lines = [f"{where}: {figure('articles', 'new')} new, "
             f"{figure('articles', 'already_archived')} already archived, "
             f"{figure('articles', 'failed')} dropped or failed; images "
             f"{figure('images', 'fetched')} fetched, {figure('images', 'failed')} failed"]
    if result.get("unreachable"):
        lines = [f"{where}: UNREACHABLE: {problem_line('unreachable', result['unreachable'])}"]
    notes = result.get("notes")
    lines += [f"  {note}" for note in notes if isinstance(note, str)] \
        if isinstance(notes, list) else []
    for name in PROBLEM_LISTS:
        items = result.get(name)
        lines += [f"  {problem_line(name, item)}" for item in items] \
            if isinstance(items, list) else []
    return lines


def problem_line(section: str, item: object) -> str:
    """One failure, flag or health line; an image's names its article."""
    if not isinstance(item, dict):
        return f"health: {item}" if section == "health" else str(item)
    if section == "health":  # an event; its reason says it all (its URL is in the report)
        return f"health: {item.get('reason') or item.get('code') or ''}"
    kind = str(item.get("kind") or section)
    what = PROBLEM_LISTS.get(section) or f"{kind} failed" if section != "unreachable" else ""
    url = str(item.get("url") or "")
    article = f" (in {item['article']})" if item.get("article") else ""
    parts = [part for part in (what, url + article, str(item.get("reason") or "")) if part]
    return ": ".join(parts)


def totals(jobs) -> dict:
    """What all sites did together, and per node (the node that ran each site's last job)."""
    def one(result, group: str, key: str) -> int:
        part = result.get(group) if isinstance(result, dict) else None
        value = part.get(key, 0) if isinstance(part, dict) else 0
        return value if isinstance(value, int) else 0

    def figure(job, group: str, key: str) -> int:
        """The site's figure: its job's, plus what replaced jobs that reported (their new
        articles are "already archived" to the job that replaced them)."""
        if (group, key) == ("articles", "already_archived"):
            made = sum(one(e.get("result"), "articles", "new") for e in job.earlier)
            return max(0, one(job.result, group, key) - made)
        return one(job.result, group, key) + sum(one(e.get("result"), group, key)
                                                 for e in job.earlier)

    def add(into: dict, job) -> None:
        into["sites"] = into.get("sites", 0) + 1
        for group, key, name in (("articles", "new", "new_articles"),
                                 ("articles", "already_archived", "already_archived"),
                                 ("articles", "failed", "failed_articles"),
                                 ("images", "fetched", "images"),
                                 ("images", "failed", "failed_images")):
            into[name] = into.get(name, 0) + figure(job, group, key)

    everything: dict = {"outcomes": dict(Counter(job.outcome for job in jobs))}
    per_node: dict[str, dict] = {}
    for job in jobs:
        add(everything, job)
        if job.node and job.job:
            add(per_node.setdefault(job.node.name, {}), job)
    everything["rerun_after_node_loss"] = sum(1 for job in jobs if job.earlier)
    everything["nodes"] = per_node
    return everything


def print_totals(jobs, cluster, status: int) -> None:
    """The last line: the totals, like crawl's (articles, images, failures, per node)."""
    sums = totals(jobs)
    outcomes = ", ".join(f"{n} {outcome}" for outcome, n in sorted(sums["outcomes"].items()))
    moved = sums["rerun_after_node_loss"]
    nodes = "; ".join(
        f"{short(name, cluster)}: {each['sites']} site(s), {each['new_articles']} new"
        for name, each in sums["nodes"].items())
    lost = [short(name, cluster) for name, state in cluster.states.items()
            if state.startswith("lost")]
    print(f"total: {sums.get('sites', 0)} site(s) ({outcomes}); articles "
          f"{sums.get('new_articles', 0)} new, {sums.get('already_archived', 0)} already "
          f"archived, {sums.get('failed_articles', 0)} failed; images {sums.get('images', 0)} "
          f"fetched, {sums.get('failed_images', 0)} failed; per node: {nodes or 'none'}"
          + (f"; lost: {', '.join(lost)} ({moved} site(s) ran again elsewhere)"
             if lost or moved else "")
          + f"; {ExitCode(status).verdict} (exit {status})")


def short(name: str, cluster) -> str:
    node = next((node for node in cluster.nodes if node.name == name), None)
    return (node.target or node.short) if node else name
