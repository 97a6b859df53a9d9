"""`archiver rebuild`: every archive file re-derived from its newest capture, with no network.

Per site, with its lock held: each captured article's newest capture (status 200) goes through
today's extraction (archiver.capture.derive). The same text as the file: nothing is written,
mtime kept. Another text: the file is rewritten atomically and listed with what changed (the
words of `refresh`). A missing file is restored. The page no longer gives an article under
today's rules, or gives garbled text where the file reads clean: the file is kept and the
article named as held back (a rebuild never replaces an article by a worse version, nor
deletes one). An archive file no capture covers (archived
before captures existed) is counted and named: `refresh` captures it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from archiver.archive.fs import write_atomic
from archiver.archive.layout import article_path, site_dir, urlname
from archiver.capture.derive import LocalFiles, derive
from archiver.capture.reader import Capture, load_page, originals, site_captures
from archiver.changes import what_changed
from archiver.extract.quality import garbled

# The outcome codes of one article in a rebuild (stable: the JSON report uses them).
UNCHANGED, CHANGED, RESTORED, HELD, NO_CAPTURE, NOT_ARTICLE = (
    "unchanged", "changed", "restored", "held_back", "no_capture", "not_an_article")


@dataclass
class Entry:
    code: str
    url: str
    file: str
    reason: str = ""


@dataclass
class SiteRebuild:
    site: str
    entries: list[Entry] = field(default_factory=list)

    def count(self, code: str) -> int:
        return sum(1 for e in self.entries if e.code == code)

    def of(self, code: str) -> list[Entry]:
        return [e for e in self.entries if e.code == code]


def _garbled(text: bytes) -> bool:
    from archiver.archive.format import parse_article

    try:
        post = parse_article(text.decode("utf-8"))
    except Exception:  # noqa: BLE001 (a file that does not parse is worse than anything)
        return True
    return garbled(f"{post.get('title', '')}\n{post.content}") is not None


def _garbled_item(derived) -> str | None:
    item = derived.item
    return garbled("\n".join((item.headline, *item.text_blocks))) if item else None


def article_captures(captures: list[Capture]) -> dict[str, Capture]:
    """Per article URL, its newest capture that the server answered with 200."""
    newest: dict[str, Capture] = {}
    for capture in captures:  # oldest first
        if capture.kind == "article" and capture.status == 200:
            newest[capture.source] = capture
    return newest


def uncaptured_files(folder: Path, captured: set[str]) -> list[Path]:
    """The site's archive files whose urlname no capture gives."""
    names = {urlname(url) for url in captured}
    return sorted(Path(e.path) for e in os.scandir(folder)
                  if e.name.endswith(".md") and e.name[:-3] not in names)


def rebuild_site(output: Path, site, *, dry_run: bool = False,
                 image_links: str | None = None, default_links: str = "original"
                 ) -> SiteRebuild:
    """Rebuild one site (the caller holds its lock)."""
    from archiver.archive.format import read_article, source_link

    result = SiteRebuild(site.name)
    folder = site_dir(output, site.name)
    captures = site_captures(output, site.name)
    newest = article_captures(captures)
    local = LocalFiles(folder)
    by_digest = originals(captures)
    for url in sorted(newest):
        capture = newest[url]
        path = article_path(output, site.name, url)
        links = image_links or capture.image_links or site.image_links or default_links
        try:
            derived = derive(load_page(capture, by_digest), site, links, local)
        except (OSError, LookupError, ValueError) as error:
            result.entries.append(Entry(HELD, url, str(path), f"capture unreadable: {error}"))
            continue
        exists = path.exists()
        if derived.text is None:
            if exists:  # never replaced by nothing: the file stays
                result.entries.append(Entry(HELD, url, str(path), derived.reason or ""))
            else:
                result.entries.append(Entry(NOT_ARTICLE, url, "", derived.reason or ""))
            continue
        new = derived.text.encode("utf-8")
        old = path.read_bytes() if exists else None
        if old == new:
            result.entries.append(Entry(UNCHANGED, url, str(path)))
            continue
        if old is None:
            result.entries.append(Entry(RESTORED, url, str(path), "file missing: restored"))
        elif (worse := _garbled_item(derived)) and not _garbled(old):
            # Today's text is garbled where the file's reads clean: worse, so the file stays.
            result.entries.append(Entry(HELD, url, str(path), f"today's text is garbled: {worse}"))
            continue
        else:
            parts = what_changed(old.decode("utf-8", "replace"), derived.text)
            result.entries.append(Entry(CHANGED, url, str(path), ", ".join(parts)))
        if not dry_run:
            write_atomic(path, new, durable=False)
    if folder.is_dir():
        for path in uncaptured_files(folder, set(newest)):
            try:
                url = source_link(read_article(path).content) or ""
            except Exception:  # noqa: BLE001 (a file that does not parse: `check` says so)
                url = ""
            result.entries.append(Entry(NO_CAPTURE, url, str(path),
                                        "no capture (archived before captures were kept); "
                                        "`archiver refresh` captures it"))
    return result
