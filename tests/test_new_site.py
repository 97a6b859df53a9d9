"""`archiver new-site` on the home page of a fixture site of each CMS family writes a config
that crawls that site correctly without hand edits; `archiver preview` shows a site without
writing anything."""

from __future__ import annotations

import yaml

from archiver.archive import urlname
from archiver.config import load_site
from archiver.demo import DEMO_ROOT
from archiver.demo.server import FixtureServer
from tests.conftest import archive_files, run_archiver
from tests.sitebuilder import Article, serve_site
from tests.vsbsite import VSB_HEAD, serve_vsb_site

NAV = """<div class="nav">{links}</div><div class="news"><h3>最新动态</h3>{latest}</div>"""


def home(title: str, links: dict[str, str], latest: list[str] = (), head: str = "") -> str:
    nav = "".join(f'<a href="{href}">{text}</a>' for text, href in links.items())
    items = "".join(f'<li><a href="{href}">首页新闻{i}</a></li>' for i, href in enumerate(latest))
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8">{head}<title>{title}</title>'
            f"</head><body>{NAV.format(links=nav, latest=f'<ul>{items}</ul>')}</body></html>")


def webplus_site(server) -> set[str]:
    articles = [Article(900100 + i, f"理工新闻{i}") for i in range(7)]
    serve_site(server, articles, per_page=3)
    server.add("/1002/list.htm", "<html><body><p>暂无内容</p></body></html>")
    server.add("/main.htm", home("示例理工大学", {"首页": "/main.htm", "学校要闻": "/1001/list.htm",
                                              "通知公告": "/1002/list.htm"},
                                 [articles[0].path], '<meta name="sudy-wp-siteId" content="1">')
               .replace('<div class="news">', '<div class="news" frag="窗口3" portletmode="simpleNews">'))
    return {server.url(a.path) for a in articles}


def vsb_site(server) -> set[str]:
    urls = set(serve_vsb_site(server, count=7, per_page=3))
    server.add("/xxgk.htm", f"<html><head>{VSB_HEAD}</head><body><p>学校概况。</p></body></html>")
    server.add("/index.htm", home("测试职业大学", {"首页": "/index.htm", "学校新闻": "/xyxw.htm",
                                               "学校概况": "/xxgk.htm"}, [], VSB_HEAD +
                                  '<script>_showDynClicks("wbnews", 1, 2)</script>'))
    return urls


def ecms_site(server) -> set[str]:
    server.add("/index.shtml", home("示例大学新闻网", {"首页": "/index.shtml",
                                                 "要闻": "/ywsd/index.shtml",
                                                 "媒体": "/mtnk/index.shtml"}, [],
                                    "<!--ecms sync check [demo]-->"
                                    '<script src="/cms_block_span.js"></script>'))
    site = DEMO_ROOT / "site" / "ecms" / "ywsd" / "system"
    return {server.url("/ywsd/system/" + str(p.relative_to(site)))
            for p in site.glob("20*/*/*/*.shtml")}


def new_site_then_crawl(tmp_path, server, home_path: str, family: str, expected: set[str],
                        *options: str):
    configs = tmp_path / "configs"
    made = run_archiver("--config-dir", str(configs), "new-site", server.url(home_path),
                        "--name", "probe", "--label", "probe.test", *options)
    assert made.returncode == 0, made.stdout + made.stderr
    config = yaml.safe_load((configs / "probe.yaml").read_text(encoding="utf-8"))
    assert config["cms"] == family
    # The sample articles as archived: only on request.
    assert ("---- as archived ----" in made.stdout) == ("--full-text" in options)
    load_site(configs / "probe.yaml")
    crawled = run_archiver("--config-dir", str(configs), "crawl", "probe", "--full",
                           "--output", str(tmp_path / "out"), timeout=180)
    assert crawled.returncode == 0, crawled.stdout + crawled.stderr
    assert set(archive_files(tmp_path / "out", "probe")) == {f"{urlname(u)}.md" for u in expected}
    return config


def test_new_site_on_a_webplus_home_page(server, tmp_path):
    expected = webplus_site(server)
    config = new_site_then_crawl(tmp_path, server, "/main.htm", "webplus", expected, "--full-text")
    assert config["start_urls"] == [server.url("/1001/list.htm")]
    assert config["school"] == "示例理工大学"


def test_new_site_on_a_list_page_keeps_that_page(server, tmp_path):
    expected = webplus_site(server)
    # The fixture's list page carries no WebPlus markers: the generic rules read it.
    config = new_site_then_crawl(tmp_path, server, "/1001/list.htm", "generic", expected)
    # The page given, not its second page (list2.htm shows as many article links).
    assert config["start_urls"] == [server.url("/1001/list.htm")]


def test_new_site_on_a_vsb_home_page(server, tmp_path):
    expected = vsb_site(server)
    config = new_site_then_crawl(tmp_path, server, "/index.htm", "vsb", expected)
    assert config["start_urls"] == [server.url("/xyxw.htm")]


def test_new_site_on_an_ecms_home_page(tmp_path):
    with FixtureServer(DEMO_ROOT / "site" / "ecms") as server:
        expected = ecms_site(server)
        config = new_site_then_crawl(tmp_path, server, "/index.shtml", "ecms", expected)
        assert config["start_urls"] == [server.url("/ywsd/index.shtml")]


def test_new_site_on_an_ecms_list_page_keeps_that_page(tmp_path):
    with FixtureServer(DEMO_ROOT / "site" / "ecms") as server:
        ecms_site(server)
        made = run_archiver("--config-dir", str(tmp_path), "new-site",
                            server.url("/ywsd/index.shtml"), "--name", "probe")
        assert made.returncode == 0, made.stdout + made.stderr
        config = yaml.safe_load((tmp_path / "probe.yaml").read_text(encoding="utf-8"))
        assert config["start_urls"] == [server.url("/ywsd/index.shtml")]
        # A list page (its pager is the ecms script): no other page is tried as a list.
        assert server.hits["/index.shtml"] == 0


def test_preview_shows_articles_and_writes_nothing(server, tmp_path):
    articles = [Article(900200 + i, f"预览新闻{i}", images=["/img/p.png"]) for i in range(4)]
    start = serve_site(server, articles, per_page=10)
    from tests.conftest import site_config, write_config

    write_config(tmp_path / "configs", site_config(start_urls=[start]))
    result = run_archiver("--config-dir", str(tmp_path / "configs"), "preview", "fixture",
                          "--limit", "2", env={"ARCHIVER_OUTPUT_DIR": str(tmp_path / "out")})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "headline: 预览新闻0   [selector]" in result.stdout
    assert "date:     2025-03-06 15:20:00   [selector: '2025-03-06 15:20']" in result.stdout
    assert "1 paragraph(s), 1 image(s)" in result.stdout
    assert "fixture: 2 article(s) previewed" in result.stdout
    assert not (tmp_path / "out").exists()
    assert server.hits["/img/p.png"] == 0
