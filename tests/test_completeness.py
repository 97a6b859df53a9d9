"""Nothing listed is lost silently: after kill -9, Ctrl-C, SIGTERM or a full disk, the next
plain run (no --full) archives every listed article still missing, and says it is resuming.

The site has 500 articles on 50 list pages; some articles answer slowly, so a run archives
them out of order and an interrupted run leaves holes behind a fully archived first list page:
exactly where a blind incremental stop ("a list page with nothing new ends the walk") loses them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from archiver.archive import urlname
from archiver.demo.server import Reply
from tests.conftest import (
    FAST_SETTINGS,
    PROXY_VARS,
    ROOT,
    latest_report,
    run_archiver,
    site_config,
    site_report,
    wait_until,
    write_config,
)
from tests.sitebuilder import Article, serve_site

SETTINGS = {**FAST_SETTINGS, "CONCURRENT_REQUESTS": 16, "CONCURRENT_REQUESTS_PER_DOMAIN": 16}
COUNT, PER_PAGE = 500, 10


def slow_site(tmp_path: Path, server) -> list[Article]:
    articles = [Article(800000 + i, f"新闻{i}") for i in range(COUNT)]
    start = serve_site(server, articles, per_page=PER_PAGE)
    for article in articles[PER_PAGE::7]:  # beyond the first list page, every 7th is slow
        server.add_sequence(article.path, [Reply(article.page(), delay=0.4)])
    write_config(tmp_path / "configs", site_config(start_urls=[start], settings=SETTINGS))
    return articles


def expected(server, articles: list[Article]) -> set[str]:
    return {f"{urlname(server.url(a.path))}.md" for a in articles}


def on_disk(tmp_path: Path) -> set[str]:
    return {p.name for p in (tmp_path / "out" / "fixture").glob("*.md")}


def argv(tmp_path: Path) -> list[str]:
    return ["--config-dir", str(tmp_path / "configs"), "crawl", "fixture",
            "--output", str(tmp_path / "out")]


def start(tmp_path: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
    return subprocess.Popen([sys.executable, "-m", "archiver.cli", *argv(tmp_path)], cwd=ROOT,
                            env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def wait_for_files(tmp_path: Path, crawl: subprocess.Popen, count: int) -> None:
    """Until `count` articles are archived (the event the test interrupts at)."""
    wait_until(lambda: len(on_disk(tmp_path)) >= count, f"{count} archived articles",
               timeout=120, process=crawl)


def first_page_complete(server, articles, tmp_path) -> bool:
    return expected(server, articles[:PER_PAGE]) <= on_disk(tmp_path)


def test_kill_9_at_several_moments_then_a_plain_rerun_completes_the_set(server, tmp_path):
    articles = slow_site(tmp_path, server)
    holes_behind_page_one = 0
    for count in (40, 150, 300):
        crawl = start(tmp_path)
        wait_for_files(tmp_path, crawl, count)
        crawl.send_signal(signal.SIGKILL)
        crawl.wait(timeout=30)
        missing = expected(server, articles) - on_disk(tmp_path)
        holes_behind_page_one += bool(missing) and first_page_complete(server, articles, tmp_path)
    assert holes_behind_page_one  # the kills left the case a blind incremental stop misses
    result = run_archiver(*argv(tmp_path), timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert on_disk(tmp_path) == expected(server, articles)
    report = latest_report(tmp_path / "out")
    assert report["exit_code"] == 0
    site = report["sites"]["fixture"]
    assert any("resuming" in note and "stopped before this walk finished" in note
               for note in site["notes"]), site["notes"]
    # The clean walk is recorded: the run after it is incremental again (one list page).
    lists_before = server.hits[server.url("/1001/list2.htm").replace(server.base_url, "")]
    again = run_archiver(*argv(tmp_path))
    assert again.returncode == 0, again.stdout + again.stderr
    assert site_report(tmp_path / "out")["list_pages"]["walked"] == 1
    assert server.hits["/1001/list2.htm"] == lists_before


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_run_is_finished_by_running_the_same_command(server, tmp_path, signum):
    articles = slow_site(tmp_path, server)
    crawl = start(tmp_path)
    wait_for_files(tmp_path, crawl, 120)
    crawl.send_signal(signum)
    out, err = crawl.communicate(timeout=60)
    assert crawl.returncode == 130, out + err
    interrupted = latest_report(tmp_path / "out")
    assert interrupted["exit_code"] == 130
    assert interrupted["sites"]["fixture"]["outcome"] == "interrupted"
    assert "run the same command again to finish" in out
    assert on_disk(tmp_path) < expected(server, articles)
    result = run_archiver(*argv(tmp_path), timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert on_disk(tmp_path) == expected(server, articles)
    notes = site_report(tmp_path / "out")["notes"]
    assert any("the last walk did not finish cleanly: the run was interrupted" in note
               for note in notes), notes
