"""One run model whatever starts the crawl: `archiver crawl` and `scrapy crawl SITE` share the
lock, the report, the last-run record and the outcome; write errors, crawlers that cannot start
and endless pagers each end as a failure with its reason, never as a quiet success."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archiver.archive import urlname
from archiver.demo.server import Reply
from tests.conftest import (
    FAST_SETTINGS,
    PROXY_VARS,
    ROOT,
    archive_files,
    coded,
    latest_report,
    run_archiver,
    site_config,
    site_report,
    wait_until,
    write_config,
)
from tests.sitebuilder import Article, list_page, serve_site

ENV = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}


def configure(tmp_path: Path, start: str, **config) -> None:
    settings = {**FAST_SETTINGS, **config.pop("settings", {})}
    write_config(tmp_path / "configs", site_config(start_urls=[start], settings=settings,
                                                   **config))


def crawl_args(tmp_path: Path, out: str = "out", *extra: str) -> list[str]:
    return ["--config-dir", str(tmp_path / "configs"), "crawl", "fixture",
            "--output", str(tmp_path / out), *extra]


def scrapy_args(tmp_path: Path, out: str = "out", *extra: str) -> list[str]:
    return [sys.executable, "-m", "scrapy", "crawl", "fixture",
            "-s", f"ARCHIVER_CONFIG_DIR={tmp_path / 'configs'}",
            "-s", f"ARCHIVER_OUTPUT_DIR={tmp_path / out}", "-s", "LOG_LEVEL=WARNING", *extra]


def run_scrapy(tmp_path: Path, out: str = "out", *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(scrapy_args(tmp_path, out, *extra), cwd=ROOT, env=ENV,
                          capture_output=True, text=True, timeout=120)


def names(server, articles) -> set[str]:
    return {f"{urlname(server.url(a.path))}.md" for a in articles}


# -- scrapy crawl goes through the same bookkeeping ---------------------------------------------

def test_scrapy_crawl_writes_what_archiver_crawl_writes_plus_report_and_last_run(server,
                                                                                 tmp_path):
    articles = [Article(810000 + i, f"新闻{i}", images=[f"/img/{i}.png"]) for i in range(6)]
    configure(tmp_path, serve_site(server, articles, per_page=4))
    by_cli = run_archiver(*crawl_args(tmp_path, "cli"))
    by_scrapy = run_scrapy(tmp_path, "scrapy")
    assert by_cli.returncode == 0, by_cli.stdout + by_cli.stderr
    assert by_scrapy.returncode == 0, by_scrapy.stdout + by_scrapy.stderr
    cli, scrapy = tmp_path / "cli" / "fixture", tmp_path / "scrapy" / "fixture"
    # The archive's files (bookkeeping and captures, in hidden names and folders, left out).
    files = sorted(p.relative_to(cli) for p in cli.rglob("*") if p.is_file()
                   and not any(part.startswith(".") for part in p.relative_to(cli).parts))
    assert files == sorted(p.relative_to(scrapy) for p in scrapy.rglob("*") if p.is_file()
                           and not any(part.startswith(".") for part in p.relative_to(scrapy).parts))
    # Both captured their pages, each into a WARC file of its own.
    assert [len(list((f / ".warc").glob("*.warc.gz"))) for f in (cli, scrapy)] == [1, 1]
    assert len(files) == 12
    assert {p.name for p in cli.glob("*.md")} == names(server, articles)
    for path in files:
        assert (cli / path).read_bytes() == (scrapy / path).read_bytes(), path
    report = latest_report(tmp_path / "scrapy")
    assert report["exit_code"] == 0 and report["command"] == "scrapy crawl"
    assert report["sites"]["fixture"]["articles"]["new"] == 6
    assert (scrapy / ".last-run.json").is_file() and (scrapy / ".state.json").is_file()


def wait_for_holder(lock: Path, process: subprocess.Popen) -> None:
    """Until the running crawl holds the site's lock (its pid is in the lock file)."""
    wait_until(lambda: str(process.pid) in (lock.read_text() if lock.exists() else ""),
               "lock held by the running crawl", process=process)


