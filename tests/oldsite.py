"""An authored fixture site in the style of an older hand-made school site: GBK pages, table
layout, no CMS markers, articles at /xwzx/show.asp?id=N, lists chained by a plain pager.

Knobs for the list rules: how the pager looks (`pager`), how list pages are numbered
(`numbering`), how the list shows each date (`date_styles`), and whether article pages show a
date of their own (`Article.dated_page`)."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial

from archiver.demo.server import FixtureServer

SCHOOL = "示例师范学院"
CHARSET = "gbk"
HEAD = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        "<title>{title}</title></head><body>")
BANNER = ('<table width="778" align="center" border="0" cellpadding="0" cellspacing="0"><tr>'
          '<td><img src="/images/banner.jpg" width="778" height="120"></td></tr></table>')
LEFT = ('<td width="180" valign="top" class="left"><a href="/xwzx/list.htm">学院新闻</a><br>'
        '<a href="/tzgg/list.htm">通知公告</a><br><a href="/xxgk/index.htm">学院概况</a></td>')
FOOT = ('<table width="778" align="center"><tr><td align="center" class="foot">版权所有 Copyright '
        f"2003-2024 {SCHOOL} 地址：示例市学院路1号 邮编：100000</td></tr></table></body></html>")


@dataclass
class Article:
    id: int
    headline: str
    date: str  # "2020-03-27"
    dated_page: bool = True  # the article page shows its date (bare, under the headline)

    @property
    def path(self) -> str:
        return f"/xwzx/show.asp?id={self.id}"

    def page(self) -> bytes:
        date_row = (f'<tr><td align="center" height="30"><span>{self.date}</span></td></tr>'
                    if self.dated_page else "")
        paragraphs = "".join(f"<p>　　{p}</p>" for p in (
            f"{self.headline}。近日，{SCHOOL}召开专题会议，研究部署本学期教学、科研和学生工作，"
            "学院领导班子成员和各系部负责人参加会议。",
            "会议指出，各部门要进一步明确责任分工，细化工作措施，确保各项任务按时保质完成，"
            "为学院事业发展提供有力保障。",
        ))
        text = (HEAD.format(title=f"{html.escape(self.headline)}_{SCHOOL}") + BANNER
                + f'<table width="778" align="center"><tr>{LEFT}<td valign="top">'
                '<table width="100%" border="0">'
                f'<tr><td align="center" class="title" height="40"><b>{html.escape(self.headline)}'
                f"</b></td></tr>{date_row}"
                f'<tr><td class="content">{paragraphs}</td></tr></table></td></tr></table>'
                + FOOT)
        return text.encode(CHARSET)


DATE_STYLES = {
    # The date in a cell of its own, in brackets beside the link, in Chinese, or calendar-style.
    "cell": lambda d: f'<td width="90" align="right">{d}</td>',
    "bracket": lambda d: f'<td width="90"><font color="#999999">[{d.replace("-", "/")}]</font></td>',
    "chinese": lambda d: (f"<td>({d[:4]}年{d[5:7]}月{d[8:10]}日)</td>"),
    "calendar": lambda d: f'<td><div class="day">{d[8:10]}</div>{d[:7]}</td>',
}


def page_name(numbering: str, n: int) -> str:
    """List page n (1-based) under a numbering: list.htm, list_2.htm... ("list_N"), index.htm,
    index_1.htm... ("index_N-1", TRS style), list1.htm, list2.htm... ("listN")."""
    if numbering == "index_N-1":
        return "index.htm" if n == 1 else f"index_{n - 1}.htm"
    if numbering == "listN":
        return f"list{n}.htm"
    return "list.htm" if n == 1 else f"list_{n}.htm"


def pager_html(pager: str, numbering: str, n: int, total: int, count: int) -> str:
    name = partial(page_name, numbering)
    if pager == "numbers":
        # Page numbers only: the current one is plain text.
        return " ".join(str(k) if k == n else f'<a href="{name(k)}">{k}</a>'
                        for k in range(1, total + 1))
    following = (f'<a href="{name(n + 1)}">下一页</a>' if n < total else "下一页")
    if pager == "script":
        # The next page only behind a script: nothing a crawler can follow.
        following = '<a href="javascript:goPage(2);">下一页</a>' if n < total else "下一页"
    first = f'<a href="{name(1)}">首页</a>' if n > 1 else "首页"
    previous = f'<a href="{name(n - 1)}">上一页</a>' if n > 1 else "上一页"
    return (f"共{count}条 每页10条 第{n}/{total}页 {first} {previous} {following} "
            f'<a href="{name(total)}">尾页</a>')


def serve_old_site(server: FixtureServer, articles: list[Article], per_page: int = 10,
                   pager: str = "text", numbering: str = "list_N",
                   date_styles: tuple[str, ...] = ("cell",)) -> str:
    """Serve the articles on GBK list pages under /xwzx/; returns the first list page's URL."""
    chunks = [articles[i:i + per_page] for i in range(0, len(articles), per_page)] or [[]]
    for n, chunk in enumerate(chunks, start=1):
        rows = "".join(
            f'<tr><td height="24"><img src="/images/dot.gif"> <a href="{a.path.split("/")[-1]}"'
            f' target="_blank">{html.escape(a.headline)}</a></td>'
            f"{DATE_STYLES[date_styles[i % len(date_styles)]](a.date)}</tr>"
            for i, a in enumerate(chunk))
        text = (HEAD.format(title=f"学院新闻_{SCHOOL}") + BANNER
                + f'<table width="778" align="center"><tr>{LEFT}<td valign="top">'
                f'<table width="100%" class="list">{rows}</table>'
                '<table width="100%"><tr><td align="center" class="pager">'
                f"{pager_html(pager, numbering, n, len(chunks), len(articles))}</td></tr></table>"
                "</td></tr></table>" + FOOT)
        server.add(f"/xwzx/{page_name(numbering, n)}", text.encode(CHARSET),
                   content_type="text/html")
    for article in articles:
        server.add(article.path, article.page(), content_type="text/html")
    return server.url(f"/xwzx/{page_name(numbering, 1)}")


def school_articles(count: int = 23, first_id: int = 1001, **fields) -> list[Article]:
    """`count` articles, newest first, one a day back from 2020-03-27."""
    newest = date(2020, 3, 27)
    return [Article(first_id + count - i, f"{SCHOOL}召开第{count - i}次工作会议",
                    (newest - timedelta(days=i)).isoformat(), **fields)
            for i in range(count)]
