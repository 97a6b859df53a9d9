"""Serve a folder over HTTP on 127.0.0.1 with Debian's nginx (Twisted's static server when nginx
is missing: slower, and the benchmark says so)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nginx_conf(root: Path, work: Path, port: int) -> str:
    return f"""worker_processes 1; daemon off; pid {work}/nginx.pid;
error_log {work}/nginx-error.log; events {{ worker_connections 4096; }}
http {{ access_log off; sendfile on; keepalive_requests 1000000;
  types {{ text/html htm html; image/png png; }}
  client_body_temp_path {work}/cb; proxy_temp_path {work}/px; fastcgi_temp_path {work}/fc;
  uwsgi_temp_path {work}/uw; scgi_temp_path {work}/sc;
  server {{ listen 127.0.0.1:{port}; root {root}; }} }}"""


def server_command(root: Path, work: Path, port: int) -> tuple[list[str], str]:
    nginx = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
    if nginx:
        conf = work / "nginx.conf"
        conf.write_text(nginx_conf(root, work, port))
        return [nginx, "-c", str(conf), "-p", str(work)], "nginx"
    twist = str(Path(sys.executable).with_name("twist"))
    return ([twist, "web", "--path", str(root), "--listen", f"tcp:{port}:interface=127.0.0.1"],
            "twisted.web static (nginx not installed: the server may be the bottleneck)")


@contextmanager
def serve(root: Path, work: Path) -> Iterator[tuple[str, str]]:
    """Base URL and server kind while the server runs."""
    port = free_port()
    command, kind = server_command(root, work, port)
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}", kind
    finally:
        proc.terminate()
        proc.wait()
