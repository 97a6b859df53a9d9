"""One spider class per site config, so `scrapy list` and `scrapy crawl SITE` see every site."""

from __future__ import annotations

import warnings
from typing import Any

from scrapy import Request, Spider

from archiver.browser import browser_settings
from archiver.config import SiteConfig, SiteRegistry, load_sites
from archiver.spiders.site import SiteSpider


class BrokenSiteConfig(UserWarning):
    """A site config that could not be loaded; the other sites still work."""


def spider_class(site: SiteConfig) -> type[SiteSpider]:
    words = site.name.replace("-", "_").replace(".", "_").split("_")
    class_name = "".join(w.capitalize() for w in words) + "Spider"
    # A site that renders in a browser gets scrapy-playwright for its crawler only.
    custom = {**browser_settings(), **site.settings} if site.render else dict(site.settings)
    return type(class_name, (SiteSpider,), {
        "name": site.name,
        "site": site,
        "allowed_domains": list(site.allowed_domains),
        "custom_settings": custom,
    })


class SiteSpiderLoader:
    def __init__(self, registry: SiteRegistry):
        self.registry = registry
        for error in registry.errors:
            warnings.warn(str(error), BrokenSiteConfig, stacklevel=2)
        self._classes = {name: spider_class(site) for name, site in registry.sites.items()}

    @classmethod
    def from_settings(cls, settings: Any) -> SiteSpiderLoader:
        return cls(load_sites(settings["ARCHIVER_CONFIG_DIR"]))

    def load(self, spider_name: str) -> type[Spider]:
        try:
            return self._classes[spider_name]
        except KeyError:
            broken = [e for e in self.registry.errors if spider_name in e.source]
            hint = f" ({broken[0]})" if broken else ""
            raise KeyError(f"Spider not found: {spider_name}{hint}") from None

    def list(self) -> list[str]:
        return sorted(self._classes)

    def find_by_request(self, request: Request) -> list[str]:
        return [name for name, site in self.registry.sites.items() if site.allows(request.url)]
