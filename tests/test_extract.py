"""Extraction on small authored pages: one behaviour per test."""

from __future__ import annotations

from datetime import datetime

import pytest
from lxml import html as lxml_html

from archiver.config import parse_site
from archiver.extract.article import extract_article
from archiver.extract.dates import date_in_url, labelled_date, parse_date, signature_date
from archiver.extract.markdown import to_blocks
from archiver.extract.text import is_furniture, is_meta_line
from tests.conftest import site_config

URL = "http://news.example.edu.cn/2019/0905/c4621a207266/page.htm"


def md(fragment: str) -> tuple[list[str], list[str]]:
    from urllib.parse import urljoin

    blocks, images, _ = to_blocks(lxml_html.fragment_fromstring(fragment, create_parent="div"),
                                  lambda href: urljoin(URL, href))
    return blocks, images


def test_paragraphs_lose_full_width_indentation_and_nbsp_padding():
    blocks, _ = md("<p>　　第一段。&nbsp;&nbsp;</p><p>&nbsp;&nbsp;第二段\u200b。</p><p>&nbsp;</p>")
    assert blocks == ["第一段。", "第二段。"]


def test_bold_and_links_are_kept_with_absolute_urls():
    blocks, _ = md('<p><strong>南开新闻网讯</strong>（记者 马超）详见<a href="/notice/1.htm">通知</a>。</p>')
    assert blocks == ["**南开新闻网讯**（记者 马超）详见[通知](http://news.example.edu.cn/notice/1.htm)。"]


def test_images_are_own_paragraphs_in_article_order():
    blocks, images = md('<p>甲。<img src="/a.jpg">乙。</p><p><img data-src="b.png" src="data:x"></p>')
    assert blocks == ["甲。", "![图](http://news.example.edu.cn/a.jpg)", "乙。",
                      "![图](http://news.example.edu.cn/2019/0905/c4621a207266/b.png)"]
    assert images == ["http://news.example.edu.cn/a.jpg",
                      "http://news.example.edu.cn/2019/0905/c4621a207266/b.png"]


def test_line_break_keeps_bold_and_indented_break_starts_a_paragraph():
    blocks, _ = md("<p><strong>PART.1<br/>释义</strong></p><p>一段。<br/>　　另一段。</p>")
    assert blocks == ["**PART.1\n释义**", "一段。", "另一段。"]


def test_ruby_annotations_keep_the_base_text_only():
    blocks, _ = md("<p><ruby>學<rp>(</rp><rt>xué</rt><rp>)</rp></ruby>校</p>")
    assert blocks == ["學校"]


def test_markdown_significant_text_is_escaped():
    blocks, _ = md("<p># 一号</p><p>1. 第一</p><p>a*b*c [x]</p>")
    assert blocks == ["\\# 一号", "1\\. 第一", "a\\*b\\*c \\[x\\]"]


def test_line_breaks_between_cjk_characters_vanish_but_typed_spaces_stay():
    blocks, _ = md("<p>学校\n召开会议（记者 张三）</p>")
    assert blocks == ["学校召开会议（记者 张三）"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("发布时间：2019-09-05 15:43:09", datetime(2019, 9, 5, 15, 43, 9)),
        ("发稿时间：2019-11-08 15:09", datetime(2019, 11, 8, 15, 9)),
        ("2019年9月5日", datetime(2019, 9, 5)),
        ("日期：2019/9/5", datetime(2019, 9, 5)),
        ("2019.09.05 08:30", datetime(2019, 9, 5, 8, 30)),
        ("2019年09月05日 15时43分", datetime(2019, 9, 5, 15, 43)),
        ("浏览次数：12", None),
        ("2019-13-45", None),
    ],
)
def test_date_forms(text, expected):
    assert parse_date(text) == expected


def test_labelled_date_prefers_the_label_over_other_dates():
    assert labelled_date("来源：日报2019年1月19日 发稿时间：2019-01-21 10:44")[1] == \
        datetime(2019, 1, 21, 10, 44)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://x.cn/ywsd/system/2019/11/13/030036368.shtml", datetime(2019, 11, 13)),
        ("http://x.cn/2019/0312/c1a2/page.htm", datetime(2019, 3, 12)),
        ("http://x.cn/29/a2/c4621a207266/page.htm", None),
    ],
)
def test_date_in_url(url, expected):
    assert date_in_url(url) == expected


@pytest.mark.parametrize("block", ["【打印】【关闭】", "上一篇：学校召开会议", "分享到："])
def test_page_furniture_blocks(block):
    assert is_furniture(block)


@pytest.mark.parametrize(
    "block", ["发布时间：2019-09-05", "时间:2020-03-27浏览:497", "点击次数：12", "发表时间：2019-09-05"])
def test_meta_lines_are_furniture_only_where_the_page_puts_its_own(block):
    assert is_meta_line(block) and not is_furniture(block)


