"""The bounds on a page that extraction reads, and the reason given beyond them.

Every extraction step walks the tree without recursion (explicit stacks, lxml's iterators), so
no depth meets Python's recursion limit. What remains bounded is what a hostile or broken page
can cost or hide:

- depth: libxml2's HTML parser (under lxml and parsel) stops nesting at 256 levels without
  `huge_tree`, at 2,048 with it, and silently drops what lies deeper. A real article page is
  under 100 levels deep. A page deeper than MAX_DEPTH is not read: its text may be cut off by
  the parser, so any body found would be an accident.
- size: a page of more than MAX_ELEMENTS elements is not read (the scoring passes are linear
  in elements times depth; the crawl's DOWNLOAD_MAXSIZE bounds the bytes before this).

Each bound gives the article a body rule of its own (`too_deep`, `too_large`) and the quality
verdict refuses it with a reason that says which bound and the page's figure.
"""

from __future__ import annotations

from lxml import etree

MAX_DEPTH = 255
MAX_ELEMENTS = 200_000

# True when some element lies deeper than MAX_DEPTH levels below the root.
_DEEPER = etree.XPath("boolean(" + "/*" * (MAX_DEPTH + 1) + ")")
_COUNT = etree.XPath("count(//*)")

REASONS = {
    "too_deep": f"page nested deeper than {MAX_DEPTH} elements (the HTML parser drops what lies "
                "deeper, so its text cannot be read whole): not read as an article",
    "too_large": f"page of more than {MAX_ELEMENTS:,} elements: not read as an article",
}


def exceeded(root: etree._Element) -> str | None:
    """The bound the page passes ("too_deep", "too_large"), or None."""
    if _DEEPER(root.getroottree()):
        return "too_deep"
    if _COUNT(root) > MAX_ELEMENTS:
        return "too_large"
    return None
