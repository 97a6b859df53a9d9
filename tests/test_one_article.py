"""One article, one file: URL variants of one article (default port, session id, tracking
parameters, query order, unknown parameters) give one archive file, `check` stays clean, and the
report counts the aliases. Crawled for real through the fixture server, as a proxy, so that the
site has a host name and `:80` means something."""

from __future__ import annotations

import html
import json
import time

import pytest

from archiver.archive import urlname
from archiver.archive.index import ALIASES_NAME, article_fingerprint
from archiver.urls import canonical_url
from tests.conftest import run_archiver, site_config, site_report, write_config
from tests.sitebuilder import Article

HOST = "http://news.example"
PER_PAGE = 200


def variants(path: str, unknown: int) -> list[str]:
    """The forms of one article's URL a hostile site links: the default port, a session id, a
    tracking parameter, the query in either order, and `unknown` values of a parameter nobody
    knows (`?x=N`)."""
    return [f"{HOST}{path}", f"{HOST}:80{path}", f"{HOST}{path};jsessionid=ABC",
            f"{HOST}{path}?from=rss", f"{HOST}{path}?a=1&b=2", f"{HOST}{path}?b=2&a=1",
            *(f"{HOST}{path}?x={n}" for n in range(unknown))]


def list_pages(server, links: list[str]) -> str:
    """List pages of PER_PAGE links each, chained by next links; the first page's URL."""
    pages = [links[i:i + PER_PAGE] for i in range(0, len(links), PER_PAGE)]
    for n, chunk in enumerate(pages, start=1):
        items = "".join(f'<li><a href="{html.escape(u)}">某条新闻</a><span>2025-03-06</span></li>'
                        for u in chunk)
        following = f"list{n + 1}.htm" if n < len(pages) else "javascript:void(0);"
        server.add(f"{HOST}/1001/{'list' if n == 1 else f'list{n}'}.htm",
                   f'<html><body><ul class="news_list">{items}</ul><ul class="wp_paging">'
                   f'<a class="next" href="{following}">下一页</a></ul></body></html>')
    return f"{HOST}/1001/list.htm"


def serve(server, article: Article) -> None:
    server.add(HOST + article.path, article.page(), content_type="text/html")
    server.any_query.add(HOST + article.path)


def setup(server, tmp_path, links: list[str], **config) -> tuple:
    start = list_pages(server, links)
    write_config(tmp_path / "configs", site_config(
        allowed_domains=["news.example"], start_urls=[start],
        article={"url_pattern": r"/c\d+a\d+/page\.htm"}, **config))
    args = ("--config-dir", str(tmp_path / "configs"), "--output", str(tmp_path / "out"))
    return args, {"http_proxy": server.base_url}


def article_hits(server, article: Article) -> int:
    return sum(n for key, n in server.hits.items() if article.path in key)


@pytest.mark.parametrize("unknown", [200, 10_000])
def test_variants_of_one_article_give_one_file(server, tmp_path, unknown):
    one, other = Article(880001, "一篇新闻"), Article(880002, "另一篇新闻")
    serve(server, one)
    serve(server, other)
    args, env = setup(server, tmp_path, [*variants(one.path, unknown), f"{HOST}{other.path}"])
    started = time.monotonic()
    result = run_archiver(*args, "crawl", "fixture", env=env, timeout=300)
    took = time.monotonic() - started
    assert result.returncode == 0, result.stdout + result.stderr
    folder = tmp_path / "out" / "fixture"
    files = sorted(p.name for p in folder.glob("*.md"))
    assert len(files) == 2
    site = site_report(tmp_path / "out")
    # Distinct canonical URLs of the first article: the page itself, ?a=1&b=2 (either order),
    # and the `unknown` ?x=N; all but the one archived are its aliases.
    assert site["articles"]["new"] == 2
    assert site["articles"]["alias"] == unknown + 1
    assert site["articles"]["failed"] == 0
    assert {a["code"] for a in site["aliases"]} == {"alias"}
    [target] = {a["file"] for a in site["aliases"]}
    assert f"{target}.md" in files and "->一篇新闻 |" in (folder / f"{target}.md").read_text()
    # Once one ?x=N showed itself an alias, the rest of that family is not requested at all.
    assert article_hits(server, one) < 100
    assert took < 120
    record = json.loads((folder / ALIASES_NAME).read_text(encoding="utf-8"))
    assert any(v["params"] == ["x"] for v in record["variants"])
    check = run_archiver(*args, "check")
    assert check.returncode == 0, check.stdout + check.stderr

    # The next run asks for none of them again: every variant is known.
    hits = article_hits(server, one)
    again = run_archiver(*args, "crawl", "fixture", "--full", env=env, timeout=300)
    assert again.returncode == 0, again.stdout + again.stderr
    assert article_hits(server, one) == hits
    assert site_report(tmp_path / "out")["articles"]["new"] == 0
    assert sorted(p.name for p in folder.glob("*.md")) == files