@pytest.mark.parametrize("block", ["（责任编辑：张三）", "(特约通讯员 李四 摄影 王五)", "时间就是生命。"])
def test_article_text_is_not_furniture(block):
    assert not is_furniture(block)


UNKNOWN_LAYOUT = """<html><head><title>学校举行运动会-新闻中心-某某大学</title>
<meta name="publishdate" content="2021-10-20 09:30:00"></head><body>
<div id="header"><ul class="nav"><li><a href="/">首页</a></li><li><a href="/xw">新闻</a></li>
<li><a href="/tz">通知公告</a></li><li><a href="/xs">学术活动</a></li></ul></div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/xw">新闻</a></div>
<div class="main"><div class="left"><ul><li><a href="/a1">校园动态一</a></li><li><a href="/a2">校园动态二</a></li>
<li><a href="/a3">校园动态三，学校召开各类会议</a></li></ul></div>
<div class="content"><h2>学校举行运动会</h2><div class="info">发布时间：2021-10-20 来源：体育部 浏览：321</div>
<div class="text"><p>　　10月19日，学校第五十届田径运动会在东区体育场开幕，两千余名运动员参加比赛。</p>
<p>　　开幕式上，各学院方阵依次入场，展现了师生昂扬向上的精神风貌。</p>
<p><img src="/img/ydh.jpg"></p>
<p>　　本届运动会为期三天，共设田赛、径赛等四十个项目。</p></div>
<div class="pn">上一篇：<a href="/a0">学校召开教学工作会议</a></div></div></div>
<div id="footer">版权所有 © 某某大学 地址：某市某路1号 电话：0000-12345678</div></body></html>"""


def test_unknown_layout_falls_back_to_a_clean_article():
    site = parse_site("inline", site_config(start_urls=["http://x.edu.cn/xw"],
                                            allowed_domains=["x.edu.cn"],
                                            article={"headline": None, "published": None,
                                                     "body": None}))
    item = extract_article(UNKNOWN_LAYOUT, "http://x.edu.cn/xw/1.htm", site)
    assert item.headline == "学校举行运动会"
    assert item.published == datetime(2021, 10, 20, 9, 30)
    assert item.blocks == [
        "10月19日，学校第五十届田径运动会在东区体育场开幕，两千余名运动员参加比赛。",
        "开幕式上，各学院方阵依次入场，展现了师生昂扬向上的精神风貌。",
        "![图](http://x.edu.cn/img/ydh.jpg)",
        "本届运动会为期三天，共设田赛、径赛等四十个项目。",
    ]
    assert item.rules == {"cms": "generic", "headline": "fallback", "published": "fallback",
                          "body": "fallback"}


def test_selectors_that_match_nothing_fall_back_to_the_generic_rules():
    site = parse_site("inline", site_config(start_urls=["http://x.edu.cn/xw"],
                                            allowed_domains=["x.edu.cn"]))
    item = extract_article(UNKNOWN_LAYOUT, "http://x.edu.cn/xw/1.htm", site)
    assert item.headline == "学校举行运动会" and len(item.text_blocks) == 3


def test_publish_time_never_comes_from_a_script_or_another_articles_list():
    sidebar = "".join(f"<li><a href='/n{i}'>讲座通知第{i}期，欢迎参加</a> 活动时间：2018-01-0{i}</li>"
                      for i in range(1, 8))
    page = f"""<html><head><title>学校举行运动会-某某大学</title>
<script>var publishTime = "2017-05-05 10:00:00";</script></head><body>
<div class="list"><ul>{sidebar}</ul></div>
<div class="main"><h2>学校举行运动会</h2><p class="meta">发布时间：2021-10-20 浏览：12</p>
<div class="text"><p>　　10月19日，学校第五十届田径运动会在东区体育场开幕，两千余名运动员参加比赛。</p>
<p>　　开幕式上，各学院方阵依次入场，展现了师生昂扬向上的精神风貌，比赛持续三天。</p></div></div>
</body></html>"""
    site = parse_site("inline", site_config(start_urls=["http://x.edu.cn/xw"],
                                            allowed_domains=["x.edu.cn"],
                                            article={"headline": None, "published": None,
                                                     "body": None}))
    item = extract_article(page, "http://x.edu.cn/xw/1.htm", site)
    assert item.published == datetime(2021, 10, 20)
    assert len(item.text_blocks) == 2


def test_attachment_icons_do_not_split_a_paragraph():
    blocks, images = md('<p>附件：<img src="/system/resource/images/fileTypeImages/icon_pdf.gif">'
                        '<a href="/f.pdf">班车表.pdf</a>（最新版）</p>')
    assert blocks == ["附件：[班车表.pdf](http://news.example.edu.cn/f.pdf)（最新版）"]
    assert images == []


