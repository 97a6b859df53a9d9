"""JavaScript-rendered sites, crawled for real in headless Chromium (Debian's chromium package;
.ci/run installs it, and in CI this test must run, not skip)."""

from __future__ import annotations

import os

import frontmatter
import pytest

from archiver.archive import urlname
from archiver.browser import find_browser
from tests.conftest import archive_files, blocks, run_archiver, site_report, write_config
from tests.jssite import js_site_config, serve_js_site

needs_browser = pytest.mark.skipif(
    find_browser() is None and not os.environ.get("CI"),
    reason="no Chromium here (apt-get install chromium); CI installs it and runs this test",
)


@needs_browser
def test_script_rendered_site_archives_completely(server, tmp_path):
    urls = serve_js_site(server, count=12, per_page=5)
    write_config(tmp_path / "configs", js_site_config(server))
    result = run_archiver("--config-dir", str(tmp_path / "configs"), "crawl", "jssite",
                          "--output", str(tmp_path / "out"), timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert set(archive_files(tmp_path / "out", "jssite")) == {f"{urlname(u)}.md" for u in urls}
    post = frontmatter.load(tmp_path / "out" / "jssite" / f"{urlname(urls[3])}.md")
    assert post["title"] == "测试大学->动态新闻3 | test.example"
    assert str(post["date"]) == "2025-04-01 10:03:00"
    assert blocks(post.content) == [
        "第3篇由脚本生成的正文，第一段。", "第二段，会议要求落实责任。",
        f"![图]({server.url('/js/img/3.png')})", f"[转入文章首发地址]({urls[3]})"]
    # Images come from the image pipeline, never from the browser (it does not load them).
    images = site_report(tmp_path / "out", "jssite")["images"]
    assert (images["fetched"], images["failed"]) == (12, 0)
    assert server.hits["/js/img/3.png"] == 1


def test_a_missing_browser_is_a_clear_error(server, tmp_path):
    serve_js_site(server, count=1)
    write_config(tmp_path / "configs", js_site_config(server))
    result = run_archiver("--config-dir", str(tmp_path / "configs"), "crawl", "jssite",
                          "--output", str(tmp_path / "out"),
                          env={"ARCHIVER_BROWSER": str(tmp_path / "no-such-chrome")})
    assert result.returncode == 2
    assert "cannot crawl jssite: ARCHIVER_BROWSER=" in result.stderr
    assert "is not an executable browser" in result.stderr
