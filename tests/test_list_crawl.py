"""Real crawls of sites no preset knows: an older hand-made school site (GBK, tables), plain
pagers found by their text or numbering, a pager that cannot be followed, and list dates."""

from __future__ import annotations

import json

import pytest
import yaml

from archiver.archive import urlname
from tests.conftest import FAST_SETTINGS, archive_files, coded, run_archiver, write_config
from tests.oldsite import school_articles, serve_old_site


def generic_config(start: str, **extra) -> dict:
    return {"name": "school", "school": "示例师范学院", "label": "school.test",
            "tags": ["school.test"], "categories": ["school.test"],
            "allowed_domains": ["127.0.0.1"], "start_urls": [start], "cms": "generic",
            "settings": FAST_SETTINGS,
            **extra}


def crawl(tmp_path, *extra: str):
    report = tmp_path / "report.json"
    result = run_archiver("--config-dir", str(tmp_path / "configs"), "crawl", "school",
                          "--output", str(tmp_path / "out"), "--report", str(report), *extra)
    return result, json.loads(report.read_text(encoding="utf-8"))["sites"]["school"]


def archived_dates(tmp_path, server, articles) -> dict[str, str]:
    files = archive_files(tmp_path / "out", "school")
    names = {f"{urlname(server.url(a.path))}.md": a for a in articles}
    return {names[name].date: str(post["date"]) for name, post in files.items() if name in names}


def test_new_site_on_an_old_school_list_page_then_crawl_archives_every_article(server, tmp_path):
    # 23 articles on three GBK list pages chained by a plain <a>下一页</a>; every other article
    # page shows no date, so the date beside its link in the list is the one archived.
    articles = school_articles(23)
    for article in articles[::2]:
        article.dated_page = False
    start = serve_old_site(server, articles, date_styles=("cell", "bracket", "chinese",
                                                          "calendar"))
    configs = tmp_path / "configs"
    made = run_archiver("--config-dir", str(configs), "new-site", start, "--name", "school")
    assert made.returncode == 0, made.stdout + made.stderr
    config = yaml.safe_load((configs / "school.yaml").read_text(encoding="utf-8"))
    assert config["start_urls"] == [start]  # the page given, not its second page
    assert config["cms"] == "generic"
    # new-site tried the next page it found (once), and kept the page given as the start URL.
    assert server.hits["/xwzx/list_2.htm"] == 1
    # The samples, newest first, a few lines each: the full text only with --full-text.
    shown = [line for line in made.stdout.splitlines() if line.startswith("  headline:")]
    assert shown == [f"  headline: {a.headline}   [fallback]" for a in articles[:3]]
    assert "---- as archived ----" not in made.stdout

    result, report = crawl(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert report["articles"]["new"] == 23 and report["health"] == []
    assert archived_dates(tmp_path, server, articles) == {
        a.date: f"{a.date} 00:00:00" for a in articles}


@pytest.mark.parametrize(("pager", "numbering"), [
    ("numbers", "index_N-1"),  # 1 2 3 only: index.htm, index_1.htm, index_2.htm (TRS style)
    ("numbers", "list_N"),
    ("text", "listN"),
])
def test_plain_pagers_are_followed_to_the_last_page(server, tmp_path, pager, numbering):
    articles = school_articles(23)
    start = serve_old_site(server, articles, pager=pager, numbering=numbering)
    write_config(tmp_path / "configs", generic_config(start))
    result, report = crawl(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert report["articles"]["new"] == 23 and report["list_pages"]["walked"] == 3
    assert report["health"] == []


def test_a_pager_without_a_followable_next_page_is_a_health_warning(server, tmp_path):
    # 共23条 第1/3页 with the next page behind javascript: never a silent one-page walk.
    articles = school_articles(23)
    start = serve_old_site(server, articles, pager="script")
    write_config(tmp_path / "configs", generic_config(start))
    result, report = crawl(tmp_path)
    assert result.returncode == 1
    assert report["articles"]["new"] == 10
    assert coded(report["health"]) == [("health", "pager_without_next", start)]
    assert f"health: list page {start} shows a pager" in result.stdout


def test_list_dates_fill_article_pages_without_a_date(server, tmp_path):
    articles = school_articles(4, dated_page=False)
    start = serve_old_site(server, articles, date_styles=("bracket",))
    write_config(tmp_path / "configs", generic_config(start))
    preview = run_archiver("--config-dir", str(tmp_path / "configs"), "preview", "school",
                           "--limit", "1", env={"ARCHIVER_OUTPUT_DIR": str(tmp_path / "out")})
    assert "date:     2020-03-27 00:00:00   [list: '2020/03/27']" in preview.stdout
    result, _ = crawl(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert archived_dates(tmp_path, server, articles) == {
        a.date: f"{a.date} 00:00:00" for a in articles}
    # A lone article page with no date anywhere is still refused, with its reason.
    report = tmp_path / "fetch.json"
    fetched = run_archiver("fetch", server.url(articles[0].path), "--output",
                           str(tmp_path / "lone"), "--report", str(report))
    assert fetched.returncode == 1
    failures = json.loads(report.read_text(encoding="utf-8"))["sites"]["127.0.0.1"]["failures"]
    assert coded(failures) == [("article", "no_date", server.url(articles[0].path))]
