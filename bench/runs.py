"""The two crawls of the throughput benchmark, each a process of its own, and what they cost.

The baseline (bench/baseline.py, `scrapy runspider`) and `archiver crawl` get the same site,
the same concurrency and politeness off (no robots.txt, no delay, no AutoThrottle), the same
log level, and run from the same folder, outside any Scrapy project.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from bench.synthetic import START_PATH

PY = sys.executable
BASELINE = Path(__file__).with_name("baseline.py")


@dataclass
class Run:
    wall: float  # seconds, process start to exit
    cpu: float  # user + system seconds
    rss: float  # peak resident set, MB
    articles: int  # Markdown files written
    images: int  # image files written


@dataclass
class Crawl:
    """How to start one crawl, and where it writes."""

    name: str
    command: list[str]
    env: dict[str, str]
    articles: Path
    images: Path
    report: Path | None = None  # the archiver's JSON run report


def politeness_off(concurrency: int) -> dict[str, object]:
    return {"CONCURRENT_REQUESTS": concurrency, "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
            "ROBOTSTXT_OBEY": False, "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0}


def clean_env() -> dict[str, str]:
    # Nothing of a Scrapy or archiver project the caller may have set up leaks into either run.
    return {k: v for k, v in os.environ.items() if not k.startswith(("SCRAPY_", "ARCHIVER_"))}


def baseline_crawl(base: str, out: Path, concurrency: int, same_tuning: bool = False) -> Crawl:
    settings = {**politeness_off(concurrency), "LOG_LEVEL": "WARNING",
                "ARTICLES_STORE": out / "bench", "FILES_STORE": out / "images"}
    if same_tuning:
        # CONCURRENT_ITEMS as the archiver's settings have it: both crawls on the same Scrapy
        # tuning, so the comparison measures the archiver's own work only.
        settings["CONCURRENT_ITEMS"] = 8
    command = [PY, "-m", "scrapy", "runspider", str(BASELINE), "-a", f"start={base}{START_PATH}",
               *(arg for key, value in settings.items() for arg in ("-s", f"{key}={value}"))]
    return Crawl("baseline", command, clean_env(), out / "bench", out / "images" / "full")


def archiver_crawl(base: str, out: Path, concurrency: int, capture: str = "pages") -> Crawl:
    configs = out.with_name(f"{out.name}-configs")
    configs.mkdir(parents=True, exist_ok=True)
    config = {
        "name": "bench", "school": "示例大学", "label": "bench.local", "tags": ["bench.local"],
        "categories": ["bench.local"], "allowed_domains": ["127.0.0.1"],
        "start_urls": [f"{base}{START_PATH}"], "cms": "webplus",
        # Up to 50,000 articles on list pages of 20: beyond the default cap of 500 list pages
        # per run (which guards against endless pagers).
        "list": {"max_pages": 5000},
        # Raw captures (WARC) of every page: the default, `pages`, unless --capture says.
        "capture": capture,
        "settings": politeness_off(concurrency),
    }
    (configs / "bench.yaml").write_text(yaml.safe_dump(config, allow_unicode=True),
                                        encoding="utf-8")
    # The CLI logs at WARNING unless -v: the baseline is given the same level.
    report = out.with_name(f"{out.name}-report.json")
    command = [PY, "-m", "archiver.cli", "--config-dir", str(configs), "crawl", "bench",
               "--output", str(out), "--full", "--report", str(report)]
    return Crawl("archiver", command, clean_env(), out / "bench", out / "bench" / "images",
                 report)


def count(folder: Path, pattern: str) -> int:
    return sum(1 for _ in folder.glob(pattern)) if folder.is_dir() else 0


def measure(crawl: Crawl, cwd: Path, profile: Path | None = None) -> Run:
    """Run the crawl (under cProfile when profile is given); its costs from the kernel."""
    command = crawl.command
    if profile:
        command = [PY, "-m", "cProfile", "-o", str(profile), *command[1:]]
    log = cwd / f"{crawl.name}.log"
    started = time.perf_counter()
    with log.open("w") as stderr:
        child = subprocess.Popen(command, cwd=cwd, env=crawl.env, stdout=subprocess.DEVNULL,
                                 stderr=stderr)
        _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{crawl.name} failed (exit {os.waitstatus_to_exitcode(status)}):\n"
                 + log.read_text()[-2000:])
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
               count(crawl.articles, "*.md"), count(crawl.images, "*.png"))
