"""What `archiver check` verifies of the captures: every WARC file reads to its end, every
payload has the digest its record states, and every archive file comes from a capture (or is
counted as having none)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from archiver.archive.layout import site_dir
from archiver.capture import OPEN_SUFFIX, captured_sites, warc_files
from archiver.capture.reader import Members, parse
from archiver.capture.rebuild import article_captures, uncaptured_files
from archiver.capture.writer import payload_digest


@dataclass
class CaptureCheck:
    problems: list[str] = field(default_factory=list)
    files: int = 0
    records: int = 0
    no_capture: dict[str, list[Path]] = field(default_factory=dict)  # site -> archive files


def _check_file(warc: Path, result: CaptureCheck) -> None:
    """Every record of one WARC file parses and every response has the digest it states."""
    members = Members(warc)
    try:
        for offset, _length, data in members:
            record = parse(data)
            result.records += 1
            if record.rec_type != "response":
                continue
            stated = record.rec_headers.get_header("WARC-Payload-Digest")
            actual = payload_digest(record.raw_stream.read())
            if stated != actual:
                result.problems.append(f"{warc}: record at byte {offset} "
                                       f"({record.rec_headers.get_header('WARC-Target-URI')}): "
                                       f"payload digest {actual}, the record says {stated}")
    except Exception as error:  # noqa: BLE001 (any parse error is this file's problem)
        result.problems.append(f"{warc}: unreadable record after byte {members.end}: {error}")
        return
    # A torn tail in a file a killed crawl left open is what a power cut leaves: its complete
    # records read, and the next crawl of the site cuts it. In a closed file it is damage.
    if members.torn and not warc.name.endswith(OPEN_SUFFIX):
        result.problems.append(f"{warc}: {members.error} at byte {members.end} (the records "
                               "before it read)")


def check_captures(output: Path) -> CaptureCheck:
    from archiver.capture.reader import site_captures

    result = CaptureCheck()
    for site in captured_sites(output):
        for warc in warc_files(output, site):
            result.files += 1
            _check_file(warc, result)
    for site in sorted(p.name for p in output.iterdir()
                       if p.is_dir() and not p.name.startswith(".")) if output.is_dir() else []:
        folder = site_dir(output, site)
        captured = set(article_captures(site_captures(output, site)))
        missing = uncaptured_files(folder, captured)
        if missing:
            result.no_capture[site] = missing
    return result
