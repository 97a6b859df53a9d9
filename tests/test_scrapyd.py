"""Scale-out: real Scrapyd processes on loopback ports, the project deployed to them, `archiver
dispatch` over fixture sites; nodes that die, forget their jobs, run an old egg or want a
password."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archiver.archive import urlname
from archiver.archive.layout import image_file_name
from archiver.dispatch import Ready, SiteJob, prune_reports, read_result, schedule
from archiver.dispatch_watch import Watch
from archiver.scrapyd import BadNodeURL, Node
from tests.conftest import (
    PROXY_VARS,
    ROOT,
    run_archiver,
    site_config,
    wait_until,
    write_config,
)
from tests.sitebuilder import PNG, Article, list_page

SCRAPYD = Path(os.environ.get("VIRTUAL_ENV", ROOT / ".venv")) / "bin" / "scrapyd"
SCRAPYD = SCRAPYD if SCRAPYD.exists() else Path(shutil.which("scrapyd") or "scrapyd")
PASSWORD = "s3cret-Pw-81"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_scrapyd(folder: Path, extra: str = "", port: int | None = None, max_proc: int = 2
                  ) -> tuple[subprocess.Popen, str]:
    """A Scrapyd in its own session (so a test can kill it with its jobs), once it listens.
    Started again in the same folder on the same port, it is the same node restarted, with
    the queue it had (Scrapyd keeps pending jobs in an SQLite file of its dbs_dir)."""
    folder.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    (folder / "scrapyd.conf").write_text(f"""[scrapyd]
