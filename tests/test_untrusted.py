"""Untrusted input: no config file, server answer or file system state can hang, exhaust or
escape the archiver. One test per attack, each from the real input, checking the exit code, the
message, the time taken and that nothing outside the archive changed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archiver.config import MAX_CONFIG_BYTES, ConfigError, load_site, load_sites
from tests.conftest import (
    PROXY_VARS,
    ROOT,
    archive_files,
    coded,
    run_archiver,
    site_config,
    write_config,
)
from tests.sitebuilder import Article, serve_site


def snapshot(folder: Path, skip: Path | None = None) -> dict[str, tuple[str, bytes]]:
    """Every entry under folder (the archive `skip` left out): its kind and content."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if skip is not None and (path == skip or skip in path.parents):
            continue
        kind = "link" if path.is_symlink() else "dir" if path.is_dir() else "file"
        found[str(path)] = (kind, path.read_bytes() if kind == "file" else b"")
    return found


def crawl(tmp_path: Path, *sites: str) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    result = run_archiver("--config-dir", str(tmp_path / "configs"), "crawl",
                          *(sites or ("--all",)), "--output", str(tmp_path / "out"))
    return result, time.monotonic() - started


def good_site(tmp_path: Path, server, count: int = 2) -> list[Article]:
    articles = [Article(810000 + i, f"好站新闻{i}") for i in range(count)]
    write_config(tmp_path / "configs", site_config("good", start_urls=[serve_site(server, articles)]))
    return articles


def config_errors(result: subprocess.CompletedProcess) -> list[str]:
    """The summary's line for each site whose config does not load."""
    return [line for line in result.stdout.splitlines() if ": CONFIG ERROR: " in line]


# -- YAML: aliases, size, depth, unbounded values --------------------------------------------------

