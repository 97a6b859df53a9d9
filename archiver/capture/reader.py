"""Reading WARC files back: record by record, a torn last record cut, never the rest lost.

The writer puts every record in a gzip member of its own. A member is complete when zlib
reaches its end (the trailer with its CRC and length); a kill -9 or a power cut can leave the
file's last member without it. `Members` stops before such a tail and says so; everything before
it reads. Each file's index (`<file>.idx`, JSON lines, written when its crawl closes it) saves
`rebuild`, `history` and the next crawl from decompressing the whole file.
"""

from __future__ import annotations

import io
import json
import zlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord

from archiver.capture import INDEX_SUFFIX, OPEN_SUFFIX, warc_files

_CHUNK = 1 << 20


@dataclass(frozen=True)
class Capture:
    """One captured page (a response or revisit record) as the index knows it."""

    file: str  # the WARC file's path
    offset: int  # where its gzip member starts
    length: int  # the member's length in bytes
    type: str  # "response" or "revisit" (same payload as the earlier response with `digest`)
    uri: str  # the URL that answered (after redirects)
    source: str  # the URL the crawl asked for: an article's URL in the archive
    kind: str  # "article", "list", "image" or "attachment"
    date: str  # WARC-Date, ISO 8601 UTC with microseconds
    status: int
    digest: str  # WARC-Payload-Digest (sha1, base32)
    list_date: str | None = None  # the date its list page showed (the article's date if none)
    image_links: str | None = None  # "original" or "local": how the crawl linked images

    def line(self) -> str:
        data = asdict(self)
        data["file"] = Path(self.file).name
        return json.dumps(data, ensure_ascii=False)


class Members:
    """The records of a WARC file as (offset, length, uncompressed bytes), in order; after the
    loop, `end` is the end of the last complete record, `torn` whether a torn one follows it
    (and `error` why)."""

    def __init__(self, path: Path):
        self.path = path
        self.end = 0
        self.torn = False
        self.error: str | None = None

    def __iter__(self) -> Iterator[tuple[int, int, bytes]]:
        with open(self.path, "rb") as handle:
            pending = b""
            offset = 0  # file offset of pending[0]
            while True:
                if not pending:
                    pending = handle.read(_CHUNK)
                    if not pending:
                        return
                start, out = offset, []
                inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
                try:
                    while True:
                        out.append(inflater.decompress(pending))
                        if inflater.eof:
                            rest = inflater.unused_data
                            offset += len(pending) - len(rest)
                            pending = rest
                            break
                        offset += len(pending)
                        pending = handle.read(_CHUNK)
                        if not pending:
                            self._tear("the last record is incomplete")
                            return
                except zlib.error as error:
                    self._tear(f"not a gzip record at byte {start}: {error}")
                    return
                self.end = offset
                yield start, offset - start, b"".join(out)

    def _tear(self, why: str) -> None:
        self.torn, self.error = True, why


def parse(data: bytes) -> ArcWarcRecord:
    """One uncompressed WARC record (its payload read through `record.raw_stream`)."""
    return next(iter(ArchiveIterator(io.BytesIO(data))))


def read_member(path: Path | str, offset: int, length: int) -> bytes:
    with open(path, "rb") as handle:
        handle.seek(offset)
        return zlib.decompress(handle.read(length), zlib.MAX_WBITS | 16)


def capture_of(path: Path | str, offset: int, length: int, data: bytes) -> Capture | None:
    """The index entry of a response or revisit record written by the archiver; None for
    other records (warcinfo, request)."""
    record = parse(data)
    if record.rec_type not in ("response", "revisit"):
        return None
    headers = record.rec_headers
    status = int(record.http_headers.get_statuscode() or 0) if record.http_headers else 0
    uri = headers.get_header("WARC-Target-URI")
    return Capture(
        file=str(path), offset=offset, length=length, type=record.rec_type, uri=uri,
        source=headers.get_header("Archiver-Source-URI") or uri,
        kind=headers.get_header("Archiver-Kind") or "page",
        date=headers.get_header("WARC-Date"), status=status,
        digest=headers.get_header("WARC-Payload-Digest") or "",
        list_date=headers.get_header("Archiver-List-Date") or None,
        image_links=headers.get_header("Archiver-Image-Links") or None)


def scan_captures(path: Path) -> tuple[list[Capture], Members]:
    members = Members(path)
    captures = [c for offset, length, data in members
                if (c := capture_of(path, offset, length, data)) is not None]
    return captures, members


def index_path(warc: Path) -> Path:
    name = warc.name.removesuffix(OPEN_SUFFIX)
    return warc.with_name(name + INDEX_SUFFIX)


def file_captures(warc: Path) -> list[Capture]:
    """The captures of one WARC file: from its index when the file was closed with one, else
    read from the file itself (a running crawl's, or a killed one's)."""
    idx = index_path(warc)
    if not warc.name.endswith(OPEN_SUFFIX) and idx.is_file():
        try:
            lines = idx.read_text(encoding="utf-8").splitlines()
            return [Capture(**{**json.loads(line), "file": str(warc)}) for line in lines if line]
        except (ValueError, TypeError, OSError):
            pass  # an index that does not read: the WARC file itself is the truth
    return scan_captures(warc)[0]


def site_captures(output: Path | str, site: str) -> list[Capture]:
    """Every capture of a site, oldest first."""
    captures = [c for warc in warc_files(output, site) for c in file_captures(warc)]
    return sorted(captures, key=lambda c: c.date)


@dataclass
class Page:
    """A captured response as the crawl's extraction saw it."""

    capture: Capture
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    encoding: str | None


def originals(captures: list[Capture]) -> dict[tuple[str, str], Capture]:
    """(URL, digest) -> the newest response record with that payload: what a revisit repeats."""
    return {(c.uri, c.digest): c for c in captures if c.type == "response"}


def load_page(capture: Capture, by_digest: dict[tuple[str, str], Capture] | None = None
              ) -> Page:
    """The response of a capture; for a revisit, with the body of the response it repeats
    (`by_digest`: originals() of the site's captures)."""
    record = parse(read_member(capture.file, capture.offset, capture.length))
    encoding = record.rec_headers.get_header("Archiver-Encoding") or None
    headers = list(record.http_headers.headers) if record.http_headers else []
    if capture.type == "revisit":
        original = (by_digest or {}).get((capture.uri, capture.digest))
        if original is None:
            raise LookupError(f"revisit of {capture.uri} ({capture.digest}): the capture it "
                              "repeats is missing")
        return Page(capture, capture.status, headers, load_page(original).body, encoding)
    return Page(capture, capture.status, headers, record.raw_stream.read(), encoding)


def newest(captures: list[Capture]) -> dict[str, Capture]:
    """Per source URL, its newest capture (captures oldest first)."""
    found: dict[str, Capture] = {}
    for capture in captures:
        found[capture.source] = capture
    return found
