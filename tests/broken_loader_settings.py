"""The archiver's settings with a spider loader that fails (a bug outside any crawl), to see how
a command reports an unexpected error (used through SCRAPY_SETTINGS_MODULE by
tests/test_cli.py)."""

from archiver.settings import *  # noqa: F403
from archiver.spiderloader import SiteSpiderLoader

SPIDER_LOADER_CLASS = "tests.broken_loader_settings.BrokenSpiderLoader"


class BrokenSpiderLoader(SiteSpiderLoader):
    @classmethod
    def from_settings(cls, settings):
        raise RuntimeError("a bug in the spider loader")
