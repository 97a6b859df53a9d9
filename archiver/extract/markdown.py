"""An article body element -> Markdown blocks: paragraphs, bold, links and images in page order."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

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


# A picture pasted into the text is kept in the page as a data: URI (UEditor and others); a
# shorter one is a lazy-loading placeholder (a 1x1 GIF), not a picture.
PASTED_IMAGE_MIN = 200


def image_source(img: etree._Element) -> str | None:
    """The image's real address: lazy-loading pages keep it in data-src or data-original; a
    pasted picture is its data: URI (archived by the images pipeline)."""
    for attr in ("data-original", "data-src", "src"):
        value = (img.get(attr) or "").strip()
        if value and not value.startswith("data:"):
            return value
    src = (img.get("src") or "").strip()
    if src[:11].lower() == "data:image/" and len(src) >= PASTED_IMAGE_MIN:
        return src
    return None


# Attachment files a notice links to: archived locally like images.
ATTACHMENT_EXTENSIONS = ("pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "zip", "rar", "wps")
_ATTACHMENT_NAME = re.compile(rf"(?i)\.(?:{'|'.join(ATTACHMENT_EXTENSIONS)})$")
# CMS download scripts whose URL names no file (VSB's download.jsp?...DownloadAttachUrl).
_DOWNLOAD_SCRIPT = re.compile(r"(?i)DownloadAttach|/download\.(?:jsp|aspx?|php)\b")


def is_attachment(url: str, text: str = "") -> bool:
    """A link to an attachment file: by the URL's path, the CMS's download script, or the link
    text naming the file ("班车表.pdf")."""
    path = urlsplit(url).path
    return bool(_ATTACHMENT_NAME.search(path) or _DOWNLOAD_SCRIPT.search(url)
                or _ATTACHMENT_NAME.search(text.strip()))


# Bounds on a data table's spans: a hostile colspan must not make a million-column table.
_MAX_SPAN = 50


def _cells(tr: etree._Element) -> list[etree._Element]:
    return [c for c in tr if _tag(c) in ("td", "th")]


def _has_text(el: etree._Element) -> bool:
    return bool("".join(el.itertext()).strip()) or el.find(".//img") is not None


def is_data_table(table: etree._Element) -> bool:
    """A table of data (GFM table) rather than layout (unwrapped into paragraphs): no nested
    table, two rows or more with two cells that hold something (one row of a photo beside its
    caption is layout), and no cell that holds several paragraphs of running text (a page laid
    out in a table)."""
    if table.find(".//table") is not None:
        return False
    rows = list(table.iter("tr"))
    if sum(sum(map(_has_text, _cells(tr))) >= 2 for tr in rows) < 2:
        return False
    for tr in rows:
        for cell in _cells(tr):
            paragraphs = [p for p in cell.iter("p", "div") if "".join(p.itertext()).strip()]
            if len(paragraphs) > 3 and len("".join(cell.itertext())) > 300:
                return False
    return True


def _span(cell: etree._Element, name: str) -> int:
    value = (cell.get(name) or "1").strip()
    return min(max(int(value), 1), _MAX_SPAN) if value.isdigit() else 1


def _is_data_row(tr: etree._Element) -> bool:
    """A table row of two or more cells with text and no nested table: one line of data. A
    single-cell row is layout, and its paragraphs stay paragraphs."""
    if tr.find(".//table") is not None:
        return False
    cells = [c for c in tr if _tag(c) in ("td", "th") and "".join(c.itertext()).strip()]
    return len(cells) >= 2


def _shown_value(el: etree._Element) -> str:
    """The value a read-only or disabled text field shows; "" for any other input (a search
    box's placeholder text is no article text)."""
    if (el.get("type") or "text").lower() != "text":
        return ""
    if el.get("readonly") is None and el.get("disabled") is None:
        return ""
    return (el.get("value") or "").strip()


# What the writer's stack holds: an element to enter, the tail text after an element, the
# closing of an element entered earlier.
_NODE, _TAIL, _EXIT = 0, 1, 2


class _BlockWriter:
    """Collects inline Markdown into a current paragraph and finished blocks."""

    def __init__(self, urljoin: Callable[[str], str]):
        self.urljoin = urljoin
        self.blocks: list[str] = []
        self.images: list[str] = []
        self.attachments: list[str] = []
        self.parts: list[str] = []
        self.flushes = 0  # bumps whenever a paragraph ends, so inline wrappers know
        self.in_row = 0  # inside a data row: its cells' blocks read as one line
        self.in_link = 0  # inside <a>: addresses in the text are not autolinked (no nesting)

    def flush(self) -> None:
        self.flushes += 1
        if not self.parts:  # (every block element ends a paragraph: most end none)
            return
        raw, self.parts = "".join(self.parts), []
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
        url = src if src.startswith("data:") else self.urljoin(src)
        if not url.startswith(("http://", "https://", "data:")):
            return
        self.flush()
        self.blocks.append(f"![图]({url})")
        self.images.append(url)

    def walk(self, el: etree._Element) -> None:
        """Write an element and everything in it."""
        self._run([(_NODE, el)])

    def _children(self, el: etree._Element) -> None:
        """Write what is inside the element (its text, children and their tails), not the
        element itself."""
        stack: list[tuple] = []
        self._push_children(el, stack)
        self._run(stack)

    def _run(self, stack: list[tuple]) -> None:
        """The tree is walked with a stack of its own, not by recursion, so a page's nesting
        depth never meets Python's recursion limit: each element is entered (its text written,
        its exit and its children pushed); on exit the paragraph, row or wrapper it opened is
        closed, then its tail is written."""
        while stack:
            entry = stack.pop()
            kind = entry[0]
            if kind == _TAIL:
                self.parts.append(escape_markdown(entry[1], self.in_link > 0))
            elif kind == _EXIT:
                self._exit(*entry[1:])
            else:
                self._enter(entry[1], stack)

    def _enter(self, el: etree._Element, stack: list[tuple]) -> None:
        tag = el.tag
        tag = tag.lower() if isinstance(tag, str) else ""  # (_tag, inlined: every element)
        if tag == "input" and _shown_value(el):
            # A read-only field that shows a value (an e-mail address beside a "复制" button):
            # the reader sees its value as text.
            self.parts.append(escape_markdown(_shown_value(el), self.in_link > 0))
            return
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
        if tag == "table" and not self.in_row and is_data_table(el):
            self.flush()
            self.blocks.append(self._table(el))
            return
        if tag == "tr" and _is_data_row(el):
            self.flush()
            self.in_row += 1
            exit_entry: tuple = (_EXIT, "row")
        elif tag in BLOCK_TAGS and not self.in_row:
            self.flush()
            exit_entry = (_EXIT, "block")
        elif tag in BLOCK_TAGS or tag in ("td", "th"):  # inside a table row: one line
            self.parts.append(" ")
            exit_entry = (_EXIT, "cell")
        elif tag in BOLD_TAGS or tag == "a":
            # Bold and links wrap their inline content: remembered here, closed on exit.
            self.in_link += tag == "a"
            exit_entry = (_EXIT, "wrap", el, tag, len(self.parts), self.flushes)
        else:  # inline: nothing to close
            self._push_children(el, stack)
            return
        stack.append(exit_entry)
        self._push_children(el, stack)

    def _push_children(self, el: etree._Element, stack: list[tuple]) -> None:
        """Write the element's text now; push its children (each followed by its tail) so that
        the first child is popped first."""
        if el.text:
            self.parts.append(escape_markdown(el.text, self.in_link > 0))
        for child in reversed(el):
            if child.tail:
                stack.append((_TAIL, child.tail))
            stack.append((_NODE, child))

    def _exit(self, what: str, *state) -> None:
        if what == "row":
            self.in_row -= 1
            self.flush()
        elif what == "block":
            self.flush()
        elif what == "cell":
            self.parts.append(" ")
        elif what == "wrap":
            self._close_wrapper(*state)

    def _cell(self, cell: etree._Element) -> str:
        """A table cell as one line of inline Markdown ("|" escaped, paragraphs joined)."""
        writer = _BlockWriter(self.urljoin)
        writer.in_row = 1
        writer._children(cell)
        writer.flush()
        self.images.extend(writer.images)
        self.attachments.extend(writer.attachments)
        return " ".join(writer.blocks).replace("\n", " ").replace("|", "\\|")

    def _table(self, table: etree._Element) -> str:
        """A data table as a GFM table: its first row is the header; spanned cells repeat as
        empty cells so every row has the same columns."""
        grid: list[list[str]] = []
        pending: dict[int, int] = {}  # column -> rows a rowspan still covers
        for tr in table.iter("tr"):
            row: list[str] = []
            for cell in _cells(tr):
                while pending.get(len(row), 0):
                    pending[len(row)] -= 1
                    row.append("")
                for _ in range(_span(cell, "colspan")):
                    if _span(cell, "rowspan") > 1:
                        pending[len(row)] = _span(cell, "rowspan") - 1
                    row.append(self._cell(cell) if not _ else "")
            while pending.get(len(row), 0):
                pending[len(row)] -= 1
                row.append("")
            if any(row):
                grid.append(row)
        width = max(map(len, grid))
        lines = ["| " + " | ".join(row + [""] * (width - len(row))) + " |" for row in grid]
        lines.insert(1, "|" + " --- |" * width)
        return "\n".join(lines)

    def _close_wrapper(self, el: etree._Element, tag: str, start: int, flushes: int) -> None:
        """Bold and links wrap their inline content; across a paragraph break they cannot, so
        the content is kept plain."""
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
                if is_attachment(url, core):
                    self.attachments.append(url)
        self.parts.append(f"{lead}{core}{trail}")


def to_blocks(
    element: etree._Element, urljoin: Callable[[str], str]
) -> tuple[list[str], list[str], list[str]]:
    """Markdown blocks, the absolute image URLs and the attachment URLs of an element, all in
    page order."""
    writer = _BlockWriter(urljoin)
    writer._children(element)
    writer.flush()
    return writer.blocks, writer.images, writer.attachments
