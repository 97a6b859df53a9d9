"""Faults and bad input: each gives a clear reason and no file, and loses nothing archived."""

from __future__ import annotations

import frontmatter

from archiver.archive import urlname
from archiver.demo.server import Reply
from tests.conftest import (
    FAST_SETTINGS,
    archive_files,
    coded,
    run_archiver,
    site_config,
    site_report,
    write_config,
)
from tests.sitebuilder import PNG, Article, serve_site

FAST_RETRIES = {**FAST_SETTINGS, "RETRY_TIMES": 2,
                "ARCHIVER_RETRY_BACKOFF": 0.05, "DOWNLOAD_TIMEOUT": 2}


def crawl(tmp_path, server, articles=None, settings=None, **config):
    """Crawl the fixture site; `articles` are served first unless the test already did."""
    start = serve_site(server, articles, per_page=10) if articles else server.url("/1001/list.htm")
    write_config(tmp_path / "configs", site_config(start_urls=[start],
                                                   settings=settings or FAST_RETRIES, **config))
    return run_archiver("--config-dir", str(tmp_path / "configs"), "crawl", "fixture",
                        "--output", str(tmp_path / "out"))


def failure_codes(tmp_path) -> dict[str, str]:
    """URL -> code of each failure the run's report names (each has its reason in words)."""
    failures = site_report(tmp_path / "out")["failures"]
    assert all(f["reason"] for f in failures), failures
    return {f["url"]: f["code"] for f in failures}


def test_server_errors_and_dropped_connections_are_retried(server, tmp_path):
    flaky, dropping = Article(500100, "五百错误后恢复"), Article(500101, "断开后恢复")
    serve_site(server, [flaky, dropping], per_page=10)
    server.add_sequence(flaky.path, [Reply(b"oops", status=500), Reply(b"oops", status=503),
                                     Reply(flaky.page())])
    server.add_sequence(dropping.path, [Reply(b"", fault="drop"), Reply(dropping.page())])
    result = crawl(tmp_path, server)
    assert result.returncode == 0, result.stdout + result.stderr
    assert site_report(tmp_path / "out")["articles"]["new"] == 2
    assert server.hits[flaky.path] == 3 and server.hits[dropping.path] == 2


def test_what_still_fails_is_reported_with_url_and_reason(server, tmp_path):
    dead = Article(500200, "一直五百")
    good = Article(500201, "正常")
    serve_site(server, [dead, good], per_page=10)
    server.add(dead.path, b"error", status=500)
    result = crawl(tmp_path, server)
    assert result.returncode == 1
    assert failure_codes(tmp_path) == {server.url(dead.path): "http_500"}
    assert server.hits[dead.path] == 3  # one try and two retries
    assert list(archive_files(tmp_path / "out", "fixture")) == [f"{urlname(server.url(good.path))}.md"]


def test_bad_responses_each_give_a_reason_and_no_file(server, tmp_path):
    cases = {
        "loop": (Article(500300, "重定向循环"), None),
        "truncated": (Article(500301, "截断的页面"), "truncate"),
        "empty": (Article(500302, "空页面"), "empty"),
        "error200": (Article(500303, "页面不存在"), "error200"),
        "pdf": (Article(500304, "不是网页"), "pdf"),
    }
    articles = [a for a, _ in cases.values()]
    serve_site(server, articles, per_page=10)
    loop = cases["loop"][0].path
    server.add(loop, b"", status=302, headers={"Location": loop})
    truncated = cases["truncated"][0]
    server.add_sequence(truncated.path, [Reply(truncated.page(), fault="truncate")])
    server.add(cases["empty"][0].path, b"")
    server.add(cases["error200"][0].path, Article(500303, "页面不存在", paragraphs=[
        "对不起，您访问的页面不存在或已被删除。"]).page(), content_type="text/html")
    server.add(cases["pdf"][0].path, b"%PDF-1.4 ...", content_type="application/pdf")
    result = crawl(tmp_path, server)
    assert result.returncode == 1
    found = failure_codes(tmp_path)
    assert {name: found[server.url(article.path)] for name, (article, _) in cases.items()} == {
        "loop": "redirect_loop", "truncated": "connection_lost", "empty": "empty_page",
        "error200": "error_page", "pdf": "not_html"}
    assert archive_files(tmp_path / "out", "fixture") == {}


