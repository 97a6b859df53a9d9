"""The smaller defects an operator met (issue 23), each with the behaviour it must have now."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from archiver.archive import urlname
from archiver.demo.server import Reply
from tests.conftest import (
    PROXY_VARS,
    ROOT,
    latest_report,
    run_archiver,
    site_config,
    site_report,
    write_config,
)
from tests.sitebuilder import Article, list_page, serve_site


def one_site(server, tmp_path, articles=None) -> tuple[str, ...]:
    articles = articles or [Article(893000, "新闻")]
    write_config(tmp_path / "configs", site_config(start_urls=[serve_site(server, articles)]))
    return ("--config-dir", str(tmp_path / "configs"), "--output", str(tmp_path / "out"))


def test_a_log_file_in_a_new_folder_is_created_and_a_folder_is_refused(server, tmp_path):
    common = one_site(server, tmp_path)
    log = tmp_path / "logs" / "new" / "crawl.log"
    result = run_archiver(*common, "crawl", "fixture", "--log-file", str(log))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Spider closed" in log.read_text(encoding="utf-8")
    assert site_report(tmp_path / "out")["articles"]["new"] == 1
    folder = run_archiver(*common, "crawl", "fixture", "--log-file", str(tmp_path / "logs"))
    assert folder.returncode == 2 and len(folder.stderr.strip().splitlines()) == 1
    assert "is a folder" in folder.stderr and "unexpected" not in folder.stderr


def test_a_closed_stdout_does_not_change_the_exit_code(server, tmp_path):
    common = one_site(server, tmp_path)
    read, write = os.pipe()
    os.close(read)  # `archiver … | head -1` after head has gone
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
    process = subprocess.run([sys.executable, "-m", "archiver.cli", *common, "crawl", "--all"],
                             cwd=ROOT, env=env, stdout=write, stderr=subprocess.PIPE, timeout=120)
    os.close(write)
    report = latest_report(tmp_path / "out")
    assert (process.returncode, report["exit_code"]) == (0, 0), process.stderr


def archive_file(tmp_path: Path, date: str, tail: str) -> Path:
    url = "http://www.example.edu.cn/2024/c1a1/page.htm"
    path = tmp_path / "out" / "site" / f"{urlname(url)}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"""---
title: 示例大学->学校召开工作会议 | example
date: {date}
urlname: {urlname(url)}
tags:
- example
categories:
- example
---

