"""The archive file format (docs/format.md): the one place that writes and reads it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import frontmatter

from archiver.archive.hexo import post_text
from archiver.archive.layout import site_dir, urlname
from archiver.items import ArticleItem

if TYPE_CHECKING:  # only a type: the config package must not be imported from here
    from archiver.config import SiteConfig

SOURCE_LINK_TEXT = "转入文章首发地址"


def to_markdown(item: ArticleItem, site: SiteConfig,
                image_paths: dict[str, str] | None = None) -> str:
    """The archive file's text (FORMAT.md). image_paths maps image URLs to the local paths the
    Markdown should use instead (image_links: local)."""
    image_paths = image_paths or {}
    blocks = []
    for block in item.blocks:
        if block.startswith("![图](") and block.endswith(")"):
            url = block[len("![图]("):-1]
            block = f"![图]({image_paths.get(url, url)})"
        elif "](" in block:  # attachment links, and images inside table cells
            for url, local in image_paths.items():
                block = block.replace(f"]({url})", f"]({local})")
        blocks.append(block)
    blocks.append(f"[{SOURCE_LINK_TEXT}]({item.url})")
    metadata = {
        "title": f"{site.school}->{item.headline} | {site.label}",
        "date": item.published,
        "urlname": urlname(item.url),
        "tags": list(site.tags),
        "categories": list(site.categories),
    }
    # Keys in the seed's order; values through the YAML library (quoted where Hexo's reader
    # would take them for another type), plus Hexo's Nunjucks switch when the body needs it.
    return post_text(metadata, "\n\n".join(blocks))


_SOURCE_LINK = re.compile(r"^\[" + SOURCE_LINK_TEXT + r"\]\((?P<url>[^)\s]+)\)\s*$", re.M)


def source_link(body: str) -> str | None:
    """The article URL from an archive body's last source-link line."""
    found = _SOURCE_LINK.findall(body)
    return found[-1] if found else None


def read_article(path: Path) -> frontmatter.Post:
    """One archive file, parsed (raises on a file that does not parse)."""
    return parse_article(path.read_text(encoding="utf-8"))


def parse_article(text: str) -> frontmatter.Post:
    """An archive file's text, parsed (raises on text that does not parse)."""
    return frontmatter.loads(text)


def archived_articles(output: Path | str, site: str) -> Iterator[tuple[Path, frontmatter.Post]]:
    """Every archive file of a site with its parsed content (files that do not parse are left to
    `archiver check`)."""
    folder = site_dir(output, site)
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.md")):
        try:
            yield path, read_article(path)
        except Exception:  # noqa: BLE001 (any parse error: check reports it, refresh skips it)
            continue
