"""Acceptance: the archive builds in a real Hexo 7 site (hexo-renderer-marked, Hexo's default
permalink, `timezone: Asia/Shanghai`; each post at /<urlname>/ by its own permalink) and every character of headline and body shows as the
source page showed it; `archiver publish` copies only what changed."""

from __future__ import annotations

import html
import re
from pathlib import Path

import frontmatter
from lxml import etree
from lxml import html as lxml_html

from archiver.extract.text import plain_text
from tests.conftest import run_archiver, site_config, write_config
from tests.hexosite import generate, make_site, needs_node
from tests.sitebuilder import PNG, Article

HOST = "http://news.hostile.example"
# Text as a reader sees it on the source page: each must reach the Hexo page unchanged.
HOSTILE = [
    "{% endraw %} 与 {% foo %} 和 {% youtube abc %}",
    "变量 {{ x }} 与 {% raw %} 以及 {# 注释 #}",
    "网址 http://www.example.edu.cn/info_1234/a_b.htm 与 https://example.com/a*b*c~d_(x)，见上",
    "邮箱 info_1234@nankai.edu.cn 或 office_2@tj.edu.cn。",
    "主页 www.nankai.edu.cn/a_b 联系",
    "~~不是删除线~~ 和 ~单~",
    "&lt;b&gt;不是粗体&lt;/b&gt; &amp; &copy; &#169; AT&T",
    "家庭 👨‍👩‍👧 与 🎉 和 a\u200cb 与 a\u2060b",
    "\"引号\" 'single' Xi'an -- 与 --- 以及 ... 和 ....",
    "*星号* _下划线_ __init__ **粗** `代码` [链接](http://a.cn) <b>标签</b> <!-- more --> \\反斜杠\\",
    "# 不是标题",
    "- 不是列表",
    "1. 不是编号",
    "> 不是引用",
    "$x$ 100% ^_^ =_= @user #话题# info_1234",
]
# Lines of one paragraph (a <br> between them): a table, a description list.
HOSTILE_LINES = [["| a | b |", "|---|---|"], ["甲", ": 不是定义"]]
# A data table (a GFM table in the archive) and an attachment archived beside the posts.
TABLE = ("<table><tr><th>姓名</th><th>学院</th></tr><tr><td>张_三</td><td>A|B 学院</td></tr>"
         "<tr><td>李四</td><td>~化学~ 学院</td></tr></table>")
ATTACHMENT, PDF = "/files/baoming.pdf", b"%PDF-1.4 not really a pdf\n"
HEADLINE = "🎉 {% endraw %} {{ x }} ~~x~~ &amp; info_1234@nankai.edu.cn \"引号\" -- 1e3: #话题 👨‍👩‍👧"
TAGS = ["1e3", "0o17", "yes", "null", "2019-01-01", "~", "测试 🎉"]


def hostile_articles() -> list[Article]:
    paragraphs = [html.escape(text) for text in HOSTILE]
    paragraphs += ["<br>".join(html.escape(line) for line in lines) for lines in HOSTILE_LINES]
    return [
        Article(1, HEADLINE, date="2024-02-29 23:30:00", paragraphs=paragraphs,
                images=[f"{HOST}/img/a.png"]),
        Article(2, "普通新闻 {% foo %}", date="2024-03-01 08:00:00",
                paragraphs=["学校召开工作会议，部署本学期重点任务。"]),
        Article(3, "关于报名的通知", date="2024-03-02 09:00:00",
                paragraphs=["请各学院于本周五前报送名单，名单如下。", TABLE,
                            f'<a href="{HOST}{ATTACHMENT}">附件：报名表_2024.pdf</a>']),
    ]


def serve(server, articles: list[Article]) -> None:
    for article in articles:
        server.add(HOST + article.path, article.page(), content_type="text/html")
    server.add(f"{HOST}/img/a.png", PNG, content_type="image/png")
    server.add(HOST + ATTACHMENT, PDF, content_type="application/pdf")


def lines_of(element: etree._Element) -> str:
    """An element's text as shown: <br> is a line break, space runs are one space."""
    for br in element.iter("br"):
        br.tail = "\n" + (br.tail or "")
    text = "".join(element.itertext())
    return "\n".join(" ".join(line.split()) for line in text.split("\n"))


def page_of(public: Path, name: str) -> lxml_html.HtmlElement:
    return lxml_html.fromstring((public / name / "index.html").read_bytes())


def snapshot(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns
            for p in folder.rglob("*") if p.is_file()}


