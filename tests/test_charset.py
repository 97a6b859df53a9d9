"""Pages whose bytes disagree with their declared charset still give the right text."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse

from archiver.config import parse_site
from archiver.extract.article import extract_article
from archiver.middlewares import with_true_encoding
from tests.conftest import run_archiver, site_config, write_config
from tests.sitebuilder import Article, serve_site

TEXT = "学校召开会议，镕、堃、喆等字与“引号”都不缺失。"


def page(declared: str | None) -> str:
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={declared}">' \
        if declared else ""
    return (f"<html><head>{meta}<title>会议-测试大学</title></head><body>"
            f'<h1 class="arti_title">会议</h1><span class="arti_update">发布时间：2020-01-02</span>'
            f'<div class="wp_articlecontent"><p>{TEXT}</p></div></body></html>')


@pytest.mark.parametrize(
    ("encoding", "declared", "header"),
    [
        ("gbk", "utf-8", None),        # GBK bytes declaring UTF-8
        ("utf-8", "gb2312", None),     # UTF-8 bytes declaring GB2312
        ("gbk", None, None),           # GBK bytes, no declaration at all
        ("gbk", "gb2312", None),       # GBK-only characters declared GB2312
        ("gbk", None, "text/html; charset=utf-8"),  # the HTTP header lies
    ],
)
def test_bytes_decide_the_encoding(encoding, declared, header):
    raw = page(declared).encode(encoding)
    assert TEXT.encode(encoding) in raw  # the fixture bytes really are in that encoding
    headers = {"Content-Type": header} if header else {}
    response = with_true_encoding(HtmlResponse("http://x.edu.cn/c1a2/page.htm", body=raw,
                                               headers=headers))
    site = parse_site("inline", site_config(allowed_domains=["x.edu.cn"],
                                            start_urls=["http://x.edu.cn/l.htm"]))
    item = extract_article(response.text, response.url, site)
    assert item.text_blocks == [TEXT]
    assert item.headline == "会议"


def test_a_crawl_decodes_a_gbk_page_that_declares_utf8(server, tmp_path):
    article = Article(400100, "南京理工大学召开会议", charset="gbk", declared_charset="utf-8",
                      paragraphs=[TEXT])
    start = serve_site(server, [article])
    write_config(tmp_path / "configs", site_config(start_urls=[start]))
    result = run_archiver("--config-dir", str(tmp_path / "configs"), "crawl", "fixture",
                          "--output", str(tmp_path / "out"))
    assert result.returncode == 0, result.stdout + result.stderr
    text = next((tmp_path / "out" / "fixture").glob("*.md")).read_text(encoding="utf-8")
    assert "测试大学->南京理工大学召开会议" in text and TEXT in text
