"""Where a page states its own publish time, for pages of unknown layout.

Real school pages put it in the line between the headline and the body: labelled
(`发布时间：2017年10月10日 12:31`, `来源：… 时间：…`, `发布于 2017/10/10`) or bare
(`<h4>2023-02-11 15:28:04</h4>`, `<span>2020-03-27</span>` among 作者 / 点击 / 浏览), and that
line is as often inside the body's container as outside it. The page is read as lines (block
elements and <br> end a line; scripts and link text are left out, so a related-news list or a
prev/next link never gives its date), and the date is looked for in this order:

1. meta tags (`<meta name="pubdate" …>` and the like), then HTML5's `<time datetime>` and
   `itemprop="datePublished"` (never one in a list row beside a link);
2. the meta zone: the lines after the page's headline and before the body's first paragraph,
   first a labelled date, then a bare one on a short line;
3. a date standing alone on one of the two lines right above the headline;
4. a labelled date just before the body, then just after it, then anywhere before it.

A footer's copyright year is never a date: a date needs a year, a month and a day.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from archiver.extract.dates import bare_date, labelled_date, parse_date
from archiver.extract.markdown import BLOCK_TAGS, SKIP_TAGS
from archiver.extract.text import ZERO_WIDTH, is_furniture, is_meta_line, plain_text
from archiver.extract.tree import titles_and_metas

_META_DATE_NAMES = (
    "pubdate", "publishdate", "publish_date", "article:published_time", "og:published_time",
    "created", "date", "dc.date", "dc.date.issued", "publication_date", "weibo:article:create_at",
)
_LINE_TAGS = BLOCK_TAGS | {"br"}
# How much text next to the body is searched for a labelled date when the meta zone gave none:
# the meta line sits right above the body (or right below it); a sidebar's "活动时间" further
# away must not win.
_NEAR_BEFORE, _NEAR_AFTER = 300, 150
# The meta zone ends this many lines after the headline at most (or starts this many lines
# above the body when no headline line is found), and a bare date is taken only from a line
# this short (a meta line, not a sentence that mentions a day).
_ZONE_LINES, _BARE_LINE, _ABOVE_BODY = 12, 80, 6
_SENTENCE_MARKS = re.compile("[，。；！？]")
# Labels a notice's own lines open with too (when and where its event takes place).
_EVENT_LABEL = re.compile(r"^[\[【(（]?(?:时间|日期)\s*[:：]")


@dataclass
class Line:
    text: str  # the line as a reader sees it
    own: str  # without the text of links: what a date may be taken from
    in_body: bool


def _fold(text: str) -> str:
    if "\u200b" in text or "\ufeff" in text:  # (translate costs a lookup per character)
        text = text.translate(ZERO_WIDTH)
    return " ".join(text.split())


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


def page_lines(root: etree._Element, body: etree._Element | None,
               after: etree._Element | None = None) -> Iterator[Line]:
    """The page's visible text as lines, in page order, one at a time: most pages state their
    date above the body's first paragraph, and the rest of the page is then never read. With
    `after` (an element the walk entered), the lines after that element's end only."""
    texts: list[str] = []  # the current line's text
    own: list[str] = []  # its text outside links
    linked = False  # some of it is inside a link
    in_body = in_link = 0
    walker = etree.iterwalk(root, events=("start", "end"))
    if after is not None:
        # Straight to the end of that element: only the elements around it are entered.
        around = set(after.iterancestors())
        for event, el in walker:
            if event == "start" and (el is after or el not in around):
                walker.skip_subtree()
            elif event == "end" and el is after:
                break
        # As the walk would stand after its end: inside the links around it, its tail next.
        in_link = sum(1 for a in around if a.tag.lower() == "a")
        if after.tail and after is not root:
            texts.append(after.tail)
            if in_link:
                linked = True
            else:
                own.append(after.tail)
    for event, el in walker:
        tag = el.tag
        # (Comments and processing instructions have a function for a tag.)
        tag = tag.lower() if isinstance(tag, str) else ""
        if event == "start":
            if tag in SKIP_TAGS or not tag:
                walker.skip_subtree()
                continue
            if texts and (tag in _LINE_TAGS or el is body):
                line = _line(texts, own, linked, in_body > 0)
                texts, own, linked = [], [], False
                if line:
                    yield line
            if el is body:
                in_body += 1
            if tag == "a":
                in_link += 1
            text = el.text
        else:
            if tag and tag not in SKIP_TAGS:
                if tag == "a":
                    in_link -= 1
                if texts and (tag in _LINE_TAGS or el is body):
                    line = _line(texts, own, linked, in_body > 0)
                    texts, own, linked = [], [], False
                    if line:
                        yield line
                if el is body:
                    in_body -= 1
            text = el.tail if el is not root else None
        if text:
            texts.append(text)
            if in_link:
                linked = True
            else:
                own.append(text)
    if texts:
        line = _line(texts, own, linked, in_body > 0)
        if line:
            yield line