@needs_node
def test_archive_builds_in_hexo_verbatim_and_publish_copies_only_changes(server, tmp_path):
    output, configs = tmp_path / "archive", tmp_path / "configs"
    assert run_archiver("demo", "--output", str(output)).returncode == 0
    write_config(configs, site_config(
        "hostile", tags=TAGS, categories=["0x1F", "测试大学"], image_links="local",
        allowed_domains=["news.hostile.example"], start_urls=[f"{HOST}/1001/list.htm"]))
    articles = hostile_articles()
    serve(server, articles)
    proxy = {"http_proxy": server.base_url}
    fetched = run_archiver("--config-dir", str(configs), "fetch", *(HOST + a.path for a in articles),
                           "--output", str(output), env=proxy)
    assert fetched.returncode == 0, fetched.stdout + fetched.stderr
    check = run_archiver("check", "--output", str(output))
    assert check.returncode == 0, check.stdout

    blog = make_site(tmp_path / "blog")
    published = run_archiver("publish", str(blog), "--output", str(output))
    assert published.returncode == 0, published.stdout + published.stderr
    built = generate(blog)
    assert built.returncode == 0, built.stdout + built.stderr

    public = blog / "public"
    files = sorted(output.glob("*/*.md"))
    assert len(files) == 6 + 5 + 3
    pages = {p.parent.name for p in public.glob("*/index.html") if re.fullmatch(r"[0-9a-f]{32}",
                                                                               p.parent.name)}
    assert pages == {f.stem for f in files}  # one page per article, at /<urlname>/
    for file in files:
        post = frontmatter.load(file)
        page = page_of(public, file.stem)
        assert page.findtext(".//h1") == post["title"], file
        assert page.findtext(".//time") == f"{post['date']:%Y-%m-%d %H:%M:%S}", file
        assert [li.text for li in page.findall(".//ul[@class='tags']/li")] == post["tags"]
        assert {li.text for li in page.findall(".//ul[@class='categories']/li")} \
            == set(post["categories"])
        content = page.find(".//div[@class='content']")
        blocks = [b for b in post.content.split("\n\n") if b]
        images = [re.search(r"\((.+)\)", b).group(1) for b in blocks if b.startswith("![")]
        shown = [img.get("src") for img in content.iter("img")]
        if file.parent.name == "hostile":  # image_links: local -> /images/<file>, copied there
            assert shown == ["/" + src for src in images]
            assert all((public / src).read_bytes() == PNG for src in images)
        else:
            assert shown == images
        source = content.findall(".//a")[-1]
        assert (source.text, source.get("href")) == ("转入文章首发地址", post.content.rsplit(
            "(", 1)[1].rstrip(")"))
        texts = [plain_text(b) for b in blocks[:-1] if not b.startswith(("![", "| "))]
        paragraphs = [lines_of(p) for p in content if p.tag == "p" and p.find("img") is None]
        assert paragraphs[:-1] == texts, file

    # The hostile page: every string exactly as on the source page.
    hostile = {frontmatter.load(f)["title"]: f.stem for f in files if f.parent.name == "hostile"}
    page = page_of(public, hostile[f"测试大学->{HEADLINE} | test.example"])
    assert page.findtext(".//h1") == f"测试大学->{HEADLINE} | test.example"
    paragraphs = [lines_of(p) for p in page.find(".//div[@class='content']") if p.tag == "p"]
    expected = HOSTILE + ["\n".join(lines) for lines in HOSTILE_LINES]
    assert paragraphs[:len(expected)] == expected
    links = {a.get("href") for a in page.iter("a")}
    assert {"http://www.example.edu.cn/info_1234/a_b.htm", "https://example.com/a*b*c~d_(x)",
            "mailto:info_1234@nankai.edu.cn", "mailto:office_2@tj.edu.cn",
            "http://www.nankai.edu.cn/a_b"} <= links
    image = page.find(".//div[@class='content']//img").get("src")
    assert (public / image.lstrip("/")).read_bytes() == PNG
    assert page.findtext(".//time") == "2024-02-29 23:30:00"

    # The notice: its table is a table, its attachment a link to the archived file.
    page = page_of(public, hostile["测试大学->关于报名的通知 | test.example"])
    rows = [[lines_of(cell) for cell in row] for row in page.iter("tr")]
    assert rows == [["姓名", "学院"], ["张_三", "A|B 学院"], ["李四", "~化学~ 学院"]]
    link = next(a for a in page.iter("a") if a.text == "附件：报名表_2024.pdf")
    assert not link.get("href").startswith(("http", "/"))  # image_links: local
    urlname = hostile["测试大学->关于报名的通知 | test.example"]
    assert (public / urlname / link.get("href")).read_bytes() == PDF

    # Publishing again copies nothing; after a refresh that changed one article, just that one.
    before = snapshot(blog / "source")
    again = run_archiver("publish", str(blog), "--output", str(output))
    assert again.returncode == 0 and snapshot(blog / "source") == before
    (blog / "source" / "_posts" / "about-me.md").write_text("---\ntitle: mine\n---\nmine\n")
    articles[1].paragraphs.append("更正：会议时间为下午三点。")
    serve(server, articles)
    refreshed = run_archiver("--config-dir", str(configs), "refresh", "hostile",
                             "--output", str(output), env=proxy)
    assert refreshed.returncode == 0, refreshed.stdout + refreshed.stderr
    before = snapshot(blog / "source")
    third = run_archiver("publish", str(blog), "--output", str(output))
    assert third.returncode == 0, third.stdout
    after = snapshot(blog / "source")
    changed = {name for name in after if after[name] != before.get(name)}
    assert changed == {f"_posts/hostile/{hostile['测试大学->普通新闻 {% foo %} | test.example']}.md"}
    assert (blog / "source" / "_posts" / "about-me.md").read_text() == "---\ntitle: mine\n---\nmine\n"
