"""Scale-out: two real Scrapyd processes on loopback ports, the project deployed to both,
`archiver dispatch --all --wait` over fixture sites."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from archiver.archive import urlname
from tests.conftest import PROXY_VARS, ROOT, run_archiver, site_config, write_config
from tests.sitebuilder import Article, list_page

SCRAPYD = Path(os.environ.get("VIRTUAL_ENV", ROOT / ".venv")) / "bin" / "scrapyd"
SCRAPYD = SCRAPYD if SCRAPYD.exists() else Path(shutil.which("scrapyd") or "scrapyd")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_scrapyd(folder: Path) -> tuple[subprocess.Popen, str]:
    folder.mkdir(parents=True)
    port = free_port()
    (folder / "scrapyd.conf").write_text(f"""[scrapyd]
bind_address = 127.0.0.1
http_port = {port}
eggs_dir = {folder}/eggs
logs_dir = {folder}/logs
items_dir =
dbs_dir = {folder}/dbs
max_proc = 2
poll_interval = 0.2
""")
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
    env.pop("ARCHIVER_CONFIG_DIR", None)
    proc = subprocess.Popen([str(SCRAPYD)], cwd=folder, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    return proc, f"http://127.0.0.1:{port}"


@pytest.fixture
def nodes(tmp_path):
    started = [start_scrapyd(tmp_path / f"node{i}") for i in (1, 2)]
    yield [url for _, url in started]
    for proc, _ in started:
        proc.terminate()
        proc.wait(timeout=10)


def fixture_sites(server, configs: Path, count: int = 4) -> dict[str, set[str]]:
    """`count` sites on the fixture server, each with its own list and articles."""
    expected = {}
    for n in range(count):
        articles = [Article(960000 + n * 100 + i, f"站点{n}新闻{i}") for i in range(3)]
        for article in articles:
            server.add(article.path, article.page(), content_type="text/html")
        server.add(f"/site{n}/list.htm", list_page(articles, "javascript:void(0);"))
        write_config(configs, site_config(f"site{n}", start_urls=[server.url(f"/site{n}/list.htm")]))
        expected[f"site{n}"] = {f"{urlname(server.url(a.path))}.md" for a in articles}
    return expected


def test_dispatch_spreads_sites_over_nodes_and_archives_each_once(server, tmp_path, nodes):
    configs, out = tmp_path / "configs", tmp_path / "shared-out"
    expected = fixture_sites(server, configs)
    deployed = run_archiver("--config-dir", str(configs), "deploy", "--scrapyd", ",".join(nodes))
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    assert deployed.stdout.count("deployed version") == 2

    result = run_archiver("--config-dir", str(configs), "dispatch", "--all", "--wait",
                          "--scrapyd", ",".join(nodes), "--output", str(out), timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    for site, files in expected.items():
        assert {p.name for p in (out / site).glob("*.md")} == files, site
        line = next(x for x in result.stdout.splitlines() if x.startswith(f"{site} (on "))
        assert line.endswith("3 new, 0 already archived, 0 failed; images 0 fetched, 0 failed")
    used = {line.split(" on ")[1] for line in result.stdout.splitlines() if ": job " in line}
    assert used == set(nodes)  # both nodes got work

    again = run_archiver("--config-dir", str(configs), "dispatch", "site0", "--wait",
                         "--scrapyd", ",".join(nodes), "--output", str(out), timeout=240)
    assert "0 new, 3 already archived" in next(x for x in again.stdout.splitlines()
                                                if x.startswith("site0 (on "))


def test_a_down_node_is_skipped_and_its_share_goes_to_the_other(server, tmp_path, nodes):
    configs, out = tmp_path / "configs", tmp_path / "out"
    expected = fixture_sites(server, configs, count=2)
    run_archiver("--config-dir", str(configs), "deploy", "--scrapyd", nodes[0])
    dead = f"http://127.0.0.1:{free_port()}"
    result = run_archiver("--config-dir", str(configs), "dispatch", "--all", "--wait",
                          "--scrapyd", f"{dead},{nodes[0]}", "--output", str(out), timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"scrapyd node {dead} is down" in result.stderr and "skipped" in result.stderr
    for site, files in expected.items():
        assert {p.name for p in (out / site).glob("*.md")} == files
        assert f"{site}: job" in result.stdout and f"on {nodes[0]}" in result.stdout


def test_a_site_running_on_one_node_is_not_scheduled_again(server, tmp_path, nodes):
    configs, out = tmp_path / "configs", tmp_path / "out"
    fixture_sites(server, configs, count=1)
    run_archiver("--config-dir", str(configs), "deploy", "--scrapyd", ",".join(nodes))
    server.delay = 0.5  # keep the first job busy
    first = run_archiver("--config-dir", str(configs), "dispatch", "site0",
                         "--scrapyd", ",".join(nodes), "--output", str(out))
    assert "site0: job" in first.stdout
    time.sleep(1.0)
    second = run_archiver("--config-dir", str(configs), "dispatch", "site0",
                          "--scrapyd", ",".join(nodes), "--output", str(out))
    assert "site0: already pending or running on http://127.0.0.1:" in second.stdout
    assert "site0: job" not in second.stdout
    server.delay = 0
