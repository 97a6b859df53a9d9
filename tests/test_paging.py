"""The list rules on authored snippets: next page by text and by numbering, pager facts, and the
date a list shows beside each link."""

from __future__ import annotations

import dataclasses

import pytest

from archiver.cms.paging import numbered_successors
from archiver.config import adhoc_site
from archiver.extract.listing import ListPage

BASE = "http://school.test/xwzx/"
SITE = dataclasses.replace(adhoc_site(BASE), cms="generic")
ROWS = "".join(f'<li><a href="show.asp?id={i}">新闻{i}</a><span>2020-03-{20 + i}</span></li>'
               for i in range(3))


def page(pager: str, rows: str = ROWS, url: str = BASE + "list.htm") -> ListPage:
    return ListPage(f"<html><body><ul>{rows}</ul><div>{pager}</div></body></html>", url, SITE)


@pytest.mark.parametrize("pager", [
    '<a href="list_2.htm">下一页</a>',  # a plain <a>, no class
    '<a href="list_2.htm">[下页]</a>',
    '<a href="list_2.htm">后页&gt;&gt;</a>',
    '<a href="list_2.htm">Next »</a>',
    '<a href="list_2.htm">&gt;</a>',
    '<a href="list_2.htm"> › </a>',
    '<a href="list_2.htm"><img src="/i/n.gif" alt="下一页"></a>',
    '<a href="list_2.htm" title="Next page"><img src="/i/n.gif"></a>',
    # Words beat arrows, a single arrow beats a double one (often the last page).
    '<a href="list_9.htm">»</a> <a href="list_2.htm">›</a>',
    '<a href="list_9.htm">&gt;&gt;</a> <a href="list_2.htm">下一页</a>',
])
def test_next_page_by_its_text(pager):
    assert page(pager).next_page() == (BASE + "list_2.htm", "text")


@pytest.mark.parametrize("pager", [
    '<a href="list_9.htm">尾页</a>',
    '<a href="list_9.htm" title="尾页">»</a>',
    '<a href="list_9.htm">最后一页</a>',
    '<a href="javascript:goPage(2)">下一页</a>',
    '<a href="#">下一页</a>',
    '<a href="list.htm">下一页</a>',  # itself: the last page of some pagers
    '<a href="show.asp?id=7">下一篇</a>',
])
def test_no_next_page_from_last_page_script_or_self_links(pager):
    assert page(pager).next_page() == (None, "none")


@pytest.mark.parametrize(("url", "expected"), [
    ("http://s.test/a/list.html", "http://s.test/a/list_2.html"),
    ("http://s.test/a/index.htm", "http://s.test/a/index_2.htm"),
    ("http://s.test/a/list2.htm", "http://s.test/a/list3.htm"),
    ("http://s.test/a/index_1.htm", "http://s.test/a/index_2.htm"),
    ("http://s.test/a/list.asp?id=5&page=3", "http://s.test/a/list.asp?id=5&page=4"),
])
def test_numbered_successors(url, expected):
    assert numbered_successors(url)[0] == expected


@pytest.mark.parametrize(("url", "pager", "expected"), [
    (BASE + "list.html", '1 <a href="list_2.html">2</a> <a href="list_3.html">3</a>',
     BASE + "list_2.html"),
    # TRS: index.htm, then index_1.htm is page 2.
    (BASE + "index.htm", '1 <a href="index_1.htm">2</a> <a href="index_2.htm">3</a>',
     BASE + "index_1.htm"),
    (BASE + "list2.htm", '<a href="list1.htm">1</a> 2 <a href="list3.htm">3</a>',
     BASE + "list3.htm"),
    (BASE + "list.asp", '1 <a href="list.asp?page=2">2</a>', BASE + "list.asp?page=2"),
])
def test_next_page_by_an_evident_numbering(url, pager, expected):
    listing = page(pager, url=url)
    assert listing.next_page(1 if "2" not in url else 2) == (expected, "numbering")


