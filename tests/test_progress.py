"""The progress line on a terminal (a pseudo-terminal here): its counts move during the run,
`refresh` and `fetch` give a rate and the time left, and on a narrow terminal the counts are
what is kept."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios

from archiver.demo.server import Reply
from tests.conftest import PROXY_VARS, ROOT, run_archiver, site_config, write_config
from tests.sitebuilder import Article, serve_site


def on_terminal(columns: int, *args: str) -> tuple[int, list[str]]:
    """Run archiver with stderr on a terminal `columns` wide; its exit code and every state of
    the progress line (each redraw starts with "\\r\\x1b[K")."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
    process = subprocess.Popen([sys.executable, "-m", "archiver.cli", *args], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    raw = b""
    while True:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the terminal is gone with the process
                break
            if not chunk:
                break
            raw += chunk
        elif process.poll() is not None:
            break
    os.close(master)
    code = process.wait(timeout=60)
    states = [s.strip() for s in raw.decode("utf-8", "replace").split("\r\x1b[K") if s.strip()]
    return code, states


def slow_site(server, tmp_path, count: int = 6):
    articles = [Article(892000 + i, f"新闻{i}") for i in range(count)]
    start = serve_site(server, articles, per_page=count)
    for article in articles:
        server.add_sequence(article.path, [Reply(article.page(), delay=0.45)])
    write_config(tmp_path / "configs", site_config(
        start_urls=[start], settings={"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0,
                                      "RETRY_TIMES": 0, "CONCURRENT_REQUESTS": 1}))
    return articles


def test_refresh_progress_moves_with_a_rate_and_the_time_left(server, tmp_path):
    slow_site(server, tmp_path)
    common = ("--config-dir", str(tmp_path / "configs"), "--output", str(tmp_path / "out"))
    assert run_archiver(*common, "crawl", "fixture").returncode == 0
    code, states = on_terminal(120, *common, "refresh")
    assert code == 0, states
    done = [int(m.group(1)) for s in states if (m := re.match(r"(\d+)/6 refreshed", s))]
    assert len(set(done)) >= 2 and done == sorted(done), states  # it moves, never back
    assert any(0 < d < 6 for d in done), states
    assert any(re.search(r"\d+(\.\d)? articles/s \| ETA \d+:\d\d", s) for s in states), states


def test_crawl_progress_counts_and_a_narrow_terminal_keeps_the_counts(server, tmp_path):
    slow_site(server, tmp_path)
    common = ("--config-dir", str(tmp_path / "configs"), "--output", str(tmp_path / "out"))
    code, states = on_terminal(30, *common, "crawl", "fixture")
    assert code == 0, states
    assert states and all(len(s) <= 29 for s in states), states
    news = [int(m.group(1)) for s in states if (m := re.match(r"(\d+) new, \d+ failed", s))]
    assert news and any(n > 0 for n in news), states
    assert not any("sites done" in s for s in states)  # what does not fit is left out


def test_dispatch_wait_progress_counts_the_sites_done(server, tmp_path):
    from tests.test_scrapyd import deploy, fixture_sites, start_scrapyd, stop

    proc, node = start_scrapyd(tmp_path / "node")
    try:
        configs, out = tmp_path / "configs", tmp_path / "out"
        fixture_sites(server, configs, count=2)
        assert deploy(configs, node).returncode == 0
        code, states = on_terminal(100, "--config-dir", str(configs), "dispatch", "--all",
                                   "--wait", "--scrapyd", node, "--output", str(out))
    finally:
        stop(proc)
    assert code == 0, states
    done = [s for s in states if re.match(r"\d/2 sites", s)]
    assert [s[:9] for s in done] == ["1/2 sites", "2/2 sites"], states
    assert re.search(r"\d+(\.\d)? sites/s \| ETA \d+:\d\d", done[0]), states
