"""Acceptance: the README's way from nothing to a built blog. A real `hexo init` site with its
default _config.yml plus the one line the README tells the user to change (`timezone:`):
`archiver publish`, then `hexo generate`: every archived post at /<urlname>/ with its text, and
the site's own Hello World still at its own page with its text."""

from __future__ import annotations

import frontmatter
from lxml import html as lxml_html

from archiver.extract.text import plain_text
from tests.conftest import run_archiver
from tests.hexosite import generate, hexo_init, needs_node


@needs_node
def test_publish_into_a_fresh_hexo_init_site(tmp_path):
    output = tmp_path / "archive"
    assert run_archiver("demo", "--output", str(output)).returncode == 0
    blog = hexo_init(tmp_path / "blog")
    config = (blog / "_config.yml").read_text(encoding="utf-8")
    assert "timezone: ''" in config and "permalink: :year/:month/:day/:title/" in config
    (blog / "_config.yml").write_text(config.replace("timezone: ''", "timezone: Asia/Shanghai"),
                                      encoding="utf-8")
    published = run_archiver("publish", str(blog), "--output", str(output))
    assert published.returncode == 0, published.stdout + published.stderr
    built = generate(blog)
    assert built.returncode == 0, built.stdout + built.stderr

    public = blog / "public"
    files = sorted(output.glob("*/*.md"))
    assert len(files) == 11
    for file in files:
        post = frontmatter.load(file)
        page = lxml_html.fromstring((public / file.stem / "index.html").read_bytes())
        article = page.find(".//article")
        assert article.findtext(".//h1").strip() == post["title"], file
        entry = article.xpath(".//div[contains(@class, 'article-entry')]")[0]
        shown = " ".join(entry.text_content().split())
        paragraphs = [plain_text(b) for b in post.content.split("\n\n") if b.strip()]
        assert paragraphs[0] and " ".join(paragraphs[0].split()) in shown, file
        assert paragraphs[-1] == "转入文章首发地址" and shown.endswith("转入文章首发地址"), file
    hello = list(public.glob("*/*/*/hello-world/index.html"))
    assert len(hello) == 1, sorted(str(p) for p in public.rglob("index.html"))[:20]
    page = lxml_html.fromstring(hello[0].read_bytes())
    assert page.find(".//article").findtext(".//h1").strip() == "Hello World"
    assert "Welcome to Hexo!" in page.find(".//article").text_content()
    assert not (public / "undefined").exists()
