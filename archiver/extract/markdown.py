"""An article body element -> Markdown blocks: paragraphs, bold, links and images in page order."""

from __future__ import annotations

import re
from collections.abc import Callable

from lxml import etree

from archiver.extract.escape import readable_bold
from archiver.extract.text import clean_inline, clean_line, escape_block_start, escape_markdown

# Elements that start and end a paragraph. Table rows and cells are blocks too: table-laid-out
# pages put one paragraph per row, and a row's cells read as one line.
BLOCK_TAGS = frozenset(
    "address article aside blockquote center dd div dl dt figcaption figure footer form h1 h2 "
    "h3 h4 h5 h6 header hr li main nav ol p pre section table tbody tfoot thead tr ul".split()
)
# Elements whose content is never article text. <rt>/<rp> are ruby annotations (pinyin): the
# base text stays, the annotation goes.
SKIP_TAGS = frozenset(
    "script style noscript template iframe object embed rt rp input select option button "
    "textarea head title svg canvas audio video map".split()
)
BOLD_TAGS = frozenset(("strong", "b"))
# Stands for a <br> until the paragraph is finished (cleanup would fold a newline away).
LINE_BREAK = "\ue000"
# A line that opens with indentation after a <br> starts a new paragraph: old CMS editors wrote
# "…。<br>　　下一段" for paragraphs.
_INDENTED = re.compile(r"^[\u3000\u00a0 \t]{2,}|^\u3000")


def _tag(el: etree._Element) -> str:
    tag = el.tag
    return tag.lower() if isinstance(tag, str) else ""


# File-type and UI icons inside article text (VSB's fileTypeImages/icon_pdf.gif before an
# attachment link): page furniture, not article images; they must not split the paragraph.
_ICON = re.compile(r"(?i)/(?:icons?|fileTypeImages|emotion|face)/|/icon[_-][^/]*$|/ico[^/]*\.gif$")


def image_source(img: etree._Element) -> str | None:
    """The image's real address: lazy-loading pages keep it in data-src or data-original."""
    for attr in ("data-original", "data-src", "src"):
        value = (img.get(attr) or "").strip()
        if value and not value.startswith("data:"):
            return value
    return None


def _is_data_row(tr: etree._Element) -> bool:
    """A table row of two or more cells with text and no nested table: one line of data. A
    single-cell row is layout, and its paragraphs stay paragraphs."""
    if tr.find(".//table") is not None:
        return False
    cells = [c for c in tr if _tag(c) in ("td", "th") and "".join(c.itertext()).strip()]
    return len(cells) >= 2


class _BlockWriter:
    """Collects inline Markdown into a current paragraph and finished blocks."""

    def __init__(self, urljoin: Callable[[str], str]):
        self.urljoin = urljoin
        self.blocks: list[str] = []
        self.images: list[str] = []
        self.parts: list[str] = []
        self.flushes = 0  # bumps whenever a paragraph ends, so inline wrappers know
        self.in_row = 0  # inside a data row: its cells' blocks read as one line
        self.in_link = 0  # inside <a>: addresses in the text are not autolinked (no nesting)

    def flush(self) -> None:
        raw, self.parts = "".join(self.parts), []
        self.flushes += 1
        paragraphs: list[list[str]] = []
        for line in raw.split(LINE_BREAK):
            if not paragraphs or _INDENTED.match(line):
                paragraphs.append([])
            line = clean_line(line).replace("****", "")
            if line.replace("*", "").strip():
                paragraphs[-1].append(escape_block_start(readable_bold(line)))
        for lines in paragraphs:
            if lines:
                self.blocks.append("\n".join(lines))

    def image(self, src: str) -> None:
        url = self.urljoin(src)
        if not url.startswith(("http://", "https://")):
            return
        self.flush()
        self.blocks.append(f"![图]({url})")
        self.images.append(url)

    def walk(self, el: etree._Element) -> None:
        tag = _tag(el)
        if tag in SKIP_TAGS or not tag:
            return
        if tag == "img":
            src = image_source(el)
            if src and not _ICON.search(src):
                self.image(src)
            return
        if tag == "br":
            self.parts.append(" " if self.in_row else LINE_BREAK)
            return
        if tag == "tr" and _is_data_row(el):
            self.flush()
            self.in_row += 1
            self._children(el)
            self.in_row -= 1
            self.flush()
            return
        if tag in BLOCK_TAGS and self.in_row:
            self.parts.append(" ")
            self._children(el)
            self.parts.append(" ")
            return
        if tag in BLOCK_TAGS:
            self.flush()
            self._children(el)
            self.flush()
            return
        if tag in ("td", "th"):
            self.parts.append(" ")
            self._children(el)
            self.parts.append(" ")
            return
        if tag in BOLD_TAGS or tag == "a":
            self._wrapped(el, tag)
            return
        self._children(el)

    def _children(self, el: etree._Element) -> None:
        if el.text:
            self.parts.append(escape_markdown(el.text, self.in_link > 0))
        for child in el:
            self.walk(child)
            if child.tail:
                self.parts.append(escape_markdown(child.tail, self.in_link > 0))

    def _wrapped(self, el: etree._Element, tag: str) -> None:
        """Bold and links wrap their inline content; across a paragraph break they cannot, so
        the content is kept plain."""
        start, flushes = len(self.parts), self.flushes
        self.in_link += tag == "a"
        self._children(el)
        self.in_link -= tag == "a"
        if self.flushes != flushes:
            return
        inner = clean_inline("".join(self.parts[start:])).strip(LINE_BREAK)
        core = inner.strip()
        del self.parts[start:]
        if not core:
            self.parts.append(inner)
            return
        lead = " " if inner[:1] == " " else ""
        trail = " " if inner[-1:] == " " else ""
        if tag in BOLD_TAGS:
            core = core if core.startswith("**") and core.endswith("**") else f"**{core}**"
        else:
            href = (el.get("href") or "").strip()
            url = self.urljoin(href) if href else ""
            if url.startswith(("http://", "https://")) and "[" not in core:
                core = f"[{core}]({url})"
        self.parts.append(f"{lead}{core}{trail}")


def to_blocks(
    element: etree._Element, urljoin: Callable[[str], str]
) -> tuple[list[str], list[str]]:
    """Markdown blocks and the absolute image URLs of an element, both in page order."""
    writer = _BlockWriter(urljoin)
    writer._children(element)
    writer.flush()
    return writer.blocks, writer.images
