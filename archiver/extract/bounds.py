"""The bounds on a page that extraction reads, and the reason given beyond them.

Every extraction step walks the tree without recursion (explicit stacks, lxml's iterators), so
no depth meets Python's recursion limit. What remains bounded is what a hostile or broken page
can cost or hide:

- depth: libxml2's HTML parser (under lxml and parsel) stops nesting at 256 levels without
  `huge_tree`, at 2,048 with it, and silently drops what lies deeper. A real article page is
  under 100 levels deep. A page deeper than MAX_DEPTH is not read: its text may be cut off by
  the parser, so any body found would be an accident.
- size: the body scoring looks at each paragraph's ancestors, so its cost grows with the
  number of elements times their depth. A page of more than MAX_ELEMENTS elements, or whose
  elements times its depth (rounded up to 32, 64, 128 or MAX_DEPTH) pass MAX_WORK, is not read:
  a real page of 3,000 elements 30 deep is 96,000; a data table of 40,000 cells 32 deep is
  1.3 million; 20,000 paragraphs under 240 nested <div>s (4.8 million) would take seconds.
  The crawl's DOWNLOAD_MAXSIZE bounds the bytes before this.

Each bound gives the article a body rule of its own (`too_deep`, `too_large`) and the quality
verdict refuses it with a reason that names the bound.
"""

from __future__ import annotations

from lxml import etree

MAX_DEPTH = 255
MAX_ELEMENTS = 200_000
MAX_WORK = 4_000_000


def _deeper_than(levels: int) -> etree.XPath:
    """True when some element lies more than `levels` levels below the root."""
    return etree.XPath("boolean(" + "/*" * (levels + 1) + ")")


_DEEPER = _deeper_than(MAX_DEPTH)
# Depth steps the work estimate rounds up to (most pages stop at the first).
_STEPS = tuple((levels, _deeper_than(levels)) for levels in (32, 64, 128))
_COUNT = etree.XPath("count(//*)")

REASONS = {
    "too_deep": f"page nested deeper than {MAX_DEPTH} elements (the HTML parser drops what lies "
                "deeper, so its text cannot be read whole): not read as an article",
    "too_large": f"page too large to read: more than {MAX_ELEMENTS:,} elements, or elements "
                 f"times nesting depth over {MAX_WORK:,}: not read as an article",
}


def exceeded(root: etree._Element) -> str | None:
    """The bound the page passes ("too_deep", "too_large"), or None."""
    tree = root.getroottree()
    # The depth steps first: a page no deeper than 32 levels (most) is no deeper than
    # MAX_DEPTH either, and that question is not asked.
    depth = next((levels for levels, deeper in _STEPS if not deeper(tree)), None)
    if depth is None:
        if _DEEPER(tree):
            return "too_deep"
        depth = MAX_DEPTH
    count = _COUNT(root)
    if count > MAX_ELEMENTS or count * depth > MAX_WORK:
        return "too_large"
    return None
