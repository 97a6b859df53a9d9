"""Site configs: one YAML file per site -> a frozen, typed SiteConfig, validated once.

A broken file gives one ConfigError that names the file and the key; the other sites still load.
Downstream code reads `site.article.body`, never raw dictionaries.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

import yaml
from cssselect import SelectorError
from parsel.csstranslator import HTMLTranslator

from archiver.cms.paging import PAGING_MODES
from archiver.cms.presets import FAMILIES, PRESETS, Preset

IMAGE_LINK_MODES = ("original", "local")
# `render:` values: which pages a browser renders (true means all).
RENDER_VALUES = ("lists", "articles", "all")
# `cms:` values: a family's preset, or "auto" to detect the family on each page.
CMS_VALUES = (*FAMILIES, "auto")
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_SETTING_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")
_css = HTMLTranslator()


class ConfigError(ValueError):
    """A site config that cannot be used; the message names the file and the key."""

    def __init__(self, source: Path | str, key: str | None, problem: str):
        self.source = str(source)
        self.key = key
        self.problem = problem
        where = f"{source}: key '{key}'" if key else str(source)
        super().__init__(f"{where}: {problem}")


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
class ArticleRules:
    """Which URLs are articles, and where a page keeps its fields (None: the CMS preset's)."""

    url_pattern: re.Pattern[str] | None = None
    headline: str | None = None
    published: str | None = None
    body: str | None = None


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
    # Convert traditional to simplified Chinese (OpenCC t2s), for sites that serve only a
    # traditional rendition.
    t2s: bool = False
    # Which pages go through a browser (scrapy-playwright): None, "lists", "articles" or "all".
    render: str | None = None
    # CSS selector the browser waits for before the page counts as rendered.
    render_wait: str | None = None
    # When `archiver crawl --due` crawls it: hourly, daily, weekly or a cron expression.
    schedule: str | None = None
    settings: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    source: str = ""

    def allows(self, url: str) -> bool:
        """True when the URL is http(s) on one of the site's domains or their subdomains."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https"):
            return False
        return any(host == d or host.endswith("." + d) for d in self.allowed_domains)

    def renders(self, kind: str) -> bool:
        """Whether list ("lists") or article ("articles") pages go through the browser."""
        return self.render in ("all", kind)

    def allows_image(self, url: str) -> bool:
        if self.allows(url):
            return True
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        return parts.scheme in ("http", "https") and any(
            host == d or host.endswith("." + d) for d in self.image_domains)

    def family(self, detected: str | None) -> str:
        """The CMS family whose preset applies to a page: the configured one, or for
        `cms: auto` the one detected on the page (generic when none was)."""
        return self.cms if self.cms != "auto" else (detected or "generic")

    def preset(self, detected: str | None = None) -> Preset:
        return PRESETS[self.family(detected)]

    def selectors(self, field_name: str, detected: str | None = None) -> tuple[str, ...]:
        """Candidate selectors of an article field: the config's own, else the preset's."""
        explicit = getattr(self.article, field_name)
        return (explicit,) if explicit else getattr(self.preset(detected), field_name)

    def list_link_selectors(self, detected: str | None = None) -> tuple[str, ...]:
        explicit = self.list.article_links
        return (explicit,) if explicit else self.preset(detected).list_links

    def is_article_url(self, url: str) -> bool:
        if self.article.url_pattern is not None:
            return bool(self.article.url_pattern.search(url))
        if self.cms == "auto":
            return any(p.article_url.search(url) for p in PRESETS.values())
        return bool(self.preset().article_url.search(url))


_TOP_KEYS = {
    "name", "school", "label", "tags", "categories", "allowed_domains", "start_urls",
    "list", "article", "image_links", "settings", "cms", "t2s", "image_domains", "render",
    "render_wait", "schedule",
}
_LIST_KEYS = {"article_links", "next_page", "max_pages", "paging"}
_ARTICLE_KEYS = {"url_pattern", "headline", "published", "body"}


class _Reader:
    """Typed access to one YAML mapping; every failure raises ConfigError naming the key."""

    def __init__(self, source: Path, data: Any, prefix: str = ""):
        self.source = source
        self.prefix = prefix
        if not isinstance(data, dict):
            raise ConfigError(source, prefix.rstrip(".") or None, "must be a mapping of keys")
        self.data = data

    def key(self, name: str) -> str:
        return self.prefix + name

    def error(self, name: str, problem: str) -> ConfigError:
        return ConfigError(self.source, self.key(name), problem)

    def check_known(self, known: set[str]) -> None:
        for name in self.data:
            if name not in known:
                raise self.error(str(name), f"unknown key (known: {', '.join(sorted(known))})")

    def text(self, name: str, required: bool = True) -> str | None:
        value = self.data.get(name)
        if value is None:
            if required:
                raise self.error(name, "is missing")
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.error(name, f"must be a non-empty string, got {value!r}")
        return value.strip()

    def texts(self, name: str, required: bool = True) -> tuple[str, ...]:
        value = self.data.get(name)
        if value is None:
            if required:
                raise self.error(name, "is missing")
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.error(name, "must be a list of non-empty strings")
        if required and not value:
            raise self.error(name, "must not be empty")
        return tuple(v.strip() for v in value)

    def selector(self, name: str) -> str | None:
        value = self.text(name, required=False)
        if value is not None:
            try:
                _css.css_to_xpath(value)
            except SelectorError as exc:
                raise self.error(name, f"is not a valid CSS selector: {exc}") from None
        return value

    def regex(self, name: str) -> re.Pattern[str] | None:
        value = self.text(name, required=False)
        if value is None:
            return None
        try:
            return re.compile(value)
        except re.error as exc:
            raise self.error(name, f"is not a valid regular expression: {exc}") from None

    def choice(self, name: str, choices: tuple[str, ...], default: str | None) -> str | None:
        value = self.text(name, required=False)
        if value is None:
            return default
        if value not in choices:
            raise self.error(name, f"must be one of {', '.join(choices)}, got {value!r}")
        return value

    def flag(self, name: str) -> bool:
        value = self.data.get(name, False)
        if not isinstance(value, bool):
            raise self.error(name, f"must be true or false, got {value!r}")
        return value

    def positive_int(self, name: str) -> int | None:
        value = self.data.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise self.error(name, f"must be a whole number >= 1, got {value!r}")
        return value

    def section(self, name: str, known: set[str]) -> _Reader:
        sub = _Reader(self.source, self.data.get(name) or {}, self.key(name) + ".")
        sub.check_known(known)
        return sub


def parse_site(source: Path, data: Any) -> SiteConfig:
    """Validate one parsed YAML document into a SiteConfig."""
    top = _Reader(source, data)
    top.check_known(_TOP_KEYS)
    name = top.text("name")
    if not _NAME_RE.match(name):
        raise top.error("name", f"must be lower-case letters, digits, '-' or '_', got {name!r}")
    domains = tuple(d.lower() for d in top.texts("allowed_domains"))
    start_urls = top.texts("start_urls")
    for url in start_urls:
        if urlsplit(url).scheme not in ("http", "https"):
            raise top.error("start_urls", f"{url!r} is not an http(s) URL")

    lists = top.section("list", _LIST_KEYS)
    article = top.section("article", _ARTICLE_KEYS)
    paging = lists.choice("paging", PAGING_MODES, None)
    image_links = top.choice("image_links", IMAGE_LINK_MODES, None)
    cms = top.choice("cms", CMS_VALUES, "auto")
    render = top.data.get("render")
    if render is True:
        render = "all"
    elif render in (False, None):
        render = None
    elif render not in RENDER_VALUES:
        raise top.error("render", f"must be true, false, {', '.join(RENDER_VALUES)}; "
                        f"got {render!r}")

    settings = top.data.get("settings") or {}
    if not isinstance(settings, dict):
        raise top.error("settings", "must be a mapping of Scrapy setting names to values")
    for key, value in settings.items():
        if not isinstance(key, str) or not _SETTING_RE.match(key):
            raise top.error(f"settings.{key}", "must be an upper-case Scrapy setting name")
        if not isinstance(value, str | int | float | bool):
            raise top.error(f"settings.{key}", "must be a plain value (string, number, bool)")

    site = SiteConfig(
        name=name,
        school=top.text("school"),
        label=top.text("label"),
        tags=top.texts("tags"),
        categories=top.texts("categories"),
        allowed_domains=domains,
        start_urls=start_urls,
        list=ListRules(
            article_links=lists.selector("article_links"),
            next_page=lists.selector("next_page"),
            max_pages=lists.positive_int("max_pages"),
            paging=paging,
        ),
        article=ArticleRules(
            url_pattern=article.regex("url_pattern"),
            headline=article.selector("headline"),
            published=article.selector("published"),
            body=article.selector("body"),
        ),
        cms=cms,
        image_domains=tuple(d.lower() for d in top.texts("image_domains", required=False)),
        image_links=image_links,
        t2s=top.flag("t2s"),
        render=render,
        render_wait=top.selector("render_wait"),
        schedule=_schedule(top),
        settings=MappingProxyType(dict(settings)),
        source=str(source),
    )
    for url in start_urls:
        if not site.allows(url):
            raise top.error("start_urls", f"{url!r} is outside allowed_domains")
    return site


def _schedule(top: _Reader) -> str | None:
    from archiver.schedule import valid

    value = top.text("schedule", required=False)
    if value is not None and not valid(value):
        raise top.error("schedule", f"must be hourly, daily, weekly or a cron expression "
                        f"(minute hour day month weekday), got {value!r}")
    return value


def adhoc_site(url: str) -> SiteConfig:
    """The site of a URL that no config covers (`archiver fetch`): named and labelled by its
    host, its CMS family detected on each page."""
    host = (urlsplit(url).hostname or "").lower()
    if urlsplit(url).scheme not in ("http", "https") or not host:
        raise ConfigError("command line", None, f"{url!r} is not an http(s) URL")
    return SiteConfig(
        name=host, school=host, label=host, tags=(host,), categories=(host,),
        allowed_domains=(host,), start_urls=(), list=ListRules(), article=ArticleRules(),
        cms="auto", source=f"(no config for {host}: CMS detected on the page)",
    )


def load_site(path: Path | Traversable) -> SiteConfig:
    """Read and validate one site config file (on disk, or packaged inside an egg)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(path, None, f"is not valid YAML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, None, f"cannot be read: {exc}") from None
    return parse_site(path, data)


def config_files(folder: Path | str) -> list[Path | Traversable] | None:
    """The *.yaml files of a config folder, or of the packaged configs; None when missing."""
    if str(folder).startswith("package:"):
        package, _, sub = str(folder)[len("package:"):].partition("/")
        root = resources.files(package) / sub
        if not root.is_dir():
            return None
        return sorted((f for f in root.iterdir() if f.name.endswith((".yaml", ".yml"))),
                      key=lambda f: f.name)
    folder = Path(folder)
    return sorted(folder.glob("*.y*ml")) if folder.is_dir() else None


@dataclass(frozen=True)
class SiteRegistry:
    """Every site config of a folder: the good ones by name, and the errors of the broken ones."""

    sites: Mapping[str, SiteConfig]
    errors: tuple[ConfigError, ...]

    def site_for_url(self, url: str) -> SiteConfig | None:
        return next((s for s in self.sites.values() if s.allows(url)), None)


def load_sites(folder: Path | str) -> SiteRegistry:
    files = config_files(folder)
    if files is None:
        error = ConfigError(folder, None, "site config folder does not exist")
        return SiteRegistry(MappingProxyType({}), (error,))
    sites: dict[str, SiteConfig] = {}
    errors: list[ConfigError] = []
    for path in files:
        try:
            site = load_site(path)
        except ConfigError as exc:
            errors.append(exc)
            continue
        if site.name in sites:
            other = sites[site.name].source
            errors.append(ConfigError(path, "name", f"{site.name!r} is already used by {other}"))
            continue
        sites[site.name] = site
    return SiteRegistry(MappingProxyType(sites), tuple(errors))
