"""`archiver demo`: serve the bundled demo sites on 127.0.0.1 and crawl them (no internet).

The sites keep fixed addresses (http://demo-webplus.example/, http://demo-ecms.example/): the
crawl reaches them through the local server acting as an HTTP proxy, on whatever port is free.
So the article URLs, and the urlnames derived from them, are the same on every run, and a
second demo run archives nothing twice.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from archiver.demo.server import FixtureServer

DEMO_ROOT = Path(__file__).resolve().parent
# Each demo site's host name and pages folder (.example names never resolve on the internet).
DEMO_SITES = {"demo-webplus": ("demo-webplus.example", "webplus"),
              "demo-ecms": ("demo-ecms.example", "ecms")}
_PROXY_VARS = ("http_proxy", "HTTP_PROXY", "no_proxy", "NO_PROXY")


@contextmanager
def _proxied(proxy: str) -> Iterator[None]:
    """Send this process's plain-HTTP requests through `proxy` (Scrapy's HttpProxyMiddleware
    reads the environment when the crawl starts), and restore the environment afterwards."""
    saved = {name: os.environ.get(name) for name in _PROXY_VARS}
    os.environ.update(http_proxy=proxy, HTTP_PROXY=proxy, no_proxy="", NO_PROXY="")
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_demo(args: argparse.Namespace, make_settings: Callable) -> int:
    from archiver.commands.common import load_registry
    from archiver.commands.run import Job, run_crawls

    hosts = {host: DEMO_ROOT / "site" / folder for host, folder in DEMO_SITES.values()}
    with FixtureServer(hosts=hosts) as server, _proxied(server.base_url):
        args.config_dir = str(DEMO_ROOT / "configs")
        settings = make_settings(args)
        for name, (host, _folder) in DEMO_SITES.items():
            print(f"serving demo site {name} at http://{host}/ (through {server.base_url})")
        registry = load_registry(settings)
        jobs = [Job(registry.sites[name], name, {}) for name in DEMO_SITES]
        status = run_crawls(settings, jobs, "demo", args)
        print("each article is one .md file in the archive folder, its images in images/; "
              "run the demo again and nothing is archived twice")
        return status
