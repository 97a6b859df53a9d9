"""The archive on disk: layout (where a site's files go), format (what an archive file holds),
fs (how files are written safely) and check (`archiver check`).

The names most code needs are re-exported here; `archiver.archive.check` is imported on its own
(it reads through the extractors, which the rest of the archive does not need).
"""

from archiver.archive.format import (
    SOURCE_LINK_TEXT,
    archived_articles,
    read_article,
    source_link,
    to_markdown,
)
from archiver.archive.fs import OutputProblem, prepare_site_folder, write_atomic
from archiver.archive.index import ArchiveIndex
from archiver.archive.layout import (
    archived_sites,
    archived_urlnames,
    article_path,
    image_file_name,
    site_dir,
    urlname,
)

__all__ = [
    "SOURCE_LINK_TEXT", "ArchiveIndex", "OutputProblem", "archived_articles", "archived_sites",
    "archived_urlnames", "article_path", "image_file_name", "prepare_site_folder", "read_article",
    "site_dir", "source_link", "to_markdown", "urlname", "write_atomic",
]
