"""Generic rules for pages of unknown layout: find headline, publish time and body from the page
itself (the fallback when a site's selectors are absent or match nothing).

The body finder scores DOM nodes by text density, link density and Chinese punctuation, the
signals GNE and trafilatura use: an article body is long text with sentence punctuation and few
links; navigation is short link text; an ancestor that also holds menus and footers is diluted
by their tags and links.
"""

from __future__ import annotations

import math
import re

from lxml import etree

from archiver.extract.dates import labelled_date, parse_date
from archiver.extract.markdown import SKIP_TAGS
from archiver.extract.text import clean_line

_PUNCT = re.compile(r"[，。！？；：、,.!?;:“”]")
# Containers that hold page furniture, by id or class name.
_FURNITURE_NAME = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|menu|footer|foot|header|head|breadcrumb|bread|crumb|share|"
    r"sidebar|side|comment|copyright|related|relate|recommend|toolbar|pager|paging|login|search)"
    r"(?:$|[\s_-])",
    re.I,
)
_CANDIDATE_TAGS = ("div", "td", "article", "section", "main", "font", "span")
_TITLE_SPLIT = re.compile(r"\s*(?:[-_|–—]|－)\s*")
_META_DATE_NAMES = (
    "pubdate", "publishdate", "publish_date", "article:published_time", "og:published_time",
    "created", "date", "dc.date", "dc.date.issued", "publication_date", "weibo:article:create_at",
)


def _text(el: etree._Element) -> str:
    return "".join(t for t in el.itertext() if t)


def _furniture(el: etree._Element) -> bool:
    name = f"{el.get('id') or ''} {el.get('class') or ''}"
    return bool(name.strip()) and bool(_FURNITURE_NAME.search(name))


def _score(el: etree._Element) -> float:
    text = re.sub(r"\s+", "", _text(el))
    if len(text) < 20:
        return 0.0
    link_text = sum(len(re.sub(r"\s+", "", _text(a))) for a in el.iter("a"))
    tags = sum(1 for _ in el.iter()) or 1
    links = sum(1 for _ in el.iter("a"))
    own = max(len(text) - link_text, 0)
    density = own / max(tags - links, 1)
    punct = len(_PUNCT.findall(text))
    link_density = link_text / len(text)
    return density * math.log(punct + 2) * (1 - link_density) ** 2 * math.log(own + 1)


def find_body(root: etree._Element) -> etree._Element | None:
    """The element that most likely holds the article body, or None."""
    best, best_score = None, 0.0
    for el in root.iter(*_CANDIDATE_TAGS):
        if any(_furniture(a) for a in (el, *el.iterancestors())):
            continue
        score = _score(el)
        if score > best_score:
            best, best_score = el, score
    return best


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


def find_headline(root: etree._Element) -> str:
    """The page's own headline: the prominent element whose text the <title> starts with (or
    og:title names); never the <title> with its site suffix, unless nothing else exists."""
    title = clean_line(" ".join(root.xpath("//title//text()")))
    og = clean_line(" ".join(root.xpath("//meta[@property='og:title']/@content")))
    targets = [t for t in (og, title) if t]
    candidates = root.xpath(
        "//h1|//h2|//h3|//*[contains(@class,'title') or contains(@id,'title')]|//td|//div|//p"
    )
    best, best_len = "", 0
    for el in candidates:
        if isinstance(el.tag, str) and el.tag.lower() in SKIP_TAGS:
            continue
        text = clean_line(_text(el))
        norm = _norm(text)
        if len(norm) < 4 or len(norm) > 120:
            continue
        if any(_norm(t).startswith(norm) or _norm(t) == norm for t in targets):
            if len(norm) > best_len:
                best, best_len = text, len(norm)
    if best:
        return best
    if og:
        return og
    return _TITLE_SPLIT.split(title)[0] if title else ""


def find_published(root: etree._Element, body: etree._Element | None) -> tuple[str, object] | None:
    """(raw text, datetime) of the publish time: meta tags first, then a labelled date in the
    page text before the body (so dates inside the body or in other articles' lists don't win)."""
    for meta in root.iter("meta"):
        name = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").lower()
        if name in _META_DATE_NAMES:
            content = meta.get("content") or ""
            found = parse_date(content)
            if found:
                return content, found
    text_before = []
    for el in root.iter():
        if el is body:
            break
        if isinstance(el.tag, str) and el.tag.lower() in SKIP_TAGS:
            continue
        if el.text:
            text_before.append(el.text)
        if el.tail:
            text_before.append(el.tail)
    text = clean_line(" ".join(text_before))
    labelled = labelled_date(text)
    if labelled:
        return labelled
    return None
