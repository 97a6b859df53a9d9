"""Writing a crawl's captures: one WARC file per crawl (per Scrapyd job), appended record by
record.

No two writers ever share a file: each crawl creates its own, named by the site, the time and
the job (Scrapyd's job id, else host and process), with O_EXCL. Each record is one gzip
member, written with one unbuffered `write` and so in the kernel's hands at once: a kill -9
loses nothing written, and a power cut can at worst tear the last record, which readers cut
(archiver.capture.reader). While the crawl runs the file ends in `.open`; closing it fsyncs it,
writes its index and renames it. A file left `.open` by a dead crawl is repaired (torn tail cut,
index written, renamed) by the next crawl of the site, once it holds the site's lock.
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import os
import secrets
import socket
import time
import uuid
import zlib
from base64 import b32encode
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path

from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from archiver.archive.fs import write_atomic
from archiver.capture import OPEN_SUFFIX, WARC_SUFFIX
from archiver.capture.reader import Capture, file_captures, index_path, scan_captures

# gzip level of each record, and zlib's memLevel: measured on the corpus pages, level 6 packs
# within 1 % of level 9 at two thirds of its CPU, and memLevel 5 (zlib's default is 8) costs
# 0.1 % of size but halves the set-up of every member, which dominates for small records.
GZIP_LEVEL = 6
MEM_LEVEL = 5
_CREATE = os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC
REVISIT_PROFILE = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
# Headers that describe the transfer, not the body kept: the body is stored as Scrapy handed
# it to the extraction (decompressed, de-chunked), so these would no longer be true.
_TRANSFER = {b"content-encoding", b"transfer-encoding", b"content-length"}


def payload_digest(body: bytes) -> str:
    return "sha1:" + b32encode(hashlib.sha1(body).digest()).decode("ascii")


def job_name(job: str | None = None) -> str:
    """Who writes: the Scrapyd job's id (its `_job` spider argument), else this host and
    process."""
    job = job or os.environ.get("SCRAPY_JOB")
    if job:
        return "".join(ch for ch in job if ch.isalnum() or ch in "-_")[:64]
    return f"{socket.gethostname().split('.')[0]}-{os.getpid()}"


def _now() -> str:
    return datetime_to_iso_date(datetime.now(UTC).replace(tzinfo=None), use_micros=True)


class CaptureWriter:
    def __init__(self, folder: Path, site: str, job: str | None = None):
        folder.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        while True:
            name = f"{site}-{stamp}-{job_name(job)}-{secrets.token_hex(2)}{WARC_SUFFIX}"
            self.final = folder / name
            self.path = folder / (name + OPEN_SUFFIX)
            try:
                self.fd = os.open(self.path, _CREATE, 0o666)
                break
            except FileExistsError:
                continue
        # Held while the file is open: `repair` leaves a file alone while its writer lives (the
        # kernel drops the lock when the writer dies).
        fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self.folder = folder
        self.offset = 0
        self.captures: list[Capture] = []
        # Per URL, the digest and date of the newest response kept (for revisit records):
        # read from the site's earlier captures when the first page comes.
        self.known: dict[str, tuple[str, str]] | None = None
        builder, buffer = WARCWriter(None, gzip=False, warc_version="1.1"), io.BytesIO()
        builder.out = buffer
        builder.write_record(builder.create_warcinfo_record(name, {
            "software": "archiver (warcio)", "format": "WARC File Format 1.1",
            "hostname": socket.gethostname()}))
        self._write([buffer.getvalue()])

    def _load_known(self) -> dict[str, tuple[str, str]]:
        known: dict[str, tuple[str, str]] = {}
        warcs = sorted(p for p in self.folder.iterdir()
                       if p.name.endswith((WARC_SUFFIX, WARC_SUFFIX + OPEN_SUFFIX))
                       and p != self.path)
        for capture in sorted((c for w in warcs for c in file_captures(w)),
                              key=lambda c: c.date):
            if capture.type == "response":
                known[capture.uri] = (capture.digest, capture.date)
            elif capture.uri in known and known[capture.uri][0] != capture.digest:
                del known[capture.uri]
        return known

    def _write(self, records: list[bytes]) -> list[tuple[int, int]]:
        """Append records, one gzip member each, in one write; their (offset, length)."""
        members, spans = [], []
        offset = self.offset
        for record in records:
            packer = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS | 16, MEM_LEVEL)
            member = packer.compress(record) + packer.flush()
            members.append(member)
            spans.append((offset, len(member)))
            offset += len(member)
        data = b"".join(members)
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view):]
        self.offset = offset
        return spans

    def capture(self, *, url: str, source: str, kind: str, status: int,
                headers: list[tuple[bytes, bytes]], body: bytes, protocol: str,
                request_line: str, request_headers: list[tuple[bytes, bytes]],
                encoding: str | None, list_date: str | None = None,
                image_links: str | None = None) -> Capture:
        if self.known is None:
            self.known = self._load_known()
        digest = payload_digest(body)
        date = _now()
        head = _http_head(f"{protocol or 'HTTP/1.1'} {status} {_reason(status)}",
                          [(k, v) for k, v in headers if k.lower() not in _TRANSFER]
                          + [(b"Content-Length", str(len(body)).encode())])
        response_id = _record_id()
        fields = [("WARC-Record-ID", response_id), ("WARC-Date", date),
                  ("WARC-Target-URI", url), ("Archiver-Source-URI", source),
                  ("Archiver-Kind", kind)]
        if encoding:
            fields.append(("Archiver-Encoding", encoding))
        if list_date:
            fields.append(("Archiver-List-Date", list_date))
        if image_links:
            fields.append(("Archiver-Image-Links", image_links))
        seen = self.known.get(url)
        if seen and seen[0] == digest:
            # The same bytes as the last capture of this URL: a revisit record (headers only)
            # that refers to it, not a second copy.
            response = _record("revisit", [
                *fields, ("WARC-Profile", REVISIT_PROFILE), ("WARC-Refers-To-Target-URI", url),
                ("WARC-Refers-To-Date", seen[1]), ("WARC-Payload-Digest", digest),
                ("WARC-Block-Digest", payload_digest(head)),
                ("Content-Type", "application/http; msgtype=response")], head)
            kind_of_record = "revisit"
        else:
            response = _record("response", [
                *fields, ("WARC-Payload-Digest", digest),
                ("WARC-Block-Digest", payload_digest(head + body)),
                ("Content-Type", "application/http; msgtype=response")], head + body)
            kind_of_record = "response"
            self.known[url] = (digest, date)
        asked = _http_head(request_line, request_headers)
        request = _record("request", [
            ("WARC-Record-ID", _record_id()), ("WARC-Date", date), ("WARC-Target-URI", url),
            ("WARC-Concurrent-To", response_id), ("WARC-Block-Digest", payload_digest(asked)),
            ("Content-Type", "application/http; msgtype=request")], asked)
        (offset, length), _ = self._write([response, request])
        capture = Capture(file=str(self.final), offset=offset, length=length,
                          type=kind_of_record, uri=url, source=source, kind=kind, date=date,
                          status=status, digest=digest, list_date=list_date,
                          image_links=image_links)
        self.captures.append(capture)
        return capture

    def close(self) -> None:
        """fsync, write the index, rename to the final name."""
        os.fsync(self.fd)
        os.close(self.fd)
        write_atomic(index_path(self.final), "".join(c.line() + "\n" for c in self.captures))
        os.replace(self.path, self.final)


def _record_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


def _http_head(first_line: str, headers: list[tuple[bytes, bytes]]) -> bytes:
    """An HTTP message's status or request line and headers, as sent (bytes kept as bytes)."""
    return b"".join([first_line.encode("latin-1"), b"\r\n",
                     *(b"%s: %s\r\n" % (key, value) for key, value in headers), b"\r\n"])


