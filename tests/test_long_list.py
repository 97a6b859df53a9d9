"""A long list completes: the list-page cap bounds one run, not the archive. The next plain run
walks the top of the list for news and goes on from where the cap stopped the last one."""

from __future__ import annotations

import json

from archiver.archive import urlname
from archiver.config import load_site
from archiver.run.resume import WalkRecord
from tests.conftest import run_archiver, site_config, site_report, write_config
from tests.sitebuilder import Article, list_page


def serve_column(server, pages: int, per_page: int = 1) -> tuple[str, list[Article]]:
    """A column of `pages` list pages (/1001/list1.htm, list2.htm, ...), newest first."""
    articles = [Article(700000 + i, f"第{i}条新闻") for i in range(pages * per_page)]
    for n in range(1, pages + 1):
        chunk = articles[(n - 1) * per_page:n * per_page]
        following = f"/1001/list{n + 1}.htm" if n < pages else "javascript:void(0);"
        server.add(f"/1001/list{n}.htm", list_page(chunk, following))
    for article in articles:
        server.add(article.path, article.page(), content_type="text/html")
    return server.url("/1001/list1.htm"), articles


def crawl(tmp_path):
    return run_archiver("--config-dir", str(tmp_path / "configs"), "crawl", "fixture",
                        "--output", str(tmp_path / "out"), timeout=300)


def archived(tmp_path, server, articles) -> int:
    folder = tmp_path / "out" / "fixture"
    return sum((folder / f"{urlname(server.url(a.path))}.md").is_file() for a in articles)


def test_a_column_of_620_list_pages_is_archived_within_three_plain_runs(server, tmp_path):
    start, articles = serve_column(server, 620)
    write_config(tmp_path / "configs", site_config(
        start_urls=[start], settings={"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0,
                                      "RETRY_TIMES": 0, "CONCURRENT_REQUESTS": 32,
                                      "CONCURRENT_REQUESTS_PER_DOMAIN": 32}))
    first = crawl(tmp_path)
    # The cap is not a failure: the run says how far it got, and where the next one goes on.
    assert first.returncode == 0, first.stdout + first.stderr
    site = site_report(tmp_path / "out")
    assert site["list_pages"]["walked"] == 500
    assert site["list_pages"]["capped"] == [{"url": start, "max_pages": 500, "next_page": 501,
                                             "next_url": server.url("/1001/list501.htm")}]
    assert "the next run goes on from list page 501" in first.stdout
    assert archived(tmp_path, server, articles) == 500
    state = json.loads((tmp_path / "out" / "fixture" / ".state.json").read_text())
    assert state["lists"][start]["resume"]["page"] == 501

    # News arrived meanwhile: the top of the list is walked for it, the rest from page 501.
    second = crawl(tmp_path)
    assert second.returncode == 0, second.stdout + second.stderr
    site = site_report(tmp_path / "out")
    assert any("goes on from list page 501" in note for note in site["notes"])
    assert any("reached the end of the list at list page 620" in n for n in site["notes"])
    assert site["articles"]["new"] == 120
    assert archived(tmp_path, server, articles) == 620
    assert server.hits["/1001/list2.htm"] == 1  # the top walk stopped at page 1: nothing new
    state = json.loads((tmp_path / "out" / "fixture" / ".state.json").read_text())
    assert "resume" not in state["lists"][start]

    third = crawl(tmp_path)
    assert third.returncode == 0, third.stdout + third.stderr
    assert site_report(tmp_path / "out")["list_pages"]["walked"] == 1


def test_the_cap_of_a_site_and_a_failed_deep_page(server, tmp_path):
    """list.max_pages sets another cap; a list page that fails in the deep walk is asked for
    again by the next run, and nothing before it is lost."""
    start, articles = serve_column(server, 9, per_page=2)
    write_config(tmp_path / "configs", site_config(start_urls=[start], list={"max_pages": 3}))
    assert crawl(tmp_path).returncode == 0
    assert archived(tmp_path, server, articles) == 6
    server.add("/1001/list5.htm", b"busy", status=503)
    second = crawl(tmp_path)
    assert second.returncode == 1
    assert archived(tmp_path, server, articles) == 8  # page 4 only
    server.add("/1001/list5.htm", list_page(articles[8:10], "/1001/list6.htm"))
    assert crawl(tmp_path).returncode == 0
    assert archived(tmp_path, server, articles) == 14
    assert crawl(tmp_path).returncode == 0
    assert archived(tmp_path, server, articles) == 18


def test_a_resume_point_is_checked_when_read(tmp_path):
    """The walk record is untrusted: a resume point of the wrong shape is ignored (the list is
    walked from the top as usual), a good one is kept with its ecms pages."""
    site = load_site(write_config(tmp_path / "configs", site_config(
        start_urls=["http://127.0.0.1/a/list.htm", "http://127.0.0.1/b/list.htm",
                    "http://127.0.0.1/c/list.htm"])))
    record = WalkRecord(tmp_path, site)
    good = {"url": "http://127.0.0.1/a/list9.htm", "page": 9,
            "pending": ["http://127.0.0.1/a/list10.htm", 7, "javascript:x"]}
    lists = {"http://127.0.0.1/a/list.htm": {"walk": "clean", "resume": good},
             "http://127.0.0.1/b/list.htm": {"walk": "clean",
                                             "resume": {"url": "javascript:x", "page": 3}},
             "http://127.0.0.1/c/list.htm": {"walk": "clean",
                                             "resume": {"url": "http://127.0.0.1/c/2.htm",
                                                        "page": True}}}
    record.path.write_text(json.dumps({"version": 1, "fingerprint": record.fingerprint,
                                       "lists": lists}))
    plans = record.load()
    assert plans["http://127.0.0.1/a/list.htm"].resume == {
        "url": "http://127.0.0.1/a/list9.htm", "page": 9,
        "pending": ["http://127.0.0.1/a/list10.htm"]}
    assert plans["http://127.0.0.1/b/list.htm"].resume is None
    assert plans["http://127.0.0.1/c/list.htm"].resume is None
    assert not plans["http://127.0.0.1/a/list.htm"].full
