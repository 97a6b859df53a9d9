"""Memory of a long JavaScript-rendered crawl: is it flat?

    .venv/bin/python -m bench.render_memory [PAGES]        (default 200; needs Chromium)

Serves PAGES script-rendered articles (tests/jssite.py) on 127.0.0.1, crawls them with
`archiver crawl` (every list and article page rendered in headless Chromium), samples the RSS of
the whole process tree (Python and browser processes) twice a second, and prints the peak RSS
after each quarter of the articles was archived. Flat means the last quarter's peak is not
far above the first's.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archiver.demo.server import FixtureServer  # noqa: E402
from tests.jssite import js_site_config, serve_js_site  # noqa: E402


def tree_rss_mb(pid: int) -> float:
    """RSS of a process and all its descendants, in MB (read from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def main(pages: int) -> None:
    with FixtureServer() as server, tempfile.TemporaryDirectory() as tmp:
        serve_js_site(server, count=pages, per_page=20)
        configs = Path(tmp) / "configs"
        configs.mkdir()
        config = js_site_config(server)
        config["settings"] = {"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0}
        (configs / "jssite.yaml").write_text(yaml.safe_dump(config, allow_unicode=True))
        folder = Path(tmp) / "out" / "jssite"
        started = time.time()
        crawl = subprocess.Popen(
            [sys.executable, "-m", "archiver.cli", "--config-dir", str(configs), "crawl",
             "jssite", "--output", str(Path(tmp) / "out")], cwd=ROOT,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        quarters = [pages * q // 4 for q in (1, 2, 3, 4)]
        peaks: dict[int, float] = {}
        peak = 0.0
        while crawl.poll() is None:
            peak = max(peak, tree_rss_mb(crawl.pid))
            done = len(list(folder.glob("*.md"))) if folder.is_dir() else 0
            for q in quarters:
                if done >= q and q not in peaks:
                    peaks[q] = peak
            time.sleep(0.5)
        output = crawl.stdout.read()
        print(output.strip().splitlines()[0] if output.strip() else "(no summary)")
        print(f"{pages} rendered articles in {time.time() - started:.1f} s")
        for q in quarters:
            print(f"  peak RSS (Python + browser) by article {q:>4}: {peaks.get(q, peak):7.1f} MB")
        print(f"  overall peak: {peak:.1f} MB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