@pytest.mark.parametrize("first", ["archiver", "scrapy"])
def test_the_later_of_two_runs_on_one_site_refuses_naming_the_holder(server, tmp_path, first):
    articles = [Article(820000 + i, f"新闻{i}") for i in range(12)]
    configure(tmp_path, serve_site(server, articles, per_page=4))
    # One slow article keeps the first run going while the second one starts.
    server.add_sequence(articles[0].path, [Reply(articles[0].page(), delay=6)])
    argv = [sys.executable, "-m", "archiver.cli", *crawl_args(tmp_path)] \
        if first == "archiver" else scrapy_args(tmp_path)
    running = subprocess.Popen(argv, cwd=ROOT, env=ENV, text=True, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    wait_for_holder(tmp_path / "out" / "fixture" / ".archiver.lock", running)
    # A temporary file as the running crawl has them while it writes: not the later run's to
    # clear.
    in_flight = tmp_path / "out" / "fixture" / ".abc.md.1234.part"
    in_flight.write_text("being written")
    started = time.monotonic()
    later = run_scrapy(tmp_path) if first == "archiver" else run_archiver(*crawl_args(tmp_path))
    assert time.monotonic() - started < 30
    assert later.returncode == 3, later.stdout + later.stderr
    refused = latest_report(tmp_path / "out")
    assert refused["exit_code"] == 3
    site = refused["sites"]["fixture"]
    assert (site["outcome"], site["code"], site["exit_code"]) == ("locked", "locked", 3)
    assert f"by process {running.pid}" in site["reason"]  # the holder, named
    assert in_flight.exists()
    out, err = running.communicate(timeout=120)
    # The running crawl lost none of its temporary files: every article was written.
    assert running.returncode == 0, out + err
    assert {p.name for p in (tmp_path / "out" / "fixture").glob("*.md")} == names(server,
                                                                                  articles)


# -- failures that used to look like success ----------------------------------------------------

@pytest.fixture
def small_disk(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=160k", "tmpfs", str(mount)], check=True)
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


def test_a_full_disk_fails_articles_by_name_and_a_rerun_completes(server, tmp_path, small_disk):
    articles = [Article(830000 + i, f"新闻{i}", images=[f"/img/d{i}.png"] if i % 5 == 0 else [])
                for i in range(80)]
    configure(tmp_path, serve_site(server, articles, per_page=10))
    args = ["--config-dir", str(tmp_path / "configs"), "crawl", "fixture",
            "--output", str(small_disk)]
    full = run_archiver(*args, "--report", str(tmp_path / "full.json"))
    assert full.returncode == 1, full.stdout + full.stderr
    report = json.loads((tmp_path / "full.json").read_text())
    assert report["exit_code"] == 1
    site = report["sites"]["fixture"]
    written = {p.name for p in (small_disk / "fixture").glob("*.md")}
    assert written < names(server, articles)
    failed = {f"{urlname(f['url'])}.md" for f in site["failures"] if f["kind"] == "article"}
    assert failed == names(server, articles) - written  # each missing article, named
    assert site["articles"]["failed"] == len(failed)
    assert {f["code"] for f in site["failures"]} == {"write_error"}
    assert "Traceback" not in full.stderr
    # The report on the full disk too: the summary says so, without a traceback.
    again = run_archiver(*args)
    assert again.returncode == 1
    assert "cannot write the report" in again.stderr and "Traceback" not in again.stderr
    subprocess.run(["mount", "-o", "remount,size=8m", str(small_disk)], check=True)
    fixed = run_archiver(*args)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert {p.name for p in (small_disk / "fixture").glob("*.md")} == names(server, articles)


def test_a_bad_per_site_setting_is_a_config_error_with_exit_2(server, tmp_path):
    configure(tmp_path, serve_site(server, [Article(840000, "新闻")]),
              settings={"CONCURRENT_REQUESTS": "many"})
    for result, out in ((run_archiver(*crawl_args(tmp_path)), "out"),
                        (run_scrapy(tmp_path, "scrapy"), "scrapy")):
        assert result.returncode == 2, result.stdout + result.stderr
        report = latest_report(tmp_path / out)
        site = report["sites"]["fixture"]
        assert report["exit_code"] == 2 and site["outcome"] == "config_error"
        assert "CONCURRENT_REQUESTS" in site["config_error"]
        assert "Traceback" not in result.stderr
    assert not server.hits  # refused when the config loads, before any request


def test_a_crawler_that_raises_while_opening_is_a_failed_site(server, tmp_path):
    configure(tmp_path, serve_site(server, [Article(850000, "新闻")]))
    pipelines = json.dumps({"tests.test_runmodel.FailsToOpen": 50})
    result = run_scrapy(tmp_path, "out", "-s", f"ITEM_PIPELINES={pipelines}")
    assert result.returncode == 1, result.stdout + result.stderr
    report = latest_report(tmp_path / "out")
    site = report["sites"]["fixture"]
    assert report["exit_code"] == 1 and site["outcome"] == "not_started"
    assert "RuntimeError: the database is unreachable" in site["reason"]
    assert archive_files(tmp_path / "out", "fixture") == {}


class FailsToOpen:
    """An item pipeline that cannot start (loaded by the crawl above, by its dotted path)."""

    def open_spider(self) -> None:
        raise RuntimeError("the database is unreachable")

    def process_item(self, item):
        return item


def test_an_endless_pager_is_recognised_by_what_it_serves(server, tmp_path):
    article = Article(860000, "新闻")
    server.add(article.path, article.page(), content_type="text/html")
    for n in range(1, 503):  # every list page links a next one, and the same article
        server.add(f"/1001/list{n}.htm", list_page([article], f"/1001/list{n + 1}.htm"))
    start = server.url("/1001/list1.htm")
    configure(tmp_path, start)
    result = run_archiver(*crawl_args(tmp_path))
    assert result.returncode == 1, result.stdout + result.stderr
    site = site_report(tmp_path / "out")
    # Ten pages in a row after the first brought nothing not seen before.
    assert site["list_pages"]["walked"] == 11
    [endless] = [finding for finding in site["health"] if finding["code"] == "endless_pager"]
    assert endless["url"] == start and endless["page_url"] == server.url("/1001/list11.htm")
    assert endless["page"] == 11 and endless["barren_pages"] == 10
    assert site["list_pages"]["capped"] == []
    assert server.hits["/1001/list12.htm"] == 0


def test_list_max_pages_sets_another_cap(server, tmp_path):
    article = Article(870000, "新闻")
    server.add(article.path, article.page(), content_type="text/html")
    for n in range(1, 10):
        server.add(f"/1001/list{n}.htm", list_page([article], f"/1001/list{n + 1}.htm"))
    configure(tmp_path, server.url("/1001/list1.htm"), list={"max_pages": 3})
    result = run_archiver(*crawl_args(tmp_path))
    # The cap bounds one run, not the archive: a note of how far the walk got, not a failure.
    assert result.returncode == 0, result.stdout + result.stderr
    site = site_report(tmp_path / "out")
    assert site["list_pages"]["walked"] == 3
    assert [(c["max_pages"], c["next_page"]) for c in site["list_pages"]["capped"]] == [(3, 4)]
    assert coded(site["capped_lists"], "code", "next_url") == [
        ("list_capped", server.url("/1001/list4.htm"))]


# -- where the incremental stop is trusted ------------------------------------------------------

def test_failed_articles_are_asked_for_again_by_the_next_plain_run(server, tmp_path):
    articles = [Article(880000 + i, f"新闻{i}") for i in range(30)]
    configure(tmp_path, serve_site(server, articles, per_page=10))
    broken = articles[25]  # on the third list page
    server.add_sequence(broken.path, [Reply(b"oops", status=500), Reply(broken.page())])
    first = run_archiver(*crawl_args(tmp_path))
    assert first.returncode == 1
    failed = site_report(tmp_path / "out")["failures"]
    assert [f["url"] for f in failed] == [server.url(broken.path)]
    second = run_archiver(*crawl_args(tmp_path))
    assert second.returncode == 0, second.stdout + second.stderr
    site = site_report(tmp_path / "out")
    assert site["articles"]["new"] == 1 and site["list_pages"]["walked"] == 1
    assert any("asking again for 1 article(s)" in note for note in site["notes"])
    assert {p.name for p in (tmp_path / "out" / "fixture").glob("*.md")} == names(server,
                                                                                  articles)


def test_a_failed_list_page_makes_the_next_run_walk_that_list_in_full(server, tmp_path):
    articles = [Article(890000 + i, f"新闻{i}") for i in range(30)]
    configure(tmp_path, serve_site(server, articles, per_page=10))
    page = list_page(articles[10:20], "/1001/list3.htm")
    server.add_sequence("/1001/list2.htm", [Reply(b"down", status=503),
                                            Reply(page.encode("utf-8"))])
    assert run_archiver(*crawl_args(tmp_path)).returncode == 1
    second = run_archiver(*crawl_args(tmp_path))
    assert second.returncode == 0, second.stdout + second.stderr
    site = site_report(tmp_path / "out")
    assert any("did not finish cleanly: the list page" in n for n in site["notes"]), site
    assert {p.name for p in (tmp_path / "out" / "fixture").glob("*.md")} == names(server,
                                                                                  articles)


def test_changed_list_rules_walk_every_list_in_full_once(server, tmp_path):
    articles = [Article(895000 + i, f"新闻{i}") for i in range(30)]
    start = serve_site(server, articles, per_page=10)
    configure(tmp_path, start)
    assert run_archiver(*crawl_args(tmp_path)).returncode == 0
    configure(tmp_path, start, list={"article_links": "ul.news_list li a"})
    changed = run_archiver(*crawl_args(tmp_path))
    assert changed.returncode == 0, changed.stdout + changed.stderr
    site = site_report(tmp_path / "out")
    assert site["list_pages"]["walked"] == 3
    assert any("rules changed" in note for note in site["notes"])
    assert run_archiver(*crawl_args(tmp_path)).returncode == 0
    assert site_report(tmp_path / "out")["list_pages"]["walked"] == 1
