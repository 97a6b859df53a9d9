"""Generic rules for pages of unknown layout: find headline, publish time and body from the page
itself (the fallback when a site's selectors are absent or match nothing).

The body finder scores DOM nodes by text density, link density and Chinese punctuation, the
signals GNE and trafilatura use: an article body is long text with sentence punctuation and few
links; navigation is short link text; an ancestor that also holds menus and footers is diluted
by their tags and links.
"""

from __future__ import annotations

import copy
import re
from functools import lru_cache

from lxml import etree

from archiver.extract.markdown import SKIP_TAGS, is_data_table
from archiver.extract.text import clean_line, is_furniture, is_meta_line, plain_text
from archiver.extract.tree import titles_and_metas

_PUNCT = re.compile(r"[，。！？；：、,.!?;:“”]")
# Containers that hold page furniture, by id or class name.
_FURNITURE_NAME = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|menu|footer|foot|header|breadcrumb|bread|crumb|share|sidebar|"
    r"side|comment|copyright|related|relate|recommend|toolbar|login|search)(?:$|[\s_-])",
    re.I,
)
# ("paging" is not furniture: WebPlus keeps its article in div.paging_content.)
_TITLE_SPLIT = re.compile(r"\s*(?:[-_|–—]|－)\s*")


def _text(el: etree._Element) -> str:
    return "".join(t for t in el.itertext() if t)


def _skipped(el: etree._Element) -> bool:
    """An element whose content is never page text (script, style, ruby annotation, ...)."""
    return isinstance(el.tag, str) and el.tag.lower() in SKIP_TAGS


# Elements that are page furniture by their tag (HTML5 navigation, footers, sidebars).
_FURNITURE_TAGS = frozenset(("nav", "footer", "aside"))


def _furniture(el: etree._Element) -> bool:
    if el.tag in _FURNITURE_TAGS:
        return True
    name = f"{el.get('id') or ''} {el.get('class') or ''}"
    return bool(name.strip()) and bool(_FURNITURE_NAME.search(name))


# Elements whose own text is a paragraph of the article.
_PARAGRAPH_TAGS = ("p", "td", "pre", "li", "h2", "h3", "h4", "div", "section", "blockquote")
_BLOCK_CHILDREN = frozenset(("p", "div", "table", "ul", "ol", "section", "article", "blockquote",
                             "h1", "h2", "h3", "h4", "h5", "h6", "form", "dl", "nav",
                             "footer", "aside", "header", "main", "figure"))


def _inside_furniture(el: etree._Element) -> bool:
    return any(_furniture(a) for a in (el, *el.iterancestors()))


# An element's text (the text XPath's string value is made of) and the text of all the links in
# it (and of itself, when it is one), run together: built by libxml2 in one call each.
_STRING = etree.XPath("string(.)", smart_strings=False)
_LINKS_STRING = etree.XPath("str:concat(descendant-or-self::a)", smart_strings=False,
                            namespaces={"str": "http://exslt.org/strings"})
_DENSE_SPACES = (" ", "\t", "\n", "\r", "\u00a0", "\u3000")


def _dense(text: str) -> int:
    """The length of a text without whitespace (the common kinds: a count of each is a fast
    scan; libxml2's translate() looks every character up in a list)."""
    return len(text) - sum(map(text.count, _DENSE_SPACES))


def _dense_length(el: etree._Element) -> int:
    """An element's text length without whitespace (this runs for every candidate)."""
    return _dense(_STRING(el))


def _paragraph_score(el: etree._Element) -> float:
    """How much a paragraph-like element looks like article text (0: not at all)."""
    tag = el.tag.lower()
    if tag == "img":
        # Photo stories are mostly images with short lines between them. Linked images are
        # banners and thumbnails of other pages; small ones are icons.
        if any(a.tag == "a" for a in el.iterancestors()):
            return 0.0
        sizes = [el.get("width", ""), el.get("height", "")]
        if any(v.isdigit() and int(v) < 100 for v in sizes):
            return 0.0
        return 2.0
    if tag != "p" and _holds_blocks(el):
        return 0.0  # a container, not a paragraph: its paragraphs score themselves
    dense = _dense_length(el)
    if dense < 6:
        return 0.0  # too short
    raw = _text(el)
    text = re.sub(r"\s+", "", raw)
    if len(text) < 6:
        return 0.0
    line = clean_line(raw)
    plain = plain_text(line)
    if is_furniture(line, plain) or is_meta_line(line, plain):
        return 0.0  # a meta line ("发布时间：…") rather than article text
    # A list item that is mostly a link to another article is navigation, not text.
    return ((1.0 + len(_PUNCT.findall(text)) + min(len(text) / 50, 3.0))
            * (1 - _link_density(el, dense)))


