"""Pick the encoding a page's bytes are really in.

Sites declare one charset and serve another: a GBK page declaring UTF-8, a UTF-8 page declaring
GB2312, or no declaration at all. Scrapy believes the declaration. Here the bytes decide:
valid UTF-8 with non-ASCII bytes is UTF-8 whatever is declared (GBK text is practically never
valid UTF-8); else the declared encoding if it decodes cleanly; else GB18030 (the superset of
GB2312 and GBK) or Big5, whichever decodes cleanly first.
"""

from __future__ import annotations

from w3lib.encoding import resolve_encoding

FALLBACKS = ("gb18030", "big5")


def _decodes(body: bytes, encoding: str) -> bool:
    try:
        body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def true_encoding(body: bytes, declared: str | None) -> str | None:
    """The encoding to decode `body` with, or None to keep the declared one."""
    if body.isascii():
        return None
    if _decodes(body, "utf-8"):
        return "utf-8"
    declared = resolve_encoding(declared) if declared else None
    if declared and declared not in ("utf-8", "utf8") and _decodes(body, declared):
        return None
    return next((enc for enc in FALLBACKS if _decodes(body, enc)), None)
