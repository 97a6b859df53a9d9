"""How long `archiver rebuild` takes over N captured articles (default 20,000).

    .venv/bin/python -m bench.rebuild [--articles N]                 (part of `make bench`)

The captures are written directly with the crawl's own writer (archiver.capture.writer), as a
crawl of the benchmark's synthetic site would have kept them (bench/synthetic.py pages, nginx's
headers), so no crawl of 20,000 pages is needed first. Then, as a user runs it:
1. `archiver rebuild bench` into an archive with no file: every article restored;
2. `archiver rebuild bench` again: every article compared, nothing written.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from archiver.capture import capture_dir
from archiver.capture.writer import CaptureWriter
from bench.synthetic import article_page, article_path

PY = sys.executable
BASE = "http://127.0.0.1:8080"
HEADERS = [(b"Server", b"nginx/1.22.1"), (b"Date", b"Sun, 06 Dec 2026 10:00:00 GMT"),
           (b"Content-Type", b"text/html"), (b"Last-Modified", b"Sun, 06 Dec 2026 09:00:00 GMT"),
           (b"Connection", b"keep-alive"), (b"ETag", b'"6752c1a0-10fb"'),
           (b"Accept-Ranges", b"bytes")]
REQUEST_HEADERS = [(b"Host", b"127.0.0.1:8080"),
                   (b"Accept", b"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
                   (b"Accept-Language", b"en"), (b"User-Agent", b"archiver/0.1"),
                   (b"Accept-Encoding", b"gzip, deflate, br, zstd")]


def write_captures(output: Path, count: int) -> float:
    """The captures of `count` article pages; seconds it took."""
    started = time.perf_counter()
    writer = CaptureWriter(capture_dir(output, "bench"), "bench")
    for i in range(count):
        url = BASE + article_path(i)
        writer.capture(url=url, source=url, kind="article", status=200, headers=HEADERS,
                       body=article_page(i).encode("utf-8"), protocol="HTTP/1.1",
                       request_line=f"GET {article_path(i)} HTTP/1.1",
                       request_headers=REQUEST_HEADERS, encoding="utf-8",
                       list_date="2025-03-01", image_links="original")
    writer.close()
    return time.perf_counter() - started


def config(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bench.yaml").write_text(yaml.safe_dump({
        "name": "bench", "school": "示例大学", "label": "bench.local", "tags": ["bench.local"],
        "categories": ["bench.local"], "allowed_domains": ["127.0.0.1"],
        "start_urls": [f"{BASE}/1001/list.htm"], "cms": "webplus"}, allow_unicode=True),
        encoding="utf-8")


def rebuild(work: Path) -> tuple[float, float, str]:
    """One `archiver rebuild bench`: wall and CPU seconds, its summary line."""
    command = [PY, "-m", "archiver.cli", "--config-dir", str(work / "configs"), "--output",
               str(work / "out"), "rebuild", "bench"]
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env={k: v for k, v in os.environ.items()
                                  if not k.startswith(("SCRAPY_", "ARCHIVER_"))})
    out, err = child.communicate()
    wall = time.perf_counter() - started
    if child.returncode != 0:
        sys.exit(f"rebuild failed (exit {child.returncode}):\n{out[-1000:]}{err[-1000:]}")
    return wall, _children_cpu(), out.splitlines()[0]


_SEEN_CPU = 0.0


def _children_cpu() -> float:
    """CPU seconds of the last finished child process."""
    import resource

    global _SEEN_CPU
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = usage.ru_utime + usage.ru_stime
    spent, _SEEN_CPU = total - _SEEN_CPU, total
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="archiver-bench-rebuild-") as tmp:
        work = Path(tmp)
        config(work / "configs")
        took = write_captures(work / "out", args.articles)
        size = sum(p.stat().st_size for p in capture_dir(work / "out", "bench").iterdir())
        print(f"captures of {args.articles:,} articles written in {took:.1f} s "
              f"({size / 1e6:.1f} MB, {size / args.articles:,.0f} B per article)")
        for label in ("into an empty archive (every file restored)",
                      "again (every file compared, none written)"):
            wall, cpu, summary = rebuild(work)
            print(f"rebuild {label}: wall {wall:.1f} s, CPU {cpu:.1f} s, "
                  f"{wall / args.articles * 1000:.2f} ms per article; {summary}")


if __name__ == "__main__":
    main()
