"""`archiver demo`: serve the bundled demo sites on 127.0.0.1 and crawl them (no internet)."""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Callable
from pathlib import Path

from archiver.demo.server import FixtureServer

DEMO_ROOT = Path(__file__).resolve().parent
# Each demo site's pages folder and port. Fixed ports keep the article URLs (and so their
# urlnames) the same from run to run, so a second demo run shows that nothing is archived twice.
DEMO_SITES = {"demo-webplus": ("webplus", 8731), "demo-ecms": ("ecms", 8732)}


def _serve(folder: str, port: int) -> FixtureServer:
    root = DEMO_ROOT / "site" / folder
    try:
        return FixtureServer(root, port=port).start()
    except OSError:
        print(f"port {port} is busy; serving on a free port (URLs will differ between runs)")
        return FixtureServer(root).start()


def write_demo_configs(folder: Path, bases: dict[str, str]) -> None:
    """The demo configs with {base} replaced by each local server's address."""
    for name, base in bases.items():
        text = (DEMO_ROOT / "configs" / f"{name}.yaml").read_text(encoding="utf-8")
        (folder / f"{name}.yaml").write_text(text.replace("{base}", base), encoding="utf-8")


def run_demo(args: argparse.Namespace, make_settings: Callable) -> int:
    from archiver.commands.common import load_registry
    from archiver.commands.run import Job, run_crawls

    servers = {name: _serve(folder, port) for name, (folder, port) in DEMO_SITES.items()}
    try:
        with tempfile.TemporaryDirectory(prefix="archiver-demo-") as config_dir:
            write_demo_configs(Path(config_dir), {n: s.base_url for n, s in servers.items()})
            args.config_dir = config_dir
            settings = make_settings(args)
            for name, server in servers.items():
                print(f"serving demo site {name} at {server.base_url}")
            registry = load_registry(settings)
            jobs = [Job(registry.sites[name], name, {}) for name in DEMO_SITES]
            status = run_crawls(settings, jobs, "demo", args)
            print("each article is one .md file in the archive folder, its images in images/; "
                  "run the demo again and nothing is archived twice")
            return status
    finally:
        for server in servers.values():
            server.stop()