bind_address = 127.0.0.1
http_port = {port}
eggs_dir = {folder}/eggs
logs_dir = {folder}/logs
items_dir =
dbs_dir = {folder}/dbs
max_proc = {max_proc}
poll_interval = 0.2
{extra}""")
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
    env.pop("ARCHIVER_CONFIG_DIR", None)
    proc = subprocess.Popen([str(SCRAPYD)], cwd=folder, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    wait_until(lambda: listens(port), f"Scrapyd listening on port {port}", process=proc)
    return proc, f"http://127.0.0.1:{port}"


def listens(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
    except OSError:
        return False
    return True


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # Scrapyd and the crawls it started
    except ProcessLookupError:
        pass
    proc.wait(timeout=10)


@pytest.fixture
def cluster(tmp_path):
    """Two Scrapyd nodes: (process, url) each."""
    started = [start_scrapyd(tmp_path / f"node{i}") for i in (1, 2)]
    yield started
    for proc, _ in started:
        stop(proc)


@pytest.fixture
def nodes(cluster):
    return [url for _, url in cluster]


def fixture_sites(server, configs: Path, count: int = 4, images: bool = False
                  ) -> dict[str, set[str]]:
    """`count` sites on the fixture server, each with its own list of 3 articles (site0's list
    has a second, empty page), each article with one image if `images`; the file names each
    site should archive (images as images/NAME)."""
    expected = {}
    for n in range(count):
        articles = [Article(960000 + n * 100 + i, f"站点{n}新闻{i}",
                            images=[f"/site{n}/img{i}.png"] if images else [])
                    for i in range(3)]
        for article in articles:
            server.add(article.path, article.page(), content_type="text/html")
            for src in article.images:
                server.add(src, PNG, content_type="image/png")
        more = "/site0/list2.htm" if n == 0 else "javascript:void(0);"
        server.add(f"/site{n}/list.htm", list_page(articles, more))
        write_config(configs, site_config(f"site{n}", start_urls=[server.url(f"/site{n}/list.htm")]))
        expected[f"site{n}"] = {f"{urlname(server.url(a.path))}.md" for a in articles} | {
            f"images/{image_file_name(server.url(src))}" for a in articles for src in a.images}
    server.add("/site0/list2.htm", list_page([], "javascript:void(0);"))
    return expected


def slow_down(server, site: int, seconds: float = 60) -> str:
    """The site's articles answer only after `seconds`: its job stays running. Returns the path
    of its first article (whose hit says the job is under way)."""
    paths = [Article(960000 + site * 100 + i, "").path for i in range(3)]
    for path in paths:
        server.replies[path] = dataclasses.replace(server.replies[path], delay=seconds)
    return paths[0]


def wait_for_hit(server, path: str) -> None:
    wait_until(lambda: server.hits[path], f"request of {path}")


def dispatch_report(out: Path) -> dict:
    """The newest dispatch report of the archive."""
    newest = max((out / ".reports").glob("*-dispatch.json"), key=lambda p: p.stat().st_mtime_ns)
    return json.loads(newest.read_text(encoding="utf-8"))


def deploy(configs: Path, *nodes: str):
    """`archiver deploy` to the nodes, given in one --scrapyd separated by commas."""
    return run_archiver("--config-dir", str(configs), "deploy", "--scrapyd", ",".join(nodes))


def dispatch(configs: Path, out: Path, nodes: list[str], *args: str, env: dict | None = None):
    """`archiver dispatch ARGS`; the nodes in one --scrapyd, separated by commas."""
    return run_archiver("--config-dir", str(configs), "dispatch", *args, "--scrapyd",
                        ",".join(nodes), "--output", str(out), env=env, timeout=240)


def test_dispatch_spreads_sites_over_nodes_with_crawls_options(server, tmp_path, nodes):
    configs, out = tmp_path / "configs", tmp_path / "shared-out"
    expected = fixture_sites(server, configs, count=2)
    deployed = deploy(configs, *nodes)
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    assert deployed.stdout.count("deployed version") == 2

    first = dispatch(configs, out, nodes, "--all", "--wait", "--max-articles", "2")
    assert first.returncode == 0, first.stdout + first.stderr
    report = dispatch_report(out)
    assert report["exit_code"] == 0 and set(report["sites"]) == set(expected)
    assert {s["node"] for s in report["sites"].values()} == set(nodes)  # both nodes got work
    for site, entry in report["sites"].items():
        assert (entry["outcome"], entry["exit_code"]) == ("finished", 0), site
        assert entry["result"]["articles"]["new"] == 2, site  # --max-articles reached the job
        assert len(list((out / site).glob("*.md"))) == 2

    rest = dispatch(configs, out, nodes, "--all", "--wait")
    assert rest.returncode == 0, rest.stdout + rest.stderr
    for site, files in expected.items():
        assert {p.name for p in (out / site).glob("*.md")} == files, site
        assert dispatch_report(out)["sites"][site]["result"]["articles"]["new"] == 1

    # A plain run stops at site0's first list page (nothing new there); --full walks on.
    walked = server.hits["/site0/list2.htm"]
    full = dispatch(configs, out, nodes, "site0", "--wait", "--full")
    assert full.returncode == 0, full.stdout + full.stderr
    assert server.hits["/site0/list2.htm"] == walked + 1
    assert dispatch_report(out)["sites"]["site0"]["result"]["articles"]["already_archived"] == 3


def test_a_site_running_on_one_node_is_not_scheduled_again(server, tmp_path, nodes):
    configs, out = tmp_path / "configs", tmp_path / "out"
    fixture_sites(server, configs, count=1)
    deploy(configs, *nodes)
    first_article = slow_down(server, 0)
    first = dispatch(configs, out, nodes, "site0")
    started = dispatch_report(out)
    assert first.returncode == 0 and started["sites"]["site0"]["outcome"] == "scheduled"
    wait_for_hit(server, first_article)
    # The next dispatch into the same archive knows the job (the dispatch records of
    # <output>/.dispatch/) and follows it instead of starting another.
    second = dispatch(configs, out, nodes, "site0")
    assert second.returncode == 0, second.stdout + second.stderr
    entry = dispatch_report(out)["sites"]["site0"]
    assert (entry["outcome"], entry["job"], entry["adopted_from"]) == (
        "scheduled", started["sites"]["site0"]["job"], started["dispatch"])
    # A job nobody known to this archive scheduled (here: a dispatch into another folder)
    # makes the site busy, as crawl on a locked site, naming the job.
    other = tmp_path / "other"
    third = dispatch(configs, other, nodes, "site0")
    assert third.returncode == 3, third.stdout + third.stderr
    entry = dispatch_report(other)["sites"]["site0"]
    assert (entry["outcome"], entry["exit_code"]) == ("busy", 3)
    assert entry["node"] in nodes and entry["job"] == started["sites"]["site0"]["job"]


def test_a_node_killed_during_wait_has_its_site_run_on_the_other_node(server, tmp_path,
                                                                      cluster):
    configs, out = tmp_path / "configs", tmp_path / "out"
    expected = fixture_sites(server, configs, count=2)
    nodes = [url for _, url in cluster]
    deploy(configs, *nodes)
    stuck_article = slow_down(server, 1)
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
    proc = subprocess.Popen(
        [sys.executable, "-m", "archiver.cli", "--config-dir", str(configs), "dispatch", "--all",
         "--wait", "-v", "--lost-after", "2", "--scrapyd", ",".join(nodes), "--output",
         str(out)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    scheduled, jobs = {}, {}
    while len(scheduled) < 2:  # "site: job ID on URL", printed as each job is scheduled (-v)
        line = proc.stdout.readline()
        assert line, proc.stderr.read()
        site, _, rest = line.partition(": job ")
        jobs[site], scheduled[site] = (part.strip() for part in rest.rsplit(" on ", 1))
    assert scheduled == {"site0": nodes[0], "site1": nodes[1]}
    wait_for_hit(server, stuck_article)
    stop(cluster[1][0])  # the node of site1 dies with its job (and frees the site's lock)
    slow_down(server, 1, seconds=0)
    killed = time.monotonic()
    stdout, stderr = proc.communicate(timeout=120)
    assert time.monotonic() - killed < 30, "the lost node was not given up in time"
    assert proc.returncode == 0, stdout + stderr
    report = dispatch_report(out)
    moved, healthy = report["sites"]["site1"], report["sites"]["site0"]
    assert (moved["outcome"], moved["exit_code"], moved["node"]) == ("finished", 0, nodes[0])
    [earlier] = moved["earlier_jobs"]
    assert earlier["node"] == nodes[1] and "no answer" in earlier["why"]
    assert moved["job"] != earlier["job"] and moved["result"]["articles"]["new"] == 3
    assert report["nodes"][nodes[1]].startswith("lost") and report["nodes"][nodes[0]] == "ready"
    assert (healthy["outcome"], healthy["result"]["articles"]["new"]) == ("finished", 3)
    assert f"scrapyd node {nodes[1]} is lost" in stderr
    for site in ("site0", "site1"):
        assert {p.name for p in (out / site).glob("*.md")} == expected[site]
    # Each job captured into a WARC file of its own (the lost job's closed by the one that
    # replaced it), and a rebuild reads them all: every archive file comes out as it is.
    warcs = sorted(w for w in (out / "site1" / ".warc").iterdir() if ".idx" not in w.name)
    assert [w.name.endswith(".warc.gz") for w in warcs] == [True, True]
    assert jobs["site1"] in warcs[0].name
    rebuilt = run_archiver("--config-dir", str(configs), "rebuild", "site1", "--dry-run",
                           "--output", str(out))
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    assert rebuilt.stdout.startswith("site1: 0 changed, 0 restored, 3 unchanged"), rebuilt.stdout


@pytest.fixture
def node(tmp_path):
    proc, url = start_scrapyd(tmp_path / "node")
    yield url
    stop(proc)


def test_a_job_that_finds_its_site_locked_gives_crawls_exit_code(server, tmp_path, node):
    configs, out = tmp_path / "configs", tmp_path / "out"
    fixture_sites(server, configs, count=1)
    deploy(configs, node)
    stuck_article = slow_down(server, 0)
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
    crawl = subprocess.Popen([sys.executable, "-m", "archiver.cli", "--config-dir", str(configs),
                              "crawl", "site0", "--output", str(out)], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_hit(server, stuck_article)  # the crawl holds the site's lock
        result = dispatch(configs, out, [node], "site0", "--wait")
    finally:
        crawl.kill()
        crawl.wait()
    assert result.returncode == 3, result.stdout + result.stderr
    entry = dispatch_report(out)["sites"]["site0"]
    assert (entry["outcome"], entry["exit_code"]) == ("locked", 3)


def test_a_node_that_no_longer_knows_its_job_is_lost(tmp_path, node):
    # A restarted Scrapyd answers with an empty job list: the job it was given is unknown.
    job = SiteJob("site0", Node.parse(node), "site0-before-restart", tmp_path / "job.json")
    ended = []
    Watch([job], ended.append, lost_after=3600, poll=0.05).run()
    assert ended == [job] and (job.outcome, job.exit_code) == ("lost", 1)
    assert "no longer knows job site0-before-restart" in job.reason


def test_down_and_stale_nodes_get_no_site_and_a_refused_job_fails_only_its_site(
        server, tmp_path, nodes):
    configs, out = tmp_path / "configs", tmp_path / "out"
    expected = fixture_sites(server, configs, count=2)
    assert deploy(configs, *nodes).returncode == 0
    old = Node.parse(nodes[1]).versions()[-1]
    expected.update(fixture_sites(server, configs, count=3))  # a new site: only node 1 gets it
    assert deploy(configs, nodes[0]).returncode == 0

    dead = f"http://127.0.0.1:{free_port()}"
    result = dispatch(configs, out, [dead, *nodes], "--all", "--wait")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"scrapyd node {nodes[1]} is stale" in result.stderr  # the messages a user sees
    assert f"scrapyd node {dead} is down" in result.stderr
    report = dispatch_report(out)
    assert report["nodes"][nodes[1]].startswith("stale") and report["nodes"][nodes[0]] == "ready"
    assert report["nodes"][dead].startswith("down")
    for site, files in expected.items():
        assert report["sites"][site]["node"] == nodes[0]
        assert {p.name for p in (out / site).glob("*.md")} == files

    # Scheduled on the old egg anyway: the site it lacks fails alone, the other job runs.
    jobs = schedule(["site2", "site0"], [Ready(Node.parse(nodes[1]), old, 0)], out, {})
    assert (jobs[0].outcome, jobs[0].exit_code) == ("not scheduled", 1)
    assert "spider 'site2' not found" in jobs[0].reason
    Watch(jobs, lambda job: None, poll=0.1).run()
    assert (jobs[1].outcome, jobs[1].node.url, jobs[1].result["articles"]["already_archived"]) \
        == ("finished", nodes[1], 3)


def test_a_node_behind_basic_auth(server, tmp_path):
    proc, url = start_scrapyd(tmp_path / "node", f"username = archivist\npassword = {PASSWORD}\n")
    try:
        configs, out, home = tmp_path / "configs", tmp_path / "out", tmp_path / "home"
        expected = fixture_sites(server, configs, count=1)
        refused = deploy(configs, url)
        assert refused.returncode == 1 and "HTTP 401" in refused.stderr
        with_user = url.replace("://", f"://archivist:{PASSWORD}@")
        deployed = deploy(configs, with_user)
        assert deployed.returncode == 0, deployed.stdout + deployed.stderr
        assert url.replace("://", "://archivist:***@") in deployed.stdout

        home.mkdir()
        (home / ".netrc").write_text(f"machine 127.0.0.1 login archivist password {PASSWORD}\n")
        (home / ".netrc").chmod(0o600)
        result = dispatch(configs, out, [url], "site0", "--wait", env={"HOME": str(home)})
        assert result.returncode == 0, result.stdout + result.stderr
        assert {p.name for p in (out / "site0").glob("*.md")} == expected["site0"]
        wrong = dispatch(configs, out, [with_user.replace(PASSWORD, "wrong")], "site0")
        assert wrong.returncode == 1 and "HTTP 401" in wrong.stderr
        said = [deployed.stdout, deployed.stderr, result.stdout, result.stderr, wrong.stdout,
                wrong.stderr, *(p.read_text() for p in (out / ".reports").iterdir())]
        assert not [text for text in said if PASSWORD in text]
    finally:
        stop(proc)


def test_node_urls_credentials_and_masking(tmp_path, monkeypatch):
    node = Node.parse(f"http://archivist:{PASSWORD}@node1.example:6800/")
    assert (node.url, node.name) == ("http://node1.example:6800",
                                     "http://archivist:***@node1.example:6800")
    assert node.authorization.startswith("Basic ") and PASSWORD not in node.authorization
    assert node.mask(f"refused {PASSWORD}") == "refused ***"
    encoded = Node.parse("http://archivist:p%40ss%3Aword@node1.example:6800")
    assert encoded.authorization == Node.parse("http://archivist:p%40ss%3Aword@x").authorization
    assert encoded.mask("--scrapyd http://archivist:p%40ss%3Aword@node1 p@ss:word") \
        == "--scrapyd http://archivist:***@node1 ***"
    with pytest.raises(BadNodeURL) as bad:
        Node.parse(f"http://archivist:{PASSWORD}@node1.example:68o0")
    assert PASSWORD not in str(bad.value)

    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / ".netrc").write_text(f"machine node2.example login archivist password {PASSWORD}\n")
    (tmp_path / ".netrc").chmod(0o600)
    assert Node.parse("http://node2.example:6800").authorization == node.authorization
    assert Node.parse("http://node3.example:6800").authorization == ""
    (tmp_path / ".netrc").write_text(f"machine node2.example login archivist {PASSWORD}\n")
    with pytest.raises(BadNodeURL) as bad:
        Node.parse("http://node2.example:6800")
    assert PASSWORD not in str(bad.value) and ".netrc, line " in str(bad.value)


def test_old_reports_are_removed(tmp_path):
    old, recent = tmp_path / "old-crawl.json", tmp_path / "recent-crawl.json"
    for report in (old, recent):
        report.write_text("{}")
    ninety_one_days_ago = time.time() - 91 * 86400
    os.utime(old, (ninety_one_days_ago, ninety_one_days_ago))
    assert prune_reports(tmp_path) == [old]
    assert recent.exists() and not old.exists()


@pytest.mark.parametrize(("document", "outcome", "code"), [
    # The site's figures at the top level of the job's report, or under "sites".
    ({"articles": {"new": 2, "failed": 0}, "finish_reason": "finished"}, "finished", 0),
    ({"articles": {"new": 2}, "images": {"failed": 1}}, "finished", 1),
    ({"articles": {}, "health": ["no article links on 1 list page(s)"]}, "finished", 1),
    ({"locked": "site0 is being crawled by process 7"}, "locked", 3),
    ({"articles": {}, "finish_reason": "shutdown"}, "interrupted", 130),  # stopped on its node (cancel)
    ({"exit_code": 1, "sites": {"site0": {"exit_code": 1, "reason": "see failures"}}},
     "finished", 1),
    ({"exit_code": 3, "sites": {"site0": {"outcome": "locked", "exit_code": 3}}}, "locked", 3),
    ({"exit_code": 0, "sites": {"site0": {"exit_code": 0, "articles": {"new": 1}}}},
     "finished", 0),
    ([], "no report", 1),
    ({"sites": {}}, "no report", 1),
])
def test_a_jobs_report_is_read_as_data(tmp_path, document, outcome, code):
    job = SiteJob("site0", report=tmp_path / "job.json")
    job.report.write_text(json.dumps(document))
    assert read_result(job)[:2] == (outcome, code)
    assert read_result(SiteJob("site0", report=tmp_path / "none.json"))[:2] == ("no report", 1)


def test_scrapy_cfg_targets_as_scrapyd_client_reads_them(tmp_path, monkeypatch):
    from archiver.targets import UnknownTarget, target_nodes

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    project = tmp_path / "project"
    project.mkdir()
    (project / "scrapy.cfg").write_text(f"""[deploy]
