"""The article page object: (HTML, URL, site config) -> ArticleItem.

One small method per field. Each tries the selectors that apply (the site's own, else its CMS
preset's) and falls back to the generic rule, and records which rule answered in `item.rules`
(shown by previews and reports).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from functools import cache
from urllib.parse import urljoin

from lxml import etree
from parsel import Selector
from parsel.csstranslator import css2xpath

from archiver.cms.detect import detect_family
from archiver.config import SiteConfig
from archiver.extract import generic
from archiver.extract.bounds import exceeded
from archiver.extract.dates import date_in_url, labelled_date, parse_date, signature_date
from archiver.extract.markdown import SKIP_TAGS, is_attachment, to_blocks
from archiver.extract.published import beside_a_link, find_published, furniture
from archiver.extract.quality import BIDI_FLAG
from archiver.extract.text import clean_line, plain_text
from archiver.extract.tree import parse_html
from archiver.items import ArticleItem
from archiver.urls import safe_url


@cache
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


# A body that the selectors found but that holds fewer characters than this is checked
# against the generic rule (measured: real news bodies in the corpus are all longer).
SHORT_BODY = 100


# Bidi embedding, override and isolate controls, and the LRM/RLM marks.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f]")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_DOWNLOAD_COUNTER = re.compile(r"\s*已下载\s*\d*\s*次\s*$")


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _text(el: etree._Element) -> str:
    return clean_line("".join(el.itertext()))


def _attachment_lists(body: etree._Element,
                      containers: frozenset = frozenset()) -> list[etree._Element]:
    """A notice's attachment list that the template keeps right after the body's container
    (VSB: a <ul> of download.jsp links after v_news_content): the following siblings of the body
    and of its parent, up to the first that is not all attachment links. Another content
    container (the next tab of a tabbed page) is another text, never this one's attachments."""
    found = []
    for anchor in (body, body.getparent()):
        for sibling in anchor.itersiblings() if anchor is not None else ():
            if not isinstance(sibling.tag, str) or _nothing_to_read(sibling):
                continue
            if containers and any(el in containers for el in sibling.iter()):
                break
            links = sibling.xpath(".//a[@href]")
            if not links or not all(is_attachment(a.get("href"), _text(a)) for a in links):
                break
            found.append(sibling)
        if found:
            break
    return found


# An element's place in page order: the elements that open before it.
_PAGE_ORDER = etree.XPath("count(preceding::*) + count(ancestor::*)")
# An element's text length, whitespace runs counted as one (computed by libxml2).
_TEXT_LENGTH = etree.XPath("string-length(normalize-space(.))")


@cache
def _compiled(css: str) -> tuple[etree.XPath, tuple[str, ...]]:
    """A CSS selector compiled once, as parsel would translate it, with the attribute values it
    needs to find on the page to match at all (see _needed)."""
    xpath = css2xpath(css)
    return etree.XPath(xpath), _needed(xpath)


# Attribute tests of a selector's XPath (`@id = 'x'`, `contains(@class, 'x')`,
# `starts-with(@id, 'x')`): an element matches only if one of its attributes holds 'x'.
_ATTRIBUTE_TEST = re.compile(
    r"(?:contains|starts-with)\(@[\w:-]+, '([^']*)'\)|@[\w:-]+ = '([^']*)'")
# What can make such a test optional: alternatives, negation, case folding.
_NOT_REQUIRED = re.compile(r" or |not\(|\||translate\(|lower-case")


def _needed(xpath: str) -> tuple[str, ...]:
    """The attribute values a selector needs on the page, when all of its tests must hold; ()
    when it cannot tell."""
    if _NOT_REQUIRED.search(xpath):
        return ()
    return tuple(a or b for a, b in _ATTRIBUTE_TEST.findall(xpath))


# Every attribute value of the page, run together (one pass in libxml2). A preset selector is a
# full pass over the page too, and most find nothing: one whose attribute value is nowhere in
# this text cannot match and is not run.
_ALL_ATTRIBUTES = etree.XPath("str:concat(//@*)", namespaces={"str": "http://exslt.org/strings"},
                              smart_strings=False)


