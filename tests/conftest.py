"""Shared test helpers: a real local HTTP server, site configs on disk, and the real CLI.

Crawls run the `archiver` command in a subprocess (Twisted's reactor runs once per process), so
every crawl test exercises Scrapy, the pipelines and the file system for real.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import frontmatter
import pytest
import yaml

from archiver.demo.server import FixtureServer

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PROXY_VARS = ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "no_proxy", "NO_PROXY",
              "all_proxy", "ALL_PROXY")


# Politeness off for crawls of the local test servers (each test adds what it needs).
FAST_SETTINGS = {"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0, "RETRY_TIMES": 0}


@pytest.fixture
def server():
    with FixtureServer() as srv:
        yield srv


def site_config(name: str = "fixture", **overrides) -> dict:
    """A WebPlus-style site config for a fixture site on 127.0.0.1, politeness off."""
    config = {
        "name": name,
        "school": "测试大学",
        "label": "test.example",
        "tags": ["test.example", "测试大学"],
        "categories": ["test.example", "测试大学"],
        "allowed_domains": ["127.0.0.1"],
        "start_urls": [],
        "list": {"article_links": "ul.news_list a", "next_page": "ul.wp_paging a.next"},
        "article": {
            "url_pattern": r"/c\d+a\d+/page\.htm$",
            "headline": ".arti_title",
            "published": ".arti_update",
            "body": ".wp_articlecontent",
        },
        "settings": dict(FAST_SETTINGS),
    }
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(config.get(key), dict):
            config[key] = {**config[key], **value}
        else:
            config[key] = value
    return config


def write_config(folder: Path, config: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{config['name']}.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def run_archiver(*args: str, env: dict[str, str] | None = None, timeout: int = 120,
                 cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the real `archiver` command (in `cwd`, default the repository); proxies are cleared
    unless `env` sets them."""
    full_env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "archiver.cli", *args],
        cwd=cwd or ROOT, env=full_env, capture_output=True, text=True, timeout=timeout,
    )


def archive_files(output: Path, site: str) -> dict[str, frontmatter.Post]:
    folder = output / site
    return {p.name: frontmatter.load(p) for p in sorted(folder.glob("*.md"))}


def blocks(text: str) -> list[str]:
    """Markdown blocks of an archive body, blank lines dropped."""
    return [b.strip() for b in text.split("\n\n") if b.strip()]


def latest_report(output: Path) -> dict:
    """The newest JSON report of an archive (<output>/.reports/)."""
    reports = sorted((output / ".reports").glob("*.json"), key=lambda p: p.stat().st_mtime_ns)
    return json.loads(reports[-1].read_text(encoding="utf-8"))


def site_report(output: Path, site: str = "fixture") -> dict:
    """One site's entry in the newest JSON report of an archive."""
    return latest_report(output)["sites"][site]


def coded(events: list[dict], *fields: str) -> list[tuple]:
    """The report's events (failures, flagged, gone, health, ...) as (kind, code, url) tuples,
    or as the fields named: what tests compare, rather than the reasons' wording."""
    return [tuple(event[f] for f in fields or ("kind", "code", "url")) for event in events]


def wait_until(condition: Callable[[], object], what: str, timeout: float = 60,
               process: subprocess.Popen | None = None) -> None:
    """Poll until `condition()` holds (the event a test acts on), failing after `timeout`
    seconds, or as soon as `process` ends first."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert process is None or process.poll() is None, f"the process ended before {what}"
        assert time.monotonic() < deadline, f"no {what} within {timeout} s"
        time.sleep(0.02)
