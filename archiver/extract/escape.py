"""Markdown escaping that Hexo (hexo-renderer-marked: marked with GFM, `breaks`, smartypants and
description lists) renders back to exactly the source text.

What each rule guards against, as marked 15 / hexo-renderer-marked 7 read a paragraph:
- `\\ ` ` * [ ] < > ~`: emphasis, code, links, HTML, GFM strikethrough (`~x~` and `~~x~~`).
- `_` only where it could open or close emphasis: between two letters or digits (`info_1234`)
  it never does, and stays as written.
- `" '`, runs of `--` and `...`: smartypants would turn them into curly quotes, dashes and an
  ellipsis; an escaped character is output as itself.
- `&` before an entity name (`&amp;`, `&lt;`, `&copy;`): read as a character reference.
- Bare URLs and e-mail addresses: marked links them with everything up to the next space, so an
  escape after or inside one ends up in the link. They are written as explicit autolinks
  (`<http://…>`, `<info_1234@x.cn>`) with their characters untouched; `www.` addresses as
  `[www.…](http://www.…)`. Inside a link's text (no autolinks there) they are escaped like text.
- A line opening with `#`, `>`, `-`, `+`, `=`, `|`, `1.`: a heading, quote, list or table row;
  with `:`, a description list (the renderer turns `<br>: ` into `<dl>`), so `:` is written as
  the character reference `&#58;`.
- Bold: `**…**` opens and closes only where CommonMark's flanking rules allow; where they do
  not (`以**“新工科”建设**为`) marked shows the asterisks, so that bold is written as
  `<strong>…</strong>`.
Nunjucks syntax (`{{`, `{%`, `{#`) is not escaped here: the post's front matter switches Nunjucks
off (archiver.archive.hexo).
"""

from __future__ import annotations

import re
import unicodedata

# marked's GFM e-mail rule; a match that the explicit autolink rule also accepts is wrapped.
_EMAIL = r"[A-Za-z0-9._+-]+@[a-zA-Z0-9_-]+(?:\.[a-zA-Z0-9_-]*[a-zA-Z0-9])+(?![-_])"
_AUTOLINK_EMAIL = re.compile(
    r"[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
    r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+")
# An address ends at a space, a non-ASCII character or a character no URL is written with.
_URL = r"(?:(?i:https?|ftp)://|(?i:www)\.)[a-zA-Z0-9-]+[^\s<>\"'`{}|\\^\[\]\x80-\U0010ffff]*"
# (No global IGNORECASE: it would fold 'i', 'k', 's' into the non-ASCII range below.)
_ADDRESS = re.compile(rf"(?P<url>{_URL})|(?P<email>{_EMAIL})")
# Trailing punctuation is the sentence's, not the address's (marked's backpedal rule).
_TRAILING = "?!.,:;*_'\"~"

# Each alternative opens with its character, so text without any of them is scanned fast.
_SPECIAL = re.compile(
    r"[\\`*\[\]<>~\"']"                                 # always markup somewhere
    r"|_(?:(?<![^\W_]_)|(?![^\W_]))"                    # `_` not between two letters/digits
    r"|-(?:(?=-)|(?<=--))"                              # each dash of a run of two or more
    r"|\.(?:(?=\.\.)|(?<=\.\.)(?=\.)|(?<=\.\.\.))"      # each dot of a run of three or more
    r"|&(?=#?[a-zA-Z0-9]+;)"                            # a character reference
)
# Characters an address needs: without them, no address search.
_ADDRESS_HINT = re.compile(r"@|://|(?i:www)\.")
_BLOCK_START = re.compile(r"^(#|>|[-+=|]|~~~|```)")
_BLOCK_START_CHARS = "#>-+=|~`"
_ORDERED_START = re.compile(r"^(\d+)([.)])(?=\s|$)")


def _escape_text(text: str) -> str:
    return _SPECIAL.sub(r"\\\g<0>", text)


def _address_end(url: str) -> int:
    """Length of a URL without the sentence punctuation that follows it; a closing parenthesis
    stays when the URL opened one."""
    end = len(url)
    while end:
        ch = url[end - 1]
        if ch in _TRAILING or (ch == ")" and url.count("(", 0, end) < url.count(")", 0, end)):
            end -= 1
        else:
            break
    return end


def _autolink(match: re.Match[str]) -> tuple[str, str]:
    """(Markdown for the address, the text after it that belongs to the sentence)."""
    if match.group("email"):
        email = match.group("email")
        if _AUTOLINK_EMAIL.fullmatch(email):
            return f"<{email}>", ""
        return _escape_text(email).replace("@", "\\@"), ""
    url = match.group("url")
    end = _address_end(url)
    url, rest = url[:end], url[end:]
    if "://" not in url:  # www.…: no scheme, so no <…> autolink; the text stays as written
        return f"[{_escape_text(url)}](http://{url})", rest
    return f"<{url}>", rest


def escape_markdown(text: str, in_link: bool = False) -> str:
    """Escape text so that marked shows it as written (see the module docstring). In a link's
    text, addresses are escaped like any text (links do not nest)."""
    if text.isspace():  # (the whitespace between tags: nothing to escape)
        return text
    if in_link or not _ADDRESS_HINT.search(text):
        return _escape_text(text)
    out: list[str] = []
    pos = 0
    for match in _ADDRESS.finditer(text):
        out.append(_escape_text(text[pos:match.start()]))
        link, rest = _autolink(match)
        out.append(link + _escape_text(rest))
        pos = match.end()
    out.append(_escape_text(text[pos:]))
    return "".join(out)


def escape_block_start(line: str) -> str:
    """Keep a line that starts with '#', '-', '>', '1.', ':' ... a line of text."""
    if line.startswith(":"):
        return "&#58;" + line[1:]
    first = line[:1]
    if first not in _BLOCK_START_CHARS and not first.isdecimal():  # (\d is category Nd)
        return line
    line = _ORDERED_START.sub(r"\1\\\2", line, count=1)
    return _BLOCK_START.sub(r"\\\1", line, count=1)


_BOLD_MARK = re.compile(r"(?<!\\)\*\*")


def _punctuation(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PS"


def _can_open(before: str, after: str) -> bool:
    """CommonMark's left-flanking rule for a `**` between `before` and `after`."""
    return not after.isspace() and (not _punctuation(after) or before.isspace()
                                    or _punctuation(before))


def _can_close(before: str, after: str) -> bool:
    return not before.isspace() and (not _punctuation(before) or after.isspace()
                                     or _punctuation(after))


def readable_bold(line: str) -> str:
    """A line's `**…**` pairs, each written as `<strong>…</strong>` where marked would not read
    its asterisks as bold (`以**“新工科”建设**为`: an opening `**` before punctuation needs a
    space or punctuation in front)."""
    if "**" not in line:
        return line
    marks = [m.start() for m in _BOLD_MARK.finditer(line)]
    if len(marks) < 2 or len(marks) % 2:
        return line
    out, pos = [], 0
    for start, end in zip(marks[::2], marks[1::2], strict=True):
        before = line[start - 1] if start else " "
        after = line[end + 2] if end + 2 < len(line) else " "
        if _can_open(before, line[start + 2]) and _can_close(line[end - 1], after):
            continue
        out.append(f"{line[pos:start]}<strong>{line[start + 2:end]}</strong>")
        pos = end + 2
    return "".join(out) + line[pos:] if out else line
