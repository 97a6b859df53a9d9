"""Seeds 001, 002 and 004 rebuilt as the pages their sites would serve (ruby-annotated
traditional text on WebPlus, a VSB page with a view-counter line, GBK bytes on an old table
layout; see tests/fixtures/seed_pages/README.md) come out as clean articles."""

from __future__ import annotations

import json
from datetime import datetime

import frontmatter
import pytest
from scrapy.http import HtmlResponse

from archiver.archive import urlname
from archiver.config import adhoc_site
from archiver.extract.article import extract_article
from archiver.extract.quality import garbled
from archiver.middlewares import with_true_encoding
from tests.conftest import FIXTURES, blocks, run_archiver

PAGES = FIXTURES / "seed_pages"
SEEDS = FIXTURES / "seeds"
URLS = {
    "001": "http://news.tyut.edu.cn/2023/0404/c1120a300001/page.htm",
    "002": "http://www.sicfl.edu.cn/info/1021/3001.htm",
    "004": "http://www.ahstu.edu.cn/news/show.asp?id=3004",
}


def expected(seed: str) -> dict:
    return json.loads((PAGES / f"{seed}.expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("seed", sorted(URLS))
def test_rebuilt_seed_page_gives_the_clean_article(seed):
    url = URLS[seed]
    response = with_true_encoding(HtmlResponse(url, body=(PAGES / f"{seed}.html").read_bytes()))
    item = extract_article(response.text, url, adhoc_site(url))
    want = expected(seed)
    assert item.headline == want["headline"]
    assert item.published == datetime.fromisoformat(want["published"])
    assert item.text_blocks == want["paragraphs"]
    assert garbled("\n".join(item.text_blocks)) is None


def test_the_raw_seed_dumps_would_be_flagged_as_garbled():
    for seed in ("001", "004"):
        raw = next(SEEDS.glob(f"{seed}_*.txt")).read_text(encoding="utf-8")
        assert garbled(raw), seed


def test_fetch_of_the_gbk_page_on_a_host_without_config(server, tmp_path):
    server.add("/news/show.asp?id=3004", (PAGES / "004.html").read_bytes(),
               content_type="text/html")
    url = server.url("/news/show.asp?id=3004")
    result = run_archiver("--config-dir", str(tmp_path / "none"), "fetch", url,
                          "--output", str(tmp_path / "out"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "CMS detected: generic" in result.stdout
    post = frontmatter.load(tmp_path / "out" / "127.0.0.1" / f"{urlname(url)}.md")
    assert post["title"] == f"127.0.0.1->{expected('004')['headline']} | 127.0.0.1"
    assert blocks(post.content)[:-1] == expected("004")["paragraphs"]