ALIAS_BOMB = "\n".join(
    ["name: bomb", "label: x", "tags: [x]", "categories: [x]", "allowed_domains: [127.0.0.1]",
     "start_urls: [http://127.0.0.1/]", "a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    + ["school: &a9 [" + ", ".join(["*a8"] * 9) + "]"]) + "\n"


def bad_configs(folder: Path) -> dict[str, str]:
    """Each attack as a config file, and the words its one-line error must hold."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bomb.yaml").write_text(ALIAS_BOMB, encoding="utf-8")
    (folder / "huge.yaml").write_text("# padding\n" * (MAX_CONFIG_BYTES // 10 + 10)
                                      + "name: huge\n", encoding="utf-8")
    (folder / "deep.yaml").write_text("name: " + "[" * 60000 + "]" * 60000 + "\n",
                                      encoding="utf-8")
    long_list = site_config("longlist", start_urls=["http://127.0.0.1/x"])
    long_list["school"] = list(range(20000))
    write_config(folder, long_list)
    long_text = site_config("longtext", start_urls=["http://127.0.0.1/x"])
    long_text["cms"] = "x" * 200000
    write_config(folder, long_text)
    return {"bomb.yaml": "anchors and aliases", "huge.yaml": "larger than 256 KB",
            "deep.yaml": "nested too deeply", "longlist.yaml": "a list of 20000 item(s)",
            "longtext.yaml": "a string of 200000 characters"}


def test_bad_yaml_files_each_give_one_short_line_at_once(tmp_path):
    expected = bad_configs(tmp_path)
    started = time.monotonic()
    registry = load_sites(tmp_path)
    assert time.monotonic() - started < 5
    assert not registry.sites
    errors = {Path(e.source).name: str(e) for e in registry.errors}
    assert set(errors) == set(expected)
    for name, words in expected.items():
        assert words in errors[name], errors[name]
        assert "\n" not in errors[name] and len(errors[name]) < 600, errors[name][:600]


def test_a_good_site_is_crawled_beside_every_bad_config(server, tmp_path):
    articles = good_site(tmp_path, server)
    expected = bad_configs(tmp_path / "configs")
    outside = snapshot(tmp_path, skip=tmp_path / "out")
    result, took = crawl(tmp_path)
    assert took < 60
    assert result.returncode == 2, result.stderr
    assert len(archive_files(tmp_path / "out", "good")) == len(articles)
    errors = config_errors(result)
    assert len(errors) == len(expected)
    assert all(len(line) < 700 for line in errors)
    assert snapshot(tmp_path, skip=tmp_path / "out") == outside


# -- settings: an allow-list -----------------------------------------------------------------------

@pytest.mark.parametrize(("setting", "value", "words"), [
    ("ITEM_PIPELINES", '{"scrapy.pipelines.files.FilesPipeline": 1}', "not a per-site setting"),
    ("FEEDS", '{"/tmp/feed.json": {"format": "json"}}', "not a per-site setting"),
    ("LOG_FILE", "/tmp/archiver-escaped.log", "not a per-site setting"),
    ("DOWNLOADER_MIDDLEWARES", '{"archiver.middlewares.CharsetMiddleware": null}',
     "not a per-site setting"),
    ("DOWNLOAD_DELAY", "abc", "must be a number"),
    ("DOWNLOAD_DELAY", -1, "between 0 and 600"),
    ("CONCURRENT_REQUESTS", 2.5, "whole number"),
    ("ROBOTSTXT_OBEY", "no", "true or false"),
    ("DOWNLOAD_MAXSIZE", 10 ** 12, "between 1 and 33554432"),
    ("USER_AGENT", "bot\r\nX-Injected: 1", "one line"),
])
def test_settings_outside_the_allow_list_or_range_are_config_errors(tmp_path, setting, value,
                                                                    words):
    path = write_config(tmp_path, site_config(start_urls=["http://127.0.0.1/x"],
                                              settings={setting: value}))
    with pytest.raises(ConfigError) as error:
        load_site(path)
    assert error.value.key == f"settings.{setting}"
    assert str(path) in str(error.value) and words in str(error.value)


def test_every_allowed_setting_loads_with_a_sensible_value(tmp_path):
    from archiver.config.sitesettings import ALLOWED

    values = {bool: True, int: 3, float: 1.5, str: "archiver-test/1.0"}
    settings = {name: values[rule.kind] for name, rule in ALLOWED.items()}
    site = load_site(write_config(tmp_path, site_config(start_urls=["http://127.0.0.1/x"],
                                                        settings=settings)))
    assert dict(site.settings) == settings


def test_a_site_that_sets_pipelines_or_feeds_is_not_crawled(server, tmp_path):
    good_site(tmp_path, server)
    feed = tmp_path / "escaped.json"
    write_config(tmp_path / "configs", site_config(
        "evil", start_urls=[server.url("/1001/list.htm")],
        settings={"DOWNLOAD_DELAY": 0, "FEEDS": json.dumps({str(feed): {"format": "json"}})}))
    result, took = crawl(tmp_path, "evil")
    assert result.returncode == 2 and took < 60
    assert "settings.FEEDS" in config_errors(result)[0]
    assert not feed.exists() and not (tmp_path / "out" / "evil").exists()
    assert not server.hits


# -- regular expressions run in linear time --------------------------------------------------------

def test_a_catastrophic_pattern_cannot_hang_a_crawl(server, tmp_path):
    articles = [Article(820000 + i, f"正则新闻{i}") for i in range(2)]
    start = serve_site(server, articles)
    # A link that makes Python's backtracking `re` run for ages on (a+)+$.
    evil = "/" + "a" * 5000 + "!"
    page = server.replies["/1001/list.htm"].body.decode("utf-8")
    server.add("/1001/list.htm", page.replace("</ul>", f'<li><a href="{evil}">x</a></li></ul>', 1))
    write_config(tmp_path / "configs", site_config(
        start_urls=[start], article={"url_pattern": r"(/c\d+a\d+/page\.htm|(a+)+)$"}))
    result, took = crawl(tmp_path, "fixture")
    assert took < 60
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(archive_files(tmp_path / "out", "fixture")) == 2


def test_patterns_re2_cannot_run_in_linear_time_are_refused_at_load(tmp_path):
    for pattern in (r"(a+)\1", r"(?=news)/c\d+"):
        path = write_config(tmp_path, site_config(start_urls=["http://127.0.0.1/x"],
                                                  article={"url_pattern": pattern}))
        with pytest.raises(ConfigError) as error:
            load_site(path)
        assert error.value.key == "article.url_pattern" and "RE2" in str(error.value)


# -- files: symlinks, names from URLs, output problems ---------------------------------------------

@pytest.mark.parametrize("link", ["fixture/.archiver.lock", "fixture/images", "fixture"])
def test_a_symlink_out_of_the_archive_is_refused(server, tmp_path, link):
    articles = [Article(830000, "符号链接", images=["/img/a.png"])]
    write_config(tmp_path / "configs", site_config(start_urls=[serve_site(server, articles)]))
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious.txt").write_text("keep me\n", encoding="utf-8")
    (tmp_path / "out" / "fixture").mkdir(parents=True)
    target = victim / "precious.txt" if link.endswith(".lock") else victim
    if link == "fixture":
        (tmp_path / "out" / "fixture").rmdir()
    (tmp_path / "out" / link).symlink_to(target)
    outside = snapshot(tmp_path, skip=tmp_path / "out")
    result, took = crawl(tmp_path, "fixture")
    assert result.returncode == 2 and took < 60, result.stdout + result.stderr
    assert "symbolic link" in result.stderr and str(tmp_path / "out" / link) in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert snapshot(tmp_path, skip=tmp_path / "out") == outside
    assert not server.hits


def test_a_host_that_is_not_a_folder_name_is_refused(tmp_path):
    (tmp_path / "configs").mkdir()
    outside = snapshot(tmp_path)
    started = time.monotonic()
    result = run_archiver("--config-dir", str(tmp_path / "configs"), "fetch",
                          "http://../one/page.htm", "--output", str(tmp_path / "out"))
    assert result.returncode == 2 and time.monotonic() - started < 30
    assert "cannot name a site folder" in result.stderr
    assert snapshot(tmp_path) == outside  # not even the archive folder was made


def test_an_output_path_that_is_a_file_is_one_line_and_exit_2(server, tmp_path):
    good_site(tmp_path, server)
    (tmp_path / "out").write_text("not a folder\n", encoding="utf-8")
    outside = snapshot(tmp_path)
    result, took = crawl(tmp_path, "good")
    assert result.returncode == 2 and took < 60
    assert result.stderr.strip().splitlines() == [
        f"cannot write the archive: the archive folder {tmp_path / 'out'} is not a folder"]
    assert snapshot(tmp_path) == outside and not server.hits


def test_an_output_folder_without_write_permission_is_one_line_and_exit_2(server, tmp_path):
    # Root writes anywhere (CAP_DAC_OVERRIDE): as root the run keeps its user, so it reads the
    # checkout wherever it was cloned (a folder only its owner can read), and drops the
    # capabilities that bypass file permissions (setpriv) to meet the problem.
    as_root = os.geteuid() == 0
    if as_root and not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv")
    good_site(tmp_path, server)
    (tmp_path / "out").mkdir()
    (tmp_path / "out").chmod(0o555)
    try:
        outside = snapshot(tmp_path)
        command = [sys.executable, "-m", "archiver.cli", "--config-dir", str(tmp_path / "configs"),
                   "crawl", "good", "--output", str(tmp_path / "out")]
        if as_root:
            command = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--",
                       *command]
        env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
        started = time.monotonic()
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                                timeout=120)
        assert result.returncode == 2 and time.monotonic() - started < 60, result.stderr
        assert result.stderr.strip().splitlines() == [
            f"cannot write the archive: cannot create the folder {tmp_path / 'out' / 'good'}: "
            "Permission denied"]
        assert snapshot(tmp_path) == outside and not server.hits
    finally:
        (tmp_path / "out").chmod(0o755)


def test_files_are_written_with_the_users_umask(server, tmp_path):
    articles = [Article(840000, "权限", images=["/img/m.png"])]
    write_config(tmp_path / "configs", site_config(start_urls=[serve_site(server, articles)]))
    previous = os.umask(0o022)
    try:
        result, _ = crawl(tmp_path, "fixture")
    finally:
        os.umask(previous)
    assert result.returncode == 0, result.stdout + result.stderr
    folder = tmp_path / "out" / "fixture"
    written = [*folder.glob("*.md"), *(folder / "images").iterdir()]
    assert len(written) == 2
    assert {oct(path.stat().st_mode & 0o777) for path in written} == {"0o644"}


# -- server answers --------------------------------------------------------------------------------

def test_an_off_site_redirect_is_reported_as_such(server, tmp_path):
    moved, good = Article(850000, "跳到别处"), Article(850001, "正常")
    start = serve_site(server, [moved, good])
    server.add(moved.path, b"", status=302, headers={"Location": "http://elsewhere.example/x.htm"})
    write_config(tmp_path / "configs", site_config(start_urls=[start]))
    result, took = crawl(tmp_path, "fixture")
    assert result.returncode == 1 and took < 60
    report = json.loads(next((tmp_path / "out" / ".reports").glob("*-crawl.json")).read_text())
    failures = report["sites"]["fixture"]["failures"]
    assert coded(failures) == [("article", "offsite_redirect", server.url(moved.path))]
    assert failures[0]["reason"] == ("redirected off-site to http://elsewhere.example/x.htm "
                                     "(outside allowed_domains)")
    assert len(archive_files(tmp_path / "out", "fixture")) == 1



# -- defaults follow the user ----------------------------------------------------------------------

def test_default_folders_are_those_of_the_working_directory(server, tmp_path):
    # After `pip install .` the package lives in site-packages: nothing may be written there.
    articles = [Article(860000, "默认目录")]
    write_config(tmp_path / "spiders_config", site_config(start_urls=[serve_site(server, articles)]))
    env = {k: v for k, v in os.environ.items()
           if k not in PROXY_VARS and k not in ("ARCHIVER_CONFIG_DIR", "ARCHIVER_OUTPUT_DIR")}
    result = subprocess.run([sys.executable, "-m", "archiver.cli", "crawl", "fixture"],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(archive_files(tmp_path / "output", "fixture")) == 1
    assert not (ROOT / "output" / "fixture").exists()
