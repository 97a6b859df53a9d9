"""Content the quality verdict flags (#14): archived, named with its URL in the report, and the
run exits 1; bidi controls never reach the archive. A real crawl against a local server."""

from __future__ import annotations

import json

from archiver.archive import urlname
from tests.conftest import run_archiver, site_config, write_config
from tests.sitebuilder import Article, serve_site


def test_bidi_long_headlines_and_implausible_dates_are_archived_and_flagged(server, tmp_path):
    bidi = Article(320001, "通知\u202egpj.exe")
    long = Article(320002, "长" * 250)
    old = Article(320003, "旧闻", date="1900-01-01 00:00")
    fine = Article(320004, "正常新闻")
    start = serve_site(server, [bidi, long, old, fine], per_page=4)
    write_config(tmp_path / "configs", site_config(start_urls=[start]))
    result = run_archiver("--config-dir", str(tmp_path / "configs"), "crawl", "fixture",
                          "--output", str(tmp_path / "out"), "--report", str(tmp_path / "r.json"))
    assert result.returncode == 1, result.stdout + result.stderr
    folder = tmp_path / "out" / "fixture"
    files = {a.id: folder / f"{urlname(server.url(a.path))}.md" for a in (bidi, long, old, fine)}
    assert all(path.exists() for path in files.values())
    text = files[bidi.id].read_text(encoding="utf-8")
    assert "通知gpj.exe" in text and "\u202e" not in text
    report = json.dumps(json.loads((tmp_path / "r.json").read_text(encoding="utf-8")),
                        ensure_ascii=False)
    for article, words in ((bidi, "bidi control"), (long, "headline of 250 characters"),
                           (old, "implausible publish date 1900-01-01")):
        url = server.url(article.path)
        assert url in report and words in report, (url, words)
    assert server.url(fine.path) not in report