def _holds_blocks(el: etree._Element) -> bool:
    return any(isinstance(c.tag, str) and c.tag.lower() in _BLOCK_CHILDREN for c in el)


def _first_sentence(body: etree._Element) -> etree._Element | None:
    """The body's first paragraph that is a sentence (a headline has no "，" or "。")."""
    for p in body.iter(*_PARAGRAPH_TAGS):
        # Cheap tests first: a container scores nothing; a text of fewer than 20 characters
        # without whitespace is too short (_dense removes a part of the whitespace only, so
        # its count is never below the exact one).
        if (p.tag != "p" and _holds_blocks(p)) or _dense_length(p) < 20:
            continue
        text = _text(p)
        if len(_norm(text)) >= 20 and re.search("[，。]", text) and _paragraph_score(p):
            return p
    return None


def _link_density(el: etree._Element, dense: float | None = None) -> float:
    """The share of the element's text (`dense`: its _dense_length, when known) in links (the
    length of all of them together is the sum of their lengths)."""
    text = (_dense_length(el) if dense is None else dense) or 1
    links = _dense(_LINKS_STRING(el))
    return min(links / text, 1.0)


# Measured on the labelled corpus: 1.1-1.3 and 0.25-0.4 score alike; the strictest was kept.
CLIMB_GAIN, CLIMB_MAX_LINKS, CLIMB_LEVELS = 1.3, 0.25, 3


def find_body(root: etree._Element) -> etree._Element | None:
    """The element that most likely holds the article body, or None.

    Readability's scheme, tuned for Chinese: every paragraph scores by its sentence punctuation
    and length (images score too), and gives its score to its parent and half to its
    grandparent; the container with the best score, discounted by its link density, wins.
    Navigation, footers and sidebars (by id/class) are never candidates.
    """
    scores, totals = _container_scores(root)
    final = {el: score * (1 - _link_density(el)) for el, score in scores.items()}
    best = max(final, key=final.__getitem__, default=None)  # the first of equals, as in order
    if best is None or final[best] <= 0:
        return None
    # A data table (a notice's list of names) is part of an article, never the article alone:
    # the nearest container around it that holds any more article text is the body.
    if best.tag in ("td", "th", "tr", "tbody", "thead", "table"):
        table = best if best.tag == "table" else next(best.iterancestors("table"), None)
        if table is not None and is_data_table(table):
            best = _around_table(table, totals)
    return _with_sibling_sections(_climb(best, totals), totals)


def _container_scores(root: etree._Element) -> tuple[dict, dict]:
    """Each container's score (its paragraphs' scores, half of its grandchildren's) and each
    element's total (every paragraph's score below it)."""
    scores: dict[etree._Element, float] = {}
    totals: dict[etree._Element, float] = {}
    # Elements inside script, template, svg, ...: never text. Furniture by name or tag, asked
    # once per element (each paragraph asks it of all its ancestors).
    skipped: set[etree._Element] = set()
    for el in root.iter(*SKIP_TAGS):
        if el not in skipped:  # (an inner one is in already: each element is added once)
            skipped.update(el.iter())
    # Whether an element or one around it is furniture, known once per element.
    in_furniture: dict[etree._Element, bool] = {}
    for el in root.iter(*_PARAGRAPH_TAGS, "img"):
        if el in skipped:
            continue
        ancestors = list(el.iterancestors())  # walked once, used four times
        if not ancestors:
            continue
        # (Furniture first: a menu's many items are not scored at all.)
        if _in_furniture((el, *ancestors), in_furniture):
            continue
        score = _paragraph_score(el)
        if not score:
            continue
        scores[ancestors[0]] = scores.get(ancestors[0], 0.0) + score
        if len(ancestors) > 1:
            scores[ancestors[1]] = scores.get(ancestors[1], 0.0) + score / 2
        for ancestor in ancestors:
            totals[ancestor] = totals.get(ancestor, 0.0) + score
    return scores, totals


