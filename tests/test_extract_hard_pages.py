"""Extraction on the pages that went wrong on schools nobody tuned on (issue 24): real VSB pages
of nankai department sites (tests/fixtures/corpus-vsb, answers reviewed by eye: see its README),
one or more per kind of failure, and pages nested beyond any real page. The authored page of
each kind is in tests/fixtures/patterns (test_extract_patterns.py runs them)."""

from __future__ import annotations

import gzip
import json
import re
import sys
from datetime import datetime
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from archiver.config import adhoc_site
from archiver.extract.article import extract_article
from archiver.extract.bounds import MAX_DEPTH, REASONS
from archiver.extract.quality import verdict
from archiver.extract.text import text_units
from archiver.middlewares import with_true_encoding

VSB = Path(__file__).parent / "fixtures" / "corpus-vsb"
MANIFEST = {Path(e["file"]).name[:10]: e
            for e in json.loads((VSB / "manifest.json").read_text(encoding="utf-8"))}

# Real pages by the kind of failure they showed before issue 24.
KINDS = {
    # The headline: the site's name in an <h1> (9081b8e980), a section heading of a landing
    # page's text (286f72fd61), a heading inside the body (52693fb09e), a meta line styled as
    # a title (f89c788824), over the heading the <title> names.
    "headline": ["9081b8e980", "286f72fd61", "52693fb09e", "f89c788824"],
    # The body: the second tab of a tabbed page (359c0656fd, be96eb9a34: with the next tab's
    # attachments), the mobile copy of a text (54b7f7d87d), the site's menu instead of a
    # one-line text (387be7140e), one line with its attachment (2ab912ad27).
    "body": ["359c0656fd", "be96eb9a34", "54b7f7d87d", "387be7140e", "2ab912ad27"],
    # A line lost: a department's name line repeating the headline, inside the container.
    "line": ["e8c43afeea", "330fbfeae4"],
    # Dates: a related list's date taken (f508e90a0c), a date inside the text taken
    # (359c0656fd), a notice signed with its date (6f759369cc).
    "date": ["f508e90a0c", "6f759369cc", "61f2773aea"],
}
CASES = [(kind, key) for kind, keys in KINDS.items() for key in keys]


def _plain(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _extract(entry: dict):
    body = gzip.decompress((VSB / entry["file"]).read_bytes())
    text = with_true_encoding(HtmlResponse(entry["url"], body=body)).text
    return extract_article(text, entry["url"], adhoc_site(entry["url"]))


@pytest.mark.parametrize(("kind", "key"), CASES, ids=[f"{k}-{p}" for k, p in CASES])
def test_real_page_gives_its_reviewed_answer(kind, key):
    entry = MANIFEST[key]
    want = entry["expected"]
    item = _extract(entry)
    assert item.headline == want["headline"]
    got = [_plain(u) for block in item.text_blocks for unit in [text_units(block)] for u in unit]
    assert [u for u in got if u] == [_plain(p) for p in want["paragraphs"] if _plain(p)]
    if want["date"] is None:
        # A page that states no date of its own says so (the list's date is the crawl's
        # fallback); never another article's date or a date inside its text.
        assert (item.published, item.rules["published"]) == (None, "none")
        assert verdict(item).refused.startswith("no publish time found")
    else:
        assert f"{item.published:%Y-%m-%d}" == want["date"]


def _deep_page(opening: str, closing: str, levels: int, inner: str) -> str:
    return ("<html><head><title>深层页面-某某大学</title></head><body><h1>深层页面</h1>"
            "<p>发布时间：2024-01-02</p>" + opening * levels + inner + closing * levels
            + "</body></html>")


TEXT = "<p>这是正文的第一段，有标点。</p><p>这是正文的第二段，也有标点。</p>"


@pytest.mark.parametrize(("opening", "closing", "levels"), [
    ("<div>", "</div>", 100_000),
    ("<ul><li>项目，一二三。", "</li></ul>", 5_000),
    ("<div>", "</div>", MAX_DEPTH + 10),
], ids=["100000-divs", "5000-lists", "just-beyond"])
def test_a_page_nested_beyond_the_bound_is_refused_with_that_reason(opening, closing, levels):
    item = extract_article(_deep_page(opening, closing, levels, TEXT),
                           "http://www.example.edu.cn/info/1/2.htm",
                           adhoc_site("http://www.example.edu.cn/"))
    assert item.rules["body"] == "too_deep"
    assert (verdict(item).refused_code, verdict(item).refused) == ("too_deep", REASONS["too_deep"])


def test_a_deep_page_within_the_bound_is_read_without_recursion():
    # Nested close to the bound, with a recursion limit far below its depth: every step
    # (body scoring, headline, dates, Markdown) walks the tree without recursion.
    html = _deep_page("<div>", "</div>", MAX_DEPTH - 20, TEXT)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(150)
    try:
        item = extract_article(html, "http://www.example.edu.cn/info/1/2.htm",
                               adhoc_site("http://www.example.edu.cn/"))
    finally:
        sys.setrecursionlimit(limit)
    assert verdict(item).refused is None
    assert (item.headline, item.published) == ("深层页面", datetime(2024, 1, 2))
    assert item.blocks == ["这是正文的第一段，有标点。", "这是正文的第二段，也有标点。"]


def test_a_page_without_a_date_falls_back_to_its_list_then_its_dated_url():
    html = ("<html><head><title>学院新闻-某某大学</title></head><body><h1>学院召开教学工作会议</h1>"
            "<div class='content'>" + TEXT + "</div></body></html>")
    site = adhoc_site("http://www.example.edu.cn/")
    url = "http://www.example.edu.cn/2024/0506/c1a2/page.htm"
    item = extract_article(html, url, site)
    assert (item.published, item.rules["published"]) == (datetime(2024, 5, 6), "url")
    item = extract_article(html, url, site, list_date="2024-05-07")
    assert (item.published, item.rules["published"]) == (datetime(2024, 5, 7), "list")


def test_a_page_too_large_to_read_in_time_is_refused_with_that_reason():
    # 20,000 paragraphs under 240 nested <div>s: within the depth bound, but its elements times
    # its depth pass MAX_WORK (read, it would take seconds).
    html = _deep_page("<div>", "</div>", 240, "<p>这是正文，有标点。</p>" * 20_000)
    item = extract_article(html, "http://www.example.edu.cn/info/1/2.htm",
                           adhoc_site("http://www.example.edu.cn/"))
    assert item.rules["body"] == "too_large"
    assert (verdict(item).refused_code, verdict(item).refused) == ("too_large", REASONS["too_large"])


def test_a_signed_notice_keeps_its_own_date_over_the_list_and_the_url():
    html = ("<html><head><title>关于召开工作会议的通知-党委办公室</title></head><body>"
            "<h1>关于召开工作会议的通知</h1><div class='content'>" + TEXT
            + "<p>党委办公室</p><p>2023年2月11日</p></div></body></html>")
    item = extract_article(html, "http://www.example.edu.cn/2023/0213/c1a2/page.htm",
                           adhoc_site("http://www.example.edu.cn/"), list_date="2023-02-12")
    assert (item.published, item.rules["published"]) == (datetime(2023, 2, 11), "signature")
