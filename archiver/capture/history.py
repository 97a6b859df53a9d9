"""`archiver history URL`: the captured versions of an article, oldest first, and what each
gives as an archive file today."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from archiver.archive.layout import article_path, site_dir
from archiver.capture.derive import LocalFiles, derive
from archiver.capture.reader import Capture, load_page, originals, site_captures


@dataclass
class Version:
    number: int  # 1 = the oldest capture
    capture: Capture
    text: str | None  # the archive file this capture gives; None when it gives none
    reason: str | None  # why it gives none
    in_archive: bool  # the archive file is exactly this text


def versions(output: Path, site, url: str, default_links: str = "original") -> list[Version]:
    captures = site_captures(output, site.name)
    by_digest = originals(captures)
    path = article_path(output, site.name, url)
    current = path.read_bytes() if path.exists() else None
    local = LocalFiles(site_dir(output, site.name))
    found = []
    mine = [c for c in captures if url in (c.source, c.uri) and c.kind in ("article", "page")]
    for number, capture in enumerate(mine, start=1):
        links = capture.image_links or site.image_links or default_links
        try:
            derived = derive(load_page(capture, by_digest), site, links, local)
            text, reason = derived.text, derived.reason
        except (OSError, LookupError, ValueError) as error:
            text, reason = None, f"capture unreadable: {error}"
        if capture.status != 200:
            text, reason = None, f"HTTP {capture.status}"
        found.append(Version(number, capture, text, reason,
                             text is not None and current == text.encode("utf-8")))
    return found
