"""Real crawls of fixture sites: the `archiver` command, Scrapy and a local HTTP server."""

from __future__ import annotations

import frontmatter

from archiver.archive import urlname
from tests.conftest import (
    archive_files,
    blocks,
    coded,
    run_archiver,
    site_config,
    site_report,
    write_config,
)
from tests.sitebuilder import PNG, Article, serve_site


def archive_mtimes(output):
    """mtime of every archive file and image (run bookkeeping, the lock and reports, left out)."""
    return {p: p.stat().st_mtime_ns for p in output.rglob("*")
            if p.is_file() and not any(part.startswith(".") for part in p.parts)}


def crawl(tmp_path, server, articles, *extra, per_page=3, **config):
    start = serve_site(server, articles, per_page=per_page)
    write_config(tmp_path / "configs", site_config(start_urls=[start], **config))
    return run_archiver("--config-dir", str(tmp_path / "configs"), "crawl", "fixture",
                        "--output", str(tmp_path / "out"), *extra)


def test_crawl_walks_every_list_page_and_archives_each_article(server, tmp_path):
    articles = [Article(300100 + i, f"第{i}条新闻", images=[f"/img/{i}.png"]) for i in range(7)]
    result = crawl(tmp_path, server, articles)
    assert result.returncode == 0, result.stdout + result.stderr
    files = archive_files(tmp_path / "out", "fixture")
    assert set(files) == {f"{urlname(server.url(a.path))}.md" for a in articles}
    assert server.hits["/1001/list3.htm"] == 1  # 7 articles at 3 a page: three list pages
    post = files[f"{urlname(server.url(articles[0].path))}.md"]
    assert post["title"] == "测试大学->第0条新闻 | test.example"
    assert str(post["date"]) == "2025-03-06 15:20:00"
    assert blocks(post.content) == [
        "学校召开工作会议，部署本学期重点任务。",
        f"![图]({server.url('/img/0.png')})",
        f"[转入文章首发地址]({server.url(articles[0].path)})",
    ]
    images = list((tmp_path / "out" / "fixture" / "images").iterdir())
    assert len(images) == 7 and all(p.read_bytes() == PNG for p in images)
    site = site_report(tmp_path / "out")
    assert (site["articles"]["new"], site["articles"]["already_archived"]) == (7, 0)
    assert site["images"] == {"fetched": 7, "already_archived": 0, "failed": 0}
    assert (site["outcome"], site["failures"]) == ("ok", [])


def test_second_run_writes_nothing_and_requests_no_archived_article(server, tmp_path):
    articles = [Article(300200 + i, f"新闻{i}") for i in range(5)]
    assert crawl(tmp_path, server, articles).returncode == 0
    before = archive_mtimes(tmp_path / "out")
    hits_before = dict(server.hits)

    second = crawl(tmp_path, server, articles)
    assert second.returncode == 0
    # The first list page holds nothing new, so the walk stops there: an unchanged site costs
    # robots.txt and one list page.
    articles_seen = site_report(tmp_path / "out")["articles"]
    assert (articles_seen["new"], articles_seen["already_archived"], articles_seen["failed"]) \
        == (0, 3, 0)
    assert archive_mtimes(tmp_path / "out") == before
    new_hits = {k: v - hits_before.get(k, 0) for k, v in server.hits.items()
                if v != hits_before.get(k, 0)}
    assert new_hits == {"/robots.txt": 1, "/1001/list.htm": 1}


def test_full_walks_every_list_page_and_finds_older_gaps(server, tmp_path):
    articles = [Article(300250 + i, f"新闻{i}") for i in range(6)]
    assert crawl(tmp_path, server, articles).returncode == 0
    gap = tmp_path / "out" / "fixture" / f"{urlname(server.url(articles[4].path))}.md"
    gap.unlink()  # an old article missing from the archive, on list page 2
    crawl(tmp_path, server, articles)
    assert site_report(tmp_path / "out")["articles"]["new"] == 0
    assert not gap.exists()
    crawl(tmp_path, server, articles, "--full")
    found = site_report(tmp_path / "out")["articles"]
    assert (found["new"], found["already_archived"]) == (1, 5)
    assert gap.is_file()


def test_deleting_a_file_makes_its_article_archivable_again(server, tmp_path):
    articles = [Article(300300 + i, f"新闻{i}") for i in range(3)]
    crawl(tmp_path, server, articles)
    gone = tmp_path / "out" / "fixture" / f"{urlname(server.url(articles[1].path))}.md"
    gone.unlink()
    crawl(tmp_path, server, articles)
    found = site_report(tmp_path / "out")["articles"]
    assert (found["new"], found["already_archived"]) == (1, 2)
    assert gone.is_file()


def test_dead_image_is_reported_and_the_article_still_archived(server, tmp_path):
    article = Article(300400, "图片丢失的新闻", images=["/img/ok.png", "/img/dead.jpg"])
    server.add("/img/dead.jpg", b"<html>404</html>", status=404)
    result = crawl(tmp_path, server, [article])
    assert result.returncode == 1
    post = frontmatter.load(tmp_path / "out" / "fixture" / f"{urlname(server.url(article.path))}.md")
    # The Markdown keeps both original image URLs; the dead one is reported, not dropped.
    assert f"![图]({server.url('/img/dead.jpg')})" in post.content
    site = site_report(tmp_path / "out")
    [failure] = site["failures"]
    assert {k: v for k, v in failure.items() if k != "reason"} == {
        "kind": "image", "code": "http_404", "url": server.url("/img/dead.jpg"),
        "article": server.url(article.path), "site": "fixture"}
    assert (site["images"]["fetched"], site["images"]["failed"]) == (1, 1)


