"""What a run tells its operator: quiet under cron, the same outcome in the summary and the JSON
report, refresh's list of changes, dead links that come to rest, and a progress line that fits
the terminal (issue #15; README "Output, reports and exit codes")."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
import termios
from pathlib import Path

from tests.conftest import PROXY_VARS, ROOT, coded, run_archiver, site_config, write_config
from tests.sitebuilder import Article, serve_site
from tests.test_cli import closed_port


def report_of(result) -> dict:
    line = next(x for x in result.stdout.splitlines() if x.startswith("report: "))
    return json.loads(Path(line[len("report: "):]).read_text(encoding="utf-8"))


def three_sites(server, folder: Path) -> None:
    """A good site, an unreachable one, and a config that does not load."""
    start = serve_site(server, [Article(320100 + i, f"新闻{i}") for i in range(4)])
    write_config(folder, site_config("good", start_urls=[start]))
    write_config(folder, site_config("down", start_urls=[f"http://127.0.0.1:{closed_port()}/"]))
    (folder / "broken.yaml").write_text("name: broken\nschool: [\n", encoding="utf-8")


def test_cron_run_prints_the_summary_only_and_agrees_with_its_report(server, tmp_path):
    three_sites(server, tmp_path / "configs")
    result = run_archiver("--config-dir", str(tmp_path / "configs"), "crawl", "--all",
                          "--output", str(tmp_path / "out"))
    # A config error is not hidden by the other site's exit 1 (precedence: README).
    assert result.returncode == 2
    assert result.stderr == ""  # no Scrapy log, no robots.txt tracebacks, no warnings
    lines = result.stdout.splitlines()
    assert lines[0].startswith("down: UNREACHABLE: DownloadConnectionRefusedError")
    assert "good: 4 new, 0 already archived, 0 dropped or failed" in result.stdout
    assert any(x.startswith("broken: CONFIG ERROR: ") and "broken.yaml" in x for x in lines)
    assert lines[-1] == ("total: 3 site(s), 1 with a config error, 1 unreachable; articles 4 "
                         "new, 0 failed; images 0 fetched, 0 failed; CONFIG ERROR (exit 2)")
    document = report_of(result)
    assert document["exit_code"] == result.returncode
    assert set(document["sites"]) == {"good", "down", "broken"}
    sites = document["sites"]
    assert {name: (site["outcome"], site["code"], site["exit_code"])
            for name, site in sites.items()} == {
        "good": ("ok", "", 0), "down": ("failed", "failures", 1),
        "broken": ("config_error", "config_error", 2)}
    assert "not valid YAML" in sites["broken"]["config_error"]
    assert sites["down"]["unreachable_code"] == "connection_refused"
    assert sites["down"]["unreachable"] and sites["good"]["unreachable"] is None


def test_verbose_or_a_log_file_brings_scrapys_log_back(server, tmp_path):
    three_sites(server, tmp_path / "configs")
    verbose = run_archiver("--config-dir", str(tmp_path / "configs"), "crawl", "good", "down",
                           "--output", str(tmp_path / "out"), "-v")
    assert verbose.returncode == 1
    assert "[scrapy.core.engine] INFO: Spider opened" in verbose.stderr
    logged = run_archiver("--config-dir", str(tmp_path / "configs"), "crawl", "good", "down",
                          "--output", str(tmp_path / "out"), "--log-file",
                          str(tmp_path / "run.log"))
    assert logged.returncode == 1 and logged.stderr == ""
    assert "Spider opened" in (tmp_path / "run.log").read_text(encoding="utf-8")


def test_refresh_lists_each_changed_article_with_what_changed(server, tmp_path):
    articles = [Article(320200 + i, f"新闻{i}") for i in range(3)]
    start = serve_site(server, articles)
    write_config(tmp_path / "configs", site_config(start_urls=[start]))
    args = ("--config-dir", str(tmp_path / "configs"), "--output", str(tmp_path / "out"))
    assert run_archiver(*args, "crawl", "fixture").returncode == 0
    articles[0].headline = "新闻0（更正）"
    articles[1].paragraphs = ["　　正文改过了。"]
    serve_site(server, articles)
    result = run_archiver(*args, "refresh")
    assert result.returncode == 0, result.stdout + result.stderr
    changed = {x["url"]: x for x in report_of(result)["sites"]["fixture"]["changed_articles"]}
    first, second = (server.url(a.path) for a in articles[:2])
    assert set(changed) == {first, second}
    assert {url: (c["code"], c["parts"]) for url, c in changed.items()} == {
        first: ("rewritten", ["headline"]), second: ("rewritten", ["body"])}
    assert Path(changed[first]["file"]).is_file()
    assert f"  changed: {first} ({changed[first]['file']}): headline" in result.stdout
    assert "fixture: 2 changed, 1 unchanged, 0 gone, 0 failed" in result.stdout
    later = run_archiver(*args, "refresh", "fixture", "--since", "2030-01-01")
    assert later.returncode == 0 and "fixture: nothing archived since 2030-01-01" in later.stdout
    assert report_of(later)["sites"] == {"fixture": {
        "outcome": "skipped", "skipped": "nothing archived since 2030-01-01", "exit_code": 0,
        "reason": "nothing archived since 2030-01-01", "code": "nothing_archived"}}


def test_refresh_of_an_empty_archive_says_so_and_writes_a_report(tmp_path):
    result = run_archiver("--output", str(tmp_path / "out"), "refresh")
    assert result.returncode == 0 and result.stderr == ""
    assert "holds no article yet: nothing to refresh" in result.stdout
    document = report_of(result)
    assert document["command"] == "refresh" and document["exit_code"] == 0
    assert document["sites"] == {}
    assert result.stdout.splitlines()[-1].startswith("total: 0 site(s)")


def test_a_dead_link_fails_twice_then_rests_as_gone_until_retry_gone(server, tmp_path):
    articles = [Article(320300 + i, f"新闻{i}") for i in range(2)]
    start = serve_site(server, articles)
    dead = server.url(articles[1].path)
    server.add(articles[1].path, b"gone", status=404)
    write_config(tmp_path / "configs", site_config(start_urls=[start]))
    args = ("--config-dir", str(tmp_path / "configs"), "--output", str(tmp_path / "out"),
            "crawl", "fixture")
    record = tmp_path / "out" / "fixture" / ".gone.json"

    first = run_archiver(*args)
    assert first.returncode == 1
    assert coded(report_of(first)["sites"]["fixture"]["failures"]) == [
        ("article", "http_404", dead)]
    assert json.loads(record.read_text())[dead]["runs"] == 1
    second = run_archiver(*args)
    assert second.returncode == 1
    assert coded(report_of(second)["sites"]["fixture"]["failures"]) == [
        ("article", "recorded_gone", dead)]
    assert json.loads(record.read_text())[dead]["runs"] == 2
    hits = server.hits[articles[1].path]

    third = run_archiver(*args)
    assert third.returncode == 0, third.stdout
    assert server.hits[articles[1].path] == hits  # not requested again
    assert f"  gone: {dead}: HTTP 404 on 2 crawls in a row" in third.stdout
    site = report_of(third)["sites"]["fixture"]
    assert site["articles"]["gone"] == 1 and site["articles"]["failed"] == 0
    assert coded(site["gone"]) == [("gone", "known_dead", dead)]

    server.add(articles[1].path, articles[1].page(), content_type="text/html")
    retried = run_archiver(*args, "--retry-gone")
    assert retried.returncode == 0
    assert report_of(retried)["sites"]["fixture"]["articles"]["new"] == 1
    assert dead not in json.loads(record.read_text())


def test_progress_line_fits_the_terminal_and_no_log_line_lands_in_it(server, tmp_path):
    folder = tmp_path / "configs"
    for n in range(6):
        start = serve_site(server, [Article(320400 + n * 10 + i, f"新闻{i}") for i in range(2)])
        write_config(folder, site_config(f"site-with-a-long-name-{n}", start_urls=[start]))
    write_config(folder, site_config("down", start_urls=[f"http://127.0.0.1:{closed_port()}/"]))
    columns = 60
    main, secondary = pty.openpty()
    termios.tcsetwinsize(secondary, (24, columns))
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS and k != "COLUMNS"}
    process = subprocess.Popen(
        [sys.executable, "-m", "archiver.cli", "--config-dir", str(folder), "crawl", "--all",
         "--output", str(tmp_path / "out")],
        cwd=ROOT, env=env, stdin=secondary, stdout=subprocess.PIPE, stderr=secondary)
    os.close(secondary)
    seen = b""
    while select.select([main], [], [], 120)[0]:  # bounded: a hung run fails, not hangs
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    stdout = process.stdout.read().decode()
    assert process.wait(timeout=120) == 1
    os.close(main)
    text = seen.decode()
    assert re.search(r"\d+ new, \d+ failed", text) and "Traceback" not in text
    for piece in text.replace("\x1b[K", "").replace("\r\n", "\r").split("\r"):
        assert len(piece) <= columns, piece  # one screen line: `\r` can clear it
        # Nothing but the progress line (its counts come first, archiver.progress).
        assert not piece or re.match(r"\d+ new, \d+ failed", piece), piece
    assert "down: UNREACHABLE" in stdout


def test_an_unexpected_error_in_a_crawl_is_a_named_failure_with_its_traceback(server, tmp_path):
    start = serve_site(server, [Article(320500 + i, f"新闻{i}") for i in range(3)])
    write_config(tmp_path / "configs", site_config(start_urls=[start]))
    result = run_archiver("--config-dir", str(tmp_path / "configs"), "crawl", "fixture",
                          "--output", str(tmp_path / "out"),
                          env={"SCRAPY_SETTINGS_MODULE": "tests.buggy_settings"})
    assert result.returncode == 1 and result.stderr == ""
    site = report_of(result)["sites"]["fixture"]
    assert (site["articles"]["new"], site["articles"]["failed"]) == (2, 1)
    failure, = site["failures"]
    assert failure["code"] == "unexpected_error" and "ZeroDivisionError" in failure["traceback"]
    assert "Traceback" in failure["traceback"] and "buggy_settings.py" in failure["traceback"]
