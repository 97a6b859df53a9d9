"""List-page parsing on real corpus list pages (ecms and WebPlus)."""

from __future__ import annotations

import dataclasses
import json
import re
from urllib.parse import urlsplit

import pytest

from archiver.cms.paging import ecms_page_urls
from archiver.config import load_site
from archiver.extract.listing import ListPage
from tests.conftest import FIXTURES, ROOT


def corpus(family: str) -> list[dict]:
    folder = FIXTURES / "corpus" / family
    pages = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return [{**p, "html": (folder / p["file"]).read_text(encoding="utf-8")}
            for p in pages if p["kind"] == "list"]


@pytest.mark.parametrize("page", corpus("ecms"), ids=lambda p: p["url"])
def test_ecms_list_pages_give_article_links_and_the_pager_script(page):
    site = load_site(ROOT / "spiders_config" / "nankai.yaml")
    listing = ListPage(page["html"], page["url"], site)
    links = [a.url for a in listing.articles]
    column = urlsplit(page["url"]).path.split("/")[1]
    # The weixin column lists one item; every other column shows 30 per page.
    assert len(links) == (1 if column == "wx" else 30)
    # Columns also list articles filed under other columns (/ywsd/system/... in bnxq).
    assert all(re.search(r"^https?://news\.nankai\.edu\.cn/\w+/system/\d{4}/\d{2}/\d{2}/\d+\.shtml$",
                         link) for link in links)
    # Each row shows its date beside the link.
    assert all(a.date and re.fullmatch(r"\d{4}-\d{2}-\d{2}", a.date) for a in listing.articles)
    script = listing.ecms_script
    assert script.endswith(".js") and f"/{column}/system/count/" in script


def test_ecms_pager_script_numbers_later_pages_backwards():
    script = ("http://news.nankai.edu.cn/ywsd/system/count/0003000/000000000000/"
              "count_page_list_0003000000000000000.js")
    pages = ecms_page_urls(script, "var maxpage = 1002;\ndocument.write('...');")
    assert len(pages) == 1002
    assert pages[0] == ("http://news.nankai.edu.cn/ywsd/system/count//0003000/000000000000/000/"
                        "001/c0003000000000000000_000001002.shtml")
    assert pages[-1].endswith("/000/000/c0003000000000000000_000000001.shtml")
    assert ecms_page_urls(script, "no page count here") == []


WEBPLUS_NEXT = {
    "http://phil.nankai.edu.cn/30144/list3.htm": "http://phil.nankai.edu.cn/30144/list4.htm",
    "https://wxy.nankai.edu.cn/xwtg_17939/list1.htm": "https://wxy.nankai.edu.cn/xwtg_17939/list2.htm",
    "https://lib.nankai.edu.cn/11990/list2.htm": "https://lib.nankai.edu.cn/11990/list3.htm",
    # The last page's next link is javascript:void(0): the walk ends there.
    "https://sfs.nankai.edu.cn/4597/list109.htm": None,
    "http://sfs.nankai.edu.cn/7284/list4.htm": None,
}


@pytest.mark.parametrize("page", [p for p in corpus("webplus") if p["url"] in WEBPLUS_NEXT],
                         ids=lambda p: p["url"])
def test_webplus_next_page_follows_wp_paging(page):
    njust = load_site(ROOT / "spiders_config" / "njust.yaml")
    site = dataclasses.replace(njust, allowed_domains=(urlsplit(page["url"]).hostname,))
    listing = ListPage(page["html"], page["url"], site)
    assert listing.next_page()[0] == WEBPLUS_NEXT[page["url"]]
    links = [a.url for a in listing.articles]
    assert len(links) >= 8 and all(link.endswith("/page.htm") for link in links)
    assert all(a.date for a in listing.articles)
    # Its pager says which page it is of how many ("页码 109/109"): the last page expects none.
    assert listing.pager.has_more(1) == (WEBPLUS_NEXT[page["url"]] is not None)