def _own_text(container: etree._Element) -> bool:
    """True when a short content container holds text of its own: a line that is mostly not
    link text (a one-line notice, a sentence), or a line above an attachment list. A scrap (a
    language link, an empty placeholder) has none, and the generic rule reads the page."""
    text = _norm(_text(container))
    links = sum(len(_norm(_text(a))) for a in container.iter("a"))
    return len(text) >= 8 and (links * 2 < len(text) or bool(_attachment_lists(container)))


def _inside(el: etree._Element, body: etree._Element | None) -> bool:
    return body is not None and (el is body or body in el.iterancestors())


def _nothing_to_read(el: etree._Element) -> bool:
    return el.tag.lower() in SKIP_TAGS or not _text(el)


class ArticlePage:
    def __init__(self, html: str | Selector, url: str, site: SiteConfig):
        self.url = url
        self.site = site
        self.root: etree._Element = html.root if isinstance(html, Selector) else parse_html(html)
        self._markdown: tuple | None = None
        self._container_cache: list | None = None
        self._attributes: str | None = None  # every attribute value, run together (_matches)
        detected = None
        if site.cms == "auto":
            raw = html if isinstance(html, str) else html.get()
            detected = detect_family(raw)
        self.family = site.family(detected)
        self.detected = detected

    def urljoin(self, href: str) -> str:
        return safe_url(urljoin(self.url, href.strip()))

    def _matches(self, field_name: str) -> Iterator[list[etree._Element]]:
        """Per candidate selector, in order, the elements it matches (lazily: most pages are
        settled by the first candidate)."""
        for css in self.site.selectors(field_name, self.detected):
            xpath, needed = _compiled(css)
            if needed:
                if self._attributes is None:
                    self._attributes = _ALL_ATTRIBUTES(self.root)
                if not all(value in self._attributes for value in needed):
                    yield []
                    continue
            yield [el for el in xpath(self.root) if isinstance(el, etree._Element)]

    def _containers(self) -> list[tuple[int, etree._Element]]:
        """The page's content containers that the body selectors match, with their text length,
        in page order. A container nested in another stands for it when it holds half its text
        or more and an earlier selector names it (a VSB `v_news_content` inside `vsb_content`:
        the inner one leaves the title and date out); of candidates of one selector (a copy of
        the container pasted inside it), the outer one."""
        if self._container_cache is None:
            self._container_cache = self._find_containers()
        return self._container_cache

    def _find_containers(self) -> list[tuple[int, etree._Element]]:
        rank: dict[etree._Element, int] = {}  # each candidate: the first selector naming it
        for place, elements in enumerate(self._matches("body")):
            for el in elements:
                rank.setdefault(el, place)
        if not rank:
            return []
        sizes = {el: int(_TEXT_LENGTH(el)) for el in rank}
        inside = {el: [a for a in el.iterancestors() if a in sizes] for el in rank}
        chosen = []
        for top in rank:
            if any(sizes[a] for a in inside[top]):
                continue  # nested in a container with text: stands for it, or not at all
            best = top
            for el in rank:
                if (top in inside[el] and sizes[el] * 2 >= sizes[top]
                        and (rank[el], -sizes[el]) < (rank[best], -sizes[best])):
                    best = el
            if sizes[best]:
                chosen.append((sizes[best], best))
        if len(chosen) > 1:
            chosen.sort(key=lambda pair: _PAGE_ORDER(pair[1]))
        return chosen

    def body_element(self) -> tuple[etree._Element | None, str]:
        # A template may hold several containers: a tiny one for its language link, the tabs of
        # a tabbed page, a desktop and a mobile copy of the text. The article is the first one
        # that holds a real share of the text (the tab shown, the desktop copy), never a scrap.
        containers = self._containers()
        found = None
        if containers:
            largest = max(n for n, _ in containers)
            found = next((n, el) for n, el in containers
                         if n == largest or (n >= largest / 3 and (
                             n >= SHORT_BODY or _own_text(el))))
        if found and (found[0] >= SHORT_BODY or _own_text(found[1])):
            return found[1], "selector"
        # Nothing matched, or only a scrap: a page of another template on the same site (a VSB
        # profile page keeps its text outside vsb_content) is read by the generic rule.
        fallback = generic.find_body(self.root)
        if found and fallback is not None:
            wider = len(_text(fallback))
            # The fallback wins when it holds three times the text elsewhere, or when the
            # scrap is a tenth of a container around it (a language link inside a profile).
            if fallback in found[1].iterancestors():
                keep = wider < 10 * found[0]
            else:
                keep = wider < 3 * found[0]
            if keep:
                return found[1], "selector"
        elif found:
            return found[1], "selector"
        return fallback, "fallback"

    def headline(self, body: etree._Element | None,
                 from_container: bool = False) -> tuple[str, str]:
        """The article's own heading, confirmed by the page's <title>, over any label,
        breadcrumb or column name near it (see generic.title_rank)."""
        candidates = []
        extended = ""
        for elements in self._matches("headline"):
            for el in elements:
                text = _text(el)
                if not text:
                    continue
                # The site's own selector is trusted; a preset's selectors are guesses across
                # many templates (an h1 may be the site's logo, a heading the column's label):
                # the first that the <title> names as the article wins.
                if self.site.article.headline:
                    return text, "selector"
                rank = generic.title_rank(self.root, text)
                if rank == 3:
                    return text, "selector"
                if _inside(el, body):
                    continue  # a heading of the body's own text
                if rank == 2 and not extended:
                    extended = text
                candidates.append(text)
        if extended:
            # The article's own heading, whose column item the <title> names.
            return extended, "selector"
        found = generic.headline_element(self.root)
        if found:
            return self._not_the_column(found, body, from_container) or found, "fallback"
        if candidates:
            return candidates[0], "selector"
        found = generic.headline_from_title(self.root)
        near = self._not_the_column(found, body, from_container)
        return (near, "fallback") if near else (found, "title")

    def _not_the_column(self, found: str, body: etree._Element | None,
                        from_container: bool) -> str | None:
        """When the headline found is the column's name ("学院新闻", a menu link that opens the
        <title> too), the article's own heading nearest above the body: a longer Chinese line
        that is no menu link and does not merely extend the column's name. A landing page's
        content container (a "联系我们" page) keeps its section headings: not the headline."""
        if not generic.is_menu_entry(self.root, found):
            return None
        near = generic.heading_above(self.root, body, outside_only=from_container)
        if (len(_norm(near)) > len(_norm(found)) and _norm(found) not in _norm(near)
                and _CJK.search(near) and not generic.is_menu_entry(self.root, near)):
            return near
        return None

    def published(self, body: etree._Element | None, headline: str,
                  list_date: str | None) -> tuple[str, datetime | None, str]:
        for elements in self._matches("published"):
            # A meta line often has several spans (来源 with a print date, 发稿时间, 阅读): a
            # labelled date wins over a bare one. A date beside a link to another page is a
            # list's (VSB styles a related-news list's dates like the article's own).
            texts = [_text(el) for el in elements if not beside_a_link(el)]
            for raw in texts:
                found = labelled_date(raw)
                if found:
                    return found[0], found[1], "selector"
            for raw in texts:
                parsed = parse_date(raw)
                if parsed:
                    return raw, parsed, "selector"
        found = find_published(self.root, body, headline, self._attributes)
        if found:
            return found[0], found[1], "fallback"
        # A notice signed with a date at its end (the office's name, then the day): still the
        # page's own word.
        signed = signature_date(self._last_lines(body)) if body is not None else None
        if signed:
            return signed[0], signed[1], "signature"
        # The date the list page gave the article: the site's own word, when the page has none.
        from_list = parse_date(list_date or "")
        if from_list:
            return list_date or "", from_list, "list"
        # Last resort: a day in a dated path (/2019/11/13/, /2019/0312/).
        from_url = date_in_url(self.url)
        if from_url:
            return "", from_url, "url"
        return "", None, "none"

    def _converted(self, body: etree._Element) -> tuple[list[str], list[str], list[str]]:
        """The body as Markdown, converted once (the signature date and the blocks read it)."""
        if self._markdown is None or self._markdown[0] is not body:
            self._markdown = (body, to_blocks(body, self.urljoin))
        blocks, images, attachments = self._markdown[1]
        return list(blocks), list(images), list(attachments)

    def _last_lines(self, body: etree._Element) -> list[str]:
        """The body's last text lines, as a reader sees them."""
        blocks = [b for b in self._converted(body)[0] if not b.startswith("![")]
        return [line for block in blocks[-2:] for line in plain_text(block).split("\n")]

    def blocks(self, body: etree._Element | None, headline: str, published: datetime | None,
               from_container: bool = False) -> tuple[list[str], list[str], list[str]]:
        """The body's blocks without furniture. Above the first paragraph, the page's own meta
        line and headline (often inside the body's container) go too; further down, a line that
        repeats the headline or opens with "时间：" is article text and stays."""
        if body is None:
            return [], [], []
        blocks, images, attachments = self._converted(body)
        containers = frozenset(el for _, el in self._containers())
        for element in _attachment_lists(body, containers):
            more, more_images, more_attachments = to_blocks(element, self.urljoin)
            # VSB's download counter is filled in by a script: "已下载次" is all that is left.
            blocks += [_DOWNLOAD_COUNTER.sub("", block) for block in more]
            images, attachments = images + more_images, attachments + more_attachments
        # A line repeating the headline, above the first paragraph, is the page's heading taken
        # in with a body the generic rule found; inside the CMS's own content container it is
        # a line the editor wrote (a department's name over its text) and stays.
        repeated = "" if from_container else headline
        dropped = furniture(blocks, repeated, published)
        kept = [b for b, drop in zip(blocks, dropped, strict=True) if not drop]
        return kept, images, attachments

    def to_item(self, list_date: str | None = None) -> ArticleItem:
        beyond = exceeded(self.root)
        if beyond:
            # Not read at all: the quality verdict refuses it with the bound's reason.
            return ArticleItem(url=self.url, site=self.site.name,
                               rules={"cms": self.family, "body": beyond})
        body, body_rule = self.body_element()
        headline, headline_rule = self.headline(body, from_container=body_rule == "selector")
        raw_date, published, date_rule = self.published(body, headline, list_date)
        blocks, images, attachments = self.blocks(body, headline, published,
                                                  from_container=body_rule == "selector")
        # Bidi controls can make text read otherwise than it is ("gpj.exe"): never written,
        # and the article is flagged.
        flags = []
        if _BIDI.search(headline) or any(_BIDI.search(b) for b in blocks):
            flags.append(BIDI_FLAG)
            headline = _BIDI.sub("", headline)
            blocks = [_BIDI.sub("", b) for b in blocks]
        if self.site.t2s:
            convert = _t2s().convert
            headline = convert(headline)
            blocks = [b if b.startswith("![") else convert(b) for b in blocks]
        return ArticleItem(
            url=self.url,
            site=self.site.name,
            headline=headline,
            published=published,
            published_raw=raw_date,
            blocks=blocks,
            image_urls=list(dict.fromkeys(images)),
            attachment_urls=list(dict.fromkeys(attachments)),
            rules={"cms": self.family, "headline": headline_rule, "published": date_rule,
                   "body": body_rule},
            flags=flags,
        )


def extract_article(html: str | Selector, url: str, site: SiteConfig,
                    list_date: str | None = None) -> ArticleItem:
    """The article of a page; `list_date` is the date its list page showed beside its link,
    used (rule "list") when the page itself states none."""
    return ArticlePage(html, url, site).to_item(list_date)