def _line(texts: list[str], own: list[str], linked: bool, in_body: bool) -> Line | None:
    """One line from its text parts, or None when it holds no text. A cheap fold (every page is
    read): whitespace runs to one space, zero-width characters gone; no more is needed to
    match dates, labels and the headline."""
    text = _fold("".join(texts))
    if not text:
        return None
    return Line(text, _fold(" ".join(own)) if linked else text, in_body)


def meta_like(text: str, own: str | None = None) -> bool:
    """A line (and its text outside links) that belongs to the meta zone rather than the body's
    text: furniture, or a short line that is no sentence and opens with a meta label or holds a
    date ("时间：4月16日晚19:00，共120分钟。" is a sentence of a notice, not a meta line)."""
    if is_furniture(text):
        return True
    if _sentence(text):
        return False
    return is_meta_line(text) or bare_date(own or text) is not None


def _sentence(text: str) -> bool:
    """A line of running text: long, or punctuated as a sentence ("2020年3月27日下午，学院召开…"
    opens a body, it is no meta line)."""
    return len(text) > _BARE_LINE or bool(_SENTENCE_MARKS.search(text))


def furniture(blocks: list[str], headline: str = "",
              published: datetime | None = None) -> list[bool]:
    """Which Markdown blocks of a body are page furniture: "【打印】", "上一篇：…" anywhere, and,
    above the first paragraph only, the page's own meta line and a repeat of the headline
    (further down, "时间：…" or the headline's words are article text). A line that opens with a
    bare 时间 / 日期 is the page's meta line only when it gives the publish day: a notice's
    "时间：4月16日 19:00" is when its event takes place. Images are never furniture and do not end
    the part above the first paragraph."""
    found = []
    lead = True
    for block in blocks:
        if block.startswith("!["):
            found.append(False)
            continue
        text = plain_text(block)
        if lead and (headline and _norm(text) == _norm(headline) or _own_meta(text, published)):
            found.append(True)
            continue
        lead = False
        found.append(is_furniture(block, text))
    return found


def _own_meta(text: str, published: datetime | None) -> bool:
    if not meta_like(text):
        return False
    if not _EVENT_LABEL.match(text):
        return True
    day = parse_date(text)
    return day is not None and published is not None and day.date() == published.date()


def meta_zone(lines: list[Line], headline: str) -> tuple[int | None, list[Line]]:
    """The index of the page's own headline line (None when not found), and the lines between it
    (or the top of the body) and the body's first paragraph."""
    target = _norm(headline)
    first = next((i for i, line in enumerate(lines) if line.in_body
                  and not meta_like(line.text, line.own) and _norm(line.text) != target), None)
    end = first if first is not None else len(lines)
    heads = [i for i, line in enumerate(lines[:end])
             if target and _norm(line.text) == target and line.own == line.text]
    if heads:
        return heads[-1], lines[heads[-1] + 1: min(end, heads[-1] + 1 + _ZONE_LINES)]
    # No headline line to start from: the few lines above the body (share buttons and font
    # size controls may stand between the meta line and the body).
    body_start = next((i for i, line in enumerate(lines) if line.in_body), end)
    return None, lines[max(body_start - _ABOVE_BODY, 0): end]


