"""`archiver fetch` of real pages of schools the project was never tuned on, with no site config:
archived with the headline and date their hand answers give (a real run against a local
server)."""

from __future__ import annotations

import json

import frontmatter

from archiver.archive import urlname
from tests.conftest import FIXTURES, run_archiver, site_report

PAGES = ("bmal.hust.edu.cn/info/1041/1256.htm", "www.aiar.xjtu.edu.cn/info/1088/1967.htm")


def test_fetch_archives_unseen_school_pages_with_their_dates(server, tmp_path):
    manifest = json.loads((FIXTURES / "schools" / "manifest.json").read_text(encoding="utf-8"))
    answers = {e["file"].split("/", 1)[1]: e["expected"] for e in manifest}
    urls = {}
    for page in PAGES:
        path = "/" + page.split("/", 1)[1]
        server.add(path, (FIXTURES / "schools" / "pages" / page).read_bytes(),
                   content_type="text/html")
        urls[page] = server.url(path)
    result = run_archiver("--config-dir", str(tmp_path / "none"), "fetch", *urls.values(),
                          "--output", str(tmp_path / "out"))
    failures = site_report(tmp_path / "out", "127.0.0.1")["failures"]
    assert [f for f in failures if f["kind"] == "article"] == [], result.stdout
    for page, url in urls.items():
        post = frontmatter.load(tmp_path / "out" / "127.0.0.1" / f"{urlname(url)}.md")
        assert post["title"] == f"127.0.0.1->{answers[page]['headline']} | 127.0.0.1"
        assert str(post["date"]).startswith(answers[page]["date"])
