"""The command line as a user meets it: one-line errors with exit code 2, global options before or
after the command, help with examples and exit codes, no traceback (issue #15, README
"Commands" and "Output, reports and exit codes")."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys

import pytest

from tests.conftest import ROOT, coded, run_archiver, site_config, write_config
from tests.sitebuilder import Article, serve_site


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def assert_one_line_error(result, code: int, *words: str) -> None:
    assert result.returncode == code, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0]


@pytest.fixture
def configs(tmp_path):
    folder = tmp_path / "configs"
    write_config(folder, site_config(start_urls=["http://127.0.0.1:1/list.htm"]))
    return folder


@pytest.mark.parametrize(("argv", "words"), [
    (["fetch", "news.nankai.edu.cn/ywsd/system/2025/05/30/030067323.shtml"],
     ["not an http(s) URL", "did you mean http://news.nankai.edu.cn/"]),
    (["refresh", "--since", "yesterday"], ["--since", "YYYY-MM-DD"]),
    (["crawl", "--due", "--now", "tomorrow"], ["--now", "not a time"]),
    (["crawl", "--due", "--now", "2026-13-45"], ["--now", "not a time"]),
    (["new-site", "file:///etc/passwd"], ["not an http(s) URL"]),
    (["crawl", "fixture", "--max-articles", "0"], ["--max-articles", "1 or more"]),
    (["crawl", "fixture", "--max-articles", "-5"], ["--max-articles", "1 or more"]),
    (["preview", "fixture", "--limit", "x"], ["not a whole number"]),
    (["refresh", "nosuchsite"], ["unknown site(s): nosuchsite"]),
    (["crawl", "nosuchsite"], ["unknown site(s): nosuchsite"]),
    (["preview", "nosuchsite"], ["unknown site(s): nosuchsite"]),
    (["crawl"], ["name the sites, or give --all or --due"]),
    (["check", "--output", "/typo/archive"], ["no archive folder at /typo/archive"]),
    (["crawl", "--bogus"], ["unrecognized arguments: --bogus", "--help"]),
])
def test_usage_errors_are_one_line_with_exit_2(configs, tmp_path, argv, words):
    result = run_archiver("--config-dir", str(configs), "--output", str(tmp_path / "out"),
                          *argv)
    assert_one_line_error(result, 2, *words)
    assert not (tmp_path / "out").exists()  # nothing started, nothing written


def test_a_broken_config_named_on_the_command_line_says_what_is_wrong(configs, tmp_path):
    (configs / "broken.yaml").write_text("name: broken\nschool: [\n", encoding="utf-8")
    result = run_archiver("--config-dir", str(configs), "crawl", "broken",
                          "--output", str(tmp_path / "out"))
    assert_one_line_error(result, 2, "config error:", "broken.yaml", "not valid YAML")


def test_global_options_work_before_or_after_the_command(configs, tmp_path):
    before = run_archiver("--config-dir", str(configs), "-v", "sites")
    after = run_archiver("sites", "--config-dir", str(configs), "-v")
    assert before.returncode == after.returncode == 0
    assert before.stdout == after.stdout and "fixture" in after.stdout
    # --output before the command (it used to be accepted only after it)
    check = run_archiver("--output", str(tmp_path / "nothing"), "check")
    assert_one_line_error(check, 2, str(tmp_path / "nothing"))


def test_version_and_help_name_values_give_an_example_and_the_exit_codes():
    version = run_archiver("--version")
    assert version.returncode == 0 and version.stdout.startswith("archiver ")
    for command in ("crawl", "fetch", "refresh", "check", "new-site", "preview", "deploy",
                    "dispatch", "sites", "demo"):
        text = run_archiver(command, "--help").stdout
        assert "example:\n  archiver " in text, command
        assert "exit codes:" in text and "130" in text, command
        # argparse's default metavars (the option's name in capitals) are gone
        assert not re.search(r"--[a-z-]+ [A-Z_]{4,}", text.replace(" DIR", "").replace(
            " FILE", "").replace(" TIME", "").replace(" DATE", "").replace(" NAME", "").replace(
            " TEXT", "").replace(" URL", "")), command
    crawl = run_archiver("crawl", "--help").stdout
    assert "--output DIR" in crawl and "--log-file FILE" in crawl
    assert "--max-articles N" in crawl and "--now TIME" in crawl
    # One name per idea: preview counts articles like crawl does (--limit still works).
    assert "--max-articles N" in run_archiver("preview", "--help").stdout


def test_every_argument_of_every_command_has_a_help_text():
    from archiver.cli import build_parser

    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # argparse keeps them only here
    for name, command in commands.items():
        for action in command._actions:
            assert action.help, (name, action.dest)


def test_dispatch_takes_one_url_per_scrapyd_so_the_site_stays_a_site(configs):
    node = f"http://127.0.0.1:{closed_port()}"
    unknown = run_archiver("--config-dir", str(configs), "dispatch", "--scrapyd", node,
                           "nosuchsite")
    assert_one_line_error(unknown, 2, "unknown site(s): nosuchsite")
    # Two nodes as a comma list, and the site after them is the site to dispatch.
    down = run_archiver("--config-dir", str(configs), "dispatch", "--scrapyd",
                        f"{node},{node}/", "fixture")
    assert down.returncode == 1, down.stdout + down.stderr
    assert "no scrapyd node answered" in down.stderr and "Traceback" not in down.stderr


def test_new_site_into_a_closed_pipe_leaves_no_traceback(server, tmp_path):
    start = serve_site(server, [Article(310100 + i, f"新闻{i}") for i in range(4)])
    command = (f"{sys.executable} -m archiver.cli --config-dir {tmp_path / 'configs'} "
               f"new-site {start} --name piped | head -2")
    result = subprocess.run(command, shell=True, cwd=ROOT, capture_output=True, text=True,
                            timeout=120, env={"PATH": "/usr/bin:/bin"})
    assert len(result.stdout.splitlines()) == 2
    assert result.stdout.startswith("wrote ")
    assert "Traceback" not in result.stderr and "BrokenPipeError" not in result.stderr
    assert (tmp_path / "configs" / "piped.yaml").exists()


def test_preview_of_a_site_that_is_down_says_why(tmp_path):
    configs = tmp_path / "configs"
    write_config(configs, site_config(start_urls=[f"http://127.0.0.1:{closed_port()}/l.htm"]))
    result = run_archiver("--config-dir", str(configs), "preview", "fixture")
    assert result.returncode == 1
    assert "list page failed" in result.stdout and "Connection refused" in result.stdout
    assert "fixture: 0 article(s) previewed" in result.stdout
    assert result.stderr == ""


def test_fetch_of_a_list_page_says_it_looks_like_a_list_page(server, tmp_path):
    start = serve_site(server, [Article(310200 + i, f"新闻{i}") for i in range(4)])
    write_config(tmp_path / "configs", site_config(start_urls=[start]))
    result = run_archiver("--config-dir", str(tmp_path / "configs"), "fetch", start,
                          "--output", str(tmp_path / "out"), "--report", str(tmp_path / "r.json"))
    assert result.returncode == 1
    assert result.stderr == ""  # no item dump, no warnings.warn line
    failures = json.loads((tmp_path / "r.json").read_text())["sites"]["fixture"]["failures"]
    assert coded(failures) == [("article", "list_page", start)]


def test_lock_held_by_another_program_is_named_without_question_marks(configs, tmp_path):
    lock = tmp_path / "out" / "fixture" / ".archiver.lock"
    lock.parent.mkdir(parents=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, sys; f = open(sys.argv[1], 'a'); "
         "fcntl.flock(f, fcntl.LOCK_EX); print('locked', flush=True); sys.stdin.read()",
         str(lock)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        result = run_archiver("--config-dir", str(configs), "crawl", "fixture",
                              "--output", str(tmp_path / "out"))
    finally:
        holder.communicate("")
    # The lock is the site's (its SiteRun takes it): the refusal is the site's summary line.
    assert result.returncode == 3 and result.stderr == ""
    line, = [x for x in result.stdout.splitlines() if x.startswith("fixture: not crawled: ")]
    assert "not an archiver run" in line and str(lock) in line
    assert "?" not in line


def test_an_unexpected_error_is_one_line_and_its_traceback_is_kept(server, tmp_path):
    start = serve_site(server, [Article(310300, "新闻")])
    write_config(tmp_path / "configs", site_config(start_urls=[start]))
    bug = {"SCRAPY_SETTINGS_MODULE": "tests.broken_loader_settings"}  # fails outside a crawl
    result = run_archiver("--config-dir", str(tmp_path / "configs"), "crawl", "fixture",
                          "--output", str(tmp_path / "out"), "--log-file",
                          str(tmp_path / "crawl.log"), env=bug)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert_one_line_error(result, 1, "unexpected error", "a bug in the spider loader",
                          str(tmp_path / "crawl.log"))
    assert "Traceback" in (tmp_path / "crawl.log").read_text()
    with_v = run_archiver("--config-dir", str(tmp_path / "configs"), "crawl", "fixture", "-v",
                          "--output", str(tmp_path / "out"), env=bug)
    assert with_v.returncode == 1 and "Traceback" in with_v.stderr


def test_every_option_the_readme_names_exists_in_the_commands_help():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Commands"):readme.index("### Incremental by default")]
    rows = re.findall(r"^\| `archiver ([a-z-]+)([^`]*)` \|", section, re.M)
    assert len(rows) >= 10
    for command, usage in rows:
        text = run_archiver(command, "--help").stdout
        for option in re.findall(r"--[a-z-]+", usage):
            if option != "--limit":  # the old name of preview's --max-articles, hidden
                assert option in text, (command, option)
    codes = readme[readme.index("| exit code | meaning |"):]
    assert re.findall(r"^\| (\d+) \|", codes, re.M) == ["0", "1", "2", "3", "130"]
    crawl_help = run_archiver("crawl", "--help").stdout
    for code in ("0", "1", "2", "3", "130"):
        assert re.search(rf"^  {code} +\S", crawl_help, re.M), code
