"""The CMS families: one frozen spec per family, holding everything the archiver knows of it.

A spec says which URLs are articles, where list and article pages keep their fields (the
"preset": candidate selectors in order, the first that matches with text wins), how its lists
chain to the next page, and the markers that tell the family from a page's HTML. Adding a
family is one entry in FAMILIES and its fixtures (README "Adding a site", docs/design.md).

Sources: the real pages of tests/fixtures/corpus (nankai.edu.cn's ecms news site, WebPlus and
VSB department sites) and public crawlers of other schools' WebPlus/VSB sites (see the comments).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# `list.paging` values: "next" follows next links; "ecms" reads the ecms pager script
# (archiver.cms.paging).
PAGING_MODES = ("next", "ecms")


def _markers(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


@dataclass(frozen=True)
class CmsFamily:
    name: str
    # Which URLs are articles.
    article_url: re.Pattern[str]
    # List pages: anchors to articles.
    list_links: tuple[str, ...]
    # Article pages.
    headline: tuple[str, ...]
    published: tuple[str, ...]
    body: tuple[str, ...]
    # The next list page's link, tried in order (archiver.cms.paging has the rules that apply
    # when none matches: the link's text, the pager script, the page's numbering).
    next_links: tuple[str, ...] = ()
    # How its lists chain: one of PAGING_MODES.
    paging: str = "next"
    # Strings seen in its pages, checked on the raw text (cheap, no parsing). Several: a custom
    # template may drop one, rarely all. None: the family is never detected (generic).
    markers: tuple[re.Pattern[str], ...] = ()

    def __post_init__(self) -> None:
        if self.paging not in PAGING_MODES:
            raise ValueError(f"{self.name}: paging {self.paging!r} is not one of {PAGING_MODES}")


# Article URLs of any family, and of the common hand-made or other-CMS sites: dated paths,
# numeric ids. Used for `cms: generic` and `cms: auto` when no family is recognised.
GENERIC_ARTICLE_URL = re.compile(
    r"(?:/(?:19|20)\d{2}[/-]?\d{2}[/-]?\d{2}/|/(?:19|20)\d{2}/\d{4}/|/info/\d+/\d+\.s?html?$"
    r"|/c\d+a\d+/page\.s?htm|/t(?:19|20)\d{6}_\d+|/content[_/]\d+|/system/(?:19|20)\d{2}/"
    r"|/(?:news|article|detail|show|view)[^/]*?[/_-]?\d{3,}|[?&](?:id|newsid|articleid|aid)=\d+)",
    re.I,
)


def _by_name(families: Iterable[CmsFamily]) -> dict[str, CmsFamily]:
    return {family.name: family for family in families}


FAMILIES: dict[str, CmsFamily] = _by_name((
    # WebPlus Pro (Sudy). Articles /2025/0430/c17473a568962/page.htm or /29/a2/c4621a207266/
    # page.htm; lists /<col>/list.htm, list2.htm…; pager ul.wp_paging with a.next. Custom
    # templates rename arti_title (arti-title, .article-title, .Article_Title) and keep the body
    # in .wp_articlecontent, or in .read / .entry on older themes.
    CmsFamily(
        name="webplus",
        article_url=re.compile(r"/c\d+a\d+/page\.(?:htm|psp)$"),
        list_links=(".news_list a", ".wp_article_list a", "[id^=wp_news_w] a", ".col_news_list a"),
        headline=(".arti_title", ".arti-title", ".article-title", ".Article_Title",
                  ".arti_tit", "h1.title"),
        published=(".arti_update", ".arti-update", ".arti_metas", ".arti-metas", ".article-meta",
                   ".Article_PublishDate"),
        body=(".wp_articlecontent", ".article .read", ".Article_Content", ".article-content"),
        next_links=("ul.wp_paging a.next", ".wp_paging a.next", "a.next"),
        markers=_markers(r"sudy-wp-siteId", r"portletmode=", r"wp_articlecontent",
                         r"/_upload/article/", r"wp_paging", r"frag=\"窗口"),
    ),
    # VSB (Boda Visual SiteBuilder). Articles /info/<tree>/<id>.htm; lists /<col>.htm then
    # /<col>/<N>.htm counting down; pager span.p_next a (older skins: a.Next). The body sits in
    # div#vsb_content inside div[id^=vsb_content_]; news skins also use .v_news_content.
    CmsFamily(
        name="vsb",
        article_url=re.compile(r"/info/\d+/\d+\.htm$"),
        list_links=("[id^=line_u] a", ".list_wen a", "ul li a"),
        headline=(".titlestyle", "[class^=titlestyle]", "#newdetail_title h2",
                  ".content-title h3", ".content-title", ".ar_tit h3", ".main_contit h2",
                  ".article-title", "h4[align=center]", "h1"),
        published=(".timestyle", "[class^=timestyle]", "#newdetail_title p",
                   ".content-time", ".article-info", ".info"),
        body=(".v_news_content", "#vsb_content", "div[id^=vsb_content_]"),
        next_links=("span.p_next a", "a.Next", ".p_next a"),
        markers=_markers(r"Visual SiteBuilder", r"vsb_content", r"_showDynClicks",
                         r"/system/resource/js/", r"pb_sys_common", r"v_news_content"),
    ),
    # news.nankai.edu.cn ("ecms"): articles /<col>/system/YYYY/MM/DD/N.shtml; lists
    # /<col>/index.shtml, later pages from the pager script (no next links). Headline in the
    # bold 30px cell, "发稿时间：" in the meta cell, body td#txt.
    CmsFamily(
        name="ecms",
        article_url=re.compile(r"/system/\d{4}/\d{2}/\d{2}/\d+\.shtml$"),
        list_links=("table[width='98%'] a[href]",),
        headline=("td[style*='font-size:30px']",),
        published=("td[style*='text-align:center'] span",),
        body=("td#txt",),
        paging="ecms",
        markers=_markers(r"ecms sync check", r"id=\"txt\"", r"/system/count/",
                         r"count_page_list_", r"cms_block_span"),
    ),
    # Any other site: article URLs by their common shapes, fields found by the generic
    # extractor (archiver.extract.generic), next links by their usual classes and title.
    CmsFamily(
        name="generic",
        article_url=GENERIC_ARTICLE_URL,
        list_links=(),
        headline=(),
        published=(),
        body=(),
        next_links=("a.next", "a.Next", ".next a", ".p_next a", "a[title='下一页']"),
    ),
))