def test_files_archived_before_keep_their_names(server, tmp_path):
    """A file archived from `?from=rss` (here: under a config that kept `from`) keeps its name;
    the article is not archived again by its canonical URL nor by another tracking tag."""
    article = Article(880010, "旧的新闻")
    serve(server, article)
    tracked = f"{HOST}{article.path}?from=rss"
    args, env = setup(server, tmp_path, [tracked], url_params={"keep": ["from"]})
    assert run_archiver(*args, "crawl", "fixture", env=env).returncode == 0
    folder = tmp_path / "out" / "fixture"
    old = folder / f"{urlname(tracked)}.md"
    assert old.is_file()
    before = old.read_bytes()
    args, env = setup(server, tmp_path, [f"{HOST}{article.path}?from=weibo",
                                         f"{HOST}{article.path}"])
    result = run_archiver(*args, "crawl", "fixture", "--full", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert [p.name for p in folder.glob("*.md")] == [old.name]
    assert old.read_bytes() == before
    site = site_report(tmp_path / "out")
    assert site["articles"]["new"] == 0 and site["articles"]["already_archived"] == 1


def test_a_site_drops_or_keeps_more_parameters(server, tmp_path):
    # `token` is unknown to the defaults: a site drops it by its config; `from` names a
    # column on this site, and is kept.
    keep, drop = ("from",), ("token", "trk_*")
    assert canonical_url(f"{HOST}/a.htm?token=1&trk_x=2&from=3&id=4", keep, drop) == \
        f"{HOST}/a.htm?from=3&id=4"
    assert canonical_url(f"{HOST}:80/a.htm;jsessionid=Z?b=2&a=1&utm_source=q#top") == \
        f"{HOST}/a.htm?a=1&b=2"
    assert canonical_url(f"{HOST}/show.php?sid=123") == f"{HOST}/show.php?sid=123"
    assert canonical_url(f"{HOST}/show.php?sid=news&id=3") == f"{HOST}/show.php?id=3&sid=news"
    assert canonical_url(f"{HOST}/show.php?sid=9f8e7d6c5b4a3f2e1d0c&id=3") == \
        f"{HOST}/show.php?id=3"
    bad = site_config(start_urls=["http://127.0.0.1/"], url_params={"drop": ["a b"]})
    write_config(tmp_path / "configs", bad)
    result = run_archiver("--config-dir", str(tmp_path / "configs"), "sites")
    assert result.returncode == 2
    assert "url_params.drop" in result.stdout + result.stderr


def test_check_reports_two_files_holding_one_article(server, tmp_path):
    one = Article(880020, "同一篇新闻")
    serve(server, one)
    args, env = setup(server, tmp_path, [f"{HOST}{one.path}"])
    assert run_archiver(*args, "crawl", "fixture", env=env).returncode == 0
    folder = tmp_path / "out" / "fixture"
    [first] = folder.glob("*.md")
    # An older archiver wrote the same article again under another URL.
    other_url = f"{HOST}{one.path}?x=1"
    text = first.read_text(encoding="utf-8").replace(urlname(f"{HOST}{one.path}"),
                                                     urlname(other_url))
    text = text.replace(f"({HOST}{one.path})", f"({other_url})")
    (folder / f"{urlname(other_url)}.md").write_text(text, encoding="utf-8")
    assert article_fingerprint(text) == article_fingerprint(first.read_text(encoding="utf-8"))
    check = run_archiver(*args, "check")
    assert check.returncode == 1
    assert "the same article" in check.stdout and urlname(other_url) in check.stdout


@pytest.mark.parametrize(("record", "named"), [
    ("[]", True), ('{"aliases": [1]}', True), (" " * (5 * 1024 * 1024), True),
    # The right shape with bad entries: each entry is checked and the bad ones skipped.
    ('{"aliases": {"javascript:x": "zz", "http://news.example/a": "../x"}, "variants": [7]}',
     False)])
def test_a_bad_alias_record_is_ignored(server, tmp_path, record, named):
    one = Article(880030, "一篇")
    serve(server, one)
    args, env = setup(server, tmp_path, [f"{HOST}{one.path}", f"{HOST}{one.path}?x=1"])
    (tmp_path / "out" / "fixture").mkdir(parents=True)
    (tmp_path / "out" / "fixture" / ALIASES_NAME).write_text(record)
    result = run_archiver(*args, "crawl", "fixture", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    site = site_report(tmp_path / "out")
    assert site["articles"]["new"] == 1 and site["articles"]["alias"] == 1
    assert any(ALIASES_NAME in note for note in site["notes"]) is named
    # Rewritten whole: the next run reads it without a word.
    assert run_archiver(*args, "crawl", "fixture", "--full", env=env).returncode == 0
    assert site_report(tmp_path / "out")["notes"] == []


def test_one_page_answered_for_many_articles_makes_no_alias(server, tmp_path):
    """A site in trouble answers one page (maintenance, a login wall) for every article: the
    articles differ in the parameter that names them (`?id=N`), so none becomes an alias of
    another, and none is skipped for good once the site recovers."""
    page = Article(880040, "系统维护中")
    server.add(f"{HOST}/show.asp", page.page(), content_type="text/html")
    server.any_query.add(f"{HOST}/show.asp")
    args, env = setup(server, tmp_path, [f"{HOST}/show.asp?id={n}" for n in range(1, 6)])
    write_config(tmp_path / "configs", site_config(
        allowed_domains=["news.example"], start_urls=[f"{HOST}/1001/list.htm"],
        article={"url_pattern": r"/show\.asp\?id=\d+$"}))
    run_archiver(*args, "crawl", "fixture", env=env)
    site = site_report(tmp_path / "out")
    assert site["articles"]["alias"] == 0
    assert not (tmp_path / "out" / "fixture" / ALIASES_NAME).exists()
