"""Text cleanup shared by every extractor: whitespace, Markdown escaping, boilerplate lines."""

from __future__ import annotations

import re

# The Markdown escaping lives in archiver.extract.escape (Hexo-verified); the extractors keep
# importing it from here with the rest of the text cleanup.
from archiver.extract.escape import escape_block_start, escape_markdown  # noqa: F401

# The zero-width space and the BOM carry nothing and break matching. The joiners (ZWJ, ZWNJ,
# word joiner) stay: they build emoji sequences (👨‍👩‍👧) and shape scripts.
_ZERO_WIDTH_CHARS = "\u200b\ufeff"
ZERO_WIDTH = dict.fromkeys(map(ord, _ZERO_WIDTH_CHARS), None)
# Those, and control characters other than tab and newline, which cannot stand in YAML or
# Markdown. (One pattern: str.translate with a mapping costs a lookup per character, and this
# runs on every text node.)
_DROPPED = re.compile(rf"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f{_ZERO_WIDTH_CHARS}]")
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


_LABEL = (
    r"(?:发布|发稿|发表|发文|更新|录入|上传)?(?:时间|日期)|发布于|发表于|"
    r"浏览(?:次数|量)?|点击(?:次数|数|量|率)?|阅读(?:次数|量)?|访问(?:次数|量)"
)
# A whole block of furniture: "发布时间：2019-09-05", "时间:2020-03-27浏览:497", "点击次数：12".
_META_BLOCK = re.compile(rf"^[\[【(（]?(?:{_LABEL})\s*[:：]")
_FURNITURE = re.compile(
    r"^[\s【\[]*(?:打印(?:本页|此文)?|关闭(?:窗口|本页)?|返回(?:顶部|列表|首页)?|收藏|分享到?|"
    r"上一篇|下一篇|上一条|下一条|字号|大|中|小)[\s】\]:：]*"
)


_MD_LINK = re.compile(r"(?<!\\)\[((?:\\.|[^\\\]])*)\]\([^)]*\)|(?<!\\)<([^<>\s]+)>")
_MD_ESCAPE = re.compile(r"\\(.)")


_MD_BOLD = re.compile(r"(?<!\\)\*\*|</?strong>")
_MD_COLON = re.compile(r"(?m)^&#58;")


def plain_text(block: str) -> str:
    """A Markdown block read back as plain text: link syntax, bold markers and escapes gone.
    (Each pattern only where its first character is: most text has none of them, and this
    runs on every line of a page.)"""
    text = block
    if "*" in text or "<" in text:
        text = _MD_BOLD.sub("", text)
    if "[" in text or "<" in text:
        text = _MD_LINK.sub(lambda m: m.group(1) if m.group(2) is None else m.group(2), text)
    if "&#58;" in text:
        text = _MD_COLON.sub(":", text)
    if "\\" in text:
        text = _MD_ESCAPE.sub(r"\1", text)
    return text.strip()


_TABLE_RULE = re.compile(r"\|(?: --- \|)+")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")


_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")


def text_units(block: str) -> list[str]:
    """A Markdown block as the plain-text units a reader sees: each line, and each row of a GFM
    table with its cells' text joined by a space (the header rule is no unit; an image in a
    cell is no text)."""
    units = []
    for line in block.split("\n"):
        if line.startswith("| ") and "![" in line:
            line = _MD_IMAGE.sub("", line)
        if _TABLE_RULE.fullmatch(line):
            continue
        if line.startswith("| ") and line.endswith(" |"):
            line = " ".join(c.strip() for c in _CELL_SPLIT.split(line[1:-1]) if c.strip())
        units.append(plain_text(line))
    return units


_BREADCRUMB = re.compile(r"^(?:您?当前(?:的)?位置|您的位置|当前页面|所在位置)\s*[:：]")


def is_meta_line(block: str, plain: str | None = None) -> bool:
    """True for a short block that opens with a meta label ("发布时间：…", "点击：12"). It is
    furniture as the page's own meta line (above the body's first paragraph), and text further
    down ("时间：3月1日 地点：…" in a notice). `plain` is the block read back as plain text,
    when the caller has it already."""
    plain = plain_text(block) if plain is None else plain
    return len(plain) <= 80 and bool(_META_BLOCK.match(plain))


def is_furniture(block: str, plain: str | None = None) -> bool:
    """True for a block that is page furniture wherever it stands, rather than article text.
    `plain` is the block read back as plain text, when the caller has it already."""
    plain = plain_text(block) if plain is None else plain
    if not plain:
        return True
    if len(plain) <= 120 and _BREADCRUMB.match(plain):
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
