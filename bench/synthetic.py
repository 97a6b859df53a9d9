"""The benchmark's synthetic WebPlus-style news site: list pages of 20 (list.htm, list2.htm, ...),
articles of realistic size with one image each, written as static files for nginx to serve."""

from __future__ import annotations

from pathlib import Path

PER_PAGE = 20
# A 1x1 PNG: the image's bytes do not matter, its request does.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8cf"
    "c0000003010100c9fe92ef0000000049454e44ae426082"
)
NAV = "".join(f'<li><a href="/{100 + i}/list.htm">栏目{i}</a></li>' for i in range(20))
PARAGRAPH = ("学校召开专题会议，研究部署本学期重点工作。会议指出，要坚持以人才培养为中心，深化教育教学改革，"
             "推进学科建设和科学研究，提升服务社会能力，为建设高水平大学提供坚强保障。")
START_PATH = "/1001/list.htm"


def article_path(i: int) -> str:
    return f"/{i % 97:02x}/{i % 89:02x}/c1001a{100000 + i}/page.htm"


def article_page(i: int) -> str:
    body = "".join(f"<p>　　{PARAGRAPH}（第{k}段）</p>" for k in range(6))
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<meta name="sudy-wp-siteId" content="1"><title>合成新闻{i}：学校召开专题会议-示例大学</title></head><body>
<div class="header"><ul class="menu">{NAV}</ul></div>
<div class="bread">当前位置：<a href="/main.htm">首页</a> &gt; <a href="/1001/list.htm">要闻</a></div>
<div class="article" frag="窗口3" portletmode="simpleArticleAttri">
<h1 class="arti_title">合成新闻{i}：学校召开专题会议</h1>
<p class="arti_metas"><span class="arti_update">发布时间：2025-03-{1 + i % 28:02d} 10:{i % 60:02d}</span>
<span class="arti_views">浏览次数：{i}</span></p>
<div class="entry"><div class="read"><div class="wp_articlecontent">{body}
<p style="text-align:center"><img src="/_upload/article/images/{i}.png" width="600"/></p>
</div></div></div></div>
<div class="footer"><ul>{NAV}</ul><p>版权所有 示例大学 地址：某市某路1号</p></div></body></html>"""


def list_page(n: int, ids: range, last: bool) -> str:
    items = "".join(f'<li class="news"><span class="news_title"><a href="{article_path(i)}" '
                    f'title="合成新闻{i}">合成新闻{i}</a></span><span class="news_meta">2025-03-01'
                    "</span></li>" for i in ids)
    nxt = "javascript:void(0);" if last else f"/1001/list{n + 1}.htm"
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<meta name="sudy-wp-siteId" content="1"><title>要闻-示例大学</title></head><body>
<div class="header"><ul class="menu">{NAV}</ul></div>
<div frag="窗口6" portletmode="simpleList"><ul class="news_list">{items}</ul>
<ul class="wp_paging"><li class="page_nav"><a class="next" href="{nxt}">下一页</a></li></ul></div>
<div class="footer">版权所有 示例大学</div></body></html>"""


def generate_site(root: Path, count: int) -> int:
    """Write the site's files; returns the number of list pages."""
    pages = (count + PER_PAGE - 1) // PER_PAGE
    for n in range(1, pages + 1):
        path = root / "1001" / ("list.htm" if n == 1 else f"list{n}.htm")
        path.parent.mkdir(parents=True, exist_ok=True)
        ids = range((n - 1) * PER_PAGE, min(count, n * PER_PAGE))
        path.write_text(list_page(n, ids, n == pages), encoding="utf-8")
    images = root / "_upload" / "article" / "images"
    images.mkdir(parents=True)
    for i in range(count):
        path = root / article_path(i).lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(article_page(i), encoding="utf-8")
        (images / f"{i}.png").write_bytes(PNG)
    return pages