def _in_furniture(chain: tuple, known: dict[etree._Element, bool]) -> bool:
    """Whether any element of the chain (an element, then the elements around it, inner
    first) is furniture; `known` holds the answer for elements asked before, and is filled."""
    at = next((i for i, el in enumerate(chain) if el in known), len(chain))
    inside = known[chain[at]] if at < len(chain) else False
    for el in reversed(chain[:at]):
        inside = inside or _furniture(el)
        known[el] = inside
    return inside


def _climb(best: etree._Element, totals: dict) -> etree._Element:
    """An article split over sibling blocks (a profile's sections, a photo story's groups):
    climb while the parent holds clearly more article text and stays free of link lists.
    Look a few levels up, not only at the parent: a section's wrapper (a profile's "part")
    often adds nothing itself while its own parent holds the sibling sections."""
    while True:
        for ancestor in list(best.iterancestors())[:CLIMB_LEVELS]:
            if ancestor.tag in ("body", "html") or _inside_furniture(ancestor):
                return best
            if (totals.get(ancestor, 0.0) >= CLIMB_GAIN * totals.get(best, 0.0)
                    and _link_density(ancestor) <= CLIMB_MAX_LINKS):
                best = ancestor
                break
        else:
            return best


def _around_table(table: etree._Element, totals: dict) -> etree._Element:
    for ancestor in list(table.iterancestors())[:CLIMB_LEVELS]:
        if ancestor.tag in ("body", "html") or _inside_furniture(ancestor):
            break
        if (totals.get(ancestor, 0.0) > totals.get(table, 0.0)
                and _link_density(ancestor) <= CLIMB_MAX_LINKS):
            return ancestor
    return table


def _classes(el: etree._Element) -> set[str]:
    return set((el.get("class") or "").split())


def _with_sibling_sections(best: etree._Element, totals: dict) -> etree._Element:
    """A landing page keeps its text in sibling sections straight under <body>, built from one
    template (<section class="about about1">, <section class="about about2">, ...). When the
    body found is all one such section, its siblings of the same tag and class that hold
    article text (few links, not furniture) join it, in page order, in a new element."""
    top = best
    while top.getparent() is not None and top.getparent().tag != "body":
        top = top.getparent()
    if (top.getparent() is None or not _classes(top)
            or totals.get(top, 0.0) > 1.1 * totals.get(best, 0.0)):
        return best
    joined = [
        el for el in top.getparent()
        if el is top or (
            el.tag == top.tag and _classes(el) & _classes(top) and not _furniture(el)
            and totals.get(el, 0.0) > 0 and _link_density(el) <= CLIMB_MAX_LINKS)
    ]
    if len(joined) == 1:
        return best
    merged = etree.Element("div")
    for el in joined:
        merged.append(copy.deepcopy(best if el is top else el))
    return merged


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


@lru_cache(maxsize=1)
def _titles(root: etree._Element) -> tuple[str, str]:
    """The page's <title> text and og:title, cleaned (asked for several times per page: read
    once, in one pass over the page)."""
    title, og = [], []
    titles, metas = titles_and_metas(root)
    for el in titles:
        title.extend(el.xpath(".//text()"))  # (as //title//text(): comments left out)
    for el in metas:
        if el.get("property") == "og:title" and el.get("content") is not None:
            og.append(el.get("content"))
    return clean_line(" ".join(title)), clean_line(" ".join(og))


def _title_targets(root: etree._Element) -> list[str]:
    title, og = _titles(root)
    return [_norm(t) for t in (og, title) if t]


def _title_lead(root: etree._Element) -> str:
    """The <title>'s first part ("学院新闻-某某大学" -> "学院新闻"), whitespace removed."""
    title = _titles(root)[0]
    return _norm(_TITLE_SPLIT.split(title)[0]) if title else ""


