"""Node loss on a real cluster: three Scrapyd nodes (each its own port and folders), 30 tiny
sites, one `dispatch --wait`; one node killed for good with its crawls, another killed and
started again holding its queued jobs. Every site is crawled by the end of the same dispatch,
the report agrees with the archive, and the next dispatch finds nothing running unseen."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from archiver.dispatch import last_dispatch
from archiver.dispatch_record import known_jobs
from archiver.scrapyd import Node
from tests.conftest import PROXY_VARS, ROOT, run_archiver, wait_until
from tests.sitebuilder import Article
from tests.test_scrapyd import deploy, dispatch, dispatch_report, fixture_sites, start_scrapyd, stop

SITES = 30


@pytest.fixture
def two_scrapyds(tmp_path):
    """Two Scrapyd nodes: (process, url) each."""
    started = [start_scrapyd(tmp_path / f"node{i}") for i in (1, 2)]
    yield started
    for proc, _ in started:
        stop(proc)


@pytest.fixture
def two_nodes(two_scrapyds):
    return [url for _, url in two_scrapyds]


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
    expected = fixture_sites(server, configs, count=SITES, images=True)
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
        queued_on_c = [job.spider for job in active_jobs(c) if job.state == "pending"]
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
        b_states = [e["state"] for e in report["node_events"] if e["node"] == b]
        assert b_states[0].startswith("lost") and b_states[1] == "back: answers again"
        # b came back holding its queue (Scrapyd keeps it across a restart): those jobs had
        # run elsewhere, and were cancelled there and then.
        assert any(state.startswith("back: cancelled") for state in b_states), b_states
        for site, files in expected.items():
            entry = report["sites"][site]
            assert (entry["outcome"], entry["exit_code"]) == ("finished", 0), (site, entry)
            archived = {p.relative_to(out / site).as_posix() for p in (out / site).rglob("*")
                        if p.is_file() and not p.name.startswith(".")}
            assert archived == files, site  # every article and image, each once, nothing else
            articles = entry["result"]["articles"]
            assert articles["new"] + articles["already_archived"] == 3, site
            assert entry["job_report"].endswith(f"dispatch-{entry['job']}.json")
        moved = [site for site in on_c if report["sites"][site]["node"] != c]
        for site in on_c:
            entry = report["sites"][site]
            if site in moved:  # ran again elsewhere, the lost job named
                assert entry["earlier_jobs"][0]["node"] == c, site
            else:  # its crawl ended before the kill: its report is its outcome
                assert entry["earlier_jobs"] == [] and Path(entry["job_report"]).exists()
        assert queued_on_c and set(queued_on_c) <= set(moved)  # c died with jobs queued
        assert report["totals"]["rerun_after_node_loss"] >= len(moved)
        new = sum(s["result"]["articles"]["new"] for s in report["sites"].values())
        assert new <= SITES * 3 and sum(len(f) for f in expected.values()) == SITES * 6
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



def test_named_targets_of_scrapy_cfg_and_old_versions_deleted(server, tmp_path, two_nodes):
    nodes = two_nodes
    configs, out, project = tmp_path / "configs", tmp_path / "out", tmp_path / "project"
    expected = fixture_sites(server, configs, count=1)
    project.mkdir()
    (project / "scrapy.cfg").write_text(f"""[settings]
default = archiver.settings

[deploy:first]
url = {nodes[0]}/