def test_numbering_never_takes_a_column_link_or_an_earlier_page():
    # news12.htm links the next column news13.htm: its text is a name, not a page number.
    assert page('<a href="news13.htm">学术活动</a>', url=BASE + "news12.htm").next_page() \
        == (None, "none")
    # VSB's last page (1.htm) links 2.htm, the page before it (it says "6").
    assert page('<a href="2.htm">6</a>', url=BASE + "1.htm").next_page(7) == (None, "none")


@pytest.mark.parametrize(("pager", "walked", "more"), [
    ("共5页", 1, True),
    ("共5页 当前第5页", 5, False),
    ("第1/4页", 1, True),
    ("第4/4页", 4, False),
    ("页码&nbsp;3/7", 3, True),
    ("Page 2 of 2", 2, False),
    ('1 <a href="list_2.htm">2</a> <a href="list_3.htm">3</a>', 1, True),
    ('<a href="list.htm">1</a> <a href="list_2.htm">2</a> 3', 3, False),
])
def test_pager_facts(pager, walked, more):
    listing = page(pager)
    assert listing.pager.shown
    assert listing.pager.has_more(walked) is more


def test_pager_without_next_is_seen():
    listing = page('共3页 第1/3页 <a href="javascript:goPage(2);">下一页</a>')
    assert listing.next_page() == (None, "none") and listing.pager.has_more(1)
    assert not page("").pager.shown and not page("").pager.has_more(1)


def test_a_bare_arrow_to_another_folder_is_a_column_link_not_the_next_page():
    assert page('<a href="/tzgg/list.htm">&gt;</a>').next_page() == (None, "none")
    assert page('<a href="/tzgg/list.htm">下一页</a>').next_page() == \
        ("http://school.test/tzgg/list.htm", "text")


@pytest.mark.parametrize(("url", "current", "expected"), [
    (BASE + "index.htm", 0, BASE + "index_1.htm"),
    (BASE + "index_1.htm", 1, BASE + "index_2.htm"),
    (BASE + "index_3.htm", 3, None),
])
def test_trs_pager_script(url, current, expected):
    script = f'<script>createPageHTML(4, {current}, "index", "htm");</script>'
    listing = page(script, url=url)
    assert listing.next_page() == ((expected, "trs script") if expected else (None, "none"))
    assert listing.pager.total == 4 and listing.pager.has_more(1) == bool(expected)


@pytest.mark.parametrize(("row", "date"), [
    ('<tr><td><a href="show.asp?id=1">新闻</a></td><td>2020-03-27</td></tr>', "2020-03-27"),
    ('<tr><td><a href="show.asp?id=1">新闻</a> [2020/03/27]</td></tr>', "2020/03/27"),
    ('<tr><td><a href="show.asp?id=1">新闻</a>(2020年03月27日)</td></tr>', "2020年03月27日"),
    ('<li><div class="time"><b>27</b>2020-03</div><a href="show.asp?id=1">新闻</a></li>',
     "2020-03-27"),
    ('<li><a href="show.asp?id=1"><p>2024年工作会议召开</p><span>2020-03-27</span></a></li>',
     "2020-03-27"),
    ('<li><a href="show.asp?id=1">新闻</a><span>发布时间：2020-03-27 15:28</span></li>',
     "发布时间：2020-03-27 15:28"),
    # A summary's date is its story's, not the list's.
    ('<li><a href="show.asp?id=1">新闻</a><p>' + "会议" * 30 + "2019年1月2日举行。</p></li>",
     None),
])
def test_the_date_beside_each_link(row, date):
    other = '<tr><td><a href="show.asp?id=2">其他</a></td><td>2019-01-01</td></tr>'
    listing = page("", rows=f"<table>{row}{other}</table>")
    assert [(a.url, a.date) for a in listing.articles] == [
        (BASE + "show.asp?id=1", date), (BASE + "show.asp?id=2", "2019-01-01")]


def test_dates_of_links_separated_by_line_breaks_in_one_cell():
    cell = ('<td><a href="show.asp?id=1">甲</a> 2020-03-27<br><a href="show.asp?id=2">乙</a>'
            " <font>2020-03-26</font><br></td>")
    listing = page("", rows=f"<table><tr>{cell}</tr></table>")
    assert [a.date for a in listing.articles] == ["2020-03-27", "2020-03-26"]
