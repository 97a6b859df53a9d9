"""`archiver export --wacz`: the file passes the `wacz` package's validation, and pywb (a real
replay tool, started here on 127.0.0.1) serves a captured article from it, text included."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path

from archiver.demo.server import FixtureServer
from tests.conftest import run_archiver, site_config, wait_until, write_config
from tests.sitebuilder import Article, serve_site

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except OSError:
        return False


def test_export_passes_wacz_validate_and_pywb_replays_an_article(tmp_path):
    articles = [Article(i, f"学校召开第{i}次工作会议", paragraphs=[f"　　第{i}篇正文：部署本学期重点任务。"])
                for i in range(1, 5)]
    out, cfg = tmp_path / "out", tmp_path / "cfg"
    with FixtureServer() as server:
        start = serve_site(server, articles)
        write_config(cfg, site_config(start_urls=[start]))
        crawl = run_archiver("crawl", "fixture", "--config-dir", str(cfg), "--output", str(out))
        assert crawl.returncode == 0, crawl.stdout + crawl.stderr
        url = server.url(articles[2].path)
    wacz = tmp_path / "fixture.wacz"
    export = run_archiver("export", "fixture", "--wacz", str(wacz), "--config-dir", str(cfg),
                          "--output", str(out))
    assert export.returncode == 0, export.stdout + export.stderr
    validate = subprocess.run([BIN / "wacz", "validate", "-f", str(wacz)], capture_output=True,
                              text=True, timeout=120)
    assert validate.returncode == 0, validate.stdout + validate.stderr
    with zipfile.ZipFile(wacz) as package:
        pages = [json.loads(line) for line in
                 package.read("pages/pages.jsonl").decode("utf-8").splitlines()[1:]]
    assert sorted(p["url"] for p in pages) == sorted(server.url(a.path) for a in articles)
    assert all(p["title"].startswith("测试大学->学校召开第") and p["ts"].startswith("20")
               for p in pages)
    # Replay with pywb, the server that served the pages long gone.
    replay = tmp_path / "pywb"
    replay.mkdir()
    for step in (["wb-manager", "init", "news"],
                 ["wb-manager", "add", "--unpack-wacz", "news", str(wacz)]):
        done = subprocess.run([BIN / step[0], *step[1:]], cwd=replay, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
    port = free_port()
    wayback = subprocess.Popen([BIN / "wayback", "-b", "127.0.0.1", "-p", str(port)],
                               cwd=replay, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: answers(f"{base}/"), "pywb answering", timeout=60, process=wayback)
        with urllib.request.urlopen(f"{base}/news/mp_/{url}", timeout=30) as page:
            text = page.read().decode("utf-8")
    finally:
        wayback.terminate()
        wayback.wait(timeout=30)
    assert "学校召开第3次工作会议" in text and "第3篇正文：部署本学期重点任务。" in text
