"""A list that links some of its news to WeChat official-account articles (one route in twenty
does): the archiver does not fetch them, and says so for each one instead of leaving a silent
gap."""

from __future__ import annotations

from tests.conftest import coded, run_archiver, site_config, site_report, write_config
from tests.sitebuilder import Article, list_page, serve_site

WECHAT = "https://mp.weixin.qq.com/s/AbCdEf123"


def test_a_listed_wechat_article_is_named_not_archived_and_fails_the_run(server, tmp_path):
    articles = [Article(870000 + i, f"新闻{i}") for i in range(2)]
    start = serve_site(server, articles)
    page = list_page(articles, "javascript:void(0);").replace(
        '<ul class="news_list">',
        f'<ul class="news_list"><li class="news"><a href="{WECHAT}">公众号上的新闻</a>'
        "<span>2025-03-07</span></li>")
    server.add("/1001/list.htm", page)
    write_config(tmp_path / "configs", site_config(start_urls=[start]))
    result = run_archiver("--config-dir", str(tmp_path / "configs"), "crawl", "fixture",
                          "--output", str(tmp_path / "out"))
    assert result.returncode == 1, result.stdout + result.stderr
    site = site_report(tmp_path / "out")
    assert (site["articles"]["new"], site["articles"]["offsite"]) == (2, 1)
    assert coded(site["offsite"]) == [("offsite", "wechat", WECHAT)]
    assert f"not archived: {WECHAT}" in result.stdout
    assert not [key for key in server.hits if "weixin" in key]  # never requested
