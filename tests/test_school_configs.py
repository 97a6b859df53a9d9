"""Every school in the seeds has a config; each crawls pages in its CMS family's style, served
under the school's real addresses through a proxy, into seed-format files with that school's
name, label, tags and categories."""

from __future__ import annotations

import json
import re

import frontmatter
import pytest

from archiver.archive import urlname
from archiver.config import load_site
from tests.conftest import FIXTURES, ROOT, blocks, run_archiver
from tests.sitebuilder import Article, list_page
from tests.vsbsite import article_page as vsb_article
from tests.vsbsite import list_page as vsb_list

SEEDS = {"tyut": "001", "shzq": "002", "ahstu": "004"}


def seed_article(seed: str) -> dict:
    return json.loads((FIXTURES / "seed_pages" / f"{seed}.expected.json").read_text("utf-8"))


def serve_vsb_school(server, start: str, seed: dict) -> list[str]:
    """The start list (and one older page, numbered backwards) with three articles."""
    host = start.split("/", 3)[2]
    items = [(25425, seed["headline"], seed["published"][:10]),
             (25424, "学校召开安全工作会议", "2023-04-02"), (25423, "图书馆举办读书月活动", "2023-03-30")]
    server.add(start, vsb_list(items[:2], start.rsplit("/", 1)[1].replace(".htm", "/1.htm"),
                               column=1027))
    server.add(start.replace(".htm", "/1.htm"), vsb_list(items[2:], None, column=1027))
    urls = []
    for aid, headline, date in items:
        paragraphs = seed["paragraphs"] if aid == 25425 else ["学校召开会议，部署工作。"]
        url = f"http://{host}/info/1027/{aid}.htm"
        server.add(url, vsb_article(aid, headline, date, paragraphs))
        urls.append(url)
    return urls


def serve_webplus_school(server, start: str, seed: dict) -> list[str]:
    host = start.split("/", 3)[2]
    articles = [Article(23001, seed["headline"], date=seed["published"][:10],
                        paragraphs=seed["paragraphs"]),
                Article(23000, "学校召开安全工作会议", date="2020-03-20")]
    server.add(start, list_page(articles, "javascript:void(0);"))
    urls = []
    for article in articles:
        url = f"http://{host}{article.path}"
        server.add(url, article.page(), content_type="text/html")
        urls.append(url)
    return urls


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_school_config_archives_its_seed_article(server, tmp_path, name):
    site = load_site(ROOT / "spiders_config" / f"{name}.yaml")
    seed = seed_article(SEEDS[name])
    serve = serve_vsb_school if site.cms == "vsb" else serve_webplus_school
    urls = [u for start in site.start_urls for u in serve(server, start, seed)]
    result = run_archiver("crawl", name, "--output", str(tmp_path),
                          env={"http_proxy": server.base_url}, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    written = {p.name for p in (tmp_path / name).glob("*.md")}
    assert written == {f"{urlname(u)}.md" for u in urls}
    post = frontmatter.load(tmp_path / name / f"{urlname(urls[0])}.md")
    assert post["title"] == f"{site.school}->{seed['headline']} | {site.label}"
    assert post["tags"] == list(site.tags) and post["categories"] == list(site.categories)
    assert post["urlname"] == urlname(urls[0])
    assert str(post["date"]) == seed["published"]
    assert blocks(post.content) == [*seed["paragraphs"], f"[转入文章首发地址]({urls[0]})"]


def test_every_seed_school_is_configured():
    import subprocess
    import sys

    listed = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60).stdout.split()
    assert {"njust", "nankai", "tyut", "shzq", "ahstu"} <= set(listed)
    for name in SEEDS:
        text = (ROOT / "spiders_config" / f"{name}.yaml").read_text(encoding="utf-8")
        # The config's comment says where its structure was seen: a page or a source file.
        assert "Evidence" in text
        assert re.search(r"https?://\S+|\S+\.(?:py|ts|java)\b", text), name
