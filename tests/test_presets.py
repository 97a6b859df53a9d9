"""CMS presets: a config on a known CMS needs only the basic keys."""

from __future__ import annotations

from dataclasses import replace

import frontmatter
import pytest
import yaml
from scrapy.http import HtmlResponse

from archiver.archive import urlname
from archiver.cms.detect import detect_family
from archiver.cms.families import FAMILIES
from archiver.config import CMS_VALUES, parse_site
from archiver.extract.article import extract_article
from tests.conftest import FAST_SETTINGS, archive_files, blocks, run_archiver
from tests.vsbsite import article_page, serve_vsb_site


def minimal_config(name: str, start: str, **extra) -> dict:
    return {"name": name, "school": "测试职业大学", "label": "vsb.test", "tags": ["vsb.test"],
            "categories": ["vsb.test"], "allowed_domains": ["127.0.0.1"], "start_urls": [start],
            "settings": FAST_SETTINGS, **extra}


def crawl_with(tmp_path, config: dict):
    folder = tmp_path / "configs"
    folder.mkdir(exist_ok=True)
    (folder / f"{config['name']}.yaml").write_text(yaml.safe_dump(config, allow_unicode=True),
                                                   encoding="utf-8")
    return run_archiver("--config-dir", str(folder), "crawl", config["name"],
                        "--output", str(tmp_path / "out"))


def test_vsb_preset_walks_backward_numbered_lists(server, tmp_path):
    urls = serve_vsb_site(server, count=7, per_page=3)
    result = crawl_with(tmp_path, minimal_config("vsbsite", server.url("/xyxw.htm"), cms="vsb"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert set(archive_files(tmp_path / "out", "vsbsite")) == {f"{urlname(u)}.md" for u in urls}
    assert server.hits["/xyxw/2.htm"] == 1 and server.hits["/xyxw/1.htm"] == 1
    post = frontmatter.load(tmp_path / "out" / "vsbsite" / f"{urlname(urls[0])}.md")
    assert post["title"] == "测试职业大学->职业大学新闻0 | vsb.test"
    assert str(post["date"]) == "2020-03-27 00:00:00"
    assert blocks(post.content)[:2] == ["学校召开会议，部署本学期工作。", "会议要求各部门落实责任。"]


def test_cms_auto_detects_the_family_on_each_page(server, tmp_path):
    urls = serve_vsb_site(server, count=4, per_page=2)
    result = crawl_with(tmp_path, minimal_config("autosite", server.url("/xyxw.htm")))
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(archive_files(tmp_path / "out", "autosite")) == len(urls)


def test_explicit_selectors_override_the_preset():
    page = article_page(7, "原标题", "2020-03-27", ["正文一段。"]).replace(
        '<div align="center"><h1', '<h2 class="mine">另一个标题</h2><div align="center"><h1')
    site = parse_site("inline", minimal_config("x", "http://x.edu.cn/xyxw.htm",
                                               allowed_domains=["x.edu.cn"], cms="vsb",
                                               article={"headline": "h2.mine"}))
    item = extract_article(page, "http://x.edu.cn/info/1001/7.htm", site)
    assert item.headline == "另一个标题"
    assert item.rules["headline"] == "selector" and item.rules["cms"] == "vsb"


def test_t2s_converts_a_traditional_site_to_simplified():
    page = article_page(8, "學校召開會議", "2023-04-04",
                        ["<ruby>學<rp>(</rp><rt>xué</rt><rp>)</rp></ruby>校召開黨建工作會議。"])
    config = minimal_config("x", "http://x.edu.cn/xyxw.htm", allowed_domains=["x.edu.cn"],
                            cms="vsb")
    traditional = extract_article(page, "http://x.edu.cn/info/1001/8.htm",
                                  parse_site("inline", config))
    simplified = extract_article(page, "http://x.edu.cn/info/1001/8.htm",
                                 parse_site("inline", {**config, "t2s": True}))
    assert traditional.headline == "學校召開會議"
    assert traditional.text_blocks == ["學校召開黨建工作會議。"]
    assert simplified.headline == "学校召开会议"
    assert simplified.text_blocks == ["学校召开党建工作会议。"]


def test_view_counter_line_is_not_part_of_the_body():
    response = HtmlResponse("http://x.edu.cn/info/1001/9.htm", body=article_page(
        9, "标题", "2020-03-27", ["正文。"]).encode("utf-8"))
    site = parse_site("inline", minimal_config("x", "http://x.edu.cn/xyxw.htm",
                                               allowed_domains=["x.edu.cn"], cms="vsb"))
    item = extract_article(response.text, response.url, site)
    assert item.blocks == ["正文。"]


def test_a_cms_family_is_one_entry_that_configs_and_detection_follow():
    for family in FAMILIES.values():
        config = minimal_config("x", "http://x.edu.cn/list.htm", allowed_domains=["x.edu.cn"],
                                cms=family.name)
        site = parse_site("inline", config)
        assert site.preset() is family
        assert site.next_page_selectors() == family.next_links
        assert site.paging() == family.paging
        if family.markers:  # a page showing two of its markers is recognised as the family
            page = " ".join(m.pattern.replace("\\", "") for m in family.markers[:2])
            assert detect_family(page) == family.name
    assert CMS_VALUES == (*FAMILIES, "auto")
    with pytest.raises(ValueError, match="paging"):
        replace(FAMILIES["vsb"], paging="scroll")
