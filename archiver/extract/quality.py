"""Signs that text is still garbled after decoding. Such an article is archived (the text may be
all there is) but flagged in the run summary with its URL, never archived silently."""

from __future__ import annotations

import re

_PINYIN = re.compile(r"[\u4e00-\u9fff][(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,6}[)）]")
# An ASCII "?" wedged between Han characters or before "！": the mark of bytes decoded with the
# wrong offset or charset ("學?！半p一流" for "學校“雙一流”").
_SHIFTED = re.compile(r"[\u4e00-\u9fff]\?[!！\u4e00-\u9fff“”]")
_PRIVATE_USE = re.compile(r"[\ue000-\uf8ff]")

CHECKS: tuple[tuple[str, re.Pattern[str], int], ...] = (
    ("replacement characters (U+FFFD): the page was decoded with the wrong charset",
     re.compile("\ufffd"), 1),
    ("'锟斤拷': UTF-8 text that went through GBK and back", re.compile("锟斤拷"), 1),
    ("pinyin in brackets after Han characters: ruby annotations dumped as text", _PINYIN, 2),
    ("'?' between Han characters: bytes decoded with the wrong offset or charset", _SHIFTED, 1),
    ("private-use characters: bytes decoded with the wrong charset", _PRIVATE_USE, 1),
)


def garbled(text: str) -> str | None:
    """Why the text looks garbled, or None."""
    for reason, pattern, at_least in CHECKS:
        if len(pattern.findall(text)) >= at_least:
            return reason
    return None