def title_rank(root: etree._Element, text: str) -> int:
    """How well the page's <title> (or og:title) confirms a headline candidate:
    3: it is the title's first part, or what the title starts with and covers that part (or the
       page names no title at all);
    2: it holds the title's first part and more ("南开大学档案馆档案利用规定" for a title
       "档案利用规定-档案馆"): the article's own heading, the title naming its column item;
    1: it merely appears in the title (the site's name, a word of the headline: a label);
    0: the title does not name it."""
    norm = _norm(text)
    targets = _title_targets(root)
    if not targets:
        return 3
    if not norm:
        return 0
    lead = _title_lead(root)
    if any(norm == t or (t.startswith(norm) and len(norm) >= len(lead or t))
           or norm.startswith(t) for t in targets) or (lead and norm == lead):
        return 3
    if lead and len(lead) >= 2 and lead in norm:
        return 2
    return 1 if any(norm in t for t in targets) else 0


def headline_from_title(root: etree._Element) -> str:
    """og:title, else the <title> without its site suffix: the last resort."""
    title, og = _titles(root)
    if og:
        return og
    return _TITLE_SPLIT.split(title)[0] if title else ""


# Spaces the text comparison ignores (whitespace, &nbsp;, the full-width space, zero-width).
_SPACES = " \u00a0\u3000\u200b\ufeff"
_SPACELESS = f"translate(normalize-space(.), '{_SPACES}', '')"
# The candidates whose text, spaces removed, the target starts with: prominent elements
# (headings, elements named *title*), else, on table-laid-out pages (ecms) whose headline is a
# plain cell, any cell or block.
_PREFIX_OF = f"[string-length(normalize-space(.)) >= 4][starts-with($target, {_SPACELESS})]"
_PROMINENT = ("self::*[self::h1 or self::h2 or self::h3 or self::h4 or contains(@class,'title') "
              f"or contains(@id,'title')]{_PREFIX_OF}")
_PLAIN = ("self::*[self::td or self::div or self::p or self::span or self::strong or self::font]"
          f"{_PREFIX_OF}")
# Such an element's first text holds the first characters of the target: the text nodes whose
# text (spaces removed) starts the target are found in one pass by libxml2, and only the
# elements around them are asked (a page has thousands of cells and blocks, and asking each for
# its text costs the page's text times its depth).
_PREFIX_TEXTS = etree.XPath(
    f"/descendant::text()[contains(., $first)][starts-with($target, {_SPACELESS})]"
    f"[{_SPACELESS} != '']")
# Of an element: 1 when it is a prominent candidate, + 2 when it is a plain one.
_CANDIDATE = etree.XPath(f"number(boolean({_PROMINENT})) + number(boolean({_PLAIN})) * 2")
_CANDIDATE_TAGS = frozenset(("h1", "h2", "h3", "h4", "td", "div", "p", "span", "strong", "font"))
# What translate(normalize-space(.), _SPACES, '') removes.
_SPACELESS_DROP = dict.fromkeys(map(ord, " \t\n\r" + _SPACES))


def _longer_than(el: etree._Element, most: int) -> bool:
    """True when the element's text, spaces removed, is longer than `most` characters: read
    only as far as needed (an element around the headline may hold the whole page)."""
    length = 0
    for piece in el.itertext():  # (the text XPath's string value is made of)
        length += len(piece.translate(_SPACELESS_DROP))
        if length > most:
            return True
    return False


def _prefix_candidates(root: etree._Element, target: str) -> tuple[list, list]:
    """The prominent and the plain elements whose text, spaces removed, is a start of the
    target (4 characters or more with single spaces), each list in page order."""
    found: list[tuple[int, int, bool, etree._Element]] = []
    seen: set[etree._Element] = set()
    texts = _PREFIX_TEXTS(root, target=target, first=target[:1])
    for index, text in enumerate(texts):
        el = text.getparent()
        if text.is_tail:
            el = el.getparent()
        level = 0
        # Up from the text while the element's text can still start the target: an element
        # seen before was climbed from there already.
        while el is not None and el not in seen:
            seen.add(el)
            if _longer_than(el, len(target)):
                break
            tag = el.tag
            if tag in _CANDIDATE_TAGS or "title" in (el.get("class") or "") or "title" in (
                    el.get("id") or ""):
                kind = int(_CANDIDATE(el, target=target))
                if kind & 1:
                    found.append((index, -level, True, el))
                if kind & 2:
                    found.append((index, -level, False, el))
            level += 1
            el = el.getparent()
    # Page order: the element whose first text comes first; of elements around the same first
    # text, the outer one.
    found.sort(key=lambda entry: entry[:2])
    return ([el for *_, prominent, el in found if prominent],
            [el for *_, prominent, el in found if not prominent])