def _from_meta_tags(root: etree._Element) -> tuple[str, datetime] | None:
    for meta in titles_and_metas(root)[1]:
        name = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").lower()
        if name in _META_DATE_NAMES:
            content = meta.get("content") or ""
            found = parse_date(content)
            if found:
                return content, found
    return None


def beside_a_link(el: etree._Element) -> bool:
    """True when the element sits in a list row (its <tr> or <li>) that links to a page: a
    list's date, not the page's."""
    row = next(el.iterancestors("tr", "li"), None)
    return row is not None and any(
        len(_norm("".join(a.itertext()))) >= 4 for a in row.iter("a") if a.get("href"))


_TIME_ELEMENTS = etree.XPath("//time[@datetime]|//*[@itemprop='datePublished']")


def _from_time_elements(root: etree._Element,
                        attributes: str | None = None) -> tuple[str, datetime] | None:
    """HTML5's machine-readable date: <time datetime="…"> or an element marked
    itemprop="datePublished", the first that is not a list's (beside a link to a page).
    `attributes` is the page's attribute values run together, when known: without
    "datePublished" in it, only <time> elements are looked for (lxml finds there are none
    without walking the page; asking every element for its itemprop costs a pass)."""
    if attributes is not None and "datePublished" not in attributes:
        elements = [el for el in root.iter("time") if el.get("datetime") is not None]
    else:
        elements = _TIME_ELEMENTS(root)
    for el in elements:
        if beside_a_link(el):
            continue
        raw = el.get("datetime") or el.get("content") or "".join(el.itertext())
        found = parse_date(raw)
        if found:
            return raw.strip(), found
    return None


def _text_after(root: etree._Element, body: etree._Element, most: int) -> str:
    """The first `most` characters of the text after the body (its lines' own text joined)."""
    owns: list[str] = []
    length = -1
    for line in page_lines(root, None, after=body):
        owns.append(line.own)
        length += len(line.own) + 1
        if length >= most:
            break
    return " ".join(owns)[:most]


def find_published(root: etree._Element, body: etree._Element | None, headline: str = "",
                   attributes: str | None = None) -> tuple[str, datetime] | None:
    """(raw text, datetime) of the page's own publish time, or None. `attributes`: see
    _from_time_elements."""
    found = _from_meta_tags(root) or _from_time_elements(root, attributes)
    if found:
        return found
    # The lines up to the body's first paragraph (where meta_zone ends); the rest only when
    # the date is still not found.
    lines: list[Line] = []
    complete = False
    target = _norm(headline)
    for line in page_lines(root, body):
        lines.append(line)
        if line.in_body and not meta_like(line.text, line.own) and _norm(line.text) != target:
            break
    else:
        complete = True  # (the page's lines are all read)
    head, zone = meta_zone(lines, headline)
    for line in zone:
        found = labelled_date(line.own)
        if found:
            return found
    for line in zone:
        # A short line that is no sentence, and mostly not link text (a related article's date
        # sits beside its link).
        if not _sentence(line.own) and 2 * len(_norm(line.own)) >= len(_norm(line.text)):
            found = bare_date(line.own)
            if found:
                return found
    # A date on a line of its own right above the headline.
    for line in lines[max((head or 0) - 2, 0): head or 0][::-1]:
        found = bare_date(line.text)
        if found and len(_norm(line.text)) - len(_norm(found[0])) <= 6:
            return found
    body_at = [i for i, line in enumerate(lines) if line.in_body]
    if not complete:
        # The lines read stop inside the body: the text after it is read from its end on (the
        # rest of the body is not read at all).
        before = " ".join(line.own for line in lines[:body_at[0]])
        after = _text_after(root, body, _NEAR_AFTER)
    elif body_at:
        before = " ".join(line.own for line in lines[:body_at[0]])
        after = " ".join(line.own for line in lines[body_at[-1] + 1:])
    else:
        before, after = " ".join(line.own for line in lines), ""
    # Nearest first; the whole text before the body last, for pages whose body was found too
    # wide or too narrow.
    for text in (before[-_NEAR_BEFORE:], after[:_NEAR_AFTER], before):
        found = labelled_date(text)
        if found:
            return found
    return None
