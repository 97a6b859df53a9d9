"""`archiver demo`: serve the bundled demo sites (archiver.demo) on 127.0.0.1 and crawl them;
`archiver demo --serve`: keep them served, a playground for every other command."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from archiver.commands.common import load_registry, settings_for
from archiver.commands.run import Job, run_crawls
from archiver.demo import DEMO_ROOT, DEMO_SITES, copy_configs, demo_hosts, proxied
from archiver.demo.server import FixtureServer
from archiver.run.exitcodes import EXIT_CONFIG


def cmd_demo(args: argparse.Namespace) -> int:
    if args.serve:
        return serve_demo(args)
    with FixtureServer(hosts=demo_hosts()) as server, proxied(server.base_url):
        args.config_dir = str(DEMO_ROOT / "configs")
        settings = settings_for(args)
        for name, (host, _folder) in DEMO_SITES.items():
            print(f"serving demo site {name} at http://{host}/ (through {server.base_url})")
        registry = load_registry(settings)
        jobs = [Job(registry.sites[name], name, {}) for name in DEMO_SITES]
        status = run_crawls(settings, jobs, "demo", args)
        print("each article is one .md file in the archive folder, its images in images/; "
              "run the demo again and nothing is archived twice; `archiver demo --serve` keeps "
              "the demo sites up to try the other commands on them")
        return status


def serve_demo(args: argparse.Namespace) -> int:
    """Serve the demo sites until Ctrl-C or SIGTERM, after saying what to set to use them."""
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
