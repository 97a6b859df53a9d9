"""Memory of a long browser-rendered crawl: is it flat?

    .venv/bin/python -m bench.render_memory [PAGES]        (default 200; needs Chromium)

Serves the throughput benchmark's synthetic site of PAGES articles (bench/synthetic.py) with
nginx on 127.0.0.1, crawls it with `archiver crawl` and `render: true` (every list and article
page rendered in headless Chromium), samples the RSS of the whole process tree (Python and
browser processes) twice a second, and prints the peak RSS after each quarter of the articles
was archived. Flat means the last quarter's peak is not far above the first's.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from bench.nginx import serve
from bench.synthetic import START_PATH, generate_site


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


def site_config(base: str) -> dict:
    return {"name": "rendered", "school": "示例大学", "label": "bench.local",
            "tags": ["bench.local"], "categories": ["bench.local"],
            "allowed_domains": ["127.0.0.1"], "start_urls": [f"{base}{START_PATH}"],
            "cms": "webplus", "render": True, "render_wait": ".news_list, .arti_title",
            "settings": {"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0,
                         "ROBOTSTXT_OBEY": False}}


def main(pages: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        work.chmod(0o755)  # nginx's workers run as another user and must read the site
        generate_site(work / "site", pages)
        configs = work / "configs"
        configs.mkdir()
        with serve(work / "site", work) as (base, _):
            (configs / "rendered.yaml").write_text(
                yaml.safe_dump(site_config(base), allow_unicode=True), encoding="utf-8")
            measure(pages, configs, work / "out")


def measure(pages: int, configs: Path, out: Path) -> None:
    folder = out / "rendered"
    started = time.time()
    crawl = subprocess.Popen(
        [sys.executable, "-m", "archiver.cli", "--config-dir", str(configs), "crawl",
         "rendered", "--output", str(out)], cwd=out.parent,
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
