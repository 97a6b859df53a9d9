"""`archiver export SITE… --wacz FILE`: the sites' captures as one WACZ 1.1 file, made by the
`wacz` package (Webrecorder's py-wacz: the CDXJ index, datapackage.json with each file's
sha256, datapackage-digest.json), with a pages list of the archived articles.

A WARC file still open (its crawl running, or killed) goes in up to its last complete record:
a torn record never reaches the export.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import tempfile
from pathlib import Path

from archiver.archive.format import read_article
from archiver.archive.layout import article_path
from archiver.capture import OPEN_SUFFIX, warc_files
from archiver.capture.reader import Members, site_captures
from archiver.capture.rebuild import article_captures


class ExportError(RuntimeError):
    pass


def _complete_copy(warc: Path, into: Path) -> Path:
    """The file itself when it is closed and whole; else a copy of its complete records."""
    members = Members(warc)
    for _ in members:
        pass
    if not members.torn and not warc.name.endswith(OPEN_SUFFIX):
        return warc
    copy = into / warc.name.removesuffix(OPEN_SUFFIX)
    with open(warc, "rb") as source, open(copy, "wb") as target:
        shutil.copyfileobj(io.BufferedReader(_Limited(source, members.end)), target)
    return copy


class _Limited(io.RawIOBase):
    def __init__(self, handle, limit: int):
        self.handle, self.left = handle, limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.handle.read(min(len(buffer), self.left))
        self.left -= len(data)
        buffer[:len(data)] = data
        return len(data)


def pages(output: Path, sites: list[str]) -> list[dict]:
    """The archived articles with a capture: URL, time of their newest capture, headline."""
    found = []
    for site in sites:
        for url, capture in sorted(article_captures(site_captures(output, site)).items()):
            path = article_path(output, site, url)
            if not path.exists():
                continue
            try:
                title = str(read_article(path).get("title") or url)
            except Exception:  # noqa: BLE001 (a broken file: the URL names the page)
                title = url
            # ts: replay tools open the page as of its newest capture (the archive file's).
            found.append({"url": capture.uri, "ts": capture.date, "title": title})
    return found


def export_wacz(output: Path, sites: list[str], target: Path) -> tuple[int, int]:
    """Write the WACZ; (WARC files, pages) in it."""
    from wacz.main import main as wacz_main

    with tempfile.TemporaryDirectory(prefix="archiver-export-") as work:
        folder = Path(work)
        warcs = [str(_complete_copy(w, folder)) for s in sites for w in warc_files(output, s)]
        if not warcs:
            raise ExportError(f"no capture of {', '.join(sites)} in {output}")
        listed = pages(output, sites)
        pages_file = folder / "pages.jsonl"
        lines = [{"format": "json-pages-1.0", "id": "pages", "title": "Archived articles"},
                 *listed]
        pages_file.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n"
                                      for line in lines), encoding="utf-8")
        partial = target.with_name(f".{target.name}.part")
        log = io.StringIO()
        with contextlib.redirect_stdout(log):  # py-wacz prints its progress
            code = wacz_main(["create", "-o", str(partial), "-p", str(pages_file), *warcs])
        if code:
            partial.unlink(missing_ok=True)
            raise ExportError(f"the wacz package failed: {log.getvalue().strip()[-300:]}")
        partial.replace(target)
    return len(warcs), len(listed)
