"""Node loss on a real cluster: three Scrapyd nodes (each its own port and folders), 30 tiny
sites, one `dispatch --wait`; one node killed for good with its crawls, another killed and
started again holding its queued jobs. Every site is crawled by the end of the same dispatch,
the report agrees with the archive, and the next dispatch finds nothing running unseen."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import threading

from archiver.dispatch_record import known_jobs
from archiver.scrapyd import Node
from tests.conftest import PROXY_VARS, ROOT, run_archiver, wait_until
from tests.sitebuilder import Article
from tests.test_scrapyd import deploy, dispatch, dispatch_report, fixture_sites, start_scrapyd, stop

SITES = 30


def slow_articles(server, sites: int, seconds: float) -> None:
    """Every article answers after `seconds`: a job is under way for a while after its list
    page was read, so a node killed then dies with crawls running."""
    for n in range(sites):
        for i in range(3):
            path = Article(960000 + n * 100 + i, "").path
            server.replies[path] = dataclasses.replace(server.replies[path], delay=seconds)


def active_jobs(url: str) -> list:
    return [job for job in Node.parse(url).jobs() if job.state != "finished"]


def test_nodes_lost_and_restarted_mid_run_every_site_is_crawled(server, tmp_path):
    configs, out = tmp_path / "configs", tmp_path / "shared-out"
    expected = fixture_sites(server, configs, count=SITES)
    slow_articles(server, SITES, 0.5)
    procs, nodes = {}, []
    for name in ("a", "b", "c"):
        procs[name], url = start_scrapyd(tmp_path / name)
        nodes.append(url)
    a, b, c = nodes
    try:
        assert deploy(configs, *nodes).returncode == 0
        env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
        proc = subprocess.Popen(
            [sys.executable, "-m", "archiver.cli", "--config-dir", str(configs), "dispatch",
             "--all", "--wait", "-v", "--lost-after", "2", "--scrapyd", ",".join(nodes),
             "--output", str(out)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        said: list[str] = []
        reader = threading.Thread(target=lambda: said.extend(proc.stderr), daemon=True)
        reader.start()
        placed: dict[str, str] = {}
        while len(placed) < SITES:  # "site: job ID on URL" (-v)
            line = proc.stdout.readline()
            assert line, "".join(said)
            site, _, rest = line.partition(": job ")
            placed[site] = rest.rsplit(" on ", 1)[1].strip()
        on_c = [site for site, url in placed.items() if url == c]
        on_b = [site for site, url in placed.items() if url == b]
        # Both die with crawls under way (their list pages read) and jobs still queued.
        wait_until(lambda: any(server.hits[f"/{s}/list.htm"] for s in on_c)
                   and any(server.hits[f"/{s}/list.htm"] for s in on_b), "crawls on b and c")
        queued_on_b = [job.id for job in active_jobs(b) if job.state == "pending"]
        stop(procs["c"])
        stop(procs["b"])
        assert queued_on_b
        wait_until(lambda: any(f"scrapyd node {b} is lost" in line for line in said),
                   "node b given up", process=proc)
        port = int(b.rsplit(":", 1)[1])
        procs["b"], _ = start_scrapyd(tmp_path / "b", port=port)  # back, with its old queue
        stdout, _ = proc.communicate(timeout=240)
        reader.join(timeout=5)
        stderr = "".join(said)
        assert proc.returncode == 0, stdout + stderr
        report = dispatch_report(out)

        # Every site crawled, by the same dispatch; the report says where and agrees with
        # the archive, file by file.
        assert report["exit_code"] == 0
        assert report["nodes"][c].startswith("lost")
        assert report["nodes"][b].startswith("back")
        lost_states = [e["state"] for e in report["node_events"] if e["node"] in (b, c)]
        assert any(state.startswith("lost") for state in lost_states)
        for site, files in expected.items():
            entry = report["sites"][site]
            assert (entry["outcome"], entry["exit_code"]) == ("finished", 0), (site, entry)
            assert {p.name for p in (out / site).glob("*.md")} == files, site
            articles = entry["result"]["articles"]
            assert articles["new"] + articles["already_archived"] == 3, site
            assert entry["job_report"].endswith(f"dispatch-{entry['job']}.json")
        for site in on_c:  # ran again elsewhere, the lost job named
            entry = report["sites"][site]
            assert entry["node"] != c and entry["earlier_jobs"][0]["node"] == c, site
        assert report["totals"]["rerun_after_node_loss"] >= len(on_c)
        new = sum(s["result"]["articles"]["new"] for s in report["sites"].values())
        assert new <= SITES * 3 and sum(len(f) for f in expected.values()) == SITES * 3
        assert not list(out.rglob("*.part"))
        assert run_archiver("check", "--output", str(out)).returncode == 0

        # Nothing runs unseen: whatever b still holds is a job the records know as replaced.
        known = known_jobs(out)
        for job in active_jobs(b) + active_jobs(a):
            assert job.id in known and not known[job.id].current, job
        # The next dispatch cancels those and finds nothing busy.
        again = dispatch(configs, out, [a, b], "--all")
        assert again.returncode == 0, again.stdout + again.stderr
        assert "BUSY" not in again.stdout
        after = dispatch_report(out)
        assert {entry["outcome"] for entry in after["sites"].values()} == {"scheduled"}
        current = {entry["job"] for entry in after["sites"].values()}
        for url in (a, b):
            assert {job.id for job in active_jobs(url)} <= current
        assert not set(queued_on_b) & {job.id for job in active_jobs(b)}
    finally:
        for each in procs.values():
            stop(each)

