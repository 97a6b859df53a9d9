"""Is a page the article its URL should give, and is a new version of an archived article a
plausible edit of it? Pure functions of text (no I/O), shared by `crawl` (the write guard),
`refresh` (what is applied and what is held back for review) and `rebuild`.

The rules come from how real sites fail, not from how articles change:

- an error, maintenance or login page answered with HTTP 200 at an article URL: a short page
  (under SHORT_PAGE characters of body text) that says 维护/升级/404/页面不存在/无权访问/请登录… or
  carries a password input, and whose headline is not the article's (the headline its list
  link or its archived file gives). A short notice about maintenance, linked by its own
  headline, is an article and passes;
- one page answered for many article URLs of one run: the same headline and body text for
  two URLs that their lists name differently, under a headline that is neither name, or for
  SAME_PAGE_MIN URLs or more that their lists name differently or no list names (URLs linked
  by one headline are variants of one article: the alias rules' business, not a wall);
- for a replacement only: the date jumping to the day of the run; the body shrunk to a
  fraction of what is archived; most of the archived text gone from the new version.

A real edit (a corrected typo, a sentence changed, a photo added, a new headline over the same
body) keeps most of the text and its date, and passes.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date

from archiver.archive.format import parse_article

# Stable codes (the JSON report's `code`), one per way a page is not the article.
ERROR_PAGE = "error_page"
MAINTENANCE_PAGE = "maintenance_page"
LOGIN_PAGE = "login_page"
SAME_PAGE = "same_page"
NOT_AN_ARTICLE = "not_an_article"
DATE_TO_TODAY = "date_to_today"
BODY_SHRUNK = "body_shrunk"
BODY_REPLACED = "body_replaced"

# A page with at least this much body text is an article, whatever words it uses.
SHORT_PAGE = 300
# One page (same headline and body) for this many article URLs of a run is a wall.
SAME_PAGE_MIN = 3
# A replacement whose body is under this share of the archived one has shrunk to a fraction...
SHRINK = 0.5
# ...unless it lost fewer characters than this (a short notice losing a line is an edit).
SHRINK_SLACK = 60
# A replacement must keep at least this share of the archived text (by 3-character pieces).
KEEP = 0.5
# Archived bodies shorter than this are too short to judge what share of them was kept.
KEEP_MIN_TEXT = 40

# Said as what is happening now ("系统维护中", "正在升级维护"), not as a footer's "网站维护：某某".
_MAINTENANCE = re.compile(
    r"(?:维护|升级)(?:中|升级|维护)|正在(?:维护|升级)|系统(?:维护|升级)|暂停(?:访问|服务)|暂时无法访问|"
    r"稍后(?:再)?(?:访问|尝试|重试)|maintenance|under construction", re.I)
_LOGIN = re.compile(r"请(?:先)?登录|用户登录|统一身份认证|登录后|账号登录|\blog ?in\b|\bsign ?in\b",
                    re.I)
_ERROR = re.compile(
    r"(?<!\d)40[034](?!\d)|页面不存在|页面未找到|找不到(?:该|此)?页面|文章不存在|信息不存在|内容不存在|已被删除|"
    r"无权访问|没有(?:访问)?权限|禁止访问|访问受限|无法访问|出错了|not found|forbidden", re.I)
_IMAGE_LINE = re.compile(r"^!\[[^\]]*\]\([^)]*\)\s*$", re.M)
_SOURCE_LINE = re.compile(r"^\[转入文章首发地址\]\([^)]*\)\s*$", re.M)
_NOISE = re.compile(r"[\s\W_]+")


@dataclass(frozen=True)
class Problem:
    code: str
    reason: str


def plain(text: str) -> str:
    """Text without spaces and punctuation: what two versions are compared on."""
    return _NOISE.sub("", text)


def headline_matches(headline: str, expected: str | None) -> bool:
    """The page's headline is the one expected (a list link's text may be cut short, with or
    without "…", and a file's title may carry more around it)."""
    page, wanted = plain(headline), plain(expected or "")
    if not page or not wanted:
        return False
    shorter, longer = sorted((page, wanted), key=len)
    return shorter == longer or (len(shorter) >= 4 and shorter in longer)


def page_problem(headline: str, text: str, *, password_input: bool = False,
                 expected_headline: str | None = None) -> Problem | None:
    """Why the page is an error, maintenance or login page rather than the article, or None.
    `text` is the body's text; `expected_headline` the article's headline as its list link or
    its archived file gives it (None when nothing says it)."""
    if len(text) >= SHORT_PAGE or headline_matches(headline, expected_headline):
        return None
    words = f"{headline}\n{text}"
    if password_input or _LOGIN.search(words):
        return Problem(LOGIN_PAGE, "a login page (a password form, or 请登录/统一身份认证) instead "
                       "of the article: the site asks for a login")
    if _MAINTENANCE.search(words):
        return Problem(MAINTENANCE_PAGE, "a maintenance page (维护/升级/暂停访问) instead of the "
                       "article: the site is down for maintenance")
    if _ERROR.search(words):
        return Problem(ERROR_PAGE, "an error page (404/页面不存在/无权访问) served with HTTP 200 "
                       "instead of the article")
    return None