LANDING = """<html><head><title>中心简介-区域政策研究中心</title></head><body>
<div class="topnav"><a href="/">首页</a><a href="/a">中心概况</a><a href="/b">研究成果</a></div>
<section class="about about1"><h3>发展目标</h3><p>以我国区域发展战略为主攻方向，致力于提供理论指导。</p>
<p>建设国际一流的政策理论创新高地。</p></section>
<section class="about about2"><h3>主要功能</h3><p>开展区域政策模拟与评估，服务国家战略需求。</p></section>
<section class="about about3"><h3>优势特色</h3><ul>
<li>高端起点：致力服务于国家区域发展战略顶层设计，为政策设计提供智力支持。</li>
<li>学科融合：融合经济学、地理学、信息技术等多学科理论工具，构建综合研究体系。</li>
<li>开放合作：与国内外一流机构建立合作关系，引进国际一流智力资源。</li></ul></section>
<footer>版权所有：区域政策研究中心。地址：天津市南开区。</footer></body></html>"""


def test_sibling_sections_of_one_landing_page_are_read_together():
    site = parse_site("inline", site_config(start_urls=["http://x.edu.cn/xw"],
                                            allowed_domains=["x.edu.cn"],
                                            article={"headline": None, "published": None,
                                                     "body": None}))
    item = extract_article(LANDING, "http://x.edu.cn/gk/zx.htm", site)
    text = "\n".join(item.text_blocks)
    for part in ("发展目标", "建设国际一流", "主要功能", "高端起点", "开放合作"):
        assert part in text, part
    assert "版权所有" not in text and "首页" not in text


def test_data_tables_become_gfm_tables_with_spans_filled():
    blocks, images = md(
        "<p>统计如下：</p><table><tr><th>类别</th><th>数量</th><th>备注</th></tr>"
        "<tr><td rowspan='2'>国家级</td><td>1|2</td><td><img src='/t.png'></td></tr>"
        "<tr><td colspan='2'>合计 <b>3</b></td></tr></table>")
    assert blocks == ["统计如下：",
                      "| 类别 | 数量 | 备注 |\n| --- | --- | --- |\n"
                      "| 国家级 | 1\\|2 | ![图](http://news.example.edu.cn/t.png) |\n"
                      "|  | 合计 **3** |  |"]
    assert images == ["http://news.example.edu.cn/t.png"]


@pytest.mark.parametrize(("table", "expected"), [
    ("<table><tr><td><p>第一段。</p></td></tr><tr><td><p>第二段。</p></td></tr></table>",
     ["第一段。", "第二段。"]),
    ("<table><tr><td><img src='/a.png'></td><td>图为第一段。</td></tr></table>",
     ["![图](http://news.example.edu.cn/a.png)", "图为第一段。"]),
    ("<table><tr><td><table><tr><td>甲</td><td>乙</td></tr></table></td></tr>"
     "<tr><td><p>第二段。</p></td></tr></table>", ["甲 乙", "第二段。"]),
])
def test_layout_tables_unwrap_into_paragraphs(table, expected):
    assert md(table)[0] == expected


@pytest.mark.parametrize(("lines", "expected"), [
    (["请各单位按时参加。", "党委宣传部 2023年2月11日"], datetime(2023, 2, 11)),
    (["请各单位按时参加。", "党委宣传部", "2023-02-11"], datetime(2023, 2, 11)),
    (["教务处", "2023/2/11 15:30"], datetime(2023, 2, 11, 15, 30)),
    # An update stamp under a text is no signature; neither is a sentence ending in a date.
    (["学院正以崭新的姿态，迎接挑战。", "2024.12.5"], None),
    (["活动将于2023年3月1日"], None),
    (["请于下周一前，将报名表交至教务处，截止时间为2023年3月1日"], None),
    (["党委宣传部 2023年2月11日", "附件：报名表"], None),
])
def test_a_notice_signed_with_a_date_at_its_end(lines, expected):
    found = signature_date(lines)
    assert (found[1] if found else None) == expected


def test_a_notice_whose_only_date_is_its_signature_is_archived_with_it():
    page = f"""<html><head><title>关于召开工作会议的通知</title></head><body>
<div class="nav"><a href="/">首页</a></div><h1>关于召开工作会议的通知</h1>
<div class="content"><p>{"各学院：定于下周召开工作会议，请各单位负责人准时参加，不得缺席。" * 3}</p>
<p>党委办公室</p><p>2023年2月11日</p></div>
<div class="related"><a href="/info/1/2.htm">上一篇：其他通知 2022-12-01</a></div></body></html>"""
    site = parse_site("inline", site_config(start_urls=["http://x.edu.cn/xw"],
                                            allowed_domains=["x.edu.cn"], cms="generic",
                                            article={"headline": None, "published": None,
                                                     "body": None, "url_pattern": None}))
    item = extract_article(page, "http://x.edu.cn/info/1011/2345.htm", site)
    assert item.published == datetime(2023, 2, 11) and item.rules["published"] == "signature"
    assert item.blocks[-2:] == ["党委办公室", "2023年2月11日"]  # the signature stays text