[deploy:second]
url = {nodes[1]}/
""")
    env = {"HOME": str(tmp_path)}  # no ~/.scrapy.cfg nor ~/.netrc of the machine

    def archiver(*args: str):
        return run_archiver("--config-dir", str(configs), *args, cwd=project, env=env,
                            timeout=240)

    listed = archiver("deploy", "-l")
    assert listed.returncode == 0
    assert [line.split() for line in listed.stdout.splitlines()] == [
        ["first", nodes[0]], ["second", nodes[1]]]
    everywhere = archiver("deploy", "--version", "v1")  # every target by default
    assert everywhere.returncode == 0, everywhere.stdout + everywhere.stderr
    assert f"first ({nodes[0]}): deployed version v1-" in everywhere.stdout
    assert f"second ({nodes[1]}): deployed version v1-" in everywhere.stdout
    for label in ("v2", "v3"):
        again = archiver("deploy", "--target", "first", "--version", label, "--keep", "2")
        assert again.returncode == 0, again.stdout + again.stderr
    assert [v.split("-")[0] for v in Node.parse(nodes[0]).versions()] == ["v2", "v3"]
    assert "deleted 1 older version(s): v1-" in again.stdout
    assert [v.split("-")[0] for v in Node.parse(nodes[1]).versions()] == ["v1"]

    result = archiver("dispatch", "site0", "--wait", "--target", "second", "--output", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    report = dispatch_report(out)
    assert set(report["nodes"]) == {nodes[1]} and report["sites"]["site0"]["node"] == nodes[1]
    assert {p.name for p in (out / "site0").glob("*.md")} == expected["site0"]
    unknown = archiver("dispatch", "site0", "--target", "third", "--output", str(out))
    assert unknown.returncode == 2 and "no target third in scrapy.cfg" in unknown.stderr


def test_dispatch_cancel_stops_the_running_jobs_and_the_next_run_resumes(server, tmp_path,
                                                                        two_nodes):
    nodes = two_nodes
    configs, out = tmp_path / "configs", tmp_path / "out"
    expected = fixture_sites(server, configs, count=4)
    assert deploy(configs, *nodes).returncode == 0
    lists = [f"/site{n}/list.htm" for n in range(4)]
    for path in lists:  # each job waits for its list page when it is cancelled
        server.replies[path] = dataclasses.replace(server.replies[path], delay=6.0)
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
    waiting = subprocess.Popen(
        [sys.executable, "-m", "archiver.cli", "--config-dir", str(configs), "dispatch",
         "--all", "--wait", "--scrapyd", ",".join(nodes), "--output", str(out)], cwd=ROOT,
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_until(lambda: all(server.hits[path] for path in lists), "4 crawls under way",
               process=waiting)
    cancel = run_archiver("--config-dir", str(configs), "dispatch", "--cancel", "--scrapyd",
                          ",".join(nodes), "--output", str(out), timeout=120)
    assert cancel.returncode == 0, cancel.stdout + cancel.stderr
    [path] = (out / ".reports").glob("*-dispatch-cancel.json")
    stopped = json.loads(path.read_text(encoding="utf-8"))["sites"]
    assert {site: entry["outcome"] for site, entry in stopped.items()} == dict.fromkeys(
        expected, "interrupted")
    assert all(entry["exit_code"] == 130 for entry in stopped.values())
    for url in nodes:
        assert not active_jobs(url)
    seen = last_dispatch(out)  # what `archiver status` shows, from the archive alone
    assert {entry["outcome"] for entry in seen["sites"].values()} == {"interrupted"}
    assert seen["cancelled"]
    stdout, stderr = waiting.communicate(timeout=60)  # the dispatch that waited says the same
    assert waiting.returncode == 130, stdout + stderr
    report = dispatch_report(out)
    assert {entry["outcome"] for entry in report["sites"].values()} == {"interrupted"}
    # Without -v, one line per site with a problem, and the totals last.
    lines = stdout.splitlines()
    for site in expected:
        assert len([line for line in lines if line.startswith(f"{site} ")]) == 1, stdout
    assert lines[-1].startswith("total: 4 site(s) (4 interrupted)"), stdout

    for path in lists:
        server.replies[path] = dataclasses.replace(server.replies[path], delay=0)
    rerun = dispatch(configs, out, nodes, "--all", "--wait")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    lines = rerun.stdout.splitlines()  # nothing to say about sites that went well
    assert len(lines) == 3 and lines[0].startswith("scheduled 4 site(s): 2 on"), rerun.stdout
    assert lines[-1].startswith("total: 4 site(s) (4 finished); articles 12 new"), rerun.stdout
    seen = last_dispatch(out)
    assert not seen["running"] and not seen["cancelled"]
    assert {entry["outcome"] for entry in seen["sites"].values()} == {"finished"}
    for site, files in expected.items():
        assert {p.name for p in (out / site).glob("*.md")} == files, site



def test_a_crawl_that_outlives_its_scrapyd_is_waited_for_and_its_report_read(server, tmp_path,
                                                                              two_scrapyds):
    configs, out = tmp_path / "configs", tmp_path / "out"
    expected = fixture_sites(server, configs, count=2)
    nodes = [url for _, url in two_scrapyds]
    assert deploy(configs, *nodes).returncode == 0
    path = Article(960100, "").path  # site1's first article
    server.replies[path] = dataclasses.replace(server.replies[path], delay=8.0)
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
    proc = subprocess.Popen(
        [sys.executable, "-m", "archiver.cli", "--config-dir", str(configs), "dispatch",
         "--all", "--wait", "--lost-after", "2", "--scrapyd", ",".join(nodes), "--output",
         str(out)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    wait_until(lambda: server.hits[path], "site1's crawl under way", process=proc)
    where = next(i for i, url in enumerate(nodes)
                 if any(job.spider == "site1" for job in active_jobs(url)))
    two_scrapyds[where][0].kill()  # Scrapyd alone dies; its crawl process runs on
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stdout + stderr
    assert f"scrapyd node {nodes[where]} is lost" in stderr
    assert "site1: node lost" in stderr and "its lock is held by process" in stderr
    entry = dispatch_report(out)["sites"]["site1"]
    # Its outcome is the report its crawl wrote, on the lost node, not "lost"; no second job.
    assert (entry["outcome"], entry["exit_code"], entry["node"]) == ("finished", 0, nodes[where])
    assert entry["earlier_jobs"] == [] and entry["result"]["articles"]["new"] == 3
    assert dispatch_report(out)["nodes"][nodes[where]].startswith("lost")
    for site, files in expected.items():
        assert {p.name for p in (out / site).glob("*.md")} == files, site


def test_the_next_dispatch_stops_a_replaced_job_still_running_then_runs_the_site(
        server, tmp_path, two_nodes):
    from archiver.dispatch_record import Record

    configs, out = tmp_path / "configs", tmp_path / "out"
    expected = fixture_sites(server, configs, count=1)
    node = Node.parse(two_nodes[0])
    assert deploy(configs, two_nodes[0]).returncode == 0
    # An earlier dispatch, finished, replaced site0's job "old" (its node was lost) by "new".
    record = Record(out / ".dispatch", "20260101-000000-abcdef", "2026-01-01T00:00:00+0000")
    record.folder.mkdir(parents=True)
    record.job("site0", node.url, "site0-old")
    record.job("site0", node.url, "site0-new")
    record.save()
    # The node came back and runs "old" after all, slowly: it holds site0's lock.
    lists = "/site0/list.htm"
    server.replies[lists] = dataclasses.replace(server.replies[lists], delay=4.0)
    node.call("schedule.json", {
        "project": "archiver", "spider": "site0", "jobid": "site0-old",
        "_version": node.versions()[-1],
        "setting": [f"ARCHIVER_OUTPUT_DIR={out}",
                    f"ARCHIVER_JOB_REPORT={out}/.reports/dispatch-site0-old.json"]})
    wait_until(lambda: server.hits[lists], "the old job under way")
    server.replies[lists] = dataclasses.replace(server.replies[lists], delay=0)

    result = dispatch(configs, out, two_nodes[:1], "site0", "--wait")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "cancelled 1 queued or running job(s)" in result.stderr
    entry = dispatch_report(out)["sites"]["site0"]
    assert (entry["outcome"], entry["exit_code"]) == ("finished", 0)
    assert entry["job"] not in ("site0-old", "site0-new")
    assert {p.name for p in (out / "site0").glob("*.md")} == expected["site0"]
    assert not active_jobs(two_nodes[0])
