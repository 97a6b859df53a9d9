"""The archive on disk: one folder per site, `<urlname>.md` per article, images beside them.

The files are the source of truth: what is archived is whatever `*.md` files exist, so deleting a
file makes its article archivable again.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import frontmatter

from archiver.config import SiteConfig
from archiver.items import ArticleItem

SOURCE_LINK_TEXT = "转入文章首发地址"


def urlname(url: str) -> str:
    """md5 of the article URL exactly as written in the archive's source link."""
    return hashlib.md5(url.encode("utf-8")).hexdigest()


def site_dir(output: Path | str, site: str) -> Path:
    return Path(output) / site


def article_path(output: Path | str, site: str, url: str) -> Path:
    return site_dir(output, site) / f"{urlname(url)}.md"


def archived_urlnames(output: Path | str, site: str) -> set[str]:
    """urlnames of the articles archived for a site, read from the file names."""
    folder = site_dir(output, site)
    if not folder.is_dir():
        return set()
    return {entry.name[:-3] for entry in os.scandir(folder) if entry.name.endswith(".md")}


def render(item: ArticleItem, site: SiteConfig, image_paths: dict[str, str] | None = None) -> str:
    """The archive file's text (FORMAT.md). image_paths maps image URLs to the local paths the
    Markdown should use instead (image_links: local)."""
    image_paths = image_paths or {}
    blocks = []
    for block in item.blocks:
        if block.startswith("![图](") and block.endswith(")"):
            url = block[len("![图]("):-1]
            block = f"![图]({image_paths.get(url, url)})"
        blocks.append(block)
    blocks.append(f"[{SOURCE_LINK_TEXT}]({item.url})")
    post = frontmatter.Post(
        "\n\n".join(blocks),
        title=f"{site.school}->{item.headline} | {site.label}",
        date=item.published,
        urlname=urlname(item.url),
        tags=list(site.tags),
        categories=list(site.categories),
    )
    # sort_keys=False keeps the seed's field order; values go through the YAML library so any
    # headline (": ", "#", quotes, a leading "-") parses back to itself.
    return frontmatter.dumps(post, sort_keys=False) + "\n"


def write_atomic(path: Path, data: bytes | str, *, durable: bool = True) -> None:
    """Write via a temporary file in the same folder and rename it into place, so a reader (or a
    crash) never sees a partial file. durable=False skips the fsync: the file is still whole
    for every reader and when the process is killed, and reaches the disk with the kernel's
    writeback or the next sync (the crawl's archive files: see WritePipeline.close_spider)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_SOURCE_LINK = re.compile(r"^\[" + SOURCE_LINK_TEXT + r"\]\((?P<url>[^)\s]+)\)\s*$", re.M)


def source_link(body: str) -> str | None:
    """The article URL from an archive body's last source-link line."""
    found = _SOURCE_LINK.findall(body)
    return found[-1] if found else None


def archived_articles(output: Path | str, site: str) -> Iterator[tuple[Path, frontmatter.Post]]:
    """Every archive file of a site with its parsed content (files that do not parse are left to
    `archiver check`)."""
    folder = site_dir(output, site)
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.md")):
        try:
            yield path, frontmatter.load(path)
        except Exception:  # noqa: BLE001 (any parse error: check reports it, refresh skips it)
            continue


def archived_sites(output: Path | str) -> list[str]:
    """Site folders of an archive that hold at least one article."""
    root = Path(output)
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir()
                  if p.is_dir() and not p.name.startswith(".") and any(p.glob("*.md")))


class ArchiveIndex:
    """The urlnames a site's archive holds: read once per crawl from the file names, shared by
    the spider (which requests no archived article) and the dedup pipeline (which adds what this
    run archives), so a crawl keeps one set, not two."""

    def __init__(self, names: set[str]):
        self.names = names

    @classmethod
    def of(cls, crawler: object, output: Path | str, site: str) -> ArchiveIndex:
        indexes = crawler.__dict__.setdefault("_archiver_indexes", {})
        if site not in indexes:
            indexes[site] = cls(archived_urlnames(output, site))
        return indexes[site]

    def __contains__(self, url: str) -> bool:
        return urlname(url) in self.names

    def add(self, url: str) -> None:
        self.names.add(urlname(url))
