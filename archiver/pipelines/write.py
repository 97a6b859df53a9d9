"""Write each article as <output>/<site>/<urlname>.md (FORMAT.md), atomically."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scrapy.exceptions import DropItem

from archiver import report
from archiver.archive import article_path, render, write_atomic
from archiver.config import SiteConfig
from archiver.items import ArticleItem


def local_image_paths(item: ArticleItem) -> dict[str, str]:
    """Image URL -> path relative to the article file, for the images that were downloaded."""
    prefix = f"{item.site}/"
    return {
        image["url"]: image["path"][len(prefix):] if image["path"].startswith(prefix)
        else image["path"]
        for image in item.images
    }


class WritePipeline:
    def __init__(self, output: str, image_links: str, stats: Any, sites: dict[str, SiteConfig]):
        self.output = Path(output)
        self.image_links = image_links
        self.stats = stats
        self.sites = sites

    @classmethod
    def from_crawler(cls, crawler: Any) -> WritePipeline:
        site = crawler.spidercls.site
        return cls(crawler.settings["ARCHIVER_OUTPUT_DIR"],
                   crawler.settings.get("ARCHIVER_IMAGE_LINKS", "original"),
                   crawler.stats, {site.name: site})

    def process_item(self, item: ArticleItem) -> ArticleItem:
        site = self.sites[item.site]
        path = article_path(self.output, item.site, item.url)
        mode = site.image_links or self.image_links
        text = render(item, site, local_image_paths(item) if mode == "local" else None)
        if item.refresh:
            return self._refresh(path, text, item)
        if path.exists():
            # Another process archived it meanwhile; the file on disk wins.
            self.stats.inc_value(report.ARTICLES_ARCHIVED)
            raise DropItem(f"{item.url}: already archived", log_level="DEBUG")
        write_atomic(path, text)
        self.stats.inc_value(report.ARTICLES_NEW)
        return item

    def _refresh(self, path: Path, text: str, item: ArticleItem) -> ArticleItem:
        """Rewrite the file only when the article changed: an unchanged file keeps its bytes
        and its mtime, so publishing tools and backups see no change."""
        try:
            same = path.read_bytes() == text.encode("utf-8")
        except FileNotFoundError:
            same = False
        if same:
            self.stats.inc_value(report.ARTICLES_UNCHANGED)
        else:
            write_atomic(path, text)
            self.stats.inc_value(report.ARTICLES_CHANGED)
        return item
