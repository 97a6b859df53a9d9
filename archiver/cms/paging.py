"""How list pages chain: every rule that finds a list's next page, in one place.

In order: the next-link selectors (the site's `list.next_page`, else its CMS family's
`next_links` from archiver.cms.families), the ecms pager script (news.nankai.edu.cn), then the
rules for sites no preset knows: the link's text (下一页, 下页, next, >, ...), TRS's pager
script, and an evident numbering of the page's own URL (list.html -> list_2.html, index.htm ->
index_1.htm, list2.htm -> list3.htm, ?page=2 -> ?page=3).
Pager facts (共N页, 第1/4页, page numbers) tell whether a next page was to be expected.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from lxml import etree
from parsel import Selector
from w3lib.url import canonicalize_url

from archiver.urls import safe_url


def absolute(base: str, href: str | None) -> str | None:
    """An http(s) URL from a link, or None for script, anchor, mail and phone links."""
    href = (href or "").strip()
    if not href or href.lower().startswith(("javascript:", "#", "mailto:", "tel:")):
        return None
    url = safe_url(urljoin(base, href))
    return url if url.startswith(("http://", "https://")) else None



def same_page(a: str, b: str) -> bool:
    return canonicalize_url(a) == canonicalize_url(b)


# -- ecms ------------------------------------------------------------------------------------------

# ecms (news.nankai.edu.cn) renders its pager with a script; the pages behind it are static files
# numbered backwards: page 2 is the highest number (`var maxpage = N;` in the script), the oldest
# page is 1. Seen in several public crawlers of news.nankai.edu.cn and other ecms sites.
_ECMS_SCRIPT = re.compile(
    r"^(?P<base>.*/system/count)/(?P<col>\d{7})/(?P<zeros>\d{12})/count_page_list_(?P<id>\d+)\.js$"
)
_ECMS_MAXPAGE = re.compile(r"maxpage\s*=\s*(\d+)")


def ecms_pager_script(sel: Selector, url: str) -> str | None:
    """The ecms pager script of a list page (page 1), if the page has one."""
    for src in sel.css("script::attr(src)").getall():
        link = absolute(url, src)
        if link and _ECMS_SCRIPT.match(link):
            return link
    return None


def ecms_page_urls(script_url: str, script_text: str) -> list[str]:
    """List pages 2, 3, ... of an ecms column, newest first, from its pager script."""
    parts = _ECMS_SCRIPT.match(script_url)
    found = _ECMS_MAXPAGE.search(script_text)
    if not parts or not found:
        return []
    base, col, zeros, page_id = parts.group("base", "col", "zeros", "id")
    # The double slash after /count/ is what the site itself links to.
    return [
        f"{base}//{col}/{zeros}/000/{n // 1000:03d}/c{page_id}_{n:09d}.shtml"
        for n in range(int(found.group(1)), 0, -1)
    ]


# -- links of a page -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Anchor:
    """One link of a list page: where it goes, what it says (its text, else its title or its
    image's alt text) and its title, both without spaces and brackets."""

    url: str
    label: str
    title: str = ""


_LABEL_NOISE = re.compile(r"[\s\[\]【】()（）「」]+")
# What a next-page link says, best first: the words, then a single arrow, then the double ones
# (which some pagers use for the last page rather than the next one).
_ARROWS = "<>«»‹›＜＞〈〉→"
_NEXT_LABELS = (
    re.compile(rf"[{_ARROWS}]*(?:下一页|下页|后页|下一頁|下頁|後頁|nextpage|next)[{_ARROWS}.]*"),
    re.compile(r"[>›＞〉→]"),
    re.compile(r"»|>>|＞＞"),
)
# Never the last page, whatever its arrow looks like.
_LAST = re.compile(r"尾页|末页|最后|尾頁|末頁|last|end")
# A link of the numbering rule says a page number, an arrow or nothing: never a column's name
# (news12.htm linking a neighbouring column news13.htm is not its page 2).
_WORDY = re.compile(r"[a-z\u4e00-\u9fff]")
_PAGE_NUMBER = re.compile(r"\d{1,4}")


def _links(sel: Selector) -> Iterator[tuple[etree._Element, str]]:
    """Every <a href> of the page with its text (lxml directly: a page has hundreds)."""
    for a in sel.root.iter("a"):
        if a.get("href"):
            yield a, _LABEL_NOISE.sub("", "".join(a.itertext())).lower()


def anchors(sel: Selector, url: str) -> list[Anchor]:
    """The links the text and numbering rules may take: those saying a page word, a number, an
    arrow or nothing (a page's hundreds of named menu and article links are left out)."""
    found = []
    for a, text in _links(sel):
        alt = a.xpath("string(.//img/@alt)") if not text else ""
        title = _LABEL_NOISE.sub("", a.get("title") or alt).lower()
        label = text or title
        if _WORDY.search(label) and not _NEXT_LABELS[0].fullmatch(label):
            continue
        link = absolute(url, a.get("href"))
        if link:
            found.append(Anchor(link.split("#", 1)[0], label, title))
    return found


# -- the text rule ---------------------------------------------------------------------------------

def next_by_text(links: Iterable[Anchor], url: str) -> str | None:
    """The link whose text says "next page", best-worded first; never the last page's. A bare
    arrow must stay in the list's folder: a column's "more >" link goes elsewhere."""
    best: tuple[int, str] | None = None
    folder = _folder(url)
    for anchor in links:
        if _LAST.search(anchor.label + anchor.title) or same_page(anchor.url, url):
            continue
        for rank, pattern in enumerate(_NEXT_LABELS):
            if rank and not urlsplit(anchor.url).path.startswith(folder):
                break
            if pattern.fullmatch(anchor.label) and (best is None or rank < best[0]):
                best = (rank, anchor.url)
                break
    return best[1] if best else None


def _folder(url: str) -> str:
    return urlsplit(url).path.rsplit("/", 1)[0] + "/"


# -- TRS -------------------------------------------------------------------------------------------

# TRS WCM writes its pager with a script, createPageHTML(pages, current, "index", "htm"): page 0
# is index.htm, page k is index_k.htm. The links exist only once the script has run.
_TRS_PAGER = re.compile(
    r"createPageHTML\(\s*(\d{1,5})\s*,\s*(\d{1,5})\s*(?:,\s*[\"']([\w-]+)[\"']\s*,\s*[\"'](\w+)[\"'])?")


def next_by_trs_script(raw_html: str, url: str) -> str | None:
    found = _TRS_PAGER.search(raw_html)
    if not found or not found.group(3):
        return None
    pages, current, name, ext = found.groups()
    following = int(current) + 1
    return urljoin(url, f"{name}_{following}.{ext}") if following < int(pages) else None


# -- the numbering rule ----------------------------------------------------------------------------

_NUMBERED = re.compile(r"^(?P<stem>.*?)(?P<sep>[_-]?)(?P<n>\d+)$")
PAGE_PARAMS = ("page", "pageno", "pagenum", "pageindex", "page_no", "pagenumber", "curpage",
               "currentpage", "pn", "p")


def numbered_successors(url: str) -> list[str]:
    """The URLs the page after this one would have under the common numberings, likeliest
    first: list.html -> list_2.html, list2.html, list-2.html, list_1.html (TRS counts index_1 as
    page 2); list_3.html -> list_4.html; ?page=3 -> ?page=4."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    found = []
    for i, (key, value) in enumerate(query):
        if key.lower() in PAGE_PARAMS and value.isdigit():
            following = [*query[:i], (key, str(int(value) + 1)), *query[i + 1:]]
            found.append(urlunsplit(parts._replace(query=urlencode(following))))
    head, _, last = parts.path.rpartition("/")
    stem, dot, ext = last.rpartition(".") if "." in last else (last, "", "")
    if stem:
        numbered = _NUMBERED.match(stem)
        if numbered:
            n = numbered.group("n")
            names = [f"{numbered.group('stem')}{numbered.group('sep')}{int(n) + 1:0{len(n)}d}"]
        else:
            names = [f"{stem}_2", f"{stem}2", f"{stem}-2", f"{stem}_1"]
        found += [urlunsplit(parts._replace(path=f"{head}/{name}{dot}{ext}")) for name in names]
    if not any(k.lower() in PAGE_PARAMS for k, _ in query):
        found += [urlunsplit(parts._replace(query=urlencode([*query, (key, "2")])))
                  for key in ("page", "pageno", "pageindex", "p")]
    return found


def next_by_number(links: Iterable[Anchor], url: str, current: int) -> str | None:
    """The page's link to its numbered successor. A link that says a page number must say a
    later one than `current` (on VSB's last page, 2.htm is the page before); when several
    numberings are linked (index_1.htm and index_2.htm), the one saying current + 1 wins."""
    linked: dict[str, Anchor] = {}
    for anchor in links:
        said = int(anchor.label) if _PAGE_NUMBER.fullmatch(anchor.label) else None
        if not _WORDY.search(anchor.label) and (said is None or said > current):
            linked.setdefault(canonicalize_url(anchor.url), anchor)
    candidates = [linked[c] for c in map(canonicalize_url, numbered_successors(url))
                  if c in linked]
    for anchor in candidates:
        if anchor.label == str(current + 1):
            return anchor.url
    return candidates[0].url if candidates else None


# -- pager facts -----------------------------------------------------------------------------------

_TOTAL = re.compile(r"共\s*(\d{1,5})\s*页")
# 第1/4页, 1/4页, 页码 1/4, 页次：1/4, Page 1 of 4.
_CURRENT_OF = re.compile(r"(?:第\s*(\d{1,5})\s*/\s*(\d{1,5})\s*页|(\d{1,5})\s*/\s*(\d{1,5})\s*页"
                         r"|(?:页码|页次|页数)\s*[:：]?\s*(\d{1,5})\s*/\s*(\d{1,5})"
                         r"|page\s+(\d{1,5})\s+of\s+(\d{1,5}))", re.I)
_CURRENT = re.compile(r"(?:当前|当前第|第)\s*(\d{1,5})\s*页")


@dataclass(frozen=True)
class Pager:
    """What a list page's pager shows: its evidence ("共4页", "page numbers 2 3 4"), the page
    count and the current page when it says them, and the page numbers it links."""

    evidence: str | None = None
    total: int | None = None
    current: int | None = None
    numbers: tuple[int, ...] = ()

    @property
    def shown(self) -> bool:
        return self.evidence is not None

    def has_more(self, page: int) -> bool:
        """Whether a page follows this one; `page` is its place in the walk when the pager
        does not say which page it is."""
        current = self.current or page
        if self.total:
            return current < self.total
        return any(n > current for n in self.numbers)


def read_pager(sel: Selector, raw_html: str, url: str) -> Pager:
    text = " ".join(sel.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]")
                    .getall())
    total = current = None
    evidence = None
    found = _CURRENT_OF.search(text)
    if found:
        current, total = (int(n) for n in found.groups() if n is not None)
        evidence = found.group(0)
    trs = _TRS_PAGER.search(raw_html)
    if trs and total is None:
        total, current = int(trs.group(1)), int(trs.group(2)) + 1
        evidence = f"createPageHTML({total}, {current - 1}, …)"
    found = _TOTAL.search(text)
    if found and total is None:
        total, evidence = int(found.group(1)), found.group(0)
        at = _CURRENT.search(text)
        current = int(at.group(1)) if at else None
    numbers = _page_numbers(sel, url)
    if numbers and evidence is None:
        evidence = "page numbers " + " ".join(map(str, numbers))
    return Pager(" ".join(evidence.split()) if evidence else None, total, current, numbers)


def _page_numbers(sel: Selector, url: str) -> tuple[int, ...]:
    """Numbers linked side by side (two or more under one parent): a pager's page links. A
    calendar's day links go to other paths; these must stay in the list's folder."""
    folder = _folder(url)
    groups: dict[etree._Element, set[int]] = {}
    for a, label in _links(sel):
        if not _PAGE_NUMBER.fullmatch(label):
            continue
        link = absolute(url, a.get("href"))
        if not link or not urlsplit(link).path.startswith(folder):
            continue
        parent = a.getparent()
        holder = parent.getparent() if parent is not None else None
        groups.setdefault(holder if holder is not None else parent, set()).add(int(label))
    best: tuple[int, ...] = ()
    for numbers in groups.values():
        # Side by side: a run with at most one gap (the current page, which is not a link).
        if len(numbers) >= 2 and max(numbers) - min(numbers) <= len(numbers) \
                and len(numbers) > len(best):
            best = tuple(sorted(numbers))
    return best