def _record(kind: str, fields: list[tuple[str, str]], block: bytes) -> bytes:
    """One WARC 1.1 record (ISO 28500:2017, section 4): version line, named fields, the block.
    Written here rather than through warcio's RecordBuilder, which re-scans its header list
    for every field it sets and cost as much as the rest of a capture (docs/benchmarks.md);
    warcio reads every record back in the tests and in `check`, digests included."""
    head = "".join([f"WARC/1.1\r\nWARC-Type: {kind}\r\n",
                    *(f"{name}: {value}\r\n" for name, value in fields),
                    f"Content-Length: {len(block)}\r\n\r\n"])
    return b"".join([head.encode("utf-8"), block, b"\r\n\r\n"])


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _in_use(path: Path) -> bool:
    """Whether a live writer holds the file (its flock)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return True  # gone meanwhile, or not ours to touch
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)


def repair(folder: Path, keep: Path | None = None) -> list[str]:
    """Close the WARC files dead crawls left open (call with the site's lock held): cut a torn
    last record, write the index, rename. Returns what was done, one line per file."""
    done = []
    if not folder.is_dir():
        return done
    for leftover in folder.glob(".*.part"):  # an index write_atomic did not finish
        leftover.unlink(missing_ok=True)
    for path in sorted(folder.glob(f"*{WARC_SUFFIX}{OPEN_SUFFIX}")):
        if path == keep or _in_use(path):
            continue
        captures, members = scan_captures(path)
        final = path.with_name(path.name.removesuffix(OPEN_SUFFIX))
        if members.torn:
            with open(path, "r+b") as handle:
                handle.truncate(members.end)
                os.fsync(handle.fileno())
            done.append(f"{final.name}: cut a torn last record ({members.error})")
        write_atomic(index_path(final), "".join(
            Capture(**{**c.__dict__, "file": str(final)}).line() + "\n" for c in captures))
        os.replace(path, final)
    return done
