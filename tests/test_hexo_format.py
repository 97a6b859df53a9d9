"""The archive format's Hexo safety without Hexo itself (tests/test_hexo.py builds a real Hexo
site): escaping of addresses, the front matter's YAML, `check` on files an older archiver wrote,
`refresh` rewriting them, and `publish` on a Hexo folder."""

from __future__ import annotations

from datetime import datetime

import frontmatter
import pytest
import yaml

from archiver.archive import to_markdown
from archiver.config import parse_site
from archiver.extract.escape import escape_markdown
from archiver.extract.text import clean_inline, plain_text
from archiver.items import ArticleItem
from tests.conftest import run_archiver, site_config, write_config
from tests.sitebuilder import Article

HOST = "http://news.old.example"


@pytest.mark.parametrize(("text", "markdown"), [
    ("邮箱 info_1234@nankai.edu.cn。", "邮箱 <info_1234@nankai.edu.cn>。"),
    ("见 http://a.cn/info_1234/x*y~z，", "见 <http://a.cn/info_1234/x*y~z>，"),
    ("(http://a.cn/p_(1)).", "(<http://a.cn/p_(1)>)."),
    ("www.a.cn/x_y 网站", "[www.a.cn/x_y](http://www.a.cn/x_y) 网站"),
    ("info_1234 __init__", "info_1234 \\_\\_init\\_\\_"),
    ("~~x~~ &amp; &copy; AT&T", "\\~\\~x\\~\\~ \\&amp; \\&copy; AT&T"),
    ("\"q\" Xi'an -- ... ..", "\\\"q\\\" Xi\\'an \\-\\- \\.\\.\\. .."),
])
def test_escaping_leaves_addresses_whole_and_reads_back(text, markdown):
    assert escape_markdown(text) == markdown
    assert plain_text(markdown) == text


def test_joiners_stay_and_zero_width_spaces_go():
    assert clean_inline("👨\u200d👩\u200d👧 a\u200cb a\u2060b a\u200bb\ufeff") \
        == "👨\u200d👩\u200d👧 a\u200cb a\u2060b ab"


def site(**overrides):
    config = site_config("fmt", start_urls=["http://127.0.0.1/"], **overrides)
    return parse_site(f"{config['name']}.yaml", config)


def test_front_matter_quotes_what_hexo_would_retype_and_stays_readable():
    tags = ["1e3", "0o17", "0x1F", "yes", "null", "~", "2019-01-01", "1:20", ".inf", "njust.cc"]
    item = ArticleItem(url="http://a.cn/1.htm", site="fmt", headline="庆祝🎉👨\u200d👩\u200d👧",
                       published=datetime(2024, 2, 29, 23, 30), blocks=["正文"])
    text = to_markdown(item, site(tags=tags, categories=["true", "测试"]))
    assert "\\U" not in text and "庆祝🎉👨\u200d👩\u200d👧" in text
    for tag in tags[:-1]:
        assert f"- '{tag}'" in text
    assert "- njust.cc\n" in text and "date: 2024-02-29 23:30:00\n" in text
    post = frontmatter.loads(text)
    assert post["tags"] == tags and post["categories"] == ["true", "测试"]
    assert "disableNunjucks" not in post.metadata  # only where the body needs it


def test_nunjucks_in_the_body_switches_it_off_for_that_post_only():
    item = ArticleItem(url="http://a.cn/1.htm", site="fmt", headline="{{ x }}",
                       published=datetime(2024, 1, 1), blocks=["见 {% raw %}"])
    metadata = yaml.safe_load(to_markdown(item, site()).split("---\n")[1])
    assert list(metadata)[-1] == "disableNunjucks" and metadata["disableNunjucks"] is True


OLD = """---
title: "测试大学->\\U0001F389 庆祝 {{ x }} | test.example"
date: 2024-03-01 08:00:00
urlname: {urlname}
tags:
- 1e3
- 0o17
categories:
- test.example
---

联系 info\\_1234@nankai.edu.cn，见 http://a.cn/x\\_y 与 {{% foo %}} ~~删除~~ &amp; "引号"

[转入文章首发地址]({url})
"""


