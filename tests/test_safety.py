"""Nothing lost, nothing half-written: locks against overlapping runs, kill -9 at any moment,
Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import frontmatter

from archiver.archive import source_link
from archiver.run.lock import SiteLock
from tests.conftest import (
    FAST_SETTINGS,
    PROXY_VARS,
    ROOT,
    archive_files,
    run_archiver,
    site_config,
    site_report,
    wait_until,
    write_config,
)
from tests.sitebuilder import Article, serve_site

SETTINGS = {**FAST_SETTINGS, "CONCURRENT_REQUESTS": 4}


def prepare(tmp_path, server, count=12):
    articles = [Article(700000 + i, f"新闻{i}", images=[f"/img/s{i}.png"]) for i in range(count)]
    start = serve_site(server, articles, per_page=4)
    write_config(tmp_path / "configs", site_config(start_urls=[start], settings=SETTINGS))
    return articles


def command(tmp_path, *extra):
    return [sys.executable, "-m", "archiver.cli", "--config-dir", str(tmp_path / "configs"),
            "crawl", "fixture", "--output", str(tmp_path / "out"), "--full", *extra]


def start_crawl(tmp_path, *extra) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
    return subprocess.Popen(command(tmp_path, *extra), cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def assert_every_file_complete(folder):
    for path in folder.glob("*.md"):
        post = frontmatter.loads(path.read_text(encoding="utf-8"))
        assert post["title"] and source_link(post.content), path


def test_a_second_run_on_the_same_site_exits_at_once_naming_the_first(server, tmp_path):
    prepare(tmp_path, server, count=2)
    lock = SiteLock(tmp_path / "out", "fixture").acquire()
    try:
        started = time.monotonic()
        result = run_archiver(*command(tmp_path)[3:])
        assert result.returncode == 3
        assert time.monotonic() - started < 30
        assert f"fixture: not crawled: fixture is being archived into {tmp_path / 'out'} by " \
            f"process {os.getpid()}" in result.stdout
        site = site_report(tmp_path / "out")
        assert site["outcome"] == "locked" and site["exit_code"] == 3
        assert f"by process {os.getpid()}" in site["reason"]
        assert not list((tmp_path / "out" / "fixture").glob("*.md"))
    finally:
        lock.release()


def test_a_stale_lock_from_a_killed_run_is_taken_over(server, tmp_path):
    prepare(tmp_path, server, count=2)
    # A run killed with -9 leaves its lock file (but the kernel dropped its flock).
    folder = tmp_path / "out" / "fixture"
    folder.mkdir(parents=True)
    (folder / ".archiver.lock").write_text('{"pid": 999999, "host": "h", "command": "c"}')
    (folder / ".abc.md.123.part").write_text("half an artic")
    result = run_archiver(*command(tmp_path)[3:])
    assert result.returncode == 0, result.stdout + result.stderr
    notes = site_report(tmp_path / "out")["notes"]
    assert any("took over the lock of process 999999" in note for note in notes), notes
    assert any("removed 1 partial file(s)" in note for note in notes), notes
    assert not list(folder.glob(".*.part"))
    assert len(archive_files(tmp_path / "out", "fixture")) == 2


def requests_seen(server) -> int:
    return sum(server.hits.values())


def after_requests(server, count: int):
    """A condition: the server has seen `count` requests more than it has now."""
    target = requests_seen(server) + count
    return lambda: requests_seen(server) >= target


def test_kill_9_at_any_moment_never_leaves_a_partial_file(server, tmp_path):
    articles = prepare(tmp_path, server, count=24)
    server.delay = 0.2  # a slow server: a run is still going at each kill point
    folder = tmp_path / "out" / "fixture"
    landed = 0
    for requests in (5, 9, 13, 7, 11):  # five kill points: after this many requests of a run
        reached = after_requests(server, requests)
        crawl = start_crawl(tmp_path)
        wait_until(reached, f"{requests} requests", process=crawl)
        crawl.send_signal(signal.SIGKILL)
        crawl.wait(timeout=30)
        assert_every_file_complete(folder)
        landed += len(list(folder.glob("*.md"))) < len(articles)
    assert landed >= 3  # the kills did land mid-crawl
    server.delay = 0
    result = subprocess.run(command(tmp_path), cwd=ROOT, capture_output=True, text=True,
                            timeout=120, env={k: v for k, v in os.environ.items()
                                              if k not in PROXY_VARS})
    assert result.returncode == 0, result.stdout + result.stderr
    files = archive_files(tmp_path / "out", "fixture")
    assert len(files) == len(articles)  # the set is complete, nothing twice
    assert_every_file_complete(folder)
    assert not list(folder.rglob(".*.part"))
    check = run_archiver("check", "--output", str(tmp_path / "out"))
    assert check.returncode == 0, check.stdout


def test_ctrl_c_stops_cleanly_and_says_what_is_left(server, tmp_path):
    prepare(tmp_path, server, count=12)
    server.delay = 0.3
    crawl = start_crawl(tmp_path)
    folder = tmp_path / "out" / "fixture"
    wait_until(lambda: list(folder.glob("*.md")), "archived article", process=crawl)
    crawl.send_signal(signal.SIGINT)
    out, err = crawl.communicate(timeout=60)
    assert crawl.returncode == 130, out + err
    site = site_report(tmp_path / "out")
    assert (site["outcome"], site["exit_code"]) == ("interrupted", 130)
    assert "run the same command again to finish" in out
    assert_every_file_complete(folder)
    assert len(archive_files(tmp_path / "out", "fixture")) < 12
    # The same command again finishes the set.
    server.delay = 0
    result = run_archiver(*command(tmp_path)[3:])
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(archive_files(tmp_path / "out", "fixture")) == 12
