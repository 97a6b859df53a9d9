"""Selectors per CMS family, kept apart from the extraction logic.

Each tuple lists candidates in order; the first that matches (with text) wins. Sources: the real
pages of tests/fixtures/corpus (nankai.edu.cn's ecms news site, WebPlus and VSB department
sites) and public crawlers of other schools' WebPlus/VSB sites (see the comments).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FAMILIES = ("webplus", "vsb", "ecms", "generic")


@dataclass(frozen=True)
class Preset:
    name: str
    # Which URLs are articles.
    article_url: re.Pattern[str]
    # List pages: anchors to articles (how lists chain is in archiver.cms.paging).
    list_links: tuple[str, ...]
    # Article pages.
    headline: tuple[str, ...]
    published: tuple[str, ...]
    body: tuple[str, ...]


# Article URLs of any family, and of the common hand-made or other-CMS sites: dated paths,
# numeric ids. Used for `cms: generic` and `cms: auto` when no family is recognised.
GENERIC_ARTICLE_URL = re.compile(
    r"(?:/(?:19|20)\d{2}[/-]?\d{2}[/-]?\d{2}/|/(?:19|20)\d{2}/\d{4}/|/info/\d+/\d+\.s?html?$"
    r"|/c\d+a\d+/page\.s?htm|/t(?:19|20)\d{6}_\d+|/content[_/]\d+|/system/(?:19|20)\d{2}/"
    r"|/(?:news|article|detail|show|view)[^/]*?[/_-]?\d{3,}|[?&](?:id|newsid|articleid|aid)=\d+)",
    re.I,
)

PRESETS: dict[str, Preset] = {
    # WebPlus Pro (Sudy). Articles /2025/0430/c17473a568962/page.htm or /29/a2/c4621a207266/
    # page.htm; lists /<col>/list.htm, list2.htm…; pager ul.wp_paging with a.next. Custom
    # templates rename arti_title (arti-title, .article-title, .Article_Title) and keep the body
    # in .wp_articlecontent, or in .read / .entry on older themes.
    "webplus": Preset(
        name="webplus",
        article_url=re.compile(r"/c\d+a\d+/page\.(?:htm|psp)$"),
        list_links=(".news_list a", ".wp_article_list a", "[id^=wp_news_w] a", ".col_news_list a"),
        headline=(".arti_title", ".arti-title", ".article-title", ".Article_Title",
                  ".arti_tit", "h1.title"),
        published=(".arti_update", ".arti-update", ".arti_metas", ".arti-metas", ".article-meta",
                   ".Article_PublishDate"),
        body=(".wp_articlecontent", ".article .read", ".Article_Content", ".article-content"),
    ),
    # VSB (Boda Visual SiteBuilder). Articles /info/<tree>/<id>.htm; lists /<col>.htm then
    # /<col>/<N>.htm counting down; pager span.p_next a (older skins: a.Next). The body sits in
    # div#vsb_content inside div[id^=vsb_content_]; news skins also use .v_news_content.
    "vsb": Preset(
        name="vsb",
        article_url=re.compile(r"/info/\d+/\d+\.htm$"),
        list_links=("[id^=line_u] a", ".list_wen a", "ul li a"),
        headline=(".titlestyle", "[class^=titlestyle]", "#newdetail_title h2",
                  ".content-title h3", ".content-title", ".ar_tit h3", ".main_contit h2",
                  ".article-title", "h4[align=center]", "h1"),
        published=(".timestyle", "[class^=timestyle]", "#newdetail_title p",
                   ".content-time", ".article-info", ".info"),
        body=(".v_news_content", "#vsb_content", "div[id^=vsb_content_]"),
    ),
    # news.nankai.edu.cn ("ecms"): articles /<col>/system/YYYY/MM/DD/N.shtml; lists
    # /<col>/index.shtml, later pages from the pager script. Headline in the bold 30px cell,
    # "发稿时间：" in the meta cell, body td#txt.
    "ecms": Preset(
        name="ecms",
        article_url=re.compile(r"/system/\d{4}/\d{2}/\d{2}/\d+\.shtml$"),
        list_links=("table[width='98%'] a[href]",),
        headline=("td[style*='font-size:30px']",),
        published=("td[style*='text-align:center'] span",),
        body=("td#txt",),
    ),
    "generic": Preset(
        name="generic",
        article_url=GENERIC_ARTICLE_URL,
        list_links=(),
        headline=(),
        published=(),
        body=(),
    ),
}
