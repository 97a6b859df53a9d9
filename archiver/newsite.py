"""`archiver new-site URL`: look at a school's page, work out its site config, write it.

A Scrapy spider does the looking (so proxies, robots.txt, charsets and retries behave as in a
crawl): it fetches the page and detects the CMS family. A list page (article links and a pager)
is kept as the start URL; from a home page it follows the page's own links that look like news
lists and keeps the lists with the most article links. It then checks the list's pagination and
extracts its newest articles with the family's preset. The config it writes names only what a
user needs (the preset does the rest), with comments saying what was found.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
import yaml
from scrapy.http import Response, TextResponse

from archiver.cms.detect import detect_family
from archiver.config import SiteConfig, adhoc_site
from archiver.extract.article import extract_article
from archiver.extract.dates import parse_date
from archiver.extract.listing import ListPage
from archiver.extract.quality import verdict
from archiver.items import ArticleItem

# Links that look like news list pages, per family (the page's own navigation links).
LIST_URL = {
    "webplus": re.compile(r"/list\d*\.(?:htm|psp)$"),
    "ecms": re.compile(r"/index\.shtml$"),
    "vsb": re.compile(r"\.htm$"),
    "generic": re.compile(r"\.(?:s?html?|jsp|php|aspx?)$|/$"),
}
# Link texts of news columns, tried first.
NEWS_WORDS = re.compile(r"新闻|要闻|动态|资讯|通知|公告|快讯|报道|聚焦")
MAX_CANDIDATES = 15
MIN_ARTICLES = 3  # a list page shows at least this many article links
SAMPLE_ARTICLES = 3
_HOST_NOISE = {"www", "news", "xww", "xwzx", "xw", "edu", "cn", "com", "org", "net", "gov"}
_TITLE_SPLIT = re.compile(r"\s*[-_|–—]\s*")


def default_name(url: str) -> str:
    """The school's own label of the host: news.nankai.edu.cn -> nankai, zs.njust.edu.cn ->
    njust, demo-webplus.example -> demo-webplus (the last label is the top-level domain, never
    the name); an IP address or a one-label host is named as a whole."""
    host = (urlsplit(url).hostname or "site").lower()
    try:
        ipaddress.ip_address(host)
        return re.sub(r"[^a-z0-9._-]", "-", host)
    except ValueError:
        pass
    parts = host.split(".")
    labels = [p for p in parts[:-1] if p not in _HOST_NOISE] if len(parts) > 1 else parts
    name = labels[-1] if labels else host
    return re.sub(r"[^a-z0-9._-]", "-", name)


def school_from_title(title: str) -> str | None:
    """"学校要闻-南开大学新闻网" -> "南开大学"."""
    for part in reversed(_TITLE_SPLIT.split(title or "")):
        found = re.search(r"[\u4e00-\u9fff]{2,20}?(?:大学|学院|学校)", part)
        if found:
            return found.group(0)
    return None


@dataclass
class Findings:
    url: str
    family: str = "generic"
    school: str | None = None
    lists: list[tuple[str, int]] = field(default_factory=list)  # (url, article links)
    paging: str = "none found"
    articles: list[ArticleItem] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def newest_first(self) -> list[ArticleItem]:
        """The sample articles, newest first (undated ones last)."""
        return sorted(self.articles, key=lambda item: item.published or datetime.min,
                      reverse=True)


class SiteProbeSpider(scrapy.Spider):
    name = "new-site"

    def __init__(self, url: str, findings: Findings, **kwargs: Any):
        super().__init__(**kwargs)
        self.url = url
        self.findings = findings
        self.site = adhoc_site(url)
        self.allowed_domains = [urlsplit(url).hostname or ""]
        self.waiting = 0
        self.counts: dict[str, int] = {}

    async def start(self) -> Any:
        yield scrapy.Request(self.url, callback=self.parse_home, errback=self.home_failed)

    def _site(self) -> SiteConfig:
        return replace(self.site, cms=self.findings.family)

    def home_failed(self, failure: Any) -> None:
        from archiver.run.events import download_failure

        self.findings.problems.append(f"{self.url} does not answer with a page "
                                      f"({download_failure(failure)[1]}): give the school's news "
                                      "home page or one of its news list pages")

    def parse_home(self, response: Response) -> Iterator[scrapy.Request]:
        if not isinstance(response, TextResponse):
            self.findings.problems.append(f"{self.url} is not an HTML page")
            return
        findings = self.findings
        findings.family = detect_family(response.text) or "generic"
        findings.school = school_from_title(response.css("title::text").get() or "")
        site = self._site()
        listing = ListPage(response.text, response.url, site, response.selector)
        self.counts[response.url] = len(listing.articles)
        paged = listing.ecms_script or listing.pager.shown or listing.next_page()[0]
        if len(listing.articles) >= MIN_ARTICLES and paged:
            # A list page was given: it is the start URL, and its own pages (list_2.html...)
            # are its pagination, not other lists.
            findings.lists = [(response.url, len(listing.articles))]
            yield from self.check_list(listing)
            return
        candidates: dict[str, bool] = {}
        for anchor in response.css("a[href]"):
            href = urljoin(response.url, anchor.attrib["href"].strip())
            if (href.split("#")[0] in candidates or not site.allows(href)
                    or site.is_article_url(href) or href == response.url
                    or not LIST_URL[findings.family].search(urlsplit(href).path)):
                continue
            text = "".join(anchor.css("::text").getall())
            candidates[href.split("#")[0]] = bool(NEWS_WORDS.search(text))
        ordered = sorted(candidates, key=lambda u: not candidates[u])[:MAX_CANDIDATES]
        self.waiting = len(ordered)
        for url in ordered:
            yield scrapy.Request(url, callback=self.parse_candidate, errback=self.candidate_done)
        if not ordered:
            yield from self.choose_lists()

    def parse_candidate(self, response: Response) -> Iterator[scrapy.Request]:
        if isinstance(response, TextResponse):
            listing = ListPage(response.text, response.url, self._site(), response.selector)
            self.counts[response.url] = len(listing.articles)
        yield from self.candidate_done(None)

    def candidate_done(self, failure: Any) -> Iterator[scrapy.Request]:
        self.waiting -= 1
        if self.waiting <= 0:
            yield from self.choose_lists()

    def choose_lists(self) -> Iterator[scrapy.Request]:
        """The lists with the most article links become the start URLs (up to three, each with
        at least half the best one's count); then their paging and first articles are checked."""
        # The page given is used as a list only when none of its links leads to one.
        found = {url: n for url, n in self.counts.items() if n >= MIN_ARTICLES}
        if len(found) > 1:
            found.pop(self.url, None)
        ranked = sorted(((n, url) for url, n in found.items()), reverse=True)
        if not ranked:
            self.findings.problems.append("no page with article links was found")
            return
        best = ranked[0][0]
        self.findings.lists = [(url, n) for n, url in ranked[:3] if n * 2 >= best]
        yield scrapy.Request(self.findings.lists[0][0], callback=self.parse_best_list,
                             dont_filter=True)

    def parse_best_list(self, response: Response) -> Iterator[scrapy.Request]:
        if isinstance(response, TextResponse):
            yield from self.check_list(ListPage(response.text, response.url, self._site(),
                                                response.selector))

    def check_list(self, listing: ListPage) -> Iterator[scrapy.Request]:
        """Note how the list chains, and request its newest articles (by the dates the list
        shows; a list may pin older notices on top)."""
        pager = f"; its pager shows {listing.pager.evidence}" if listing.pager.shown else ""
        following, rule = listing.next_page()
        if listing.ecms_script:
            self.findings.paging = f"ecms pager script {listing.ecms_script}"
        elif following:
            self.findings.paging = f"next page {following} (found by {rule}){pager}"
            # Tried, not assumed: a next-page link that answers 404 is no pagination.
            yield scrapy.Request(following, callback=self.next_page_answered,
                                 errback=self.next_page_failed, dont_filter=True)
        else:
            self.findings.paging = f"none found{pager}"
            if listing.pager.has_more(1):
                self.findings.problems.append(
                    f"{listing.url} shows a pager but no next page was found: set "
                    "list.next_page to a CSS selector of its next-page link")
        dated = sorted(listing.articles, reverse=True,
                       key=lambda article: parse_date(article.date or "") or datetime.min)
        for article in dated[:SAMPLE_ARTICLES]:
            yield scrapy.Request(article.url, callback=self.parse_article,
                                 cb_kwargs={"list_date": article.date})

    def next_page_answered(self, response: Response) -> None:
        if not isinstance(response, TextResponse) or not ListPage(
                response.text, response.url, self._site(), response.selector).articles:
            self.next_page_failed(None, response.url, "it shows no article link")

    def next_page_failed(self, failure: Any, url: str | None = None, why: str = "") -> None:
        from archiver.run.events import download_failure

        url = url or failure.request.url
        why = why or f"it answers {download_failure(failure)[1]}"
        self.findings.paging = f"none that works (the next page found, {url}: {why})"
        self.findings.problems.append(
            f"the next list page found, {url}, is not one ({why}): only the first list page "
            "would be walked; set list.next_page to a CSS selector of the real next-page link")

    def parse_article(self, response: Response, list_date: str | None = None) -> None:
        if isinstance(response, TextResponse):
            item = extract_article(response.text, response.url, self._site(), list_date)
            self.findings.articles.append(item)
            reason = verdict(item).refused
            if reason:
                self.findings.problems.append(f"{response.url}: {reason}")


def config_text(findings: Findings, name: str, school: str, label: str) -> str:
    host = urlsplit(findings.url).hostname or ""
    domain = host[4:] if host.startswith("www.") else host
    data = {
        "name": name, "school": school, "label": label,
        "tags": [label, school], "categories": [label, school],
        "allowed_domains": [domain], "start_urls": [url for url, _ in findings.lists],
        "cms": findings.family,
    }
    lines = [
        f"# Written by `archiver new-site {findings.url}`.",
        f"# CMS family detected on the page: {findings.family}"
        + (" (no known family: the generic rules apply)" if findings.family == "generic"
           else " (its preset fills in every selector)"),
        "# List pages found (article links on each):",
        *[f"#   {url}  ({n})" for url, n in findings.lists],
        f"# Pagination on the first list: {findings.paging}",
        "# Articles tried (newest first):",
        *[f"#   {item.url}: {item.headline or '(no headline)'} "
          f"[{', '.join(f'{k}={v}' for k, v in item.rules.items())}]"
          for item in findings.newest_first()],
        *([f"# Problems: {p}" for p in findings.problems] or []),
        "# Check school, label, tags and categories: they name the archive.",
    ]
    return "\n".join(lines) + "\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
