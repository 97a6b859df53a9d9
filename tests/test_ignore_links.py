"""`ignore_links:` acknowledges links a site lists that the archive cannot hold (WeChat
articles, a login-only system): counted as ignored, not failures, so a cron run goes quiet; a
link nobody acknowledged still fails the run."""

from __future__ import annotations

from tests.conftest import run_archiver, site_config, site_report, write_config
from tests.sitebuilder import Article, list_page, serve_site

WECHAT = "https://mp.weixin.qq.com/s/AbCdEf123"
LOGIN = "/oa/notice/7.htm"  # an on-site system that answers a login page


def serve(server, links: list[str]) -> str:
    articles = [Article(871000 + i, f"新闻{i}") for i in range(2)]
    start = serve_site(server, articles)
    extra = "".join(f'<li class="news"><a href="{href}">链接{i}</a><span>2025-03-07</span></li>'
                    for i, href in enumerate(links))
    server.add("/1001/list.htm", list_page(articles, "javascript:void(0);").replace(
        '<ul class="news_list">', f'<ul class="news_list">{extra}'))
    return start


def test_a_cron_run_whose_only_gaps_are_acknowledged_is_quiet_and_green(server, tmp_path):
    start = serve(server, [WECHAT, "/oa/notice/c1001a7/page.htm"])
    server.add("/oa/notice/c1001a7/page.htm", "<html><body><form>登录</form></body></html>",
               status=403)
    write_config(tmp_path / "configs", site_config(
        start_urls=[start], ignore_links=[r"^https?://mp\.weixin\.qq\.com/", r"/oa/"]))
    # No terminal: stdout and stderr are pipes, as under cron.
    result = run_archiver("--config-dir", str(tmp_path / "configs"), "crawl", "fixture",
                          "--output", str(tmp_path / "out"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == [
        "fixture", "archive", "report", "total"]
    site = site_report(tmp_path / "out")
    assert (site["outcome"], site["articles"]["new"]) == ("ok", 2)
    assert (site["articles"]["ignored"], site["articles"]["offsite"],
            site["articles"]["failed"]) == (2, 0, 0)
    assert sorted(entry["url"] for entry in site["ignored"]) == sorted(
        [WECHAT, server.url("/oa/notice/c1001a7/page.htm")])
    assert site["offsite"] == [] and site["failures"] == []
    assert server.hits["/oa/notice/c1001a7/page.htm"] == 0  # acknowledged: never requested


def test_an_unacknowledged_offsite_link_still_fails_the_run(server, tmp_path):
    other = "https://mp.weixin.qq.com/s/Other999"
    start = serve(server, [WECHAT, other])
    write_config(tmp_path / "configs", site_config(
        start_urls=[start], ignore_links=[r"AbCdEf123$"]))
    result = run_archiver("--config-dir", str(tmp_path / "configs"), "crawl", "fixture",
                          "--output", str(tmp_path / "out"))
    assert result.returncode == 1, result.stdout + result.stderr
    site = site_report(tmp_path / "out")
    assert [e["url"] for e in site["ignored"]] == [WECHAT]
    assert [e["url"] for e in site["offsite"]] == [other]


def test_ignore_links_patterns_are_validated(tmp_path):
    write_config(tmp_path / "configs", site_config(
        start_urls=["http://127.0.0.1/l.htm"], ignore_links=["(?<=x)y"]))
    result = run_archiver("--config-dir", str(tmp_path / "configs"), "sites")
    assert result.returncode == 2
    assert "ignore_links" in result.stderr and "(?<=x)y" in result.stderr
