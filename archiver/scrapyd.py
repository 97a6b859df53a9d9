"""Talk to Scrapyd nodes: their addresses and credentials, their JSON API, and the project's egg.

A node is given as a URL. HTTP basic auth comes from the URL's user info
(`http://user:pass@host:6800`) or, when the URL has none, from ~/.netrc (as scrapyd-client
does). A password is never part of a message: every text about a node uses `Node.name`, which
masks it, and every error is masked again before it is raised.

The egg's version names what it carries: `<label>-<digest>`, where the digest is a hash of the
archiver package and the site configs. `dispatch` computes the same digest from its own code and
configs, so it can tell which node runs something else (a stale node) before scheduling there.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import netrc
import re
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

from archiver.config import config_files

PROJECT = "archiver"
PACKAGE = Path(__file__).resolve().parent
TIMEOUT = 10  # seconds for one API call

SETUP_PY = """from setuptools import find_packages, setup
setup(
    name="archiver", version={version!r}, packages=find_packages(include=["archiver*"]),
    package_data={{"archiver": ["_sites/*.yaml", "demo/configs/*.yaml", "demo/site/**/*"]}},
    entry_points={{"scrapy": ["settings = archiver.settings"]}}, zip_safe=False,
)
"""


class ScrapydError(Exception):
    """A node that did not answer (`answered` False), or refused a call. The message names the
    node (password masked) and says why."""

    def __init__(self, node: str, reason: str, answered: bool = True):
        super().__init__(f"{node}: {reason}")
        self.reason, self.answered = reason, answered


class BadNodeURL(ValueError):
    """A --scrapyd value that is not a usable node address, or credentials that cannot be read."""


@dataclass(frozen=True)
class NodeJob:
    id: str
    project: str
    spider: str
    state: str  # "pending", "running" or "finished"


@dataclass(frozen=True)
class Node:
    url: str  # scheme://host:port/path, without user info
    name: str  # for messages and reports: the URL as given, its password masked
    authorization: str = ""  # the Authorization header, when the node needs one
    secrets: tuple[str, ...] = ()  # the password as given (perhaps %-encoded) and decoded
    target: str = ""  # its name in scrapy.cfg ([deploy:NAME]), when it came from there

    @classmethod
    def parse(cls, text: str, login: tuple[str, str] | None = None, target: str = "") -> Node:
        """A node from its URL; `login` (user, password) when given elsewhere than in the URL
        (a scrapy.cfg target's `username` and `password`)."""
        parts = urllib.parse.urlsplit(text.strip())
        user = urllib.parse.unquote(parts.username or "")
        password = urllib.parse.unquote(parts.password or "")
        if login and login[0] and not user:
            user, password = login
        host = parts.hostname or ""
        netloc = host if ":" not in host else f"[{host}]"
        shown = f"{parts.username}:***@" if parts.password else (
            f"{parts.username}@" if parts.username else "")
        masked = parts._replace(netloc=shown + parts.netloc.rpartition("@")[2])
        try:
            netloc += f":{parts.port}" if parts.port else ""
        except ValueError:
            raise BadNodeURL(f"not a Scrapyd URL: {masked.geturl()} (bad port)") from None
        if parts.scheme not in ("http", "https") or not host:
            raise BadNodeURL(f"not a Scrapyd URL: {masked.geturl()} (give http://host:6800)")
        if not user:
            user, password = _netrc_login(host)
        token = base64.b64encode(f"{user}:{password}".encode()).decode() if user else ""
        return cls(url=parts._replace(netloc=netloc).geturl().rstrip("/"),
                   name=masked.geturl().rstrip("/"),
                   authorization=f"Basic {token}" if token else "",
                   secrets=tuple(s for s in {parts.password, password} if s), target=target)

    @property
    def short(self) -> str:
        """host:port, for the lines of a summary."""
        return urllib.parse.urlsplit(self.url).netloc

    def mask(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text

    def call(self, endpoint: str, data: dict | None = None, files: dict | None = None,
             timeout: float = TIMEOUT) -> dict:
        """GET (or POST a form, multipart with `files`) a Scrapyd JSON endpoint; its answer."""
        body, headers = _encode(data, files)
        if self.authorization:
            headers["Authorization"] = self.authorization
        request = urllib.request.Request(f"{self.url}/{endpoint}", data=body, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                answer = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            raise self._error(_http_reason(error)) from None
        except (OSError, ValueError, http.client.HTTPException) as error:
            reason = getattr(error, "reason", error)
            raise self._error(f"no answer ({getattr(reason, 'strerror', None) or reason})",
                              answered=False) from None
        if not isinstance(answer, dict) or answer.get("status") != "ok":
            message = answer.get("message", answer) if isinstance(answer, dict) else answer
            raise self._error(f"{endpoint}: {message}")
        return answer

    def _error(self, reason: str, answered: bool = True) -> ScrapydError:
        return ScrapydError(self.name, self.mask(reason), answered)

    def jobs(self, timeout: float | None = None) -> list[NodeJob]:
        """Every job the node knows (every project's): pending, running, finished."""
        answer = self.call("listjobs.json", timeout=timeout or TIMEOUT)
        return [NodeJob(str(job.get("id")), str(job.get("project", PROJECT)),
                        str(job.get("spider")), state)
                for state in ("pending", "running", "finished") for job in answer.get(state, [])]

    def versions(self) -> list[str]:
        """The project's versions on the node, oldest first (Scrapyd runs the last by default)."""
        return [str(v) for v in self.call(f"listversions.json?project={PROJECT}")["versions"]]

    def cancel(self, job: str) -> str | None:
        """Cancel a job: a pending one leaves the queue, a running one gets SIGINT (Scrapy stops
        gracefully and its report says interrupted). What it was: "pending", "running", or None
        (the node does not know it as either: it had ended, or was forgotten)."""
        answer = self.call("cancel.json", {"project": PROJECT, "job": job})
        prevstate = answer.get("prevstate")
        return str(prevstate) if prevstate else None


def _netrc_login(host: str) -> tuple[str, str]:
    """The user and password ~/.netrc gives for `host`; empty when it gives none."""
    try:
        entry = netrc.netrc().authenticators(host)
    except FileNotFoundError:
        return "", ""
    except netrc.NetrcParseError as error:
        # Its message may quote a token of the file (perhaps a password): name the line only.
        why = error.msg if "permissions" in error.msg else "not valid netrc syntax"
        raise BadNodeURL(f"{error.filename}, line {error.lineno}: {why}") from None
    except OSError as error:
        raise BadNodeURL(f"~/.netrc: {error.strerror}") from None
    return (entry[0] or "", entry[2] or "") if entry else ("", "")


def _http_reason(error: urllib.error.HTTPError) -> str:
    if error.code == 401:
        return ("authentication failed (HTTP 401): give the user and password in the URL "
                "(http://user:pass@host:6800) or in ~/.netrc")
    return f"HTTP {error.code} {error.reason}"


def _encode(data: dict | None, files: dict | None) -> tuple[bytes | None, dict[str, str]]:
    """The request body and its content type: a form, or multipart/form-data with files."""
    if not files:
        encoded = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        return encoded, {}
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
             f"{value}\r\n".encode() for key, value in (data or {}).items()]
    for key, (name, content) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"; '
                     f'filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
                     .encode() + content + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def project_files(config_dir: str) -> list[tuple[str, bytes]]:
    """What the egg carries: the archiver package (without bytecode) and the site configs of
    `config_dir` as archiver/_sites/*.yaml, as (path in the egg, content), in a stable order."""
    files = []
    for path in sorted(PACKAGE.rglob("*")):
        inside = path.relative_to(PACKAGE)
        if (path.is_file() and "__pycache__" not in inside.parts and path.suffix != ".pyc"
                and inside.parts[0] != "_sites"):
            files.append((f"archiver/{inside.as_posix()}", path.read_bytes()))
    for config in config_files(config_dir) or []:
        files.append((f"archiver/_sites/{config.name}", config.read_bytes()))
    return files


def content_digest(files: list[tuple[str, bytes]]) -> str:
    """A short hash naming this code and these configs (the same on every machine)."""
    digest = hashlib.sha256()
    for name, content in files:
        digest.update(name.encode() + b"\0" + hashlib.sha256(content).digest())
    return digest.hexdigest()[:12]


def version_name(label: str, digest: str) -> str:
    # Scrapyd keeps only [A-Za-z0-9_-] of a version name (it names the egg file after it).
    return f"{re.sub(r'[^A-Za-z0-9_-]', '_', label)}-{digest}"


def version_on(node: Node, digest: str) -> str | None:
    """The name of the node's version carrying `digest`, None when the node has none."""
    return next((v for v in reversed(node.versions()) if v.endswith(f"-{digest}")), None)


def build_egg(files: list[tuple[str, bytes]], version: str) -> bytes:
    """An egg of `files` (see project_files)."""
    with tempfile.TemporaryDirectory(prefix="archiver-egg-") as tmp:
        build = Path(tmp)
        for name, content in files:
            (build / name).parent.mkdir(parents=True, exist_ok=True)
            (build / name).write_bytes(content)
        (build / "archiver" / "_sites").mkdir(exist_ok=True)
        (build / "setup.py").write_text(SETUP_PY.format(version=version))
        subprocess.run([sys.executable, "setup.py", "-q", "bdist_egg", "-d", "dist"], cwd=build,
                       check=True, capture_output=True)
        return next((build / "dist").glob("*.egg")).read_bytes()


def prune_versions(node: Node, keep: int, current: str) -> list[str]:
    """Delete the project's versions beyond the newest `keep` on the node (Scrapyd's order),
    never `current` nor a version a pending job asks for; the versions deleted."""
    versions = [v for v in node.versions() if v != current]
    pinned = {str(job.get("version")) for job in node.call(
        f"listjobs.json?project={PROJECT}").get("pending", []) if isinstance(job, dict)}
    deleted = []
    for version in versions[:max(0, len(versions) - (keep - 1))]:
        if version not in pinned:
            node.call("delversion.json", {"project": PROJECT, "version": version})
            deleted.append(version)
    return deleted


def deploy(node: Node, egg: bytes, version: str) -> int:
    """Add the egg to the node as `version`; the number of sites (spiders) it found in it."""
    answer = node.call("addversion.json", {"project": PROJECT, "version": version},
                       {"egg": ("archiver.egg", egg)})
    return int(answer.get("spiders", 0))
