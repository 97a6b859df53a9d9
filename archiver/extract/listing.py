"""The list page object: (HTML, URL, site config) -> its article links with the date the list
shows beside each, its next page and its pager. How pages chain lives in archiver.cms.paging."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from lxml import etree
from parsel import Selector

from archiver.cms import paging
from archiver.cms.detect import detect_family
from archiver.config import SiteConfig
from archiver.extract.dates import parse_date

# A list row is at most this much longer than its headline (a summary may follow it): beyond
# that, climbing from the link has left the list (a page listing one article would reach <body>).
_ROW_EXTRA = 600
# Longest text piece read as a date beside a link ("发布时间：2025-03-06 15:20 点击：12").
_DATE_PIECE = 40
# Calendar-style dates: the day in one element, the year and month in another.
_YEAR_MONTH = re.compile(r"^((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_DAY = re.compile(r"^(\d{1,2})\s*日?$")
_DATE_NOISE = re.compile(r"^[\s\[\]【】()（）]+|[\s\[\]【】()（）]+$")
# A WeChat official-account article: about one route in twenty lists some of its news there
# instead of on the school's own pages.
_WECHAT_ARTICLE = re.compile(r"^https?://mp\.weixin\.qq\.com/s[/?]")


@dataclass(frozen=True)
class ListedArticle:
    url: str
    # The date the list shows beside the link, as written ("2025-03-06"); None when it shows
    # none. An article page without a date of its own takes this one (the `list` rule).
    date: str | None = None
    # The link's text (or title): the headline the list gives the article.
    headline: str = ""


class ListPage:
    def __init__(self, html: str, url: str, site: SiteConfig, selector: Selector | None = None):
        self.html = html
        self.sel = selector if selector is not None else Selector(text=html)
        self.url = url
        self.site = site
        self.detected = detect_family(html) if site.cms == "auto" else None
        self.mode = site.paging(self.detected)

    @cached_property
    def articles(self) -> list[ListedArticle]:
        """Article links in page order, without repeats, each with its list date. The first
        link selector that finds any article wins; when none does, every link is tried."""
        for css in (*self.site.list_link_selectors(self.detected), "a[href]"):
            found: list[tuple[str, etree._Element]] = []
            for node in self.sel.css(css).xpath("descendant-or-self::a[@href]"):
                link = paging.absolute(self.url, node.attrib.get("href"))
                if link and self.site.allows(link) and self.site.is_article_url(link):
                    # Drop the fragment only: the archived URL must stay as the site writes it.
                    found.append((link.split("#", 1)[0], node.root))
            if found:
                return _with_dates(found)
        return []

    @cached_property
    def wechat_articles(self) -> list[ListedArticle]:
        """The list's links to WeChat official-account articles (mp.weixin.qq.com): listed news
        that lives off the site, which the archiver does not fetch. The spider names each one,
        so that they are never a silent gap."""
        if "mp.weixin.qq.com" not in self.html:
            return []  # the usual case, found without walking the page's links
        for css in (*self.site.list_link_selectors(self.detected), "a[href]"):
            found = [(link, node.root)
                     for node in self.sel.css(css).xpath(
                         "descendant-or-self::a[contains(@href, 'mp.weixin.qq.com')]")
                     if (link := paging.absolute(self.url, node.attrib.get("href")))
                     and _WECHAT_ARTICLE.match(link)]
            if found:
                return _with_dates(found)
        return []

    @cached_property
    def anchors(self) -> list[paging.Anchor]:
        return paging.anchors(self.sel, self.url)

    @cached_property
    def ecms_script(self) -> str | None:
        """The ecms pager script (on an ecms column's first page)."""
        return paging.ecms_pager_script(self.sel, self.url) if self.mode == "ecms" else None

    @cached_property
    def pager(self) -> paging.Pager:
        return paging.read_pager(self.sel, self.html, self.url)

    def next_page(self, page: int = 1) -> tuple[str | None, str]:
        """The next list page and the rule that found it: "selector", "text", "trs script" or
        "numbering" (None, "none" when no rule did). `page` is this page's place in the walk."""
        for css in self.site.next_page_selectors(self.detected):
            for href in self.sel.css(css).xpath("descendant-or-self::a/@href").getall():
                link = paging.absolute(self.url, href)
                if link and self.site.allows(link) and not paging.same_page(link, self.url):
                    return link, "selector"
        articles = {a.url for a in self.articles}
        links = [a for a in self.anchors if self.site.allows(a.url) and a.url not in articles]
        by_text = paging.next_by_text(links, self.url)
        if by_text:
            return by_text, "text"
        by_script = paging.next_by_trs_script(self.html, self.url)
        if by_script and self.site.allows(by_script):
            return by_script, "trs script"
        by_number = paging.next_by_number(links, self.url, self.pager.current or page)
        if by_number:
            return by_number, "numbering"
        return None, "none"


def _with_dates(found: list[tuple[str, etree._Element]]) -> list[ListedArticle]:
    # Which article URLs each element holds: a link's row is its widest ancestor that holds
    # no other article.
    holds: dict[etree._Element, set[str]] = {}
    for url, anchor in found:
        for element in anchor.iterancestors():
            holds.setdefault(element, set()).add(url)
    dates: dict[str, str | None] = {}
    headlines: dict[str, str] = {}
    for url, anchor in found:
        if dates.get(url) is None:
            dates[url] = _date_beside(anchor, holds)
        if not headlines.get(url):
            headlines[url] = (anchor.get("title") or "".join(anchor.itertext())).strip()
    return [ListedArticle(url, date, headlines[url]) for url, date in dates.items()]


def _date_beside(anchor: etree._Element, holds: dict[etree._Element, set[str]]) -> str | None:
    chain = [anchor]
    for element in anchor.iterancestors():
        if len(holds[element]) > 1:
            break
        chain.append(element)
    # The widest that is still a row; tried from the top, which is nearly always it.
    limit = len(_text(anchor)) + _ROW_EXTRA
    row = next((e for e in reversed(chain) if len(_text(e)) <= limit), anchor)
    if row is anchor:
        # Links separated by <br> in one cell: the date follows the link, up to the next one.
        pieces = [anchor.tail or ""]
        for sibling in anchor.itersiblings():
            if sibling.tag == "a" or sibling.xpath(".//a"):
                break
            pieces += [*sibling.itertext(), sibling.tail or ""]
        return _date_in(pieces) or _date_in(_inside(anchor))
    outside = row.xpath(".//text()[not(ancestor::a)]")
    return _date_in(outside) or _date_in(_inside(anchor))


def _date_in(pieces: list[str]) -> str | None:
    """The first short text piece holding a whole date, trimmed; or a calendar date put
    together from a year-month piece and a day piece. Long pieces are summaries: a date inside
    one is a date of its story, not the list's."""
    pieces = [_DATE_NOISE.sub("", p) for p in pieces]
    pieces = [p for p in pieces if p and len(p) <= _DATE_PIECE]
    for piece in pieces:
        if parse_date(piece):
            return piece
    year_month = next((m for m in map(_YEAR_MONTH.match, pieces) if m), None)
    day = next((m for m in map(_DAY.match, pieces) if m), None)
    if year_month and day:
        joined = f"{year_month.group(1)}-{year_month.group(2)}-{day.group(1)}"
        return joined if parse_date(joined) else None
    return None


def _inside(anchor: etree._Element) -> list[str]:
    # A date inside the link follows the headline: read from the end, so that a headline that
    # names a day ("2025年3月6日，...") is not taken for the list's date.
    return list(anchor.itertext())[::-1]


def _text(element: etree._Element) -> str:
    return "".join(element.itertext()).strip()
