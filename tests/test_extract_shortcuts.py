"""The shortcuts extraction takes for speed give what the long way gives (issue 24's time line).

Each shortcut is checked against the slow form it replaced, on real pages of the corpora and on
pages made to hit its edge cases.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from lxml import etree
from parsel import Selector

from archiver.extract import generic
from archiver.extract.published import _text_after, page_lines
from archiver.extract.tree import parse_html

FIXTURES = Path(__file__).parent / "fixtures"


def _real_pages(count: int = 6) -> list[str]:
    entries = json.loads((FIXTURES / "corpus-vsb" / "manifest.json").read_text("utf-8"))
    pages = [gzip.decompress((FIXTURES / "corpus-vsb" / e["file"]).read_bytes())
             for e in entries[:count]]
    pages += [p.read_bytes() for p in sorted((FIXTURES / "corpus" / "pages").glob("*.html"))[:3]]
    return [p.decode("utf-8", "replace") for p in pages]


EDGE_PAGES = [
    "<html><body><a href='x'><div id='b'>in<p>para</p>tail</div>after link</a> more"
    "<p>next</p><!--c-->x<script>s</script>y</body></html>",
    "  \n<p>bare</p>text\x00 with a NUL",
    "<DIV CLASS='Title'>上海<B>交通</B>大学</DIV>",
    '<?xml version="1.0"?><html><body><p>xhtml</p></body></html>',
    "\ufeff<html><body><h1>BOM</h1></body></html>",
    "no tag at all",
]


@pytest.mark.parametrize("html", EDGE_PAGES + _real_pages())
def test_parse_html_builds_parsels_tree(html):
    assert etree.tostring(parse_html(html)) == etree.tostring(Selector(text=html).root)


def test_text_after_an_element_is_the_text_after_its_last_line():
    checked = 0
    for html in EDGE_PAGES[:3] + _real_pages(3):
        root = parse_html(html)
        for el in [e for e in root.iter() if isinstance(e.tag, str)][:300]:
            lines = list(page_lines(root, el))
            inside = [i for i, line in enumerate(lines) if line.in_body]
            if not inside:
                continue
            whole = " ".join(line.own for line in lines[inside[-1] + 1:])
            assert _text_after(root, el, 150) == whole[:150]
            checked += 1
    assert checked > 300


# The queries the headline candidates were found with before: every prominent element, and every
# cell and block, asked for its text.
_SPACELESS = "translate(normalize-space(.), ' \u00a0\u3000\u200b\ufeff', '')"
_OLD = {
    "prominent": "//h1|//h2|//h3|//h4|//*[contains(@class,'title') or contains(@id,'title')]",
    "plain": "//td|//div|//p|//span|//strong|//font",
}
_PREDICATES = (f"[string-length(normalize-space(.)) >= 4][starts-with($target, {_SPACELESS})]"
               f"[{_SPACELESS} != '']")


@pytest.mark.parametrize("html", EDGE_PAGES[:3] + _real_pages())
def test_headline_candidates_are_those_every_element_would_give(html):
    root = parse_html(html)
    targets = generic._title_targets(root) or ["上海交通大学"]
    # Every text of the page that starts a target: the page's own words as targets too.
    targets += [generic._norm(t) for t in root.itertext() if 4 <= len(generic._norm(t)) <= 30][:40]
    for target in targets:
        prominent, plain = generic._prefix_candidates(root, target)
        old = {kind: etree.XPath(f"({query}){_PREDICATES}")(root, target=target)
               for kind, query in _OLD.items()}
        assert prominent == old["prominent"]
        assert plain == old["plain"]