def same_page_problem(count: int) -> Problem:
    return Problem(SAME_PAGE, f"the site answered the same page for {count} article URLs of "
                   "this run: maintenance or a login wall?")


def page_key(headline: str, text: str) -> str:
    """What makes two answers the same page: their headline and body text."""
    return hashlib.sha1(f"{plain(headline)}\n{plain(text)}".encode()).hexdigest()


class RepeatedPages:
    """Counts the answers of one run by page_key and tells when one page is a wall: answered
    for two article URLs that their lists name differently, under a headline that is neither
    name (a wall is known before its second URL could pass for an alias of the first); or for
    SAME_PAGE_MIN URLs that their lists name differently or that no list names."""

    def __init__(self, at_least: int = SAME_PAGE_MIN):
        self.at_least = at_least
        self.groups: dict[str, dict[str, str]] = {}  # key -> {url: list headline}
        self.walls: set[str] = set()

    def see(self, url: str, headline: str, text: str, list_headline: str | None) -> list[str]:
        """Count one answer. Returns the URLs that this answer shows to be one repeated page:
        the whole group when it has just become a wall, [url] when it already was, else []."""
        key = page_key(headline, text)
        group = self.groups.setdefault(key, {})
        group[url] = plain(list_headline or "")
        if key in self.walls:
            return [url]
        named = set(group.values()) - {""}
        nobodys = len(named) >= 2 and not any(headline_matches(headline, n) for n in named)
        if nobodys or (len(group) >= self.at_least and (len(named) >= 2 or not named)):
            self.walls.add(key)
            return list(group)
        return []

    def count(self, url: str) -> int:
        """How many URLs got the same page as this one (0: not a wall)."""
        for key in self.walls:
            if url in self.groups[key]:
                return len(self.groups[key])
        return 0


def body_text(markdown_body: str) -> str:
    """The text of an archive body: no image lines, no source link."""
    return _SOURCE_LINE.sub("", _IMAGE_LINE.sub("", markdown_body)).strip()


def article_headline(title: str) -> str:
    """The article's headline inside an archive title (`<school>-><headline> | <label>`)."""
    if "->" in title:
        title = title.split("->", 1)[1]
    return title.rsplit(" | ", 1)[0] if " | " in title else title


def archived_headline(text: str) -> str:
    """The article's headline in an archive file's text ("" when it does not parse)."""
    try:
        return article_headline(str(parse_article(text).get("title") or ""))
    except Exception:  # noqa: BLE001 (a broken file has no headline to compare with)
        return ""


def _pieces(text: str) -> set[str]:
    flat = plain(text)
    return {flat[i:i + 3] for i in range(max(0, len(flat) - 2))}


def _day(value: object) -> str:
    return str(value or "")[:10]


def replacement_problem(old: str, new: str, today: date, *,
                        password_input: bool = False) -> Problem | None:
    """Why the archive file text `new` must not replace `old` (two versions of one article's
    file), or None when it is a plausible edit. `today` is the day of the run."""
    try:
        before, after = parse_article(old), parse_article(new)
    except Exception:  # noqa: BLE001 (a broken archived file: any parsable version is better)
        return None
    old_text, new_text = body_text(before.content), body_text(after.content)
    old_headline = article_headline(str(before.get("title") or ""))
    new_headline = article_headline(str(after.get("title") or ""))
    found = page_problem(new_headline, new_text, password_input=password_input,
                         expected_headline=old_headline)
    if found:
        return found
    if not plain(new_text) or not plain(new_headline) or not after.get("date"):
        return Problem(NOT_AN_ARTICLE, "the new version has no headline, body or date")
    run_day = today.isoformat()
    if _day(after.get("date")) == run_day != _day(before.get("date")):
        return Problem(DATE_TO_TODAY, f"the date jumped from {_day(before.get('date'))} to the "
                       "day of the run (a page generated today, not the article)")
    old_len, new_len = len(plain(old_text)), len(plain(new_text))
    if new_len < old_len * SHRINK and old_len - new_len >= SHRINK_SLACK:
        return Problem(BODY_SHRUNK, f"the body shrank from {old_len} to {new_len} characters")
    old_pieces = _pieces(old_text)
    if old_len >= KEEP_MIN_TEXT and old_pieces:
        kept = len(old_pieces & _pieces(new_text)) / len(old_pieces)
        if kept < KEEP:
            return Problem(BODY_REPLACED, f"most of the text was replaced (only {kept:.0%} of "
                           "the archived text is in the new version)")
    return None
