"""Extraction on pages of schools the project was not built against: the hand-answered real
pages of tests/fixtures/schools, and small authored pages (tests/fixtures/patterns, one expected
JSON per page, reviewed by eye) for each place and form a publish time takes, and each body
pattern (table layouts, GBK, notices with attachments, body lines that look like meta lines).
Every page is read as `archiver fetch URL` reads it on a host without a site config."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from archiver.config import adhoc_site
from archiver.extract.article import extract_article
from archiver.extract.quality import BIDI_FLAG, verdict
from archiver.extract.text import text_units
from archiver.items import ArticleItem
from archiver.middlewares import with_true_encoding

FIXTURES = Path(__file__).parent / "fixtures"
PATTERNS = sorted((FIXTURES / "patterns").glob("*.html"))
SCHOOLS = json.loads((FIXTURES / "schools" / "manifest.json").read_text(encoding="utf-8"))


def fetched(url: str, body: bytes, list_date: str | None = None) -> ArticleItem:
    text = with_true_encoding(HtmlResponse(url, body=body)).text
    return extract_article(text, url, adhoc_site(url), list_date)


def extract_fixture(page: Path, list_date: str | None = None) -> ArticleItem:
    return fetched(f"http://www.example.edu.cn/info/1041/{page.stem}.htm", page.read_bytes(),
                   list_date)


def expected_of(item: ArticleItem) -> dict:
    return {"headline": item.headline,
            "date": f"{item.published:%Y-%m-%d %H:%M:%S}" if item.published else None,
            "rule": item.rules["published"], "blocks": item.blocks,
            "attachments": item.attachment_urls}


@pytest.mark.parametrize("page", PATTERNS, ids=[p.stem for p in PATTERNS])
def test_authored_page_gives_its_expected_article(page):
    expected = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
    assert expected_of(extract_fixture(page)) == expected


def _plain(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("entry", SCHOOLS, ids=[e["file"].split("/", 1)[1] for e in SCHOOLS])
def test_real_school_page_matches_its_hand_answer(entry):
    item = fetched(entry["url"], (FIXTURES / "schools" / entry["file"]).read_bytes())
    want = entry["expected"]
    assert verdict(item).refused is None
    assert item.headline == want["headline"]
    stamp = "%Y-%m-%d" if len(want["date"]) == 10 else "%Y-%m-%d %H:%M:%S"
    assert item.published.strftime(stamp) == want["date"]
    # Every hand-answered paragraph is there, in order; the only extra blocks are the notice's
    # attachment list, which the hand answers (body container only) leave out.
    got = [_plain(unit) for block in item.text_blocks for unit in text_units(block)]
    extra = [b for b in got if b not in want["paragraphs"]]
    assert [b for b in got if b in want["paragraphs"]] == want["paragraphs"]
    assert all(b.startswith("附件") for b in extra), extra


def test_a_page_without_its_own_date_takes_the_list_date_never_another_articles():
    page = FIXTURES / "patterns" / "no-date-but-other-articles.html"
    assert extract_fixture(page).published is None  # the sidebar's and prev link's dates: not
    item = extract_fixture(page, list_date="2024-01-02")
    assert (item.published, item.rules["published"]) == (datetime(2024, 1, 2), "list")
    # The page's own date wins over the list's.
    item = extract_fixture(FIXTURES / "patterns" / "mixed-meta-line.html", list_date="2024-01-02")
    assert item.published == datetime(2017, 10, 10)


META_LINES = {
    "发布时间：2017年10月10日 12:31": datetime(2017, 10, 10, 12, 31),
    "发表时间: 2017-10-10 12:31": datetime(2017, 10, 10, 12, 31),
    "发布于 2017/10/10": datetime(2017, 10, 10),
    "日期：2017.10.10": datetime(2017, 10, 10),
    "更新时间：2017-10-10": datetime(2017, 10, 10),
    "来源：党委宣传部 时间：2017-10-10 08:05:09 点击：12": datetime(2017, 10, 10, 8, 5, 9),
    "作者：张三 编辑：李四 2017年10月10日 浏览：100": datetime(2017, 10, 10),
    "2017-10-10": datetime(2017, 10, 10),
    "【发布时间】2017-10-10 12：31": datetime(2017, 10, 10, 12, 31),
    "日期：2017年10月10日 星期二 12:31": datetime(2017, 10, 10, 12, 31),
}
BODY = "".join(f"<p>学院召开第{n}次工作会议，会议总结了上一阶段的工作，部署了下一阶段的任务。</p>"
               for n in range(1, 4))


@pytest.mark.parametrize("line", META_LINES)
@pytest.mark.parametrize("where", ["above the body", "inside the body's container"])
def test_the_page_own_meta_line_gives_the_date_wherever_it_stands(line, where):
    meta = f"<div class='m'><span>{line}</span></div>"
    inner = f"<div class='content'>{meta}{BODY}</div>" if "inside" in where else \
        f"{meta}<div class='content'>{BODY}</div>"
    html = (f"<html><head><title>学院召开工作会议</title></head><body><h1>学院召开工作会议</h1>"
            f"{inner}<div class='footer'>Copyright 2003-2024 某某大学</div></body></html>")
    item = fetched("http://www.example.edu.cn/a/1.htm", html.encode())
    assert item.published == META_LINES[line]
    assert item.text_blocks == [re.sub("<[^>]+>", "", p) for p in BODY.split("</p>")[:-1]]


def _item(**fields) -> ArticleItem:
    defaults = {"url": "http://x.edu.cn/1.htm", "site": "x", "headline": "学院召开工作会议",
                "published": datetime(2020, 1, 1), "blocks": ["正文。"]}
    return ArticleItem(**{**defaults, **fields})


def test_content_flags_name_long_headlines_and_implausible_dates():
    assert verdict(_item()).flags == ()
    assert "headline of 201 characters" in verdict(_item(headline="长" * 201)).flags[0]
    for when in (datetime(1900, 1, 1), datetime(2020, 1, 3)):
        found = verdict(_item(published=when), today=date(2020, 1, 1))
        assert found.refused is None and "implausible publish date" in found.flags[0]
    assert verdict(_item(published=datetime(2020, 1, 2, 23)), today=date(2020, 1, 1)).flags == ()


def test_bidi_controls_are_removed_from_the_text_and_flagged():
    html = ("<html><head><title>通知\u202egpj.exe</title></head><body><h1>通知\u202egpj.exe</h1>"
            "<p>发布时间：2020-01-01</p><div class='c'>"
            + BODY.replace("会议", "会\u2066议", 1) + "</div></body></html>")
    item = fetched("http://www.example.edu.cn/a/2.htm", html.encode())
    assert item.headline == "通知gpj.exe"
    assert not any(re.search("[\u202a-\u202e\u2066-\u2069]", b) for b in item.blocks)
    assert verdict(item).flags == (BIDI_FLAG,)


def test_a_first_sentence_that_opens_with_a_date_is_text_not_the_meta_line():
    html = ("<html><head><title>学院召开工作会议</title></head><body><h1>学院召开工作会议</h1>"
            "<div class='meta'>发布时间：2020-03-28 09:00</div><div class='content'>"
            "<p>2020年3月27日下午，学院召开工作会议</p>" + BODY + "</div></body></html>")
    item = fetched("http://www.example.edu.cn/a/3.htm", html.encode())
    assert item.published == datetime(2020, 3, 28, 9, 0)
    assert item.text_blocks[0] == "2020年3月27日下午，学院召开工作会议"


def test_a_notice_that_opens_with_its_event_time_keeps_it():
    html = ("<html><head><title>学术讲座通知</title></head><body><h1>学术讲座通知</h1>"
            "<div class='meta'>发布时间：2021-04-12</div><div class='content'>"
            "<p>时间：2021年4月16日 19:00</p><p>地点：主楼C-104</p>" + BODY + "</div></body></html>")
    item = fetched("http://www.example.edu.cn/a/4.htm", html.encode())
    assert item.published == datetime(2021, 4, 12)
    assert item.text_blocks[:2] == ["时间：2021年4月16日 19:00", "地点：主楼C-104"]
