"""An authored fixture site in the VSB (Boda Visual SiteBuilder) style: list pages that number
backwards (xyxw.htm, then xyxw/2.htm, xyxw/1.htm), articles at /info/<tree>/<id>.htm."""

from __future__ import annotations

import html

from archiver.demo.server import FixtureServer

VSB_HEAD = """<meta name="generator" content="Visual SiteBuilder 9" />
<script language="javascript" src="/system/resource/js/ajax.js"></script>"""


def article_page(aid: int, headline: str, date: str, paragraphs: list[str]) -> str:
    body = "".join(f'<p style="text-indent:2em;">{p}</p>' for p in paragraphs)
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8">{VSB_HEAD}
<title>{html.escape(headline)}-测试职业大学</title></head><body>
<div class="nav"><a href="/index.htm">首页</a><a href="/xyxw.htm">学校新闻</a></div>
<div class="position">您的位置：<a href="/index.htm">首页</a> &gt; <a href="/xyxw.htm">学校新闻</a></div>
<form name="_newscontent_fromname"><div align="center"><h1 class="titlestyle1234">{html.escape(headline)}</h1></div>
<div align="center"><span class="timestyle1234">时间:{date}</span>浏览:<span><script>_showDynClicks("wbnews", 1234, {aid})</script></span></div>
<div id="vsb_content_{aid}_u6"><div class="v_news_content">{body}</div></div>
<div>上一条：<a href="/info/1001/{aid - 1}.htm">上一条新闻</a></div></form>
<div class="footer">版权所有 测试职业大学</div></body></html>"""


def list_page(items: list[tuple[int, str, str]], next_href: str | None,
              column: int = 1001) -> str:
    lis = "".join(f'<li id="line_u5_{i}"><a href="/info/{column}/{aid}.htm" title="{html.escape(t)}">'
                  f"{html.escape(t)}</a><span>{d}</span></li>" for i, (aid, t, d) in enumerate(items))
    pager = (f'<span class="p_next p_fun"><a href="{next_href}">下页</a></span>' if next_href
             else '<span class="p_next_d p_fun_d">下页</span>')
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8">{VSB_HEAD}<title>学校新闻</title></head>
<body><ul class="list">{lis}</ul><div class="pb_sys_common"><span class="p_pages">{pager}</span></div>
</body></html>"""


def serve_vsb_site(server: FixtureServer, count: int = 7, per_page: int = 3) -> list[str]:
    """Serve `count` articles on backward-numbered list pages; returns the article URLs."""
    items = [(2000 + i, f"职业大学新闻{i}", f"2020-03-{27 - i:02d}") for i in range(count)]
    pages = [items[i:i + per_page] for i in range(0, count, per_page)]
    total = len(pages)
    # Page 1 is /xyxw.htm; page k (k >= 2) is /xyxw/<total - k + 1>.htm, down to /xyxw/1.htm.
    paths = ["/xyxw.htm"] + [f"/xyxw/{total - k + 1}.htm" for k in range(2, total + 1)]
    for n, chunk in enumerate(pages):
        nxt = paths[n + 1] if n + 1 < total else None
        href = None if nxt is None else (nxt.removeprefix("/") if n == 0 else nxt.rsplit("/", 1)[1])
        server.add(paths[n], list_page(chunk, href))
    for aid, headline, date in items:
        server.add(f"/info/1001/{aid}.htm", article_page(
            aid, headline, date, ["　　学校召开会议，部署本学期工作。", "会议要求各部门落实责任。"]))
    return [server.url(f"/info/1001/{aid}.htm") for aid, _, _ in items]
