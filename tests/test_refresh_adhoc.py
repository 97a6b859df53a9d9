"""A host archived by `fetch` without a site config is refreshed by its folder name."""

from __future__ import annotations

import json

import frontmatter

from archiver.archive import urlname
from tests.conftest import run_archiver
from tests.sitebuilder import Article, serve_site


def test_refresh_of_a_host_without_config_rewrites_its_changed_article(server, tmp_path):
    kept, edited = Article(301200, "不变的新闻"), Article(301201, "将要更正的新闻")
    serve_site(server, [kept, edited])
    common = ("--config-dir", str(tmp_path / "none"))
    output = ("--output", str(tmp_path / "out"))
    urls = [server.url(kept.path), server.url(edited.path)]
    result = run_archiver(*common, "fetch", *urls, *output)
    assert result.returncode == 0, result.stdout + result.stderr
    folder = tmp_path / "out" / "127.0.0.1"
    files = [folder / f"{urlname(url)}.md" for url in urls]
    kept_before = files[0].read_bytes()

    corrected = Article(301201, "更正后的新闻")
    server.add(edited.path, corrected.page(), content_type="text/html")
    report = tmp_path / "refresh.json"
    result = run_archiver(*common, "refresh", "127.0.0.1", *output, "--report", str(report))
    assert result.returncode == 0, result.stdout + result.stderr
    articles = json.loads(report.read_text())["sites"]["127.0.0.1"]["articles"]
    assert (articles["changed"], articles["unchanged"]) == (1, 1)
    assert frontmatter.load(files[1])["title"] == "127.0.0.1->更正后的新闻 | 127.0.0.1"
    assert files[0].read_bytes() == kept_before
