"""Raw captures: every page the crawl fetches, kept as Scrapy received it, in WARC files.

    <output>/<site>/.warc/<site>-<time>-<job>.warc.gz          one file per crawl (job)
    <output>/<site>/.warc/<site>-<time>-<job>.warc.gz.open     the same while its crawl runs
    <output>/<site>/.warc/<site>-<time>-<job>.warc.gz.idx      its index, written at the end

writer     appends request/response (or revisit) records, one gzip member each
reader     reads them back, a torn last record cut (kill -9, power cut), and a site's index
derive     an archive file's text from a capture, with today's extraction
rebuild    `archiver rebuild`: every archive file re-derived from its newest capture
history    `archiver history URL`: the captured versions of an article
export     `archiver export --wacz`: a WACZ of the captures for replay tools
verify     what `archiver check` says of the captures
middleware the downloader middleware that captures during a crawl
"""

from __future__ import annotations

from pathlib import Path

# Per-site config key `capture:` values; "pages" (article and list pages) is the default.
CAPTURE_MODES = ("pages", "all", "off")
DEFAULT_MODE = "pages"
# The site's capture folder: hidden, so `publish` (which copies *.md and linked images) and
# Hexo never see it.
CAPTURE_DIR = ".warc"
WARC_SUFFIX = ".warc.gz"
OPEN_SUFFIX = ".open"  # a WARC file whose crawl has not closed it (running, or killed)
INDEX_SUFFIX = ".idx"


def capture_dir(output: Path | str, site: str) -> Path:
    return Path(output) / site / CAPTURE_DIR


def warc_files(output: Path | str, site: str) -> list[Path]:
    """Every WARC file of a site, closed or still open, oldest first (names start with the
    time)."""
    folder = capture_dir(output, site)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if p.name.endswith((WARC_SUFFIX, WARC_SUFFIX + OPEN_SUFFIX)))


def captured_sites(output: Path | str) -> list[str]:
    root = Path(output)
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir()
                  if not p.name.startswith(".") and (p / CAPTURE_DIR).is_dir())
