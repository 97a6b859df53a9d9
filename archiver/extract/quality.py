"""The quality verdict on an extracted article, the one place that judges it: the pipeline,
`preview` and `new-site` all ask `verdict(item)`.

An article is refused when it would make an empty, undated or error-page archive file. It is
archived but flagged (named with its URL in the run summary, never silently) when its text is
still garbled after decoding, its headline is implausibly long, its publish date is implausible,
or the page hid bidi control characters in it (removed from what is written).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from archiver.extract.bounds import REASONS as BOUND_REASONS
from archiver.items import ArticleItem

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

# What servers answer with status 200 when the page is gone.
_ERROR_PAGE = re.compile(
    r"页面不存在|页面未找到|找不到(?:该|此)?页面|文章不存在|信息不存在|内容不存在|已被删除|"
    r"无法访问|404 ?Not Found|Page Not Found|访问的页面不存在|出错了", re.I)

# The longest headline taken as plausible, in characters (real ones stay under 100; a longer
# one is a body or a whole page taken for the headline, or a hostile page).
HEADLINE_CAP = 200
# Publish dates before this year are a misread (no Chinese university ran a news site then).
EARLIEST_YEAR = 1990
# Set by extraction when the page's headline or body held bidi control characters.
BIDI_FLAG = ("bidi control characters (U+202A-202E, U+2066-2069, U+200E/F) in the headline or "
             "body: they can disguise text (\u2018gpj.exe\u2019); removed from the archive")


def garbled(text: str) -> str | None:
    """Why the text looks garbled, or None."""
    for reason, pattern, at_least in CHECKS:
        if len(pattern.findall(text)) >= at_least:
            return reason
    return None


@dataclass(frozen=True)
class Verdict:
    # Why the article cannot be archived; None when it can.
    refused: str | None = None
    # Why the archived article needs a look.
    flags: tuple[str, ...] = ()
    # The same as stable codes (the run record's, archiver.run.events): `refused_code` is one
    # of REFUSALS, each of `flag_codes` one of FLAGS.
    refused_code: str | None = None
    flag_codes: tuple[str, ...] = ()

    @property
    def summary(self) -> str | None:
        """Everything said of the article in one line; None when it passes clean."""
        return self.refused or ("; ".join(self.flags) or None)


# Codes of the verdicts (README "What is archived, refused or flagged"); a page beyond the
# bounds of extraction is refused with its bound's name (archiver.extract.bounds).
REFUSALS = ("too_deep", "too_large", "error_page", "no_headline", "no_body", "no_date")
FLAGS = ("garbled_text", "long_headline", "implausible_date", "bidi_controls", "extraction")


def _refusal(item: ArticleItem) -> tuple[str, str] | None:
    bound = item.rules.get("body", "")
    if bound in BOUND_REASONS:
        return bound, BOUND_REASONS[bound]
    text = "".join(item.text_blocks)
    if len(text) < 300 and (_ERROR_PAGE.search(item.headline) or _ERROR_PAGE.search(text)):
        return "error_page", "an error page served with HTTP 200 (the article is gone or moved)"
    if not item.headline:
        return "no_headline", "no headline found on the page"
    if not item.text_blocks:
        return "no_body", "no body text found on the page"
    if item.published is None:
        return "no_date", ("no publish time found on the page, its URL or its list page (give "
                           "the site an article.published selector)")
    return None


def _flags(item: ArticleItem, today: date) -> list[tuple[str, str]]:
    flags = []
    found = garbled("\n".join((item.headline, *item.text_blocks)))
    if found:
        flags.append(("garbled_text", found))
    if len(item.headline) > HEADLINE_CAP:
        flags.append(("long_headline", f"headline of {len(item.headline)} characters (over "
                      f"{HEADLINE_CAP}): probably not the headline"))
    if item.published is not None and not (
            datetime(EARLIEST_YEAR, 1, 1) <= item.published
            < datetime.combine(today + timedelta(days=2), datetime.min.time())):
        flags.append(("implausible_date", f"implausible publish date {item.published:%Y-%m-%d} "
                      f"(before {EARLIEST_YEAR} or after tomorrow)"))
    flags.extend(("bidi_controls" if flag == BIDI_FLAG else "extraction", flag)
                 for flag in item.flags)
    return flags


def verdict(item: ArticleItem, today: date | None = None) -> Verdict:
    """The verdict on one extracted article (`today` decides what "after tomorrow" is)."""
    refused = _refusal(item)
    if refused:
        return Verdict(refused[1], (), refused[0])
    flags = _flags(item, today or date.today())
    return Verdict(None, tuple(reason for _, reason in flags), None,
                   tuple(code for code, _ in flags))