def headline_element(root: etree._Element) -> str:
    """The page's own headline: the prominent element whose text the <title> starts with (or
    og:title names)."""
    targets = _title_targets(root)
    if not targets:
        return ""
    candidates = [_prefix_candidates(root, target) for target in targets]
    for kind in (0, 1):  # prominent elements first
        best, best_len = "", 0
        for found in candidates:
            for el in found[kind]:
                if not isinstance(el.tag, str) or _skipped(el):
                    continue
                text = clean_line(_text(el))
                norm = _norm(text)
                if 4 <= len(norm) <= 120 and len(norm) > best_len and any(
                        t.startswith(norm) for t in targets):
                    best, best_len = text, len(norm)
        if best:
            return best
    return ""


_HEADING_TAGS = frozenset(("h1", "h2", "h3", "h4"))
_TITLE_NAME = re.compile(r"(?i)title|^tit$|[_-]tit$|^tit[_-]")
_TIT = re.compile("(?i)tit")


def _heading_like(el: etree._Element) -> bool:
    if el.tag in _HEADING_TAGS:
        return True
    name, ident = el.get("class"), el.get("id")
    if not name and not ident:
        return False
    names = f"{name or ''} {ident or ''}"
    if not _TIT.search(names):  # (every name _TITLE_NAME finds holds it)
        return False
    return any(_TITLE_NAME.search(name) for name in names.split())


def heading_above(root: etree._Element, body: etree._Element | None,
                  outside_only: bool = False) -> str:
    """The text of the heading (h1-h4, or an element named *title*) nearest above the body's
    text: before the body's first sentence, and inside the body only before its first line of
    text (a section heading further down is the body's own); "" when there is none. Headings
    inside links, navigation and footers, and meta lines ("发布时间：…"), are not the article's.
    With `outside_only`, a heading inside the body does not count (the CMS's content container
    holds the editor's text, never the template's headline)."""
    first = _first_sentence(body) if body is not None else None
    if first is None or body.getparent() is None:
        return ""  # (a body merged from sibling sections stands outside the page's tree)
    best = ""
    inside = False
    heading_depth = None  # the depth of the heading being passed through
    walker = etree.iterwalk(root, events=("start", "end"))
    depth = 0
    for event, el in walker:
        if event == "end":
            depth -= 1
            if heading_depth is not None and depth < heading_depth:
                heading_depth = None
            if el is body:
                inside = False
            continue
        depth += 1
        if el is first:
            break
        tag = el.tag
        if not isinstance(tag, str) or tag.lower() in SKIP_TAGS:  # (_skipped)
            walker.skip_subtree()  # (its end event still comes, and closes its depth)
            continue
        inside = inside or el is body
        if _heading_like(el):
            heading_depth = depth if heading_depth is None else heading_depth
            text = clean_line(_text(el))
            if (4 <= len(_norm(text)) <= 120 and not is_furniture(text)
                    and not is_meta_line(text) and not (outside_only and inside)
                    and not any(a.tag == "a" or _furniture(a) or _skipped(a)
                                for a in el.iterancestors())):
                best = text
        elif inside and heading_depth is None and (el.text or "").strip() and not is_meta_line(
                clean_line(el.text)):
            break  # the body's first line of text: headings below it are its own
    return best


def is_menu_entry(root: etree._Element, text: str) -> bool:
    """True when the text is also the text of a link on the page (a column's name in the
    menu, which often opens the <title> too: "学院新闻--某某大学")."""
    norm = _norm(text)
    if not norm:
        return any(not _norm(_text(a)) for a in _SHORT_LINKS(root, most=20))
    # (A link whose text lacks the first character is no match: asked before any regex.)
    return any(norm[0] in string and _norm(string) == norm
               for string in map(_STRING, _SHORT_LINKS(root, most=len(norm) * 2 + 20)))


# Links whose text is short enough to be a menu entry of a given length (filtered in C).
_SHORT_LINKS = etree.XPath("//a[string-length(normalize-space(.)) <= $most]")
