"""The spider of one configured site. archiver.spiderloader makes one subclass per config."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response, TextResponse
from scrapy_playwright.page import PageMethod
from twisted.python.failure import Failure

from archiver.archive import read_article, source_link
from archiver.archive.integrity import article_headline, headline_matches
from archiver.browser import BrowserNotFound, missing_browser_message
from archiver.cms.paging import ecms_page_urls
from archiver.config import SiteConfig
from archiver.extract.article import extract_article
from archiver.extract.listing import ListPage
from archiver.extract.quality import verdict
from archiver.knownarticles import ARTICLE_REQUEST, KnownArticle
from archiver.run import signals as run_signals
from archiver.run import stats as keys
from archiver.run.events import Kind, download_failure
from archiver.run.guard import probes_wanted
from archiver.run.record import Recorder
from archiver.run.state import Mode, RunState
from archiver.run.stopping import RunStopped

# List pages walked per start URL and run when the site sets no list.max_pages: one run stays
# bounded; a longer list is walked on by the next run (archiver.run.resume).
DEFAULT_MAX_PAGES = 500
# An endless pager is known by what it serves: this many list pages in a row that bring no
# article link not seen before in this run's walk of the list (pages that repeat, empty pages).
BARREN_PAGES = 10

# A page that cannot be archived and links at least this many articles is a list page.
LIST_PAGE_LINKS = 3


def _url_list(urls: list[str] | str | None) -> list[str]:
    """URLs given as a list (the CLI) or comma-separated (`scrapy crawl -a urls=A,B`)."""
    if isinstance(urls, str):
        return [u for u in urls.split(",") if u]
    return list(urls or [])


def _dated_urls(urls: dict[str, str | None] | list[str] | str | None) -> dict[str, str | None]:
    """URL -> the date archived with it (`archiver refresh` gives them), or URLs without dates
    (`scrapy crawl SITE -a refresh=A,B`)."""
    if isinstance(urls, dict):
        return dict(urls)
    return dict.fromkeys(_url_list(urls))


_PASSWORD = re.compile(rb"password", re.I)


def _has_password_input(response: TextResponse) -> bool:
    """A login form on the page (looked for in the bytes first: most pages have no such word)."""
    return bool(_PASSWORD.search(response.body)) and bool(
        response.xpath("//input[translate(@type, 'PASWORD', 'pasword')='password']"))


class SiteSpider(scrapy.Spider):
    site: ClassVar[SiteConfig]

    def __init__(self, *args: Any, urls: list[str] | str | None = None,
                 max_articles: int | str | None = None, full: bool | str = False,
                 refresh: dict[str, str | None] | list[str] | str | None = None,
                 preview: bool = False,
                 retry_gone: bool | str = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # `archiver fetch` (or `scrapy crawl SITE -a urls=A,B`) archives these pages only.
        self.fetch_urls = _url_list(urls)
        # `archiver refresh`: re-fetch these archived articles. Each keeps the date it was
        # archived with when its page states none (the date came from its list page).
        self.refresh_dates = _dated_urls(refresh)
        self.refresh_urls = list(self.refresh_dates)
        self.max_articles = int(max_articles) if max_articles else None
        # Walk every list page, not only up to the first one without a new article.
        self.full = full in (True, "1", "true", "yes")
        # `archiver preview`: archived articles are shown too, and nothing is written.
        self.mode = Mode.of(urls=self.fetch_urls, refresh=self.refresh_urls, preview=preview)
        self.requested_articles = 0
        # `--retry-gone`: articles recorded as gone (404/410 on two crawls in a row) are asked
        # for again.
        self.retry_gone = retry_gone in (True, "1", "true", "yes")
        # The run's state (archive index, dead links, walk plans): handed over when the spider
        # opens (archiver.run.extension); this empty one walks everything and skips nothing.
        self.run = RunState(self.mode)
        # Article URLs requested and not yet answered: whatever is left when the crawl ends
        # was dropped on the way (a redirect loop ends in Scrapy's duplicate filter, silently).
        self.pending: set[str] = set()
        # Article URLs asked for in this run: a list link to one of them is not asked twice
        # (Scrapy's duplicate filter would drop it and leave it looking lost).
        self.asked: set[str] = set()
        # WeChat articles a list links to, named once per run (see _offsite).
        self.offsite_seen: set[str] = set()
        # Canonical article URLs met on the lists of this run, each with whether this run
        # requests it: each is handled once, however many list pages (or forms of the URL)
        # link it.
        self.listed_seen: dict[str, bool] = {}
        # Per start URL: the article links its walk has met; per walk (start URL, deep): list
        # pages walked in this run, and list pages in a row that brought no link not met before.
        self.walk_links: dict[str, set[str]] = {}
        self.walked: dict[tuple[str, bool], int] = {}
        self.barren: dict[tuple[str, bool], int] = {}
        self.probed = False  # archived articles asked for as evidence the site is up

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SiteSpider:
        if cls.site.render and not crawler.settings.getbool("ARCHIVER_BROWSER_FOUND"):
            raise BrowserNotFound(f"{cls.name}: {missing_browser_message()}")
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.record = Recorder(crawler)
        crawler.signals.connect(spider.probe_if_needed, signal=signals.spider_idle)
        return spider

    def _tell(self, signal: object, **kwargs: Any) -> None:
        """Report to the run's bookkeeping (archiver.run.signals)."""
        self.crawler.signals.send_catch_log(signal=signal, **kwargs)

    def _browser_meta(self, kind: str) -> dict[str, Any]:
        """Request meta that sends a page through the browser, when the site renders it."""
        if not self.site.renders(kind):
            return {}
        methods = [PageMethod("wait_for_load_state", "networkidle")]
        if self.site.render_wait:
            methods.append(PageMethod("wait_for_selector", self.site.render_wait))
        return {"playwright": True, "playwright_page_methods": methods}

    def _list_request(self, url: str, page: int, start: str, pending: list[str] | None = None,
                      deep: bool = False) -> scrapy.Request:
        # deep: the walk that goes on from where the last run's cap stopped a long list.
        return scrapy.Request(url, callback=self.parse_list, errback=self.list_failed,
                              cb_kwargs={"page": page, "start": start, "deep": deep},
                              meta={"ecms_pages": pending or [], "archiver_capture": "list",
                                    **self._browser_meta("lists")})

    async def start(self) -> AsyncIterator[scrapy.Request]:
        # self.run was handed over on spider_opened, before the first request is asked for.
        if self.refresh_urls:
            for url, date in self.refresh_dates.items():
                request = self._article_request(url, list_date=date)
                request.meta["refresh"] = True
                yield request
            return
        if self.fetch_urls:
            for url in dict.fromkeys(map(self.site.canonical, self.fetch_urls)):
                yield self._article_request(url)
            return
        for url in self.site.start_urls:
            dead = self.run.dead
            # An article that failed its second 404/410 last time now rests as gone (the list
            # page counts it when it meets it): not asked for again.
            retry = []
            for article in map(self.site.canonical, self.run.plan(url).retry):
                if article not in self.run.index and not (dead and dead.skip(article)):
                    self.listed_seen[article] = True
                    retry.append(article)
            self._listed(url, retry)
            for article in retry:
                yield self._article_request(article)
            yield self._list_request(url, 1, url)
            resume = self.run.plan(url).resume
            if resume:
                yield self._list_request(resume["url"], resume["page"], url,
                                         resume["pending"], deep=True)

    # -- list pages ------------------------------------------------------------------------------

    def parse_list(self, response: Response, page: int, start: str,
                   deep: bool = False) -> Iterator[scrapy.Request]:
        if not isinstance(response, TextResponse):
            if deep:
                self._pause(start, response.url, page, response.meta.get("ecms_pages", []), deep)
            self._list_failure(response.url, start, "not_html",
                               "not an HTML page; the walk of this list ends here", deep)
            return
        listing = ListPage(response.text, response.url, self.site, response.selector)
        if not listing.articles and self._walled(response, start):
            return
        self.crawler.stats.inc_value(keys.LISTS_WALKED)
        self.walked[start, deep] = self.walked.get((start, deep), 0) + 1
        self.crawler.stats.inc_value(keys.LIST_LINKS, len(listing.articles))
        requests, new, unseen, cut = self._new_articles(listing, start)
        self._listed(start, [url for url, _, _ in requests])
        for url, date, headline in requests:
            yield self._article_request(url, date, headline)
        if cut:
            if deep:  # this page again next run: none of its articles is skipped
                self._pause(start, response.url, page, response.meta.get("ecms_pages", []),
                            deep)
            else:
                self._cut(start, f"--max-articles {self.max_articles} stopped the walk")
            return
        self._offsite(listing.wechat_articles)
        if not new and not deep and not self._walks_in_full(start):
            # Lists run newest first: a page with nothing new means the rest is archived (the
            # walk record says whether that holds, see archiver.run.resume). An unchanged site
            # costs one list page per start URL (`--full` walks them all). The deep walk of a
            # long list goes on: the pages it resumes at show what the last run already saw.
            return
        if self._endless(response.url, start, deep, page, unseen):
            return
        yield from self._next_list(response, listing, page, start, deep)

    def _new_articles(self, listing: ListPage, start: str
                      ) -> tuple[list[tuple[str, str | None, str]], int, int, bool]:
        """What a list page brings: the articles to request (canonical URL, list date; neither
        archived nor gone nor asked for already), how many of its articles are news for the
        incremental stop, how many links this walk had not met (the endless-pager check), and
        whether --max-articles cut the walk on this page."""
        requests: list[tuple[str, str | None, str]] = []
        new = unseen = 0
        met = self.walk_links.setdefault(start, set())
        for article in listing.articles:
            # One article, one URL: `:80`, `;jsessionid=`, `?from=rss` and the order of the
            # query make no new article (archiver.urls.canonical_url).
            url = self.site.canonical(article.url)
            if url not in met:
                met.add(url)
                unseen += 1
            if url in self.listed_seen:
                # Requested already in this run (through another list page): still news for
                # the incremental stop, but asked for once.
                new += self.listed_seen[url]
                continue
            if self._known(article.url, url):
                # Checked before the request is scheduled: archived articles cost nothing.
                continue
            if self._ignored(article.url) or self._gone(url) or url in self.asked:
                continue  # ignored, gone, or asked for already (a retry of the last run)
            if self.max_articles is not None and self.requested_articles >= self.max_articles:
                return requests, new, unseen, True
            self.listed_seen[url] = True
            self.requested_articles += 1
            new += 1
            requests.append((url, article.date, article.headline))
        return requests, new, unseen, False

    def _endless(self, url: str, start: str, deep: bool, page: int, unseen: int) -> bool:
        """Whether the list's pager is endless, judged by what it serves: BARREN_PAGES pages in
        a row bringing no article link this walk had not met (repeats, empty pages). The walk
        ends there as at the end of the list, with a health warning."""
        barren = 0 if unseen else self.barren.get((start, deep), 0) + 1
        self.barren[start, deep] = barren
        if barren < BARREN_PAGES:
            return False
        self.record(Kind.HEALTH, "endless_pager", start,
                    f"the list {start} looks like an endless pager: {barren} list pages in a "
                    f"row, up to page {page} ({url}), brought no article link not seen before; "
                    "its walk stopped there", site=self.name, page_url=url, page=page,
                    barren_pages=barren)
        self._tell(run_signals.walk_ended, start=start, page=None)
        return True

    def _known(self, listed: str, url: str) -> bool:
        """Whether the archive holds the listed article (by the URL as linked or canonical, an
        alias or a file's own source link): counted as already archived, or as an alias. (A
        preview's index is empty: it shows archived articles too.)"""
        found = self.run.index.find(listed)
        if found is None:
            return False
        self.listed_seen[url] = False
        self._count_known(url, found)
        return True

    def _count_known(self, url: str, found: Any) -> None:
        if found.fresh:
            self.record.alias(url, found.file, site=self.name)
        else:
            self.crawler.stats.inc_value(keys.ARTICLES_ARCHIVED)

    def _walled(self, response: TextResponse, start: str) -> bool:
        """A list page that lists nothing because the site put a wall in front of it: a login
        form, or a redirect to another page (a login page) instead of the list. A failure of
        that list page, never "no news"."""
        chain = response.meta.get("redirect_urls") or []
        asked = chain[0] if chain else response.url
        if _has_password_input(response):
            why = f"the list page answers a login page ({response.url}: a password form)"
            code = "login_page"
        elif chain:
            why = (f"the list page redirects to {response.url}, which lists no article (a login "
                   "page?)")
            code = "list_redirected"
        else:
            return False
        self._list_failure(asked, start, code, why)
        return True

    def _ignored(self, url: str) -> bool:
        """A listed link the site's config acknowledges as not archivable (`ignore_links`):
        not requested, counted and named as ignored (once per run), never a failure."""
        if not self.site.ignores(url):
            return False
        if url not in self.offsite_seen:
            self.offsite_seen.add(url)
            self.record(Kind.IGNORED, "ignored_link", url,
                        "acknowledged in the site's config (ignore_links): not archived, not a "
                        "failure", site=self.name)
        return True

    def _offsite(self, listed: list) -> None:
        """Count and name the listed articles the archiver does not fetch (WeChat articles):
        a site's news must never go missing without a word."""
        for article in listed:
            if article.url in self.offsite_seen or self._ignored(article.url):
                continue
            self.offsite_seen.add(article.url)
            self.record(Kind.OFFSITE, "wechat", article.url,
                        "a WeChat official-account article (mp.weixin.qq.com) that the list "
                        "links to; the archiver does not fetch WeChat pages, so it is not "
                        "archived: save it by hand if it matters", site=self.name)

    def _walks_in_full(self, start: str) -> bool:
        return self.full or self.run.plan(start).full

    def _next_list(self, response: TextResponse, listing: ListPage, page: int,
                   start: str, deep: bool = False) -> Iterator[scrapy.Request]:
        pending: list[str] = response.meta.get("ecms_pages", [])
        if listing.ecms_script and page == 1 and not pending:
            yield scrapy.Request(listing.ecms_script, callback=self.parse_ecms_pager,
                                 errback=self.list_failed, cb_kwargs={"start": start})
            return
        url, rule = (pending[0], "ecms pager") if pending else listing.next_page(page)
        if not url:
            if listing.pager.has_more(page):
                # Never a silent one-page walk: the pager says more pages follow (the summary
                # and the report say so through the site's health).
                self.record(Kind.HEALTH, "pager_without_next", response.url,
                            f"list page {response.url} shows a pager but no next page was "
                            "found: the walk of that list ended there; set list.next_page in "
                            "the site's config (or render: lists when the pager is a script)",
                            site=self.name)
                if not deep:
                    self._cut(start, f"the list page {response.url} shows a pager but no next "
                              "page was found")
                    return
            self._ended(start, page)
            return
        cap = self.site.list.max_pages or DEFAULT_MAX_PAGES
        if self.walked.get((start, deep), 0) >= cap:
            # The cap bounds one run, not the archive: the next run walks on from here.
            self.record(Kind.CAPPED, "list_capped", start,
                        f"this run walked the list {start} to the cap of {cap} list pages; the "
                        f"next run goes on from list page {page + 1}", site=self.name,
                        max_pages=cap, next_page=page + 1, next_url=url)
            self._pause(start, url, page + 1, pending[1:], deep)
            return
        self.logger.debug("Next list page (by %s): %s", rule, url)
        yield self._list_request(url, page + 1, start, pending[1:], deep)

    def _ended(self, start: str, page: int) -> None:
        self._tell(run_signals.walk_ended, start=start, page=page)

    def _pause(self, start: str, url: str, page: int, pending: list[str], deep: bool) -> None:
        self._tell(run_signals.walk_paused, start=start,
                   point={"url": url, "page": page, "pending": pending}, deep=deep)

    def parse_ecms_pager(self, response: Response, start: str) -> Iterator[scrapy.Request]:
        pages = ecms_page_urls(response.url, response.text if isinstance(response, TextResponse)
                               else response.body.decode("latin-1"))
        if pages:
            yield self._list_request(pages[0], 2, start, pages[1:])

    def list_failed(self, failure: Failure) -> None:
        # A dead list page ends that list's walk; the articles found so far still archive.
        if failure.check(RunStopped):
            return  # the run is stopping: its walks are recorded as unfinished
        code, reason = download_failure(failure)
        request = failure.request
        self.logger.error("List page failed: %s: %s", request.url, reason)
        deep = bool(request.cb_kwargs.get("deep"))
        if deep:
            # The deep walk of a long list: the next run asks for this page again.
            self._pause(request.cb_kwargs["start"], request.url, request.cb_kwargs["page"],
                        request.meta.get("ecms_pages", []), True)
        self._list_failure(request.url, request.cb_kwargs["start"], code, reason, deep)

    def _list_failure(self, url: str, start: str, code: str, reason: str,
                      deep: bool = False) -> None:
        self.record(Kind.LIST, code, url, reason, site=self.name)
        if not deep:
            self._cut(start, f"the list page {url} failed ({reason})")

    def _cut(self, start: str, why: str) -> None:
        self._tell(run_signals.walk_cut, start=start, why=why)

    # -- article pages ---------------------------------------------------------------------------

    def _listed(self, start: str, urls: list[str]) -> None:
        """These articles of the list are about to be requested: a failure of one of them is
        that list's to retry next time. Said once per list page, not once per article."""
        if urls:
            self._tell(run_signals.articles_listed, urls=urls, start=start)

    def _article_request(self, url: str, list_date: str | None = None,
                         list_headline: str = "") -> scrapy.Request:
        self.pending.add(url)
        self.asked.add(url)
        # The date the list showed beside the link: the article's date when its page has none.
        return scrapy.Request(url, callback=self.parse_article, errback=self.article_failed,
                              cb_kwargs={"source_url": url, "list_date": list_date,
                                         "list_headline": list_headline},
                              meta={ARTICLE_REQUEST: True, "archiver_capture": "article",
                                    **self._browser_meta("articles")})

    def _gone(self, url: str) -> bool:
        """Count and skip an article recorded as gone (not a failure: it rests)."""
        entry = self.run.dead.skip(url) if self.run.dead else None
        if entry and url in self.run.dead.seen:
            # It became gone in this very run (its retry answered 404/410 before a list page
            # linked it): counted as failed already, not counted again as gone.
            return True
        if entry:
            self.record(Kind.GONE, "known_dead", url,
                        f"HTTP {entry['status']} on {entry['runs']} crawls in a row, last "
                        f"{entry['last']}; skipped (--retry-gone tries it again)",
                        site=self.name)
        return bool(entry)

    # -- evidence that the site is up (an outage is not death) -----------------------------------

    def probe_if_needed(self) -> None:
        """At the end of a crawl whose 404/410 answers are not outweighed by articles that
        answered, ask for a few archived articles: if they answer, the site is up and the
        404s are dead links; if they fail too, it is an outage (archiver.run.guard)."""
        dead = self.run.dead
        if self.mode is not Mode.CRAWL or self.probed or not dead or not dead.pending:
            return
        self.probed = True
        guard = self.run.guard
        wanted = probes_wanted(*guard.answers(self.crawler.stats.get_stats()))
        folder = self.run.folder
        requests = []
        for name in sorted(self.run.index.names):
            if len(requests) >= wanted or folder is None:
                break
            try:
                post = read_article(folder / f"{name}.md")
            except Exception:  # noqa: BLE001 (a broken file is check's to report)
                continue
            url = source_link(post.content)
            if url and url not in dead.pending and url not in dead.entries:
                requests.append(scrapy.Request(
                    url, callback=self.probe_answered, errback=self.probe_failed,
                    dont_filter=True, meta=self._browser_meta("articles"),
                    cb_kwargs={"expected": article_headline(str(post.get("title") or ""))}))
        for request in requests:
            self.crawler.engine.crawl(request)
        if requests:
            raise DontCloseSpider

    def probe_answered(self, response: Response, expected: str) -> None:
        answered = isinstance(response, TextResponse) and headline_matches(
            extract_article(response.text, response.url, self.site).headline, expected)
        if answered:
            self.run.guard.probe_ok += 1
        else:
            self.run.guard.probe_failed += 1

    def probe_failed(self, failure: Failure) -> None:
        self.run.guard.probe_failed += 1

    def closed(self, reason: str) -> None:
        if reason != "finished":
            return  # interrupted: what was not fetched is simply not done yet
        for url in sorted(self.pending):
            self.record(Kind.ARTICLE, "no_response", url,
                        "no response: the request was dropped on the way (a redirect loop, or "
                        "a redirect to a page already fetched)", site=self.name)

    def parse_article(self, response: Response, source_url: str,
                      list_date: str | None = None, list_headline: str = "") -> Any:
        self.pending.discard(source_url)
        if self.run.dead:
            self.run.dead.alive(source_url)
        refresh = bool(response.meta.get("refresh"))
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
        # Scrapy guesses HTML from a .htm URL even when the server says application/pdf: the
        # server's word wins.
        declared_other = content_type and not any(t in content_type for t in ("html", "xml"))
        if not isinstance(response, TextResponse) or declared_other:
            self.record(Kind.ARTICLE, "not_html", source_url,
                        f"not an HTML page (Content-Type: {content_type or 'none'})",
                        site=self.name)
            return None
        if not response.body.strip():
            kept = "; archived file kept" if refresh else ""
            self.record(Kind.ARTICLE, "empty_page", source_url,
                        f"empty page (HTTP {response.status} with no content){kept}",
                        site=self.name)
            return None
        # The archive keeps the URL as linked, even when the server redirected it.
        item = extract_article(response.text, source_url, self.site, list_date=list_date)
        item.refresh = refresh
        item.list_headline = list_headline
        item.login_form = _has_password_input(response)
        if self.fetch_urls and self._list_page(response, item):
            return None
        if keys.count_rules(self.crawler.stats, item.rules):
            self._tell(run_signals.body_fallback, url=item.url)
        return item

    def _list_page(self, response: TextResponse, item: Any) -> bool:
        """`fetch` of a list or home page: say so, rather than only that it has no date."""
        reason = verdict(item).refused
        if not reason:
            return False
        links = ListPage(response.text, response.url, self.site, response.selector).articles
        if len(links) < LIST_PAGE_LINKS:
            return False
        self.record(
            Kind.ARTICLE, "list_page", item.url,
            f"this looks like a list page ({len(links)} article links; {reason}): fetch takes "
            "article pages; `archiver crawl` walks the lists of a configured site",
            site=self.name)
        return True

    def article_failed(self, failure: Failure) -> None:
        url = failure.request.cb_kwargs.get("source_url", failure.request.url)
        self.pending.discard(url)
        if failure.check(KnownArticle):
            # Found archived (an alias learned meanwhile) just before the request went out.
            self._count_known(url, failure.value.found)
            return
        if failure.check(RunStopped):
            return  # not a failure: the run is stopping, the next one asks again
        code, reason = download_failure(failure)
        response = getattr(failure.value, "response", None)
        if failure.request.meta.get("refresh") and response is not None \
                and response.status in (404, 410):
            # The source is gone; the archived file is kept (that is what the archive is for).
            self.record(Kind.GONE, code, url,
                        f"HTTP {response.status} at the source; archived file kept",
                        site=self.name)
            return
        dead = self.run.dead
        if dead and response is not None and response.status in (404, 410) \
                and not failure.request.meta.get("refresh"):
            # Counted toward "gone" at the end, if the site was otherwise up (SiteRun).
            dead.strike(url, response.status)
        self.logger.error("Article failed: %s: %s", url, reason)
        self.record(Kind.ARTICLE, code, url, reason, site=self.name)
