"""Signals are prompt: one SIGTERM ends a run within 10 s whatever is downloading (an article's
3,000 images at the default pacing), exit 130; a second one exits at once, still 130, with a
report that counts what was written; a plain rerun completes the set."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archiver.archive import image_file_name, urlname
from tests.conftest import (
    PROXY_VARS,
    ROOT,
    latest_report,
    run_archiver,
    site_config,
    wait_until,
    write_config,
)
from tests.sitebuilder import Article, serve_site

IMAGES = 3000
# The archiver's default pacing (DOWNLOAD_DELAY, AutoThrottle, 4 per host): no site settings.
DEFAULT_PACING: dict = {}
FAST = {"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0, "RETRY_TIMES": 0,
        "CONCURRENT_REQUESTS": 64, "CONCURRENT_REQUESTS_PER_DOMAIN": 64}


def site(server, tmp_path: Path, settings: dict) -> tuple[Article, Article]:
    small = Article(890001, "一张图的新闻", images=["/img/small.png"])
    big = Article(890002, "三千张图的新闻", images=[f"/img/big{i}.png" for i in range(IMAGES)])
    start = serve_site(server, [small, big])
    write_config(tmp_path / "configs", site_config(start_urls=[start], settings=settings))
    return small, big


def argv(tmp_path: Path) -> list[str]:
    return ["--config-dir", str(tmp_path / "configs"), "crawl", "fixture",
            "--output", str(tmp_path / "out")]


def start(tmp_path: Path, scrapy: bool = False) -> subprocess.Popen:
    """`archiver crawl fixture`, or `scrapy crawl fixture` (a Scrapyd job's command)."""
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
    command = ["-m", "archiver.cli", *argv(tmp_path)]
    if scrapy:
        command = ["-m", "scrapy", "crawl", "fixture",
                   "-s", f"ARCHIVER_CONFIG_DIR={tmp_path / 'configs'}",
                   "-s", f"ARCHIVER_OUTPUT_DIR={tmp_path / 'out'}", "-s", "LOG_LEVEL=WARNING"]
    return subprocess.Popen([sys.executable, *command], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def images_on_disk(tmp_path: Path) -> int:
    folder = tmp_path / "out" / "fixture" / "images"
    return sum(1 for p in folder.glob("*.png")) if folder.is_dir() else 0


def articles_on_disk(tmp_path: Path) -> int:
    return sum(1 for _ in (tmp_path / "out" / "fixture").glob("*.md"))


def big_images_started(server) -> bool:
    return sum(n for key, n in server.hits.items() if key.startswith("/img/big")) >= 3


def rerun_completes_the_set(server, tmp_path: Path, small: Article, big: Article) -> None:
    site(server, tmp_path, FAST)  # the same site; only the test's patience is shorter
    result = run_archiver(*argv(tmp_path), timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    folder = tmp_path / "out" / "fixture"
    for article in (small, big):
        assert (folder / f"{urlname(server.url(article.path))}.md").is_file()
    assert images_on_disk(tmp_path) == IMAGES + 1
    assert all((folder / "images" / image_file_name(server.url(src))).is_file()
               for src in big.images)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_one_signal_ends_the_run_within_10_seconds(server, tmp_path, signum):
    small, big = site(server, tmp_path, DEFAULT_PACING)
    crawl = start(tmp_path)
    wait_until(lambda: big_images_started(server), "the big article's images", timeout=90,
               process=crawl)
    signalled = time.monotonic()
    crawl.send_signal(signum)
    out, err = crawl.communicate(timeout=60)
    took = time.monotonic() - signalled
    assert crawl.returncode == 130, out + err
    assert took < 10, f"{took:.1f} s"
    report = latest_report(tmp_path / "out")
    site_entry = report["sites"]["fixture"]
    assert report["exit_code"] == 130 and site_entry["outcome"] == "interrupted"
    # Dropped downloads are not failures: they are asked for again by the next run.
    assert site_entry["failures"] == []
    assert site_entry["articles"]["new"] == articles_on_disk(tmp_path)
    assert site_entry["images"]["fetched"] == images_on_disk(tmp_path)
    assert images_on_disk(tmp_path) < IMAGES
    if signum == signal.SIGTERM:
        rerun_completes_the_set(server, tmp_path, small, big)


@pytest.mark.parametrize("scrapy", [False, True], ids=["archiver", "scrapy-crawl"])
def test_a_second_signal_exits_at_once_with_an_accurate_report(server, tmp_path, scrapy):
    site(server, tmp_path, DEFAULT_PACING)
    # A server that answers images slowly: the first signal's stop waits for the transfers
    # under way, and the second one does not.
    server.delay = 0.0
    crawl = start(tmp_path, scrapy)
    wait_until(lambda: big_images_started(server), "the big article's images", timeout=90,
               process=crawl)
    server.delay = 5.0
    crawl.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    second = time.monotonic()
    crawl.send_signal(signal.SIGTERM)
    out, err = crawl.communicate(timeout=60)
    took = time.monotonic() - second
    server.delay = 0.0
    assert crawl.returncode == 130, out + err
    assert took < 3, f"{took:.1f} s"
    report = latest_report(tmp_path / "out")
    site_entry = report["sites"]["fixture"]
    assert report["exit_code"] == 130
    assert site_entry["outcome"] == "interrupted", site_entry
    assert site_entry["articles"]["new"] == articles_on_disk(tmp_path)
    assert site_entry["images"]["fetched"] == images_on_disk(tmp_path)
    assert "not crawled" not in out
    # Its walk stayed "walking": the next run walks the list in full (the rerun above shows
    # that such a run completes the set).
    state = (tmp_path / "out" / "fixture" / ".state.json").read_text(encoding="utf-8")
    assert '"walking"' in state
