"""A small threaded HTTP server for the demo and the tests.

It serves registered responses and files from a folder. It also answers requests made through
it as an HTTP proxy (absolute URLs in the request line), so pages can be served under their real
addresses, e.g. http://news.nankai.edu.cn/..., to a crawler run with http_proxy pointing here;
`hosts` maps host names to folders served that way (the demo's fixed addresses).
"""

from __future__ import annotations

import mimetypes
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Reply:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    # Fault injection for tests: "drop" closes the connection without answering; "truncate"
    # promises more bytes than it sends.
    fault: str = ""
    delay: float = 0.0  # seconds before this answer (timeouts)


def _normal_path(path: str) -> str:
    while "//" in path:
        path = path.replace("//", "/")
    return path


_TYPES = {
    ".htm": "text/html; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".shtml": "text/html; charset=utf-8",
    ".js": "application/javascript; charset=utf-8",
}


def _content_type(file: Path) -> str:
    guessed = mimetypes.guess_type(file.name)[0]
    return _TYPES.get(file.suffix) or guessed or "application/octet-stream"


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's listen backlog is 5: a crawl opening 64 connections at once overflowed it,
    # and the kernel's SYN retries (1, 3, 7, 15 s...) made image downloads time out under load.
    request_queue_size = 128

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that hangs up mid-answer (a killed crawl, a cancelled download) is normal.
        pass


class FixtureServer:
    def __init__(self, root: Path | str | None = None, hosts: dict[str, Path] | None = None,
                 port: int = 0):
        self.root = Path(root) if root else None
        self.hosts = dict(hosts or {})
        self.replies: dict[str, Reply] = {}
        self.sequences: dict[str, list[Reply]] = {}
        self.hits: Counter[str] = Counter()
        # When each path was asked for (monotonic seconds), for tests of pacing such as backoff.
        self.hit_times: dict[str, list[float]] = {}
        self.delay = 0.0  # seconds before every answer (slow-server tests)
        # Paths (or full URLs, through the proxy) answered whatever query string or `;param`
        # follows them, as many real sites answer `page.htm?from=rss` or `;jsessionid=…`.
        self.any_query: set[str] = set()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                reply = server.lookup(self.path)
                if server.delay or reply.delay:
                    time.sleep(server.delay + reply.delay)
                if reply.fault == "drop":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                extra = 1000 if reply.fault == "truncate" else 0
                self.send_header("Content-Length", str(len(reply.body) + extra))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(reply.body)
                if extra:
                    self.close_connection = True

            def log_message(self, *args: object) -> None:
                pass

        # Loopback only, on a port the system picks unless one is asked for (`demo --serve
        # --port`).
        self.httpd = _QuietServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def add(self, url_or_path: str, body: bytes | str, content_type: str | None = None,
            status: int = 200, headers: dict[str, str] | None = None) -> None:
        """Serve `body` at a path ("/a.htm") or, through the proxy, at a full URL."""
        raw = body.encode("utf-8") if isinstance(body, str) else body
        if content_type is None:
            guessed = mimetypes.guess_type(urlsplit(url_or_path).path)[0] or "text/html"
            content_type = guessed + ("; charset=utf-8" if guessed.startswith("text/") else "")
        self.replies[self._key(url_or_path)] = Reply(raw, content_type, status, headers or {})

    def add_sequence(self, url_or_path: str, replies: list[Reply]) -> None:
        """Answer with each reply in turn, then keep answering with the last one."""
        self.sequences[self._key(url_or_path)] = list(replies)

    @staticmethod
    def _key(url_or_path: str) -> str:
        parts = urlsplit(url_or_path)
        path = _normal_path(parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return f"{parts.scheme}://{parts.netloc}{path}" if parts.scheme else path

    def lookup(self, request_path: str) -> Reply:
        key = self._key(request_path)
        self.hits[key] += 1
        self.hit_times.setdefault(key, []).append(time.monotonic())
        sequence = self.sequences.get(key)
        if sequence:
            return sequence.pop(0) if len(sequence) > 1 else sequence[0]
        if key in self.replies:
            return self.replies[key]
        bare = key.split("?", 1)[0].split(";", 1)[0]
        if bare in self.any_query and bare in self.replies:
            return self.replies[bare]
        root = self.root
        if request_path.startswith("http"):
            root = self.hosts.get(urlsplit(request_path).netloc)
            key = self._key(urlsplit(request_path).path or "/")
        if root is not None:
            file = (root / key.split("?", 1)[0].lstrip("/")).resolve()
            if file.is_dir():
                file = file / "index.html"
            if file.is_file() and root.resolve() in file.parents:
                return Reply(file.read_bytes(), _content_type(file))
        return Reply(b"<html><body><h1>404 Not Found</h1></body></html>", status=404)

    def start(self) -> FixtureServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> FixtureServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
