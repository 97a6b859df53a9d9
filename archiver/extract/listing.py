"""List pages: which links are articles, and where the next list page is."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from parsel import Selector
from w3lib.url import canonicalize_url, safe_url_string

from archiver.config import SiteConfig

# ecms (news.nankai.edu.cn) renders its pager with a script; the pages behind it are static files
# numbered backwards: page 2 is the highest number (`var maxpage = N;` in the script), the oldest
# page is 1. Seen in several public crawlers of news.nankai.edu.cn and other ecms sites.
_ECMS_SCRIPT = re.compile(
    r"^(?P<base>.*/system/count)/(?P<col>\d{7})/(?P<zeros>\d{12})/count_page_list_(?P<id>\d+)\.js$"
)
_ECMS_MAXPAGE = re.compile(r"maxpage\s*=\s*(\d+)")


def _absolute(base: str, href: str) -> str | None:
    href = (href or "").strip()
    if not href or href.startswith(("javascript:", "#", "mailto:", "tel:")):
        return None
    url = safe_url_string(urljoin(base, href))
    return url if url.startswith(("http://", "https://")) else None


def article_links(sel: Selector, url: str, site: SiteConfig,
                  family: str | None = None) -> list[str]:
    """Article URLs on a list page, in page order, without repeats. The first link selector
    that finds any article wins; when none does, every link on the page is tried."""
    for css in (*site.list_link_selectors(family), "a[href]"):
        found: dict[str, None] = {}
        for href in sel.css(css).xpath("descendant-or-self::a/@href").getall():
            link = _absolute(url, href)
            if link and site.allows(link) and site.is_article_url(link):
                # Drop the fragment only: the archived URL must stay as the site writes it.
                found.setdefault(link.split("#", 1)[0], None)
        if found:
            return list(found)
    return []


def next_page(sel: Selector, url: str, site: SiteConfig, family: str | None = None) -> str | None:
    """The next list page: the first next-page selector that names a page of the site."""
    for css in site.next_page_selectors(family):
        for href in sel.css(css).xpath("descendant-or-self::a/@href").getall():
            link = _absolute(url, href)
            if link and site.allows(link) and canonicalize_url(link) != canonicalize_url(url):
                return link
    return None


def ecms_pager_script(sel: Selector, url: str) -> str | None:
    """The ecms pager script of a list page (page 1), if the page has one."""
    for src in sel.css("script::attr(src)").getall():
        link = _absolute(url, src)
        if link and _ECMS_SCRIPT.match(link):
            return link
    return None


def ecms_page_urls(script_url: str, script_text: str) -> list[str]:
    """List pages 2, 3, ... of an ecms column, newest first, from its pager script."""
    parts = _ECMS_SCRIPT.match(script_url)
    found = _ECMS_MAXPAGE.search(script_text)
    if not parts or not found:
        return []
    base, col, zeros, page_id = parts.group("base", "col", "zeros", "id")
    # The double slash after /count/ is what the site itself links to.
    return [
        f"{base}//{col}/{zeros}/000/{n // 1000:03d}/c{page_id}_{n:09d}.shtml"
        for n in range(int(found.group(1)), 0, -1)
    ]
