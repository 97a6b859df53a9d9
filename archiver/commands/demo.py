"""`archiver demo`: serve the bundled demo sites (archiver.demo) on 127.0.0.1 and crawl them."""

from __future__ import annotations

import argparse

from archiver.commands.common import load_registry, settings_for
from archiver.commands.run import Job, run_crawls
from archiver.demo import DEMO_ROOT, DEMO_SITES, proxied
from archiver.demo.server import FixtureServer


def cmd_demo(args: argparse.Namespace) -> int:
    hosts = {host: DEMO_ROOT / "site" / folder for host, folder in DEMO_SITES.values()}
    with FixtureServer(hosts=hosts) as server, proxied(server.base_url):
        args.config_dir = str(DEMO_ROOT / "configs")
        settings = settings_for(args)
        for name, (host, _folder) in DEMO_SITES.items():
            print(f"serving demo site {name} at http://{host}/ (through {server.base_url})")
        registry = load_registry(settings)
        jobs = [Job(registry.sites[name], name, {}) for name in DEMO_SITES]
        status = run_crawls(settings, jobs, "demo", args)
        print("each article is one .md file in the archive folder, its images in images/; "
              "run the demo again and nothing is archived twice")
        return status
