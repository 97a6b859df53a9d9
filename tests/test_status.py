"""`archiver status`: the state of an archive of several local sites, read back from its
records (one site with acknowledged WeChat links, one with a failure, one never run), as JSON
field by field, as lines, and as the HTML dashboard in headless Chromium."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import pytest

from archiver.archive import urlname
from archiver.browser import find_browser
from archiver.demo.server import FixtureServer, Reply
from tests.conftest import run_archiver, site_config, write_config
from tests.sitebuilder import Article, list_page, serve_site

WECHAT = "https://mp.weixin.qq.com/s/AbCdEf123"


def wechat_site(server: FixtureServer) -> tuple[str, list[Article]]:
    articles = [Article(870000 + i, f"新闻{i}", date=f"2025-0{3 + i}-06 15:20")
                for i in range(3)]
    start = serve_site(server, articles)
    server.add("/1001/list.htm", list_page(articles, "javascript:void(0);").replace(
        '<ul class="news_list">',
        f'<ul class="news_list"><li class="news"><a href="{WECHAT}">公众号上的新闻</a>'
        "<span>2025-03-07</span></li>"))
    return start, articles


@pytest.fixture
def archive(tmp_path):
    """An archive crawled from two local sites, and a third site configured, never run."""
    with FixtureServer() as one, FixtureServer() as two:
        start_one, _ = wechat_site(one)
        articles = [Article(880000 + i, f"要闻{i}", date="2024-12-01 09:00") for i in range(2)]
        start_two = serve_site(two, articles)
        broken = articles[1]
        two.add_sequence(broken.path, [Reply(b"oops", status=500)] * 3)
        configs = tmp_path / "configs"
        write_config(configs, site_config("wechat", start_urls=[start_one],
                                          ignore_links=[r"^https://mp\.weixin\.qq\.com/"]))
        write_config(configs, site_config("broken", start_urls=[start_two]))
        write_config(configs, site_config("never", start_urls=["http://127.0.0.1:9/list.htm"],
                                          schedule="weekly"))
        result = run_archiver("--config-dir", str(configs), "crawl", "wechat", "broken",
                              "--output", str(tmp_path / "out"))
        assert result.returncode == 1, result.stdout + result.stderr
        yield configs, tmp_path / "out", two.url(broken.path)


def status(configs: Path, output: Path, *args: str):
    return run_archiver("--config-dir", str(configs), "--output", str(output), "status", *args)


def test_status_json_field_by_field(archive):
    configs, output, broken_url = archive
    result = status(configs, output, "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    sites = {site["name"]: site for site in document["sites"]}
    assert list(sites) == ["broken", "never", "wechat"]
    wechat, broken, never = sites["wechat"], sites["broken"], sites["never"]
    assert (wechat["articles"], wechat["newest"]) == (3, "2025-05-06 15:20:00")
    assert wechat["per_month"] == {"2025-03": 1, "2025-04": 1, "2025-05": 1}
    assert (wechat["ignored"], wechat["ignored_urls"], wechat["offsite"]) == (1, [WECHAT], 0)
    assert wechat["last_run"]["outcome"] == "ok" and wechat["last_run"]["exit_code"] == 0
    assert (wechat["last_run"]["new"], wechat["last_run"]["failed"]) == (3, 0)
    assert Path(wechat["last_run"]["report"]).is_file()
    assert [run["outcome"] for run in wechat["runs"]] == ["ok"]
    assert wechat["failures"] == [] and wechat["health"] == []
    assert wechat["due"] is False and wechat["schedule"] == "daily"
    last = datetime.fromisoformat(wechat["last_finished_run"])
    assert datetime.fromisoformat(wechat["next_due"]) > last
    assert (broken["articles"], broken["newest"]) == (1, "2024-12-01 09:00:00")
    assert broken["per_month"] == {"2024-12": 1}
    assert broken["last_run"]["outcome"] == "failed" and broken["last_run"]["exit_code"] == 1
    assert (broken["last_run"]["new"], broken["last_run"]["failed"]) == (1, 1)
    assert [(f["kind"], f["url"]) for f in broken["failures"]] == [("article", broken_url)]
    assert (broken["retry"], broken["retry_urls"]) == (1, [broken_url])
    assert (never["articles"], never["last_run"], never["runs"]) == (0, None, [])
    assert (never["due"], never["schedule"], never["newest"]) == (True, "weekly", None)
    assert document["totals"] == {
        "sites": 3, "articles": 4, "newest": "2025-05-06 15:20:00", "never_run": 1,
        "failing": 1, "due": 1, "retry": 1, "gone": 0, "offsite": 0, "ignored": 1,
        "held_back": 0, "health": 0}
    # The same again from the cache, and for named sites only.
    again = json.loads(status(configs, output, "--json").stdout)
    assert again["sites"] == document["sites"]
    named = json.loads(status(configs, output, "--json", "never").stdout)
    assert [s["name"] for s in named["sites"]] == ["never"]


def test_status_lines(archive):
    configs, output, _ = archive
    result = status(configs, output)
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines()[2:5]}
    assert rows["wechat"][1:3] == ["3", "2025-05-06"] and rows["wechat"][5] == "ok"
    assert rows["broken"][5:8] == ["failed", "1", "1"]
    assert rows["never"][1:5] == ["0", "-", "never", "-"]
    assert result.stdout.splitlines()[5].startswith("total: 3 site(s), 4 article(s)")
    unknown = status(configs, output, "nosuch")
    assert unknown.returncode == 2 and "nosuch" in unknown.stderr


def test_status_reads_broken_records_without_failing(archive):
    configs, output, _ = archive
    for name, text in ((".last-run.json", "null"), (".state.json", "[1"),
                       (".gone.json", '{"x": 1}')):
        (output / "broken" / name).write_text(text)
    (output / "wechat" / ".state.json").write_text("1")
    (output / ".reports" / "20990101-000000-crawl.json").write_text('{"sites": {"wechat": 7}}')
    (output / "wechat" / f"{urlname('http://x/')}.md").write_text("not an archive file")
    result = status(configs, output, "--json")
    assert result.returncode == 0, result.stderr
    sites = {site["name"]: site for site in json.loads(result.stdout)["sites"]}
    assert sites["wechat"]["articles"] == 4 and sites["wechat"]["per_month"]["undated"] == 1
    assert any(".state.json" in line for line in sites["wechat"]["health"])
    assert any(".state.json" in line for line in sites["broken"]["health"])
    assert sites["broken"]["retry"] == 0 and sites["broken"]["last_finished_run"] is None


needs_browser = pytest.mark.skipif(
    find_browser() is None and not os.environ.get("CI"),
    reason="no Chromium here (apt-get install chromium); CI installs it and runs this test")


@needs_browser
def test_status_html_renders_offline_with_the_json_figures(archive, tmp_path):
    from playwright.sync_api import sync_playwright

    configs, output, broken_url = archive
    page_file = tmp_path / "status.html"
    result = status(configs, output, "--html", str(page_file))
    assert result.returncode == 0, result.stderr
    document = json.loads(status(configs, output, "--json").stdout)
    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=find_browser())
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.on("request", lambda request: requests.append(request.url))
        page.goto(page_file.as_uri())
        for site in document["sites"]:
            row = page.locator(f'tr[data-site="{site["name"]}"]')
            shown = {key: row.locator(f'td[data-field="{key}"]').inner_text()
                     for key in ("articles", "retry", "gone", "ignored", "health")}
            assert shown == {"articles": str(site["articles"]), "retry": str(site["retry"]),
                             "gone": str(site["gone"]), "ignored": str(site["ignored"]),
                             "health": str(len(site["health"]))}
            section = page.locator(f'section[data-site="{site["name"]}"]')
            bars = section.locator("rect[data-month]")
            drawn = {bars.nth(i).get_attribute("data-month"):
                     int(bars.nth(i).get_attribute("data-count")) for i in range(bars.count())}
            assert {m: c for m, c in drawn.items() if c} == site["per_month"]
            assert section.locator("svg").count() == (1 if site["per_month"] else 0)
            outcomes = section.locator(".strip span")
            assert [outcomes.nth(i).get_attribute("data-outcome")
                    for i in range(outcomes.count())] == [r["outcome"] for r in site["runs"]]
            if site["per_month"]:  # the chart is drawn, not only present in the markup
                box = section.locator("svg").bounding_box()
                assert box and box["width"] > 100 and box["height"] > 50
        totals = page.locator('tr.total td[data-total="articles"]').inner_text()
        assert totals == str(document["totals"]["articles"])
        failures = page.locator('section[data-site="broken"] ul[data-field="failures"] a')
        assert failures.first.get_attribute("href") == broken_url
        browser.close()
    assert requests == [page_file.as_uri()]
