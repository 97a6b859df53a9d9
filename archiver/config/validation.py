"""Validating one parsed YAML document into a SiteConfig (reader.Reader does the typed access;
every failure is one ConfigError naming the file and the key)."""

from __future__ import annotations

import re
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from archiver.capture import CAPTURE_MODES, DEFAULT_MODE
from archiver.cms.families import PAGING_MODES
from archiver.config.reader import Reader, shown
from archiver.config.schedule import valid as valid_schedule
from archiver.config.schema import (
    CMS_VALUES,
    IMAGE_LINK_MODES,
    RENDER_VALUES,
    ArticleRules,
    ListRules,
    SiteConfig,
    UrlParams,
)
from archiver.config.sitesettings import ALLOWED

_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
NAME_MAX = 253  # a host name's limit; a folder name may have 255 bytes

_TOP_KEYS = {
    "name", "school", "label", "tags", "categories", "allowed_domains", "start_urls",
    "list", "article", "image_links", "settings", "cms", "t2s", "image_domains", "render",
    "render_wait", "schedule", "url_params", "ignore_links", "capture",
}
_LIST_KEYS = {"article_links", "next_page", "max_pages", "paging"}
_ARTICLE_KEYS = {"url_pattern", "headline", "published", "body"}
_URL_PARAM_KEYS = {"keep", "drop"}
# A query parameter's name, lower case, with an optional trailing "*" (a prefix).
_PARAM_NAME = re.compile(r"^[a-z0-9_.\-\[\]]{1,60}\*?$")
_PARAMS_MAX = 100


def name_problem(name: str) -> str | None:
    """Why a site name cannot name a folder of the archive, or None."""
    if len(name) > NAME_MAX or not _NAME_RE.match(name):
        return (f"must be lower-case letters, digits, '.', '-' or '_' (at most {NAME_MAX}, "
                f"starting with a letter or digit), got {shown(name)}")
    return None


def parse_site(source: Path, data: Any) -> SiteConfig:
    """Validate one parsed YAML document into a SiteConfig."""
    top = Reader(source, data)
    top.check_known(_TOP_KEYS)
    name = _name(top)
    start_urls = _start_urls(top)
    lists, article = _list_rules(top), _article_rules(top)
    site = SiteConfig(
        name=name,
        school=top.text("school"),
        label=top.text("label"),
        tags=top.texts("tags"),
        categories=top.texts("categories"),
        allowed_domains=tuple(d.lower() for d in top.texts("allowed_domains")),
        start_urls=start_urls,
        list=lists,
        article=article,
        cms=top.choice("cms", CMS_VALUES, "auto"),
        image_domains=tuple(d.lower() for d in top.texts("image_domains", required=False)),
        image_links=top.choice("image_links", IMAGE_LINK_MODES, None),
        capture=_capture(top),
        t2s=top.flag("t2s"),
        render=_render(top),
        render_wait=top.selector("render_wait"),
        schedule=_schedule(top),
        url_params=_url_params(top),
        ignore_links=top.regexes("ignore_links"),
        settings=_settings(top),
        source=str(source),
    )
    for url in start_urls:
        if not site.allows(url):
            raise top.error("start_urls", f"{shown(url)} is outside allowed_domains")
    return site


def _capture(top: Reader) -> str:
    if top.data.get("capture") is False:
        return "off"  # YAML reads a bare `capture: off` as false
    return top.choice("capture", CAPTURE_MODES, DEFAULT_MODE) or DEFAULT_MODE


def _name(top: Reader) -> str:
    name = top.text("name")
    if problem := name_problem(name):
        raise top.error("name", problem)
    return name


def _start_urls(top: Reader) -> tuple[str, ...]:
    start_urls = top.texts("start_urls")
    for url in start_urls:
        if urlsplit(url).scheme not in ("http", "https"):
            raise top.error("start_urls", f"{shown(url)} is not an http(s) URL")
    return start_urls


def _list_rules(top: Reader) -> ListRules:
    lists = top.section("list", _LIST_KEYS)
    return ListRules(
        article_links=lists.selector("article_links"),
        next_page=lists.selector("next_page"),
        max_pages=lists.positive_int("max_pages"),
        paging=lists.choice("paging", PAGING_MODES, None),
    )


def _article_rules(top: Reader) -> ArticleRules:
    article = top.section("article", _ARTICLE_KEYS)
    return ArticleRules(
        url_pattern=article.regex("url_pattern"),
        headline=article.selector("headline"),
        published=article.selector("published"),
        body=article.selector("body"),
    )


def _url_params(top: Reader) -> UrlParams:
    """`url_params: {keep: [...], drop: [...]}`: parameter names, compared in lower case."""
    section = top.section("url_params", _URL_PARAM_KEYS)
    lists = {}
    for key in ("keep", "drop"):
        names = tuple(n.lower() for n in section.texts(key, required=False))
        if len(names) > _PARAMS_MAX:
            raise section.error(key, f"at most {_PARAMS_MAX} parameter names, got {len(names)}")
        for name in names:
            if not _PARAM_NAME.match(name):
                raise section.error(key, "must be query parameter names (letters, digits, "
                                    f"'_', '-', '.', '[]', an optional trailing '*'), got "
                                    f"{shown(name)}")
        lists[key] = names
    return UrlParams(**lists)


def _render(top: Reader) -> str | None:
    render = top.data.get("render")
    if render is True:
        return "all"
    if render in (False, None):
        return None
    if render not in RENDER_VALUES:
        raise top.error("render", f"must be true, false, {', '.join(RENDER_VALUES)}; "
                        f"got {shown(render)}")
    return render


def _schedule(top: Reader) -> str | None:
    value = top.text("schedule", required=False)
    if value is not None and not valid_schedule(value):
        raise top.error("schedule", f"must be hourly, daily, weekly or a cron expression "
                        f"(minute hour day month weekday), got {shown(value)}")
    return value


def _settings(top: Reader) -> MappingProxyType:
    """The per-site Scrapy settings: only the allow-list of archiver.config.sitesettings, each
    value checked for its type and range."""
    settings = top.section("settings")
    for key, value in settings.data.items():
        if key not in ALLOWED:
            raise settings.error(key, f"is not a per-site setting (allowed: {', '.join(ALLOWED)})")
        if problem := ALLOWED[key].problem(value):
            raise settings.error(key, f"{problem}, got {shown(value)}")
    return MappingProxyType(dict(settings.data))
