"""Publish times: find and parse the date forms Chinese news pages use."""

from __future__ import annotations

import re
from datetime import datetime

# 2019-09-05 15:43:09 · 2019/9/5 15:43 · 2019.09.05 · 2019年9月5日 15时43分 · 2019-9-5 ·
# 2019年9月5日 星期四 15:43
_DATE = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*[(（]?(?:星期|周)[一二三四五六日天][)）]?)?"
    r"(?:[\sT]*(?P<H>\d{1,2})\s*[:：时]\s*(?P<M>\d{1,2})(?:\s*[:：分]\s*(?P<S>\d{1,2}))?)?"
)
# Dates in URLs: /2019/11/13/, /2019/0312/ (WebPlus), /20191113/.
_URL_DATE = re.compile(
    r"/(?P<y>(?:19|20)\d{2})(?:/(?P<m>\d{1,2})/(?P<d>\d{1,2})|/(?P<md>\d{4})|(?P<md2>\d{4}))/"
)
# Labels that introduce a publish time in page text, the most specific first ("来源：… 时间：…"
# and "发表时间" are found by "时间").
DATE_LABELS = ("发布时间", "发稿时间", "发布日期", "更新时间", "发布于", "发表于", "时间", "日期")


def _build(y: str, m: str, d: str, hh: str | None = None, mm: str | None = None,
           ss: str | None = None) -> datetime | None:
    try:
        return datetime(int(y), int(m), int(d), int(hh or 0), int(mm or 0), int(ss or 0))
    except ValueError:
        return None


def parse_date(text: str) -> datetime | None:
    """The first date (with its time, if given) in the text; midnight when only a day is given."""
    for match in _DATE.finditer(text or ""):
        found = _build(*match.group("y", "m", "d", "H", "M", "S"))
        if found:
            return found
    return None


def date_in_url(url: str) -> datetime | None:
    """A day encoded in the URL path, at midnight."""
    match = _URL_DATE.search(url)
    if not match:
        return None
    y, m, d = match.group("y", "m", "d")
    md = match.group("md") or match.group("md2")
    if md:
        m, d = md[:2], md[2:]
    return _build(y, m, d)


def bare_date(text: str) -> tuple[str, datetime] | None:
    """The first date in the text, labelled or not: (the raw text found, the datetime)."""
    for match in _DATE.finditer(text or ""):
        found = _build(*match.group("y", "m", "d", "H", "M", "S"))
        if found:
            return match.group(0).strip(), found
    return None


def labelled_date(text: str) -> tuple[str, datetime] | None:
    """A date that follows one of DATE_LABELS in the text: (the raw text found, the datetime)."""
    for label in DATE_LABELS:
        # "发布时间：", "发布时间:", "【发布时间】", "[发布时间] "
        for match in re.finditer(rf"{label}\s*[\]】)）]?\s*[:：]?\s*", text):
            rest = text[match.end(): match.end() + 40]
            date_match = _DATE.match(rest)
            if date_match:
                found = _build(*date_match.group("y", "m", "d", "H", "M", "S"))
                if found:
                    return date_match.group(0).strip(), found
    return None


# A notice signed at its end: the office's name and a full date, on one line ("宣传部
# 2023年2月11日") or on the last two ("宣传部" then "2023-02-11"); nothing after the date.
_SIGNATURE = re.compile(rf"^(?P<name>[^\d:：]{{0,24}}?)\s*(?P<date>{_DATE.pattern})\s*$")
# A signature line is short: a longer line ending in a date is a sentence ("…将于2023年3月1日").
_SIGNATURE_MAX = 32
# An office's name is no sentence, no label and no phrase leading to a date ("将于", "截止").
_NOT_A_NAME = re.compile(r"[。！？；，,.!?;]|时间|日期|[于在至到从为是前后止]$")


def signature_date(lines: list[str]) -> tuple[str, datetime] | None:
    """The date a notice is signed with, from the last lines of its body: (raw, datetime). A
    date alone counts only under a line that names the office: a page that merely ends with
    a date (an update stamp under a text) has no signature."""
    lines = [line.strip() for line in lines if line.strip()]
    if not lines or len(lines[-1]) > _SIGNATURE_MAX:
        return None
    match = _SIGNATURE.match(lines[-1])
    if not match:
        return None
    name = match.group("name").strip() or (lines[-2] if len(lines) > 1 else "")
    if not name or len(name) > 24 or _NOT_A_NAME.search(name):
        return None
    found = _build(*match.group("y", "m", "d", "H", "M", "S"))
    return (match.group("date").strip(), found) if found else None
