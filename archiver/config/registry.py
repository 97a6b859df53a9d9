"""The registry: every site config of a folder, and the site of a URL that no config covers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlsplit

from archiver.config.loading import config_files, load_site
from archiver.config.reader import shown
from archiver.config.schema import ArticleRules, ConfigError, ListRules, SiteConfig
from archiver.config.validation import name_problem


@dataclass(frozen=True)
class SiteRegistry:
    """Every site config of a folder: the good ones by name, and the errors of the broken ones."""

    sites: Mapping[str, SiteConfig]
    errors: tuple[ConfigError, ...]

    def site_for_url(self, url: str) -> SiteConfig | None:
        return next((s for s in self.sites.values() if s.allows(url)), None)

    def broken(self, names: list[str]) -> list[ConfigError]:
        """The config errors of the named sites whose files do not load."""
        return [error for error in self.errors if Path(error.source).stem in names]


MISSING_FOLDER = "site config folder does not exist"


def load_sites(folder: Path | str) -> SiteRegistry:
    """Load every config of the folder; a broken one is an error and never stops the others."""
    files = config_files(folder)
    if files is None:
        error = ConfigError(folder, None, MISSING_FOLDER)
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


def adhoc_site(url: str) -> SiteConfig:
    """The site of a URL that no config covers (`archiver fetch`): named and labelled by its
    host, its CMS family detected on each page. The host names the site's folder, so it is
    checked like a configured name (`http://../x` must not write beside the archive)."""
    parts = urlsplit(url)
    try:
        host = (parts.hostname or "").lower()
    except ValueError:
        host = ""
    if parts.scheme not in ("http", "https") or not host:
        raise ConfigError("command line", None, f"{shown(url)} is not an http(s) URL")
    if problem := name_problem(host):
        raise ConfigError("command line", None,
                          f"the host of {shown(url)} cannot name a site folder: it {problem}")
    return SiteConfig(
        name=host, school=host, label=host, tags=(host,), categories=(host,),
        allowed_domains=(host,), start_urls=(), list=ListRules(), article=ArticleRules(),
        cms="auto", source=f"(no config for {host}: CMS detected on the page)",
        configured=False,
    )
