"""A Scrapyd job goes through the same bookkeeping as `archiver crawl`: finding its site locked
by another run, it crawls nothing and its report says so, naming the holder."""

from __future__ import annotations

import json
import os

from archiver.run.lock import SiteLock
from tests.conftest import run_archiver
from tests.test_scrapyd import fixture_sites, start_scrapyd


def test_a_scrapyd_job_finding_its_site_locked_crawls_nothing(server, tmp_path):
    configs, out = tmp_path / "configs", tmp_path / "out"
    fixture_sites(server, configs, count=1)
    proc, node = start_scrapyd(tmp_path / "node")
    lock = SiteLock(out, "site0", "test holder").acquire()
    try:
        assert run_archiver("--config-dir", str(configs), "deploy", "--scrapyd",
                            node).returncode == 0
        result = run_archiver("--config-dir", str(configs), "dispatch", "site0", "--wait",
                              "--scrapyd", node, "--output", str(out), timeout=240)
        assert "site0 (on " in result.stdout and ": LOCKED: " in result.stdout, \
            result.stdout + result.stderr
        [path] = (out / ".reports").glob("dispatch-*.json")
        report = json.loads(path.read_text(encoding="utf-8"))
        site = report["sites"]["site0"]
        assert report["exit_code"] == 3 and site["outcome"] == "locked"
        assert f"by process {os.getpid()}" in site["reason"] and "test holder" in site["reason"]
        assert not list((out / "site0").glob("*.md"))
        assert server.hits["/site0/list.htm"] == 0
    finally:
        lock.release()
        proc.terminate()
        proc.wait(timeout=10)
