"""Site configs: one YAML file per site -> a frozen, typed SiteConfig, validated once.

schema (what a SiteConfig is), reader (typed, bounded access to a YAML mapping), validation
(YAML document -> SiteConfig), sitesettings (the per-site Scrapy settings allowed), loading
(files, size cap, plain YAML), registry (a folder of configs; the site of a host without one).
A broken file gives one ConfigError that names the file and the key; the other sites still load.
"""

from archiver.cms.families import PAGING_MODES
from archiver.config.loading import MAX_CONFIG_BYTES, config_files, load_site, read_yaml
from archiver.config.registry import SiteRegistry, adhoc_site, load_sites
from archiver.config.schema import (
    CMS_VALUES,
    IMAGE_LINK_MODES,
    RENDER_VALUES,
    ArticleRules,
    ConfigError,
    ListRules,
    SiteConfig,
)
from archiver.config.validation import parse_site

__all__ = [
    "CMS_VALUES", "IMAGE_LINK_MODES", "MAX_CONFIG_BYTES", "PAGING_MODES", "RENDER_VALUES",
    "ArticleRules", "ConfigError", "ListRules", "SiteConfig", "SiteRegistry", "adhoc_site",
    "config_files", "load_site", "load_sites", "parse_site", "read_yaml",
]
