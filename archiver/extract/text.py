"""Text cleanup shared by every extractor: whitespace, Markdown escaping, boilerplate lines."""

from __future__ import annotations

import re

# Zero-width characters and the BOM carry nothing and break matching; control characters
# other than tab and newline cannot stand in YAML or Markdown. (One pattern: str.translate
# with a mapping costs a lookup per character, and this runs on every text node.)
_DROPPED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\u200c\u200d\u2060\ufeff]")
_CJK = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
# A line break between two CJK characters is source formatting, not a space the author typed.
_CJK_BREAK = re.compile(rf"(?<=[{_CJK}])[ \t\u00a0]*\n\s*(?=[{_CJK}])")
_SPACES = re.compile(r"[\s\u00a0\u3000]+")


def clean_inline(text: str) -> str:
    """Normalise text: drop zero-width and control characters, fold whitespace runs to one space
    (full-width spaces and &nbsp; included), and drop line breaks between CJK characters."""
    text = _DROPPED.sub("", text)
    if "\n" in text:  # the pattern needs one, and is slow to search for where there is none
        text = _CJK_BREAK.sub("", text)
    return _SPACES.sub(" ", text)


def clean_line(text: str) -> str:
    """clean_inline, then strip: leading full-width indentation and &nbsp; padding go."""
    return clean_inline(text).strip()


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>])")
# Characters that change a Markdown block's meaning when they open it.
_BLOCK_START = re.compile(r"^(#|>|[-+=|]|~~~|```)")
_ORDERED_START = re.compile(r"^(\d+)([.)])(?=\s|$)")


def escape_markdown(text: str) -> str:
    """Escape characters that Markdown would read as markup inside running text."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def escape_block_start(block: str) -> str:
    """Keep a paragraph that starts with '#', '-', '>', '1.' ... a paragraph of text."""
    block = _ORDERED_START.sub(r"\1\\\2", block, count=1)
    return _BLOCK_START.sub(r"\\\1", block, count=1)


_LABEL = (
    r"(?:发布|发稿|更新|录入|上传)?(?:时间|日期)|浏览(?:次数|量)?|点击(?:次数|数|量|率)?|"
    r"阅读(?:次数|量)?|访问(?:次数|量)"
)
# A whole block of furniture: "发布时间：2019-09-05", "时间:2020-03-27浏览:497", "点击次数：12".
_META_BLOCK = re.compile(rf"^[\[【(（]?(?:{_LABEL})\s*[:：]")
_FURNITURE = re.compile(
    r"^[\s【\[]*(?:打印(?:本页|此文)?|关闭(?:窗口|本页)?|返回(?:顶部|列表|首页)?|收藏|分享到?|"
    r"上一篇|下一篇|上一条|下一条|字号|大|中|小)[\s】\]:：]*"
)


_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MD_ESCAPE = re.compile(r"\\(.)")


def plain_text(block: str) -> str:
    """A Markdown block read back as plain text: link syntax, bold markers and escapes gone."""
    text = _MD_LINK.sub(r"\1", block)
    text = re.sub(r"(?<!\\)\*\*", "", text)
    return _MD_ESCAPE.sub(r"\1", text).strip()


_BREADCRUMB = re.compile(r"^(?:您?当前(?:的)?位置|您的位置|当前页面|所在位置)\s*[:：]")


def is_furniture(block: str) -> bool:
    """True for a block that is page furniture rather than article text."""
    plain = plain_text(block)
    if not plain:
        return True
    if len(plain) <= 120 and _BREADCRUMB.match(plain):
        return True
    if len(plain) <= 80 and _META_BLOCK.match(plain):
        return True
    # "【打印】【关闭】", "上一篇：…", "分享到：" — short blocks made only of such words.
    if len(plain) <= 60:
        rest = plain
        while True:
            match = _FURNITURE.match(rest)
            if not match or not match.group(0):
                break
            rest = rest[match.end():]
            if not rest:
                return True
        if re.match(r"^(?:上一篇|下一篇|上一条|下一条)\s*[:：]", plain):
            return True
    return False
