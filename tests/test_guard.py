"""Nothing a misbehaving site answers replaces a good article (refresh holds it back for
review) or is archived as one (crawl refuses it, and asks again next run)."""

from __future__ import annotations

import json
from datetime import date

from archiver.archive import urlname
from tests.conftest import archive_files, run_archiver, site_config, site_report, write_config
from tests.sitebuilder import Article, serve_site

SETTINGS = {"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0, "RETRY_TIMES": 0}
TODAY = date.today().isoformat()


def story(n: int) -> list[str]:
    """Three paragraphs of an ordinary news article."""
    return [f"　　第{n}届学术年会在我校召开，来自全国四十余所高校的两百多名专家学者参加会议，围绕学科建设展开研讨。",
            "　　会议期间，与会代表分组讨论了人才培养、科学研究和社会服务等议题，并参观了学校实验室和图书馆。",
            "　　学校主要负责同志表示，将认真吸收会议成果，进一步推进学科交叉融合，提升人才培养质量。"]


def archiver(tmp_path, *args):
    return run_archiver("--config-dir", str(tmp_path / "configs"), *args,
                        "--output", str(tmp_path / "out"))


def archive(tmp_path, server, articles):
    start = serve_site(server, articles, per_page=10)
    write_config(tmp_path / "configs", site_config(start_urls=[start], settings=SETTINGS))
    result = archiver(tmp_path, "crawl", "fixture")
    assert result.returncode == 0, result.stdout + result.stderr
    return tmp_path / "out" / "fixture"


MAINTENANCE_BARE = "<html><head><title>系统维护</title></head><body><h1>系统维护中</h1>" \
    "<p>网站正在升级维护，暂停访问，请稍后再来。</p></body></html>"
LOGIN = ("<html><head><title>统一身份认证</title></head><body><h1>统一身份认证</h1><form>"
         "<input name='u'><input type='password' name='p'><button>登录</button></form>"
         "</body></html>")


def test_refresh_holds_back_maintenance_pages_and_applies_real_edits(server, tmp_path):
    articles = [Article(710100 + i, f"学术年会{i}", paragraphs=story(i)) for i in range(6)]
    folder = archive(tmp_path, server, articles)
    files = {a.id: folder / f"{urlname(server.url(a.path))}.md" for a in articles}
    before = {i: path.read_bytes() for i, path in files.items()}
    templated, bare, blank, login, edited, empty = articles
    server.add(empty.path, b"")  # HTTP 200 with nothing at all: nothing to hold, a failure
    # The same template, today's date, a maintenance notice for a body.
    server.add(templated.path, Article(templated.id, "系统维护通知", date=f"{TODAY} 08:00",
                                       paragraphs=["系统正在升级维护，暂停访问，请稍后再试。"]).page())
    server.add(bare.path, MAINTENANCE_BARE)
    server.add(blank.path, Article(blank.id, blank.headline, paragraphs=[]).page())
    server.add(login.path, LOGIN)
    # A real edit: one sentence changed, one photo added.
    fixed = story(4)
    fixed[1] = "　　会议期间，与会代表分组讨论了人才培养、科学研究和国际交流等议题，并参观了学校实验室。"
    server.add(edited.path, Article(edited.id, edited.headline, paragraphs=fixed,
                                    images=["/img/new.png"]).page())
    server.add("/img/new.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 40, content_type="image/png")

    result = archiver(tmp_path, "refresh", "fixture")
    assert result.returncode == 1, result.stdout + result.stderr
    site = site_report(tmp_path / "out")
    held = {h["url"]: h["code"] for h in site["held_back"]}
    assert held == {server.url(templated.path): "maintenance_page",
                    server.url(bare.path): "maintenance_page",
                    server.url(blank.path): "not_an_article",
                    server.url(login.path): "login_page"}
    assert (site["articles"]["held_back"], site["articles"]["changed"]) == (4, 1)
    assert [c["url"] for c in site["changed_articles"]] == [server.url(edited.path)]
    assert [(f["url"], f["code"]) for f in site["failures"]] == [
        (server.url(empty.path), "empty_page")]
    assert "held back [maintenance_page]" in result.stdout
    for article in (templated, bare, blank, login, empty):
        assert files[article.id].read_bytes() == before[article.id]
    for article in (templated, bare, blank, login):
        kept = folder / ".held" / f"{urlname(server.url(article.path))}.md"
        info = json.loads(kept.with_suffix(".json").read_text(encoding="utf-8"))
        assert info["url"] == server.url(article.path) and info["code"] == held[info["url"]]
    assert "国际交流" in files[edited.id].read_text(encoding="utf-8")
    # Held versions are not part of the archive: check and publish do not see them.
    assert len(archive_files(tmp_path / "out", "fixture")) == 6
    assert archiver(tmp_path, "check").returncode == 0

    accepted = archiver(tmp_path, "refresh", "--accept-all")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    for article in (templated, bare, blank, login):
        assert files[article.id].read_bytes() != before[article.id]
    assert files[empty.id].read_bytes() == before[empty.id]
    assert "系统正在升级维护" in files[templated.id].read_text(encoding="utf-8")
    assert list((folder / ".held").iterdir()) == []


def test_accept_applies_one_url_and_a_recovered_site_drops_what_was_held(server, tmp_path):
    articles = [Article(710200 + i, f"学术年会{i}", paragraphs=story(i)) for i in range(2)]
    folder = archive(tmp_path, server, articles)
    files = [folder / f"{urlname(server.url(a.path))}.md" for a in articles]
    before = [path.read_bytes() for path in files]
    for article in articles:
        server.add(article.path, MAINTENANCE_BARE)
    assert archiver(tmp_path, "refresh", "fixture").returncode == 1
    one = server.url(articles[0].path)
    result = archiver(tmp_path, "refresh", "--accept", one, server.url("/not/held.htm"))
    assert result.returncode == 1  # the second URL had nothing held
    assert "not accepted: " + server.url("/not/held.htm") in result.stderr
    assert files[0].read_bytes() != before[0] and files[1].read_bytes() == before[1]
    # The site recovers: the archived text is what it gives again, the held version goes.
    server.add(articles[1].path, articles[1].page())
    again = archiver(tmp_path, "refresh", "fixture")
    assert site_report(tmp_path / "out")["articles"]["held_back"] == 0, again.stdout
    assert list((folder / ".held").iterdir()) == []


PORTAL_TEXT = ["　　测试大学是一所以工为主、多学科协调发展的全国重点大学，学校坚持立德树人根本任务，"
               "建设特色鲜明的高水平研究型大学。" * 4]
PORTAL = Article(0, "欢迎访问测试大学门户", date=f"{TODAY} 00:00", paragraphs=PORTAL_TEXT).page()


def test_a_crawl_during_an_outage_archives_nothing_and_the_next_run_everything(server,
                                                                               tmp_path):
    articles = [Article(710300 + i, f"学术年会{i}", paragraphs=story(i)) for i in range(6)]
    start = serve_site(server, articles, per_page=10)
    write_config(tmp_path / "configs", site_config(start_urls=[start], settings=SETTINGS))
    # Maintenance pages for half of the URLs, one portal page (no telling words) for the rest.
    for article in articles[:3]:
        server.add(article.path, Article(article.id, "系统维护通知", date=f"{TODAY} 08:00",
                                         paragraphs=["系统正在升级维护，暂停访问，请稍后再试。"]).page())
    for article in articles[3:]:
        server.add(article.path, PORTAL)

    result = archiver(tmp_path, "crawl", "fixture")
    assert result.returncode == 1, result.stdout + result.stderr
    site = site_report(tmp_path / "out")
    codes = {f["url"]: f.get("code") for f in site["failures"]}
    assert codes == {server.url(a.path): "maintenance_page" for a in articles[:3]} | {
        server.url(a.path): "same_page" for a in articles[3:]}
    assert site["articles"]["new"] == 0 and archive_files(tmp_path / "out", "fixture") == {}
    causes = {h["code"]: h["reason"] for h in site["health"]}
    assert set(causes) == {"maintenance_page", "same_page"}
    assert causes["same_page"].startswith("the site answers the same page for 3 article URLs: "
                                          "maintenance or a login wall?")
    assert "the site answers the same page for 3 article URLs" in result.stdout

    for article in articles:  # the site recovers
        server.add(article.path, article.page())
    again = archiver(tmp_path, "crawl", "fixture")
    assert again.returncode == 0, again.stdout + again.stderr
    assert site_report(tmp_path / "out")["articles"]["new"] == 6
    assert len(archive_files(tmp_path / "out", "fixture")) == 6


def test_a_short_notice_about_maintenance_linked_by_its_headline_is_archived(server, tmp_path):
    notice = Article(710400, "关于校园网系统升级维护的通知",
                     paragraphs=["　　校园网将于本周六22:00至24:00进行系统升级维护，届时暂停访问。"])
    archive(tmp_path, server, [notice])
    assert site_report(tmp_path / "out")["articles"]["new"] == 1


def test_an_outage_is_not_death(server, tmp_path):
    articles = [Article(710500 + i, f"学术年会{i}", paragraphs=story(i)) for i in range(5)]
    archive(tmp_path, server, articles[3:])
    serve_site(server, articles, per_page=10)
    # Half down: the list pages answer, every article (the archived ones too) is a 404.
    for article in articles:
        server.add(article.path, b"<html><body>404 Not Found</body></html>", status=404)
    record = tmp_path / "out" / "fixture" / ".gone.json"
    for _ in range(2):
        result = archiver(tmp_path, "crawl", "fixture")
        assert result.returncode == 1, result.stdout + result.stderr
        site = site_report(tmp_path / "out")
        assert [f["reason"] for f in site["failures"]] == ["HTTP 404"] * 3
        assert any(note.startswith("outage, not dead links") for note in site["notes"])
        assert not record.exists() or json.loads(record.read_text()) == {}
    # The two archived articles were asked for as evidence, and failed too.
    assert server.hits[articles[3].path] + server.hits[articles[4].path] >= 3

    for article in articles:  # the site recovers
        server.add(article.path, article.page())
    again = archiver(tmp_path, "crawl", "fixture")
    assert again.returncode == 0, again.stdout + again.stderr
    site = site_report(tmp_path / "out")
    assert (site["articles"]["new"], site["articles"]["gone"]) == (3, 0)
    assert len(archive_files(tmp_path / "out", "fixture")) == 5


def walk_state(tmp_path) -> dict:
    state = json.loads((tmp_path / "out" / "fixture" / ".state.json").read_text())
    return {url: entry["walk"] for url, entry in state["lists"].items()}


def test_an_unreachable_site_is_never_no_news(server, tmp_path):
    articles = [Article(710600 + i, f"学术年会{i}", paragraphs=story(i)) for i in range(4)]
    start = serve_site(server, articles, per_page=2)
    write_config(tmp_path / "configs", site_config(start_urls=[start], settings=SETTINGS))
    assert archiver(tmp_path, "crawl", "fixture").returncode == 0
    folder = tmp_path / "out" / "fixture"
    hole = folder / f"{urlname(server.url(articles[3].path))}.md"
    hole.unlink()  # behind the first list page: only a full walk finds it again
    list1, list2 = "/1001/list.htm", "/1001/list2.htm"
    pages = {path: server.replies[path] for path in (list1, list2)}
    login = server.url("/cas/login.htm")
    server.add("/cas/login.htm", LOGIN)
    meta = ('<html><head><meta http-equiv="refresh" content="0;url=http://sso.example/x">'
            "</head></html>")
    walls = {
        # list.htm -> list2.htm -> list.htm, as a login wall does
        "redirect_loop": {list1: ("", 302, {"Location": list2}),
                          list2: ("", 302, {"Location": list1})},
        "login_page": {list1: ("", 302, {"Location": login})},
        "meta_refresh_offsite": {list1: (meta, 200, {})},
    }
    for code, replies in walls.items():
        for path, (body, status, headers) in replies.items():
            server.add(path, body, status=status, headers=headers)
        result = archiver(tmp_path, "crawl", "fixture")
        assert result.returncode == 1, (code, result.stdout)
        site = site_report(tmp_path / "out")
        assert (site["outcome"], site["unreachable_code"]) == ("failed", code), site
        assert [f["code"] for f in site["failures"]] == [code]
        assert site["unreachable"]  # the summary says UNREACHABLE with it, never "0 new"
        assert walk_state(tmp_path) == {start: "incomplete"}
        for path, reply in pages.items():  # the site is back
            server.replies[path] = reply
    again = archiver(tmp_path, "crawl", "fixture")
    assert again.returncode == 0, again.stdout + again.stderr
    assert site_report(tmp_path / "out")["articles"]["new"] == 1 and hole.is_file()
    assert walk_state(tmp_path) == {start: "clean"}


def test_a_meta_refresh_to_another_host_is_named_as_such(server, tmp_path):
    moved, good = (Article(710700 + i, f"学术年会{i}", paragraphs=story(i)) for i in range(2))
    serve_site(server, [moved, good], per_page=10)
    server.add(moved.path, '<html><head><meta http-equiv="refresh" '
               'content="0; url=http://sso.example/login"></head><body></body></html>')
    start = server.url("/1001/list.htm")
    write_config(tmp_path / "configs", site_config(start_urls=[start], settings=SETTINGS))
    result = archiver(tmp_path, "crawl", "fixture")
    assert result.returncode == 1
    [failure] = site_report(tmp_path / "out")["failures"]
    assert (failure["url"], failure["code"]) == (server.url(moved.path), "meta_refresh_offsite")
    assert failure["reason"] == ("a <meta refresh> to another host: http://sso.example/login "
                                 "(outside allowed_domains)")


def test_refresh_puts_back_short_articles_that_one_page_replaced(server, tmp_path):
    # Short notices: a long page is not "most of the text replaced" for them by itself.
    articles = [Article(710800 + i, f"通知{i}", paragraphs=[f"　　请于{i + 1}日前报名。"])
                for i in range(4)]
    folder = archive(tmp_path, server, articles)
    files = [folder / f"{urlname(server.url(a.path))}.md" for a in articles]
    before = [path.read_bytes() for path in files]
    portal = Article(0, "欢迎访问测试大学门户", date="2020-01-01 00:00",
                     paragraphs=PORTAL_TEXT).page()
    for article in articles:
        server.add(article.path, portal)
    result = archiver(tmp_path, "refresh", "fixture")
    assert result.returncode == 1, result.stdout
    site = site_report(tmp_path / "out")
    assert sorted(h["code"] for h in site["held_back"]) == ["same_page"] * 4
    assert (site["articles"]["changed"], site["articles"]["held_back"]) == (0, 4)
    assert site["changed_articles"] == []
    assert [path.read_bytes() for path in files] == before
    assert len(list((folder / ".held").glob("*.md"))) == 4
