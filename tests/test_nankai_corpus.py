"""The nankai config on real news.nankai.edu.cn pages (tests/fixtures/corpus).

Each field is checked against an independent reading of the page: the headline against the
<title> without its "-<column>-南开大学" suffix, the date against the "发稿时间" text, and the body
against the text of every <p> inside td#txt.
"""

from __future__ import annotations

import json
import re

import pytest
from parsel import Selector

from archiver.config import load_site
from archiver.extract.article import extract_article
from tests.conftest import FIXTURES, ROOT

CORPUS = FIXTURES / "corpus" / "ecms"
PAGES = [p for p in json.loads((CORPUS / "manifest.json").read_text()) if p["kind"] == "article"]


def plain(text: str) -> str:
    text = re.sub(r"!\[图\]\([^)]*\)", "", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"</?strong>|(?<!\\)<(?=\w+:|[^<>\s]+@)|(?<=[^\s<>])>", "", text)
    return re.sub(r"[\s*\\]", "", text)


def check(page: dict) -> list[str]:
    site = load_site(ROOT / "spiders_config" / "nankai.yaml")
    # Article pages live with the other corpus articles (tests/fixtures/corpus/pages).
    html = (CORPUS.parent / "pages" / page["file"]).read_text(encoding="utf-8")
    item = extract_article(html, page["url"], site)
    sel = Selector(text=html)
    problems = []
    title = sel.css("title::text").get().strip()
    if item.headline != title.rsplit("-", 2)[0].strip():
        problems.append(f"headline {item.headline!r} vs title {title!r}")
    stated = re.search(r"发稿时间：(\d{4}-\d{2}-\d{2} \d{2}:\d{2})", html).group(1)
    if item.published is None or item.published.strftime("%Y-%m-%d %H:%M") != stated:
        problems.append(f"date {item.published} vs stated {stated}")
    expected = [plain("".join(p.css("::text").getall())) for p in sel.css("td#txt p")]
    expected = [t for t in expected if t]
    got = [plain(b) for b in item.text_blocks]
    if got != expected:
        problems.append(f"paragraphs differ: {len(got)} found, {len(expected)} on the page")
    return problems


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p["url"].rsplit("/", 4)[-4] + "/" + p["file"][:8])
def test_nankai_config_reads_real_article_pages(page):
    assert check(page) == []


def test_corpus_holds_the_forty_ecms_articles():
    assert len(PAGES) == 40
