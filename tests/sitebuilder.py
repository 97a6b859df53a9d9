"""Authored fixture sites in the WebPlus (Sudy) style, served by the test server."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from archiver.demo.server import FixtureServer

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8cf"
    "c0000003010100c9fe92ef0000000049454e44ae426082"
)


@dataclass
class Article:
    id: int
    headline: str
    date: str = "2025-03-06 15:20"
    paragraphs: list[str] = field(default_factory=lambda: ["　　学校召开工作会议，部署本学期重点任务。"])
    images: list[str] = field(default_factory=list)  # paths on the server
    charset: str = "utf-8"
    declared_charset: str | None = None  # what the page's <meta> claims, if not `charset`
    dated: bool = True  # False: the page states no date (only its list page shows `date`)

    @property
    def path(self) -> str:
        return f"/{self.id % 97:02x}/{self.id % 89:02x}/c1001a{self.id}/page.htm"

    def page(self) -> bytes:
        body = "".join(f"<p>{p}</p>" for p in self.paragraphs)
        body += "".join(f'<p><img src="{src}" /></p>' for src in self.images)
        update = f'<span class="arti_update">发布时间：{self.date}</span>' if self.dated else ""
        text = f"""<!DOCTYPE html><html><head>
<meta http-equiv="Content-Type" content="text/html; charset={self.declared_charset or self.charset}">
<title>{html.escape(self.headline)}-测试大学</title></head><body>
<ul class="menu"><li><a href="/main.htm">首页</a></li><li><a href="/1001/list.htm">要闻</a></li></ul>
<div class="article"><h1 class="arti_title">{html.escape(self.headline)}</h1>
<p class="arti_metas">{update}
<span class="arti_views">浏览次数：12</span></p>
<div class="wp_articlecontent">{body}</div></div>
<div class="footer">版权所有 测试大学</div></body></html>"""
        return text.encode(self.charset)


def list_page(articles: list[Article], next_href: str) -> str:
    items = "".join(
        f'<li class="news"><a href="{a.path}" title="{html.escape(a.headline)}">'
        f"{html.escape(a.headline)}</a><span>{a.date[:10]}</span></li>"
        for a in articles
    )
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>要闻-测试大学</title></head>
<body><ul class="news_list">{items}</ul>
<ul class="wp_paging"><li class="page_nav"><a class="next" href="{next_href}">下一页</a></li></ul>
</body></html>"""


def serve_site(server: FixtureServer, articles: list[Article], per_page: int = 3) -> str:
    """Serve the articles on list pages of `per_page` (list.htm, list2.htm, ...); returns the
    first list page's URL. Images named in articles are served as PNGs unless already added."""
    pages = [articles[i:i + per_page] for i in range(0, len(articles), per_page)] or [[]]
    for n, chunk in enumerate(pages, start=1):
        name = "/1001/list.htm" if n == 1 else f"/1001/list{n}.htm"
        next_href = f"/1001/list{n + 1}.htm" if n < len(pages) else "javascript:void(0);"
        server.add(name, list_page(chunk, next_href))
    for article in articles:
        server.add(article.path, article.page(), content_type="text/html")
        for src in article.images:
            if src not in server.replies:
                server.add(src, PNG, content_type="image/png")
    return server.url("/1001/list.htm")
