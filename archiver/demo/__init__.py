"""The bundled demo sites, served on 127.0.0.1 (`archiver demo` crawls them, no internet, and
`archiver demo --serve` keeps them served for every other command: archiver.commands.demo).

The sites keep fixed addresses (http://demo-webplus.example/, http://demo-ecms.example/): the
crawl reaches them through the local server acting as an HTTP proxy, on whatever port is free.
So the article URLs, and the urlnames derived from them, are the same on every run, and a
second demo run archives nothing twice.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DEMO_ROOT = Path(__file__).resolve().parent
# Each demo site's host name and pages folder (.example names never resolve on the internet).
DEMO_SITES = {"demo-webplus": ("demo-webplus.example", "webplus"),
              "demo-ecms": ("demo-ecms.example", "ecms")}
PROXY_VARS = ("http_proxy", "HTTP_PROXY", "no_proxy", "NO_PROXY")


@contextmanager
def proxied(proxy: str) -> Iterator[None]:
    """Send this process's plain-HTTP requests through `proxy` (Scrapy's HttpProxyMiddleware
    reads the environment when the crawl starts), and restore the environment afterwards."""
    saved = {name: os.environ.get(name) for name in PROXY_VARS}
    os.environ.update(http_proxy=proxy, HTTP_PROXY=proxy, no_proxy="", NO_PROXY="")
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def demo_hosts() -> dict[str, Path]:
    return {host: DEMO_ROOT / "site" / folder for host, folder in DEMO_SITES.values()}


def copy_configs(folder: Path) -> list[str]:
    """The demo sites' configs into `folder` (a config of that name already there is kept: it
    may be the user's own edit); the names copied."""
    folder.mkdir(parents=True, exist_ok=True)
    copied = []
    for config in sorted((DEMO_ROOT / "configs").glob("*.yaml")):
        if not (folder / config.name).exists():
            shutil.copyfile(config, folder / config.name)
            copied.append(config.name)
    return copied
