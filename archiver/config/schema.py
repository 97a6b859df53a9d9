"""What a site config is: the frozen, typed SiteConfig that downstream code reads
(`site.article.body`, never raw dictionaries), and the error a broken config gives."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol
from urllib.parse import urlsplit

from archiver.cms.families import FAMILIES, CmsFamily
from archiver.urls import canonical_url

IMAGE_LINK_MODES = ("original", "local")
# `render:` values: which pages a browser renders (true means all).
RENDER_VALUES = ("lists", "articles", "all")
# `cms:` values: a family's preset, or "auto" to detect the family on each page.
CMS_VALUES = (*FAMILIES, "auto")


class ConfigError(ValueError):
    """A site config that cannot be used; the message names the file and the key."""

    def __init__(self, source: object, key: str | None, problem: str):
        self.source = str(source)
        self.key = key
        self.problem = problem
        where = f"{source}: key '{key}'" if key else str(source)
        super().__init__(f"{where}: {problem}")

    def one_line(self) -> str:
        """The message on one line (YAML's messages span several, with a caret drawing)."""
        return " ".join(line.strip() for line in str(self).splitlines() if line.strip(" ^"))


class Pattern(Protocol):
    """A compiled URL pattern (RE2 for configs, `re` for the presets): only search is used."""

    def search(self, string: str) -> Any: ...


@dataclass(frozen=True)
class ListRules:
    """How list pages are read."""

    # CSS selector for the <a> elements that link to articles; None: every link on the page
    # whose URL matches article.url_pattern.
    article_links: str | None = None
    # CSS selector for the next list page's <a>; None: the CMS preset's, then the link's text
    # and the page's numbering (archiver.cms.paging).
    next_page: str | None = None
    # Stop after this many list pages per start URL; None: follow until there is no next page.
    max_pages: int | None = None
    # None: the CMS preset's way of paging.
    paging: str | None = None


@dataclass(frozen=True)
class UrlParams:
    """Query parameters a site keeps although archiver.urls drops them by default, or drops
    besides them (lower case; a trailing "*" is a prefix)."""

    keep: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()


@dataclass(frozen=True)
class ArticleRules:
    """Which URLs are articles, and where a page keeps its fields (None: the CMS preset's)."""

    # Compiled with RE2 (linear time): no URL can make the crawl hang in it.
    url_pattern: Pattern | None = None
    headline: str | None = None
    published: str | None = None
    body: str | None = None


def _on_domains(url: str, domains: tuple[str, ...]) -> bool:
    """True when the URL is http(s) on one of the domains or their subdomains."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https"):
        return False
    return any(host == d or host.endswith("." + d) for d in domains)


@dataclass(frozen=True)
class SiteConfig:
    name: str
    school: str
    label: str
    tags: tuple[str, ...]
    categories: tuple[str, ...]
    allowed_domains: tuple[str, ...]
    start_urls: tuple[str, ...]
    list: ListRules
    article: ArticleRules
    cms: str = "auto"
    # Hosts outside allowed_domains that article images may come from (a CDN); nothing else
    # is ever requested from them.
    image_domains: tuple[str, ...] = ()
    image_links: str | None = None  # None: the global ARCHIVER_IMAGE_LINKS
    # Raw captures (WARC) of what the crawl fetches: "pages" (article and list pages), "all"
    # (images and attachments too) or "off" (archiver.capture).
    capture: str = "pages"
    # Convert traditional to simplified Chinese (OpenCC t2s), for sites that serve only a
    # traditional rendition.
    t2s: bool = False
    # Which pages go through a browser (scrapy-playwright): None, "lists", "articles" or "all".
    render: str | None = None
    # CSS selector the browser waits for before the page counts as rendered.
    render_wait: str | None = None
    # When `archiver crawl --due` crawls it: hourly, daily, weekly or a cron expression.
    schedule: str | None = None
    # Which query parameters of article URLs choose no article (archiver.urls.canonical_url).
    url_params: UrlParams = UrlParams()
    # Links the archive cannot hold and the operator has acknowledged (WeChat articles, a
    # login-only system): RE2 patterns searched in a listed article URL. Such a link is not
    # requested and is counted as "ignored", not as a failure.
    ignore_links: tuple[Pattern, ...] = ()
    # Per-site Scrapy settings, from the allow-list in archiver.config.sitesettings.
    settings: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    source: str = ""
    # False for the site of a host no config covers (`archiver fetch URL`, see adhoc_site).
    configured: bool = True

    def allows(self, url: str) -> bool:
        """True when the URL is http(s) on one of the site's domains or their subdomains."""
        return _on_domains(url, self.allowed_domains)

    def ignores(self, url: str) -> bool:
        """True when the URL is a link the config acknowledges as not archivable."""
        return any(pattern.search(url) for pattern in self.ignore_links)

    def renders(self, kind: str) -> bool:
        """Whether list ("lists") or article ("articles") pages go through the browser."""
        return self.render in ("all", kind)

    def allows_image(self, url: str) -> bool:
        return self.allows(url) or _on_domains(url, self.image_domains)

    def family(self, detected: str | None) -> str:
        """The CMS family whose preset applies to a page: the configured one, or for
        `cms: auto` the one detected on the page (generic when none was)."""
        return self.cms if self.cms != "auto" else (detected or "generic")

    def preset(self, detected: str | None = None) -> CmsFamily:
        """The spec of the page's CMS family: its selectors, paging and article URLs."""
        return FAMILIES[self.family(detected)]

    def selectors(self, field_name: str, detected: str | None = None) -> tuple[str, ...]:
        """Candidate selectors of an article field: the config's own, else the preset's."""
        explicit = getattr(self.article, field_name)
        return (explicit,) if explicit else getattr(self.preset(detected), field_name)

    def list_link_selectors(self, detected: str | None = None) -> tuple[str, ...]:
        explicit = self.list.article_links
        return (explicit,) if explicit else self.preset(detected).list_links

    def canonical(self, url: str) -> str:
        """The article URL the archive keeps, requests and names its file by (one article, one
        URL): see archiver.urls.canonical_url."""
        return canonical_url(url, self.url_params.keep, self.url_params.drop)

    def next_page_selectors(self, detected: str | None = None) -> tuple[str, ...]:
        """The site's own next-page selector, else its CMS family's."""
        explicit = self.list.next_page
        return (explicit,) if explicit else self.preset(detected).next_links

    def paging(self, detected: str | None = None) -> str:
        """How the lists chain: the site's `list.paging`, else its CMS family's."""
        return self.list.paging or self.preset(detected).paging

    def is_article_url(self, url: str) -> bool:
        if self.article.url_pattern is not None:
            return bool(self.article.url_pattern.search(url))
        if self.cms == "auto":
            return any(f.article_url.search(url) for f in FAMILIES.values())
        return bool(self.preset().article_url.search(url))
