"""Retries pause longer each time: a struggling server gets room instead of the same load."""

from __future__ import annotations

import json

from archiver.demo.server import Reply
from tests.conftest import FAST_SETTINGS, run_archiver, site_config, write_config
from tests.sitebuilder import Article, serve_site


def test_retry_pauses_double_each_time(server, tmp_path):
    article = Article(700001, "重试的文章")
    start = serve_site(server, [article])
    busy = Reply(b"busy", status=503)
    server.add_sequence(article.path, [busy, busy, busy, Reply(article.page())])
    settings = {**FAST_SETTINGS, "RETRY_TIMES": 3, "ARCHIVER_RETRY_BACKOFF": 0.4}
    write_config(tmp_path / "configs", site_config(start_urls=[start], settings=settings))
    report = tmp_path / "run.json"
    result = run_archiver("--config-dir", str(tmp_path / "configs"), "crawl", "fixture",
                          "--output", str(tmp_path / "out"), "--report", str(report))
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(report.read_text())["sites"]["fixture"]["articles"]["new"] == 1

    times = server.hit_times[article.path]
    assert len(times) == 4  # three 503s, then the page
    gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    # 0.4 s, 0.8 s, 1.6 s: each pause at least the backoff, and each about twice the last.
    for gap, expected in zip(gaps, (0.4, 0.8, 1.6), strict=True):
        assert gap >= expected * 0.95, gaps
    assert gaps[1] > gaps[0] * 1.5 and gaps[2] > gaps[1] * 1.5, gaps