def test_page_without_body_is_dropped_with_its_reason(server, tmp_path):
    empty = Article(300500, "只有标题的新闻", paragraphs=[])
    good = Article(300501, "正常新闻")
    result = crawl(tmp_path, server, [empty, good])
    assert result.returncode == 1
    failures = site_report(tmp_path / "out")["failures"]
    assert coded(failures) == [("article", "no_body", server.url(empty.path))]
    assert list(archive_files(tmp_path / "out", "fixture")) == [f"{urlname(server.url(good.path))}.md"]


def test_yaml_hostile_headline_round_trips(server, tmp_path):
    headline = "- [通知]: 关于“双一流” #建设 的 'key: value' 说明 | {x}"
    article = Article(300600, headline + "\x07", paragraphs=["# 不是标题", "---",
                                                           "正文：\x1b第一段。"])
    assert crawl(tmp_path, server, [article]).returncode == 0
    path = tmp_path / "out" / "fixture" / f"{urlname(server.url(article.path))}.md"
    post = frontmatter.load(path)
    assert post["title"] == f"测试大学->{headline} | test.example"
    # Markdown-significant openings stay text, and the body cannot end the front matter.
    assert blocks(post.content)[:3] == ["\\# 不是标题", "\\-\\-\\-", "正文：第一段。"]


def test_gbk_encoded_page_gives_correct_text(server, tmp_path):
    # Declared GB2312 but holding GBK-only characters (镕, 堃, 喆), as real sites do: decoded as
    # GB18030, the superset, nothing is lost.
    article = Article(300700, "南京理工大学召开会议", charset="gbk", declared_charset="gb2312",
                      paragraphs=["　　学校在学术交流中心召开会议，镕、堃、喆等字不缺失。"])
    raw = article.page()
    assert "镕".encode("gbk") in raw and "镕".encode() not in raw
    assert crawl(tmp_path, server, [article]).returncode == 0
    post = frontmatter.load(tmp_path / "out" / "fixture" / f"{urlname(server.url(article.path))}.md")
    assert post["title"] == "测试大学->南京理工大学召开会议 | test.example"
    assert blocks(post.content)[0] == "学校在学术交流中心召开会议，镕、堃、喆等字不缺失。"


def test_image_links_local_points_at_the_archived_copies(server, tmp_path):
    article = Article(300800, "本地图片", images=["/img/a.png"])
    result = crawl(tmp_path, server, [article], image_links="local")
    assert result.returncode == 0
    folder = tmp_path / "out" / "fixture"
    post = frontmatter.load(folder / f"{urlname(server.url(article.path))}.md")
    image_block = blocks(post.content)[1]
    assert image_block.startswith("![图](images/")
    assert (folder / image_block[len("![图]("):-1]).read_bytes() == PNG


def test_max_articles_caps_new_article_requests(server, tmp_path):
    articles = [Article(300900 + i, f"新闻{i}") for i in range(6)]
    assert crawl(tmp_path, server, articles, "--max-articles", "2").returncode == 0
    assert site_report(tmp_path / "out")["articles"]["new"] == 2
    assert len(archive_files(tmp_path / "out", "fixture")) == 2


def test_fetch_on_a_host_without_config_detects_the_cms(server, tmp_path):
    article = Article(301100, "无配置站点的新闻", images=["/img/n.png"])
    serve_site(server, [article])
    page = article.page().replace(b"<head>", b'<head><meta name="sudy-wp-siteId" content="1">')
    server.add(article.path, page, content_type="text/html")
    result = run_archiver("--config-dir", str(tmp_path / "none"), "fetch", server.url(article.path),
                          "--output", str(tmp_path / "out"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no site config for 127.0.0.1: archived under its host name; CMS detected: webplus" \
        in result.stdout
    post = frontmatter.load(tmp_path / "out" / "127.0.0.1" / f"{urlname(server.url(article.path))}.md")
    assert post["title"] == "127.0.0.1->无配置站点的新闻 | 127.0.0.1"
    assert post["tags"] == ["127.0.0.1"] and post["categories"] == ["127.0.0.1"]


def test_fetch_of_a_non_http_url_is_a_clear_error(tmp_path):
    result = run_archiver("--config-dir", str(tmp_path), "fetch", "ftp://unknown.example/a.htm",
                          "--output", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "'ftp://unknown.example/a.htm' is not an http(s) URL" in result.stderr


def test_scrapy_crawl_gives_the_same_archive_as_archiver_crawl(server, tmp_path):
    import os
    import subprocess
    import sys

    from tests.conftest import PROXY_VARS, ROOT

    articles = [Article(301000 + i, f"新闻{i}", images=[f"/img/s{i}.png"]) for i in range(4)]
    assert crawl(tmp_path, server, articles).returncode == 0
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
    env.update(ARCHIVER_CONFIG_DIR=str(tmp_path / "configs"),
               ARCHIVER_OUTPUT_DIR=str(tmp_path / "scrapy-out"))
    result = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "fixture"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]

    def tree(root):
        return {p.relative_to(root): p.read_bytes() for p in archive_mtimes(root)}

    assert tree(tmp_path / "scrapy-out") == tree(tmp_path / "out")