学校召开工作会议，部署本学期重点任务。
{tail}""", encoding="utf-8")
    return path


@pytest.mark.parametrize(("date", "tail", "problem"), [
    ("2099-01-01 09:00:00", "\n[转入文章首发地址](http://www.example.edu.cn/2024/c1a1/page.htm)\n",
     "implausible date 2099-01-01"),
    ("2024-03-01 09:00:00", "\n[转入文章首发地址](http://www.example.edu.cn/2024/c1a1/page.htm)\n\n"
     "发布时间：2024-03-01 09:00\n", "text after the source link"),
    ("2024-03-01 09:00:00", "\n发布时间：2024-03-01 09:00 浏览次数：12\n\n"
     "[转入文章首发地址](http://www.example.edu.cn/2024/c1a1/page.htm)\n",
     "boilerplate left in the body: '发布时间"),
])
def test_check_finds_a_future_date_and_a_meta_line_below_the_text(tmp_path, date, tail, problem):
    path = archive_file(tmp_path, date, tail)
    result = run_archiver("check", "--output", str(tmp_path / "out"))
    assert result.returncode == 1, result.stdout
    assert f"{path}: {problem}" in result.stdout


def test_check_keeps_passing_a_clean_file(tmp_path):
    archive_file(tmp_path, "2024-03-01 09:00:00", "\n时间：4月16日 19:00\n\n"
                 "[转入文章首发地址](http://www.example.edu.cn/2024/c1a1/page.htm)\n")
    result = run_archiver("check", "--output", str(tmp_path / "out"))
    assert result.returncode == 0, result.stdout


def test_a_dead_url_is_counted_once_in_a_run(server, tmp_path):
    dead, alive = Article(893100, "已删除"), Article(893101, "在的")
    common = one_site(server, tmp_path, [dead, alive])
    server.add(dead.path, b"gone", status=404)
    # The list page answers after the retried article, so it meets the URL once it is gone.
    server.add_sequence("/1001/list.htm", [Reply(list_page([dead, alive], "javascript:;")
                                                 .encode(), delay=0.8)])
    assert run_archiver(*common, "crawl", "fixture").returncode == 1
    assert run_archiver(*common, "crawl", "fixture").returncode == 1
    site = site_report(tmp_path / "out")
    assert [f["url"] for f in site["failures"]] == [server.url(dead.path)]
    assert (site["articles"]["failed"], site["articles"]["gone"], site["gone"]) == (1, 0, [])
    third = run_archiver(*common, "crawl", "fixture")  # from now on it rests as gone
    assert third.returncode == 0, third.stdout
    site = site_report(tmp_path / "out")
    assert (site["articles"]["failed"], site["articles"]["gone"]) == (0, 1)


def test_both_site_names_and_all_say_so(server, tmp_path):
    result = run_archiver(*one_site(server, tmp_path), "crawl", "--all", "fixture")
    assert result.returncode == 2
    assert result.stderr.strip() == "give site names, --all or --due, not site names and --all"


def test_crawl_all_without_a_config_folder_writes_nothing(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
    env.pop("ARCHIVER_CONFIG_DIR", None)
    env.pop("ARCHIVER_OUTPUT_DIR", None)
    result = subprocess.run([sys.executable, "-m", "archiver.cli", "crawl", "--all"],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.startswith(f"no site config folder at {tmp_path / 'spiders_config'}")
    assert list(tmp_path.iterdir()) == [] and result.stdout == ""


def test_a_report_path_under_a_file_says_which_is_not_a_folder(server, tmp_path):
    common = one_site(server, tmp_path)
    (tmp_path / "afile").write_text("x")
    result = run_archiver(*common, "crawl", "fixture", "--report",
                          str(tmp_path / "afile" / "r.json"))
    assert result.returncode == 0
    assert f"{tmp_path / 'afile'} is not a folder" in result.stderr
    assert "File exists" not in result.stderr


def test_new_site_on_a_404_says_so_in_its_own_words(server, tmp_path):
    result = run_archiver("--config-dir", str(tmp_path / "configs"), "new-site",
                          server.url("/nothing.htm"))
    assert result.returncode == 1
    assert "HTTP 404" in result.stderr and "Ignoring non-200" not in result.stderr


def test_new_site_tries_the_next_page_names_by_host_and_keeps_the_config_dir(server,
                                                                               tmp_path):
    articles = [Article(893200 + i, f"新闻{i}") for i in range(6)]
    serve_site(server, articles, per_page=3)
    server.add("/1001/list2.htm", b"missing", status=404)
    configs = tmp_path / "configs"
    result = run_archiver("--config-dir", str(configs), "new-site", server.url("/1001/list.htm"))
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"problem: the next list page found, {server.url('/1001/list2.htm')}" in result.stdout
    assert (configs / "127.0.0.1.yaml").is_file()  # not "1"
    assert (f"next: `archiver --config-dir {configs} preview 127.0.0.1`, then "
            f"`archiver --config-dir {configs} crawl 127.0.0.1`") in result.stdout


def test_scrapy_crawl_of_an_unknown_site_is_one_line_and_exit_2(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
    env.update(ARCHIVER_CONFIG_DIR=str(tmp_path), ARCHIVER_OUTPUT_DIR=str(tmp_path / "out"))
    result = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "nosuch"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "unknown site: nosuch" in result.stderr


def test_help_gives_the_lock_code_only_where_it_applies():
    crawl = run_archiver("crawl", "--help").stdout
    assert "3    another run holds the lock of a site: that site was not crawled" in crawl
    assert "nothing was crawled" not in crawl
    for command in ("publish", "check", "sites", "status"):
        text = run_archiver(command, "--help").stdout
        assert "\n  3 " not in text and "\n  0 " in text, command


def test_an_encoding_that_cannot_show_chinese_is_no_error():
    result = run_archiver("--config-dir", str(ROOT / "spiders_config"), "sites",
                          env={"PYTHONIOENCODING": "latin-1"})
    assert result.returncode == 0, result.stderr
    assert "\\u5357\\u5f00\\u5927\\u5b66" in result.stdout  # 南开大学, escaped


def test_a_relative_archive_folder_is_printed_in_full(server, tmp_path):
    common = one_site(server, tmp_path)[:2]
    relative = os.path.relpath(tmp_path / "rel-out", ROOT)
    result = run_archiver(*common, "crawl", "fixture", env={"ARCHIVER_OUTPUT_DIR": relative})
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"archive: {tmp_path / 'rel-out'}\n" in result.stdout
    assert json.loads(next((tmp_path / "rel-out" / ".reports").glob("*.json")).read_text())[
        "output"] == str(tmp_path / "rel-out")
