"""The article page object: (HTML, URL, site config) -> ArticleItem.

One small method per field. Each tries the site's selector first and falls back to the generic
rule, and records which rule answered in `item.rules` (shown by previews and reports).
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urljoin

from lxml import etree
from parsel import Selector
from w3lib.url import safe_url_string

from archiver.config import SiteConfig
from archiver.extract import generic
from archiver.extract.dates import date_in_url, labelled_date, parse_date
from archiver.extract.markdown import to_blocks
from archiver.extract.text import clean_line, is_furniture
from archiver.items import ArticleItem


class ArticlePage:
    def __init__(self, html: str | Selector, url: str, site: SiteConfig):
        self.sel = html if isinstance(html, Selector) else Selector(text=html)
        self.url = url
        self.site = site
        self.root: etree._Element = self.sel.root

    def urljoin(self, href: str) -> str:
        return safe_url_string(urljoin(self.url, href.strip()))

    def _all(self, css: str | None) -> list[Selector]:
        if not css:
            return []
        return [found for found in self.sel.css(css) if isinstance(found.root, etree._Element)]

    def _first(self, css: str | None) -> etree._Element | None:
        found = self._all(css)
        return found[0].root if found else None

    def body_element(self) -> tuple[etree._Element | None, str]:
        el = self._first(self.site.article.body)
        if el is not None and "".join(el.itertext()).strip():
            return el, "selector"
        return generic.find_body(self.root), "fallback"

    def headline(self) -> tuple[str, str]:
        el = self._first(self.site.article.headline)
        if el is not None:
            text = clean_line("".join(el.itertext()))
            if text:
                return text, "selector"
        return generic.find_headline(self.root), "fallback"

    def published(self, body: etree._Element | None) -> tuple[str, datetime | None, str]:
        # A meta line often has several spans (来源 with a print date, 发稿时间, 阅读): a labelled
        # date wins over a bare one.
        matches = self._all(self.site.article.published)
        texts = [clean_line("".join(m.root.itertext())) for m in matches]
        for raw in texts:
            found = labelled_date(raw)
            if found:
                return found[0], found[1], "selector"
        for raw in texts:
            parsed = parse_date(raw)
            if parsed:
                return raw, parsed, "selector"
        found = generic.find_published(self.root, body)
        if found:
            return found[0], found[1], "fallback"
        from_url = date_in_url(self.url)
        if from_url:
            return "", from_url, "url"
        return "", None, "none"

    def blocks(self, body: etree._Element | None) -> tuple[list[str], list[str]]:
        if body is None:
            return [], []
        blocks, images = to_blocks(body, self.urljoin)
        return [b for b in blocks if b.startswith("![") or not is_furniture(b)], images

    def to_item(self) -> ArticleItem:
        body, body_rule = self.body_element()
        headline, headline_rule = self.headline()
        raw_date, published, date_rule = self.published(body)
        blocks, images = self.blocks(body)
        # The headline often opens the body element too (WebPlus puts arti_title inside it on
        # some templates); the archive carries it once, in the front matter.
        if blocks and clean_line(blocks[0].replace("*", "")) == headline:
            blocks = blocks[1:]
        return ArticleItem(
            url=self.url,
            site=self.site.name,
            headline=headline,
            published=published,
            published_raw=raw_date,
            blocks=blocks,
            image_urls=list(dict.fromkeys(images)),
            rules={"headline": headline_rule, "published": date_rule, "body": body_rule},
        )


def extract_article(html: str | Selector, url: str, site: SiteConfig) -> ArticleItem:
    return ArticlePage(html, url, site).to_item()
