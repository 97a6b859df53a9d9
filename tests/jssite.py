"""An authored fixture site whose list and article content exist only after JavaScript runs."""

from __future__ import annotations

import json

from archiver.demo.server import FixtureServer
from tests.sitebuilder import PNG

SHELL = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head>
<body><div id="app">加载中……</div><script>
const data = {data};
{script}
</script></body></html>"""

LIST_SCRIPT = """
document.getElementById('app').innerHTML =
  '<ul class="news">' + data.items.map(i =>
    `<li><a href="${i.href}">${i.title}</a><span>${i.date}</span></li>`).join('') + '</ul>' +
  (data.next ? `<div class="pager"><a class="next" href="${data.next}">下一页</a></div>` : '');
"""

ARTICLE_SCRIPT = """
document.getElementById('app').innerHTML =
  `<h1 class="arti_title">${data.title}</h1>` +
  `<p class="arti_metas"><span class="arti_update">发布时间：${data.date}</span></p>` +
  '<div class="wp_articlecontent">' + data.paragraphs.map(p => `<p>${p}</p>`).join('') +
  `<p><img src="${data.image}"></p></div>`;
"""


def serve_js_site(server: FixtureServer, count: int, per_page: int = 10) -> list[str]:
    """Serve `count` script-rendered articles on script-rendered list pages; returns the
    article URLs. Nothing of either is in the HTML the server sends."""
    urls = []
    pages = (count + per_page - 1) // per_page
    for n in range(pages):
        ids = range(n * per_page, min(count, (n + 1) * per_page))
        items = [{"href": f"/js/a/{800000 + i}.htm", "title": f"动态新闻{i}", "date": "2025-04-01"}
                 for i in ids]
        nxt = f"/js/list{n + 2}.htm" if n + 1 < pages else None
        path = "/js/list.htm" if n == 0 else f"/js/list{n + 1}.htm"
        server.add(path, SHELL.format(title="新闻列表", script=LIST_SCRIPT, data=json.dumps(
            {"items": items, "next": nxt}, ensure_ascii=False)))
        for i in ids:
            article = {"title": f"动态新闻{i}", "date": f"2025-04-01 10:{i % 60:02d}",
                       "paragraphs": [f"第{i}篇由脚本生成的正文，第一段。", "第二段，会议要求落实责任。"],
                       "image": f"/js/img/{i}.png"}
            server.add(f"/js/a/{800000 + i}.htm", SHELL.format(
                title=f"动态新闻{i}-测试大学", script=ARTICLE_SCRIPT,
                data=json.dumps(article, ensure_ascii=False)))
            server.add(f"/js/img/{i}.png", PNG, content_type="image/png")
            urls.append(server.url(f"/js/a/{800000 + i}.htm"))
    return urls


def js_site_config(server: FixtureServer) -> dict:
    from tests.conftest import site_config

    return site_config(
        "jssite", start_urls=[server.url("/js/list.htm")], render=True,
        render_wait=".news, .arti_title", cms="generic",
        list={"article_links": "ul.news a", "next_page": ".pager a.next"},
        article={"url_pattern": r"/js/a/\d+\.htm$"})