def test_image_faults_are_reported_and_the_article_archived(server, tmp_path):
    article = Article(500400, "图片的各种问题", images=[
        "/img/ok.png", "/img/missing.png", "/img/page.png", "/img/huge.png",
        "http://localhost:1/x.png", "http://127.0.0.2:1/elsewhere.png",
    ])
    server.add("/img/missing.png", b"not here", status=404)
    server.add("/img/page.png", b"<html>not an image</html>", content_type="text/html")
    server.add("/img/huge.png", PNG + b"\0" * 5000, content_type="image/png")
    settings = {**FAST_RETRIES, "ARCHIVER_IMAGE_MAXSIZE": 2000}
    result = crawl(tmp_path, server, [article], settings=settings, image_domains=["localhost"])
    assert result.returncode == 1
    assert frontmatter.load(tmp_path / "out" / "fixture" / f"{urlname(server.url(article.path))}.md")
    found = failure_codes(tmp_path)
    # An image_domains host is requested (and fails here: nothing listens on port 1), an
    # unlisted one never.
    assert {src: found.get(src if "://" in src else server.url(src))
            for src in article.images} == {
        "/img/ok.png": None, "/img/missing.png": "http_404", "/img/page.png": "not_image",
        "/img/huge.png": "too_large", "http://localhost:1/x.png": "connection_refused",
        "http://127.0.0.2:1/elsewhere.png": "host_not_allowed"}
    images = site_report(tmp_path / "out")["images"]
    assert (images["fetched"], images["failed"]) == (1, 5)


def test_a_dead_start_page_is_loud(server, tmp_path):
    write_config(tmp_path / "configs", site_config(start_urls=[server.url("/gone/list.htm")],
                                                   settings=FAST_RETRIES))
    result = run_archiver("--config-dir", str(tmp_path / "configs"), "crawl", "fixture",
                          "--output", str(tmp_path / "out"))
    assert result.returncode == 1
    site = site_report(tmp_path / "out")
    assert coded(site["failures"]) == [("list", "http_404", server.url("/gone/list.htm"))]
    assert site["unreachable_code"] == "http_404" and site["unreachable"]


def test_a_redesigned_site_is_flagged(server, tmp_path):
    # Lists that no longer show article links…
    server.add("/1001/list.htm", "<html><body><div class='new-list'>新版列表加载中</div></body></html>")
    result = crawl(tmp_path, server)
    assert result.returncode == 1
    assert coded(site_report(tmp_path / "out")["health"]) == [
        ("health", "no_article_links", server.url("/1001/list.htm"))]


def test_articles_that_only_the_fallback_reads_are_flagged(server, tmp_path):
    # …or articles whose template the site's selectors no longer match.
    articles = [Article(500500 + i, f"改版后的新闻{i}") for i in range(2)]
    serve_site(server, articles, per_page=10)
    for article in articles:
        page = article.page().replace(b"wp_articlecontent", b"new-content").replace(
            b"arti_title", b"new-title")
        server.add(article.path, page, content_type="text/html")
    result = crawl(tmp_path, server)
    assert result.returncode == 1
    site = site_report(tmp_path / "out")
    assert site["articles"]["new"] == 2  # still archived, by the generic rules
    [health] = site["health"]
    assert health["code"] == "fallback_only"
    assert sorted(health["urls"]) == sorted(server.url(a.path) for a in articles)


def test_a_timeout_is_retried_then_reported(server, tmp_path):
    slow, good = Article(500600, "超时的页面"), Article(500601, "正常")
    serve_site(server, [slow, good], per_page=10)
    server.add_sequence(slow.path, [Reply(slow.page(), delay=3)])
    result = crawl(tmp_path, server, settings={**FAST_RETRIES, "DOWNLOAD_TIMEOUT": 1,
                                               "RETRY_TIMES": 1})
    assert result.returncode == 1
    assert failure_codes(tmp_path) == {server.url(slow.path): "timeout"}
    assert server.hits[slow.path] == 2  # one try, one retry
    assert site_report(tmp_path / "out")["articles"]["new"] == 1
