"""Scale out with Scrapyd: package the project (site configs inside) as an egg, deploy it, and
spread site crawls over several Scrapyd nodes.

The unit of distribution is the site: each job is `scrapy crawl <site>` on one node, exactly as
on one machine. Nodes are balanced by their pending + running jobs (daemonstatus.json); a site
that is pending or running on any node is not scheduled again (listjobs.json); a node that does
not answer is skipped with a message and its share goes to the others.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from archiver.config import config_files

PROJECT = "archiver"
PACKAGE = Path(__file__).resolve().parent
TIMEOUT = 10

SETUP_PY = """from setuptools import find_packages, setup
setup(
    name="archiver", version={version!r}, packages=find_packages(include=["archiver*"]),
    package_data={{"archiver": ["_sites/*.yaml", "demo/configs/*.yaml", "demo/site/**/*"]}},
    entry_points={{"scrapy": ["settings = archiver.settings"]}}, zip_safe=False,
)
"""


def build_egg(config_dir: str, version: str) -> bytes:
    """An egg of the archiver package with the site configs of `config_dir` packaged inside."""
    files = config_files(config_dir) or []
    with tempfile.TemporaryDirectory(prefix="archiver-egg-") as tmp:
        build = Path(tmp)
        shutil.copytree(PACKAGE, build / "archiver",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "_sites"))
        sites = build / "archiver" / "_sites"
        sites.mkdir()
        for file in files:
            (sites / file.name).write_text(file.read_text(encoding="utf-8"), encoding="utf-8")
        (build / "setup.py").write_text(SETUP_PY.format(version=version))
        subprocess.run([sys.executable, "setup.py", "-q", "bdist_egg", "-d", "dist"], cwd=build,
                       check=True, capture_output=True)
        return next((build / "dist").glob("*.egg")).read_bytes()


def _call(node: str, endpoint: str, data: dict | None = None, files: dict | None = None) -> dict:
    """GET (or POST form/multipart) a Scrapyd JSON endpoint."""
    url = f"{node.rstrip('/')}/{endpoint}"
    body, headers = None, {}
    if files:
        boundary = uuid.uuid4().hex
        parts = []
        for key, value in (data or {}).items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
                         f"{value}\r\n".encode())
        for key, (name, content) in files.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"; '
                         f'filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
                         .encode() + content + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
    elif data is not None:
        body = urllib.parse.urlencode(data, doseq=True).encode()
    request = urllib.request.Request(url, data=body, headers=headers)
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
        answer = json.loads(response.read().decode("utf-8"))
    if answer.get("status") != "ok":
        raise RuntimeError(f"{url}: {answer.get('message', answer)}")
    return answer


def deploy(nodes: list[str], egg: bytes, version: str) -> list[str]:
    """Add the egg to every node; returns the messages (one per node, a down node included)."""
    messages = []
    for node in nodes:
        try:
            answer = _call(node, "addversion.json", {"project": PROJECT, "version": version},
                           {"egg": ("archiver.egg", egg)})
            messages.append(f"{node}: deployed version {version} "
                            f"({answer.get('spiders')} sites)")
        except (OSError, RuntimeError, ValueError) as error:
            messages.append(f"{node}: NOT deployed: {error}")
    return messages


@dataclass
class Node:
    url: str
    load: int = 0  # pending + running jobs
    busy_sites: set[str] = field(default_factory=set)  # this project's pending or running


def probe(nodes: list[str]) -> tuple[list[Node], list[str]]:
    """The nodes that answer, with their load and busy sites; and a message per down node."""
    alive, down = [], []
    for url in nodes:
        try:
            status = _call(url, "daemonstatus.json")
            jobs = _call(url, f"listjobs.json?project={PROJECT}")
        except (OSError, RuntimeError, ValueError) as error:
            down.append(f"scrapyd node {url} is down ({getattr(error, 'reason', error)}): "
                        "skipped, its share goes to the other nodes")
            continue
        busy = {job["spider"] for key in ("pending", "running") for job in jobs.get(key, [])}
        alive.append(Node(url, int(status.get("pending", 0)) + int(status.get("running", 0)),
                          busy))
    return alive, down


@dataclass
class Dispatched:
    site: str
    node: str
    job: str
    report: Path


def dispatch(sites: list[str], nodes: list[Node], output: Path,
             extra_settings: dict[str, str]) -> tuple[list[Dispatched], list[str]]:
    """Schedule each site on the least loaded node, unless it runs somewhere already."""
    busy = {site: node.url for node in nodes for site in node.busy_sites}
    done, skipped = [], []
    for site in sites:
        if site in busy:
            skipped.append(f"{site}: already pending or running on {busy[site]}; not scheduled "
                           "again")
            continue
        node = min(nodes, key=lambda n: n.load)
        job = f"{site}-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
        report = output / ".reports" / f"dispatch-{job}.json"
        settings = {"ARCHIVER_OUTPUT_DIR": str(output), "ARCHIVER_JOB_REPORT": str(report),
                    **extra_settings}
        _call(node.url, "schedule.json", {
            "project": PROJECT, "spider": site, "jobid": job,
            "setting": [f"{k}={v}" for k, v in settings.items()],
        })
        node.load += 1
        done.append(Dispatched(site, node.url, job, report))
    return done, skipped


def wait(jobs: list[Dispatched], poll: float = 1.0, timeout: float = 24 * 3600) -> None:
    """Until every job has finished on its node."""
    deadline = time.monotonic() + timeout
    pending = {(job.node, job.job) for job in jobs}
    while pending and time.monotonic() < deadline:
        for node in {n for n, _ in pending}:
            try:
                finished = {j["id"] for j in _call(node, f"listjobs.json?project={PROJECT}")
                            ["finished"]}
            except (OSError, RuntimeError, ValueError):
                continue
            pending -= {(node, job) for job in finished}
        if pending:
            time.sleep(poll)
