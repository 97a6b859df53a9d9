"""SVG images never carry script into the blog: an SVG holding anything that can run (a
<script>, an on* event attribute, a javascript: link, a <foreignObject> with HTML in it, an
embedded frame or object) is refused, not archived. Refused rather than cleaned: an SVG
sanitiser has to know every way a browser runs code from SVG, and a refusal (reported with its
reason) cannot miss one. A harmless SVG is archived byte for byte."""

from __future__ import annotations

import re

from lxml import etree

_ACTIVE_ELEMENTS = {"script", "foreignobject", "iframe", "embed", "object", "handler",
                    "listener", "frame", "frameset", "applet", "meta", "base"}
# javascript:, vbscript: and data:text/html in any attribute, however spaced or escaped.
_ACTIVE_VALUE = re.compile(r"(?:java|vb)script:|data:text/html|data:application/",
                           re.I)
_SPACES = re.compile(r"[\s\x00-\x1f]+")
_INTERNAL_SUBSET = re.compile(rb"<!DOCTYPE[^>\[]*\[", re.I)


def looks_like_svg(data: bytes, content_type: str = "", url: str = "") -> bool:
    from archiver.archive.pasted import image_extension

    return ("svg" in content_type.lower() or url.lower().split("?", 1)[0].endswith(".svg")
            or image_extension(data) == ".svg")


def active_content(data: bytes) -> str | None:
    """What in this SVG could run in a browser ("a <script> element", ...), or None."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                             load_dtd=False, recover=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        return f"it does not parse as XML ({str(error)[:80]}), so it cannot be vouched for"
    if root is None:
        return "it is empty"
    if _INTERNAL_SUBSET.search(data) or b"<!ENTITY" in data.upper():
        return "an inline DTD (its entities could hide script from this check)"
    if any(isinstance(node, etree._ProcessingInstruction)
           for node in root.itersiblings(preceding=True)):
        return "an XML processing instruction (a style sheet could add script)"
    for element in root.iter():
        if not isinstance(element.tag, str):
            if isinstance(element, etree._ProcessingInstruction | etree._Entity):
                return "an XML processing instruction or entity"
            continue
        name = etree.QName(element).localname.lower()
        if name in _ACTIVE_ELEMENTS:
            return f"a <{name}> element"
        for attribute, value in element.attrib.items():
            local = etree.QName(attribute).localname.lower()
            if local.startswith("on"):
                return f"an event attribute ({local})"
            if _ACTIVE_VALUE.search(_SPACES.sub("", value)):
                return f"a script link in the attribute {local}"
        if name == "style" and element.text and _ACTIVE_VALUE.search(_SPACES.sub("",
                                                                                 element.text)):
            return "a script link in a <style> element"
    return None