url = http://node0.example:6800/
username = archivist

[deploy:one]
url = http://node1.example:6800/
password = {PASSWORD}

[deploy:two]
url = http://other:pw2@node2.example:6800/
""")
    monkeypatch.chdir(project)
    nodes = target_nodes([])  # every target; [deploy] is "default" and the others' defaults
    assert [(n.target, n.url) for n in nodes] == [
        ("default", "http://node0.example:6800"), ("one", "http://node1.example:6800"),
        ("two", "http://node2.example:6800")]
    one = target_nodes(["one"])[0]
    assert one.authorization == Node.parse(
        f"http://archivist:{PASSWORD}@x").authorization  # username from [deploy]
    assert one.mask(f"it said {PASSWORD}") == "it said ***" and PASSWORD not in one.name
    two = target_nodes(["two"])[0]  # the URL's user info wins over the target's keys
    assert two.authorization == Node.parse("http://other:pw2@x").authorization
    with pytest.raises(UnknownTarget):
        target_nodes(["three"])


def test_a_site_with_a_problem_is_one_line_and_its_image_failure_names_the_article():
    from archiver.commands.dispatch_summary import outcome_lines

    job = SiteJob("site0", Node.parse("http://node1.example:6800"), "site0-1", outcome="finished",
                  exit_code=1, result={
                      "articles": {"new": 2, "already_archived": 1, "failed": 0},
                      "images": {"fetched": 3, "failed": 1},
                      "failures": [{"kind": "image", "url": "http://x/i.png", "reason": "HTTP 404",
                                    "article": "http://x/a.htm"}],
                      "health": ["no article links on 1 list page(s)"]})
    first, *more = outcome_lines(job)
    assert first.startswith("site0 (on http://node1.example:6800, job site0-1): 2 new, 1 already")
    assert "images 3 fetched, 1 failed" in first and "(2 more line(s)" in first
    assert more == ["  image failed: http://x/i.png (in http://x/a.htm): HTTP 404",
                    "  health: no article links on 1 list page(s)"]


def test_a_jobs_health_findings_are_read_and_printed_as_events(tmp_path, capsys):
    from archiver.commands.dispatch_summary import print_outcome

    finding = {"kind": "health", "code": "no_article_links", "url": "http://a.example/list.htm",
               "reason": "no article links on 1 list page(s)", "site": "site0"}
    job = SiteJob("site0", node=Node.parse("http://127.0.0.1:6800"),
                  report=tmp_path / "job.json")
    job.report.write_text(json.dumps({"exit_code": 1, "sites": {"site0": {
        "outcome": "failed", "exit_code": 1, "articles": {"new": 0}, "health": [finding]}}}))
    job.end(*read_result(job))
    assert (job.outcome, job.exit_code) == ("finished", 1)
    print_outcome(job, verbose=True)
    assert "  health: no article links on 1 list page(s)\n" in capsys.readouterr().out
