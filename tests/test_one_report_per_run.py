"""Every run writes a report of its own: two runs started in the same second never share (and
lose) one, for `crawl` and for `dispatch`."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import PROXY_VARS, ROOT, run_archiver, site_config, write_config
from tests.sitebuilder import Article, serve_site

SENTINEL = '{"sentinel": true}\n'


def occupy_next_minute(folder: Path, command: str) -> list[Path]:
    """Report files, already there, under every name a run of `command` could give its report
    by the time of the next minute: what a second run of the same second finds."""
    folder.mkdir(parents=True, exist_ok=True)
    now = time.time()
    taken = []
    for second in range(-1, 60):
        name = time.strftime("%Y%m%d-%H%M%S", time.localtime(now + second))
        path = folder / f"{name}-{command}.json"
        path.write_text(SENTINEL)
        taken.append(path)
    return taken


def new_reports(folder: Path, taken: list[Path]) -> list[dict]:
    assert all(path.read_text() == SENTINEL for path in taken), "a report was replaced"
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json")) if p not in taken]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_crawl_never_replaces_the_report_of_a_run_of_the_same_second(server, tmp_path):
    start = serve_site(server, [Article(890001, "新闻")])
    write_config(tmp_path / "configs", site_config(start_urls=[start]))
    taken = occupy_next_minute(tmp_path / "out" / ".reports", "crawl")
    result = run_archiver("--config-dir", str(tmp_path / "configs"), "crawl", "fixture",
                          "--output", str(tmp_path / "out"))
    assert result.returncode == 0, result.stdout + result.stderr
    reports = new_reports(tmp_path / "out" / ".reports", taken)
    assert [r["command"] for r in reports] == ["crawl"]
    assert reports[0]["sites"]["fixture"]["articles"]["new"] == 1


def test_a_dispatch_never_replaces_the_report_of_a_run_of_the_same_second(tmp_path):
    write_config(tmp_path / "configs", site_config(start_urls=["http://127.0.0.1:9/l.htm"]))
    taken = occupy_next_minute(tmp_path / "out" / ".reports", "dispatch")
    result = run_archiver("--config-dir", str(tmp_path / "configs"), "dispatch", "fixture",
                          "--scrapyd", f"http://127.0.0.1:{closed_port()}",
                          "--output", str(tmp_path / "out"))
    assert result.returncode == 1, result.stdout + result.stderr
    reports = new_reports(tmp_path / "out" / ".reports", taken)
    assert [r["command"] for r in reports] == ["dispatch"]


def start(*args: str) -> subprocess.Popen:
    import os

    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
    return subprocess.Popen([sys.executable, "-m", "archiver.cli", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_crawls_and_two_dispatches_started_together_write_two_reports_each(server,
                                                                                 tmp_path):
    configs, output = tmp_path / "configs", tmp_path / "out"
    for name in ("one", "two"):
        write_config(configs, site_config(name, start_urls=[server.url(f"/{name}/list.htm")]))
        server.add(f"/{name}/list.htm", "<html><body>no news</body></html>")
    node = f"http://127.0.0.1:{closed_port()}"
    runs = [start("--config-dir", str(configs), "--output", str(output), *command)
            for command in (["crawl", "one"], ["crawl", "two"],
                            ["dispatch", "one", "--scrapyd", node],
                            ["dispatch", "two", "--scrapyd", node])]
    for run in runs:
        run.communicate(timeout=120)
    reports = [json.loads(p.read_text()) for p in (output / ".reports").glob("*.json")]
    by_command = sorted((r["command"], *r["sites"]) for r in reports)
    assert by_command == [("crawl", "one"), ("crawl", "two"), ("dispatch", "one"),
                          ("dispatch", "two")]
