"""An article page's HTML text -> its lxml tree, parsed as parsel parses it, without parsel's
per-element cost.

parsel (`Selector(text=...)`) parses with lxml.html's parser, whose element class lookup runs a
Python function each time an element is handed to Python: every step of a tree walk pays it (a
walk over a page took twice as long). The extractors use only lxml's own element API, so the
page is parsed by the same libxml2 parser with the same options and no lookup. Text that parsel
would read otherwise (an XML declaration, anything that does not open with a tag) still goes
through parsel, so the tree is the same in every case.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lxml import etree
from parsel import Selector

# parsel's options: recover from broken markup, no limit on text node size.
_PARSER = etree.HTMLParser(recover=True, encoding="utf-8", huge_tree=True)
# parsel reads such a text as XML (parsel.selector._XML_DECLARATION).
_XML_DECLARATION = re.compile(r"[\s\ufeff]*<\?xml\s")


def parse_html(text: str) -> etree._Element:
    """The root element of an HTML page's tree."""
    if not text.lstrip().startswith("<") or _XML_DECLARATION.match(text):
        return Selector(text=text).root
    # As parsel.selector.create_root_node does for text.
    body = text.strip().replace("\x00", "").encode("utf-8") or b"<html/>"
    root = etree.fromstring(body, parser=_PARSER)
    if root is None:
        root = etree.fromstring(b"<html/>", parser=_PARSER)
    return root


@lru_cache(maxsize=1)
def titles_and_metas(root: etree._Element) -> tuple[list, list]:
    """The page's <title> and <meta> elements, each in page order: one pass for the headline's
    title and the date's meta tags, both asked of the same page (the last page's answer is
    kept)."""
    titles, metas = [], []
    for el in root.iter("title", "meta"):
        (titles if el.tag == "title" else metas).append(el)
    return titles, metas
