"""`archiver demo` works offline: both demo sites, every list page, every article and image."""

from __future__ import annotations

from tests.conftest import archive_files, run_archiver, site_report


def test_demo_archives_both_sites_and_a_second_run_adds_nothing(tmp_path):
    first = run_archiver("demo", "--output", str(tmp_path))
    assert first.returncode == 0, first.stdout + first.stderr
    for name, new, images in (("demo-webplus", 6, 5), ("demo-ecms", 5, 4)):
        site = site_report(tmp_path, name)
        assert (site["articles"]["new"], site["articles"]["failed"]) == (new, 0)
        assert (site["images"]["fetched"], site["images"]["failed"]) == (images, 0)
    assert len(archive_files(tmp_path, "demo-webplus")) == 6
    assert len(archive_files(tmp_path, "demo-ecms")) == 5
    # The sites keep their fixed host names whatever port the local server got.
    links = {post.content.rsplit("(", 1)[1].rstrip(")")
             for name in ("demo-webplus", "demo-ecms")
             for post in archive_files(tmp_path, name).values()}
    assert {link.split("/")[2] for link in links} == {"demo-webplus.example", "demo-ecms.example"}
    second = run_archiver("demo", "--output", str(tmp_path))
    # Each site's first list page has nothing new: the walk stops there.
    assert second.returncode == 0, second.stdout + second.stderr
    for name, on_first_page in (("demo-webplus", 4), ("demo-ecms", 3)):
        articles = site_report(tmp_path, name)["articles"]
        assert (articles["new"], articles["already_archived"]) == (0, on_first_page)
    assert len(archive_files(tmp_path, "demo-webplus")) == 6



def test_demo_serve_is_a_playground_for_the_other_commands(tmp_path):
    import os
    import re
    import signal
    import subprocess
    import sys

    from tests.conftest import PROXY_VARS

    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
    env.pop("ARCHIVER_CONFIG_DIR", None)
    serve = subprocess.Popen([sys.executable, "-m", "archiver.cli", "demo", "--serve"],
                             cwd=tmp_path, env=env, stdout=subprocess.PIPE, text=True)
    try:
        printed = []
        while not printed or not printed[-1].startswith("Ctrl-C"):
            line = serve.stdout.readline()
            assert line, "the demo server ended before saying what to set"
            printed.append(line.strip())
        proxy = next(m.group(1) for line in printed
                     if (m := re.fullmatch(r"export http_proxy=(\S+)", line)))
        configs = next(m.group(1) for line in printed
                       if (m := re.match(r"export ARCHIVER_CONFIG_DIR=(\S+)", line)))
        assert configs == str(tmp_path / "demo-configs")
        playground = {"http_proxy": proxy, "ARCHIVER_CONFIG_DIR": configs}
        output = ("--output", str(tmp_path / "out"))
        url = "http://demo-webplus.example/3e/1a/c1001a300101/page.htm"
        fetched = run_archiver("fetch", url, *output, env=playground)
        assert fetched.returncode == 0, fetched.stdout + fetched.stderr
        assert site_report(tmp_path / "out", "demo-webplus")["articles"]["new"] == 1
        preview = run_archiver("preview", "demo-ecms", "--max-articles", "2", env=playground)
        assert preview.returncode == 0, preview.stdout + preview.stderr
        new_site = run_archiver("new-site", "http://demo-webplus.example/1001/list.htm",
                                "--name", "my-demo", env=playground)
        assert new_site.returncode == 0, new_site.stdout + new_site.stderr
        assert (tmp_path / "demo-configs" / "my-demo.yaml").is_file()
        refreshed = run_archiver("refresh", "demo-webplus", *output, env=playground)
        assert refreshed.returncode == 0, refreshed.stdout + refreshed.stderr
        assert site_report(tmp_path / "out", "demo-webplus")["articles"]["unchanged"] == 1
        crawled = run_archiver("crawl", "demo-ecms", *output, env=playground)
        assert crawled.returncode == 0, crawled.stdout + crawled.stderr
    finally:
        serve.send_signal(signal.SIGTERM)
        rest = serve.communicate(timeout=30)[0]
    assert serve.returncode == 0 and "demo server stopped" in rest
