"""Attachments linked in an article body (pdf, doc, xls, zip, ...) are archived like images: a
real crawl against a local server, through Scrapy's FilesPipeline."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import frontmatter

from archiver.archive import urlname
from tests.conftest import (
    PROXY_VARS,
    ROOT,
    blocks,
    coded,
    run_archiver,
    site_config,
    site_report,
    write_config,
)
from tests.sitebuilder import Article, serve_site

PDF = b"%PDF-1.4\n" + b"0" * 2000 + b"\n%%EOF\n"
DOWNLOAD = "/system/_content/download.jsp?urltype=news.DownloadAttachUrl&wbfileid=7"


def notice(server) -> Article:
    article = Article(310001, "关于寒假放假安排的通知", paragraphs=[
        "各单位：现将寒假放假安排通知如下，详见附件。",
        '附件1：<a href="/files/plan.pdf">放假安排.pdf</a>',
        f'附件2：<a href="{DOWNLOAD.replace("&", "&amp;")}">值班表.docx</a>',
        '附件3：<a href="/files/gone.xls">联系表.xls</a>',
        '参考：<a href="https://publisher.invalid/paper.pdf">论文</a>',
    ])
    serve_site(server, [article])
    server.add("/files/plan.pdf", PDF, content_type="application/pdf")
    server.add(DOWNLOAD, b"PK\x03\x04docx", content_type="application/octet-stream",
               headers={"Content-Disposition": 'attachment; filename="zbb.docx"'})
    server.add("/files/gone.xls", b"<html>404</html>", status=404)
    return article


def test_attachments_are_archived_linked_where_they_stand_and_failures_reported(server, tmp_path):
    article = notice(server)
    write_config(tmp_path / "configs", site_config(start_urls=[server.url("/1001/list.htm")],
                                                   image_links="local"))
    result = run_archiver("--config-dir", str(tmp_path / "configs"), "crawl", "fixture",
                          "--output", str(tmp_path / "out"), "--report", str(tmp_path / "r.json"))
    # The dead attachment makes the run a partial failure; the article is archived all the same.
    assert result.returncode == 1, result.stdout + result.stderr
    folder = tmp_path / "out" / "fixture"
    post = frontmatter.load(folder / f"{urlname(server.url(article.path))}.md")
    body = blocks(post.content)
    assert body[0] == "各单位：现将寒假放假安排通知如下，详见附件。"
    files = {p.name: p.read_bytes() for p in (folder / "files").iterdir()}
    assert sorted(name.rsplit(".", 1)[1] for name in files) == ["docx", "pdf"]
    pdf_name = next(n for n in files if n.endswith(".pdf"))
    assert files[pdf_name] == PDF
    docx_name = next(n for n in files if n.endswith(".docx"))
    # Local links point at the archived copies; the dead one and the off-site one keep their URLs.
    assert body[1:] == [
        f"附件1：[放假安排.pdf](files/{pdf_name})",
        f"附件2：[值班表.docx](files/{docx_name})",
        f"附件3：[联系表.xls]({server.url('/files/gone.xls')})",
        "参考：[论文](https://publisher.invalid/paper.pdf)",
        f"[转入文章首发地址]({server.url(article.path)})",
    ]
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    failures = report["sites"]["fixture"]["failures"]
    assert coded(failures, "kind", "code", "url", "article") == [
        ("image", "http_404", server.url("/files/gone.xls"), server.url(article.path))]
    assert "publisher.invalid" not in json.dumps(report, ensure_ascii=False)
    assert server.hits["/files/plan.pdf"] == 1


def test_an_attachment_over_the_size_cap_is_reported_and_the_article_kept(server, tmp_path):
    article = notice(server)
    write_config(tmp_path / "configs", site_config(start_urls=[server.url("/1001/list.htm")]))
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
    env.update(ARCHIVER_CONFIG_DIR=str(tmp_path / "configs"),
               ARCHIVER_OUTPUT_DIR=str(tmp_path / "out"))
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "fixture",
         "-s", "ARCHIVER_ATTACHMENT_MAXSIZE=1000"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    folder = tmp_path / "out" / "fixture"
    assert (folder / f"{urlname(server.url(article.path))}.md").exists(), result.stderr[-2000:]
    assert [p.suffix for p in (folder / "files").iterdir()] == [".docx"]  # the pdf is 2 KB
    failures = site_report(tmp_path / "out")["failures"]
    assert set(coded(failures)) == {("image", "too_large", server.url("/files/plan.pdf")),
                                    ("image", "http_404", server.url("/files/gone.xls"))}
    # Scrapy's stats keep the count per code, as CoreStats does item_dropped_reasons_count.
    assert "'archiver/codes/image/too_large': 1" in result.stderr
