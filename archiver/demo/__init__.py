"""`archiver demo`: serve the bundled demo sites on 127.0.0.1 and crawl them (no internet);
`archiver demo --serve`: keep them served, a playground for every other command.

The sites keep fixed addresses (http://demo-webplus.example/, http://demo-ecms.example/): the
crawl reaches them through the local server acting as an HTTP proxy, on whatever port is free.
So the article URLs, and the urlnames derived from them, are the same on every run, and a
second demo run archives nothing twice.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import threading
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


def serve_demo(args: argparse.Namespace) -> int:
    """Serve the demo sites until Ctrl-C or SIGTERM, after saying what to set to use them."""
    from archiver.commands.common import EXIT_CONFIG

    configs = Path(args.config_dir or "demo-configs").resolve()
    try:
        copy_configs(configs)
    except OSError as error:
        print(f"cannot write the demo configs into {configs}: {error.strerror or error}",
              file=sys.stderr)
        return EXIT_CONFIG
    try:
        server = FixtureServer(hosts=demo_hosts(), port=args.port or 0)
    except OSError as error:
        print(f"cannot listen on 127.0.0.1:{args.port}: {error.strerror or error}",
              file=sys.stderr)
        return EXIT_CONFIG
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with server:
        webplus, ecms = (f"http://{host}/" for host, _ in DEMO_SITES.values())
        print(f"""serving the demo sites {webplus} and {ecms} through the proxy {server.base_url}
their configs are in {configs}

in another shell, set:
  export http_proxy={server.base_url}
  export ARCHIVER_CONFIG_DIR={configs}      # or give --config-dir {configs}
then try:
  archiver crawl demo-webplus demo-ecms
  archiver fetch {webplus}3e/1a/c1001a300101/page.htm
  archiver preview demo-ecms
  archiver new-site {webplus}1001/list.htm --name my-demo
  archiver refresh demo-webplus
  archiver status
  archiver publish ~/blog                   # a Hexo site: see "Publishing with Hexo"

Ctrl-C stops the server.""", flush=True)
        try:
            while not stop.wait(1.0):
                pass
        except KeyboardInterrupt:
            pass
    print("demo server stopped", flush=True)
    return 0


def run_demo(args: argparse.Namespace, make_settings: Callable) -> int:
    from archiver.commands.common import load_registry
    from archiver.commands.run import Job, run_crawls

    if args.serve:
        return serve_demo(args)
    hosts = demo_hosts()
    with FixtureServer(hosts=hosts) as server, _proxied(server.base_url):
        args.config_dir = str(DEMO_ROOT / "configs")
        settings = make_settings(args)
        for name, (host, _folder) in DEMO_SITES.items():
            print(f"serving demo site {name} at http://{host}/ (through {server.base_url})")
        registry = load_registry(settings)
        jobs = [Job(registry.sites[name], name, {}) for name in DEMO_SITES]
        status = run_crawls(settings, jobs, "demo", args)
        print("each article is one .md file in the archive folder, its images in images/; "
              "run the demo again and nothing is archived twice; `archiver demo --serve` keeps "
              "the demo sites up to try the other commands on them")
        return status
