"""Where a site's files go: `<output>/<site>/<urlname>.md` per article, images in `images/`.

The files are the source of truth: what is archived is whatever `*.md` files exist, so deleting a
file makes its article archivable again.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

IMAGES = "images"
# Attachments the body links to (pdf, doc, xls, zip, ...).
FILES = "files"
# The site's run lock (archiver.run.lock).
LOCK_NAME = ".archiver.lock"
_IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".svg", ".tif", ".tiff"}


def urlname(url: str) -> str:
    """md5 of the article URL exactly as written in the archive's source link."""
    return hashlib.md5(url.encode("utf-8")).hexdigest()


def site_dir(output: Path | str, site: str) -> Path:
    return Path(output) / site


def article_path(output: Path | str, site: str, url: str) -> Path:
    return site_dir(output, site) / f"{urlname(url)}.md"


# The file name a download script gives in Content-Disposition: only its extension is used.
_DISPOSITION_SUFFIX = re.compile(r"(?i)filename\*?=[^;]*?(\.[a-z]{2,4})[\"']?\s*(?:;|$)")


def image_file_name(url: str, content_type: str = "", disposition: str = "",
                    known: set[str] | frozenset[str] = frozenset(_IMAGE_EXTENSIONS)) -> str:
    """A name from the URL's hash (never from page content), with the file's extension: the
    URL's when it is a known one, else the Content-Disposition's, else the Content-Type's."""
    digest = hashlib.sha1(url.encode("utf-8")).hexdigest()
    ext = PurePosixPath(urlsplit(url).path).suffix.lower()
    if ext not in known:
        match = _DISPOSITION_SUFFIX.search(disposition)
        ext = match.group(1).lower() if match and match.group(1).lower() in known else ""
    if not ext:
        ext = mimetypes.guess_extension(content_type.split(";")[0].strip()) or ""
    return digest + ext


def archived_urlnames(output: Path | str, site: str) -> set[str]:
    """urlnames of the articles archived for a site, read from the file names."""
    folder = site_dir(output, site)
    if not folder.is_dir():
        return set()
    return {entry.name[:-3] for entry in os.scandir(folder) if entry.name.endswith(".md")}


def archived_sites(output: Path | str) -> list[str]:
    """Site folders of an archive that hold at least one article."""
    root = Path(output)
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir()
                  if p.is_dir() and not p.name.startswith(".") and any(p.glob("*.md")))