def test_check_flags_what_hexo_breaks_on_and_refresh_rewrites_it(server, tmp_path):
    output, configs = tmp_path / "archive", tmp_path / "configs"
    write_config(configs, site_config("old", allowed_domains=["news.old.example"],
                                      start_urls=[f"{HOST}/1001/list.htm"]))
    article = Article(1, "🎉 庆祝 {{ x }}", date="2024-03-01 08:00:00", paragraphs=[
        "联系 info_1234@nankai.edu.cn，见 http://a.cn/x_y 与 {% foo %} ~~删除~~ &amp;amp; \"引号\""])
    server.add(HOST + article.path, article.page(), content_type="text/html")
    proxy = {"http_proxy": server.base_url}
    cli = ("--config-dir", str(configs))
    assert run_archiver(*cli, "fetch", HOST + article.path, "--output", str(output),
                        env=proxy).returncode == 0
    path = next((output / "old").glob("*.md"))
    fresh = path.read_bytes()
    assert run_archiver("check", "--output", str(output)).returncode == 0

    # The same article as an older archiver wrote it.
    path.write_text(OLD.format(urlname=path.stem, url=HOST + article.path), encoding="utf-8")
    check = run_archiver("check", "--output", str(output))
    assert check.returncode == 1
    flagged = [line for line in check.stdout.splitlines() if "Hexo:" in line]
    for what in ("Nunjucks", "\\U escapes", "'1e3' is not quoted", "'0o17' is not quoted",
                 "address holds a Markdown escape", "strikethrough", "'&…;'", "smartypants"):
        assert any(what in line for line in flagged), what
    # publish does not copy it (it would stop `hexo generate`), and says why.
    blog = tmp_path / "blog"
    (blog / "source" / "_posts" / "old").mkdir(parents=True)
    (blog / "_config.yml").write_text("permalink: :urlname/\ntimezone: Asia/Shanghai\n")
    published = run_archiver("publish", str(blog), "--output", str(output))
    assert published.returncode == 1 and not any((blog / "source" / "_posts" / "old").iterdir())
    assert path.name in published.stdout

    refreshed = run_archiver(*cli, "refresh", "--output", str(output), env=proxy)
    assert refreshed.returncode == 0, refreshed.stdout + refreshed.stderr
    assert path.read_bytes() == fresh
    assert run_archiver("check", "--output", str(output)).returncode == 0


def test_publish_advises_on_config_keeps_the_users_files_and_refuses_bad_input(tmp_path):
    output = tmp_path / "archive"
    item = ArticleItem(url="http://a.cn/1.htm", site="fmt", headline="标题",
                       published=datetime(2024, 1, 1), blocks=["正文"])
    (output / "fmt").mkdir(parents=True)
    (output / "fmt" / "x.md").write_text(to_markdown(item, site()), encoding="utf-8")
    blog = tmp_path / "blog"
    mine = blog / "source" / "_posts" / "fmt" / "mine.md"
    mine.parent.mkdir(parents=True)
    mine.write_text("my own post")
    (blog / "_config.yml").write_text("permalink: :urlname/\ntimezone:\n")

    result = run_archiver("publish", str(blog), "--output", str(output))
    assert result.returncode == 1  # copied, but the config needs two keys
    urlname = to_markdown(item, site()).split("urlname: ")[1][:32]
    assert (blog / "source" / "_posts" / "fmt" / "x.md").read_bytes() \
        == (output / "fmt" / "x.md").read_bytes().replace(
            f"urlname: {urlname}\n".encode(),
            f"urlname: {urlname}\npermalink: {urlname}/\n".encode())
    assert mine.read_text() == "my own post"
    advice = [line for line in result.stdout.splitlines() if "_config.yml:" in line]
    assert len(advice) == 2
    assert "set `permalink:` back" in advice[0] and "timezone: Asia/Shanghai" in advice[1]

    assert run_archiver("publish", str(tmp_path / "nothing"),
                        "--output", str(output)).returncode == 2
    assert run_archiver("publish", str(blog), "../fmt",
                        "--output", str(output / "fmt")).returncode == 2
