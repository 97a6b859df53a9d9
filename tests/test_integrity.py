"""The rule of a plausible edit (archiver.archive.integrity), on archive file texts."""

from __future__ import annotations

from datetime import date, datetime

from archiver.archive import to_markdown
from archiver.archive.integrity import (
    RepeatedPages,
    headline_matches,
    page_problem,
    replacement_problem,
)
from archiver.config import adhoc_site
from archiver.items import ArticleItem

SITE = adhoc_site("http://news.example.edu.cn/")
TODAY = date(2026, 12, 6)
BODY = ["第五届学术年会在我校召开，来自全国四十余所高校的两百多名专家学者参加会议，围绕学科建设展开研讨。",
        "会议期间，与会代表分组讨论了人才培养、科学研究和社会服务等议题，并参观了学校实验室和图书馆。",
        "学校主要负责同志表示，将认真吸收会议成果，进一步推进学科交叉融合，提升人才培养质量。"]


def text(headline="第五届学术年会召开", blocks=BODY, when=datetime(2025, 3, 6, 15, 20)) -> str:
    item = ArticleItem(url="http://news.example.edu.cn/a.htm", site="x", headline=headline,
                       published=when, blocks=list(blocks))
    return to_markdown(item, SITE)


def code(new: str) -> str | None:
    found = replacement_problem(text(), new, TODAY)
    return found.code if found else None


def test_real_edits_pass():
    typo = [BODY[0].replace("两百多名", "二百多名"), *BODY[1:]]
    assert code(text(blocks=typo)) is None
    assert code(text(blocks=[*BODY[:2], "![图](http://news.example.edu.cn/new.jpg)", BODY[2]])) \
        is None
    assert code(text(headline="第五届学术年会在我校隆重召开")) is None
    changed = [BODY[0], "会议期间，代表们还就国际交流与合作进行了深入讨论。", BODY[2]]
    assert code(text(blocks=changed)) is None


def test_what_is_not_an_edit():
    assert code(text("系统维护中", ["系统正在升级维护，请稍后访问。"])) == "maintenance_page"
    assert code(text("统一身份认证", ["请登录后访问。"])) == "login_page"
    assert code(text("提示", ["对不起，您访问的页面不存在。"])) == "error_page"
    assert code(text(blocks=[])) == "not_an_article"
    assert code(text(when=datetime(2026, 12, 6, 8, 0))) == "date_to_today"
    assert code(text(blocks=BODY[:1])) == "body_shrunk"
    other = ["学校举行新年音乐会，师生共同欢度新年，现场气氛热烈，演出赢得阵阵掌声。" * 3]
    assert code(text(blocks=other)) == "body_replaced"


def test_a_short_notice_about_maintenance_is_an_article_under_its_own_headline():
    notice = "校园网将于周六22:00进行系统升级维护，届时暂停访问。"
    assert page_problem("关于校园网升级维护的通知", notice,
                        expected_headline="关于校园网升级维护的通知") is None
    assert page_problem("关于校园网升级维护的通知", notice,
                        expected_headline="学术年会召开").code == "maintenance_page"
    assert page_problem("登录", "", password_input=True).code == "login_page"
    # A footer that names who maintains the site is no maintenance page.
    assert page_problem("图片新闻", "本网站由新闻中心设计维护 网站维护：信息中心") is None
    assert headline_matches("关于校园网升级维护的通知", "关于校园网升级维护…")


def test_one_page_for_differently_named_links_is_a_wall():
    pages = RepeatedPages()  # a portal page: its headline is none of the links' names
    assert pages.see("u1", "欢迎访问门户", "欢迎", "学术年会召开") == []
    assert pages.see("u2", "欢迎访问门户", "欢迎", "新年音乐会举行") == ["u1", "u2"]
    assert pages.see("u3", "欢迎访问门户", "欢迎", "运动会开幕") == ["u3"]
    assert pages.count("u1") == 3
    pages = RepeatedPages()  # its headline is one of the names: a wall from the third URL
    assert pages.see("u1", "学术年会召开", "正文", "学术年会召开") == []
    assert pages.see("u2", "学术年会召开", "正文", "新年音乐会举行") == []
    assert pages.see("u3", "学术年会召开", "正文", "运动会开幕") == ["u1", "u2", "u3"]
    unnamed = RepeatedPages()  # no list names them (asked again from the walk record)
    assert unnamed.see("u1", "门户", "欢迎", "") == unnamed.see("u2", "门户", "欢迎", "") == []
    assert unnamed.see("u3", "门户", "欢迎", "") == ["u1", "u2", "u3"]
    variants = RepeatedPages()  # one article under several URLs, linked by one headline
    assert all(variants.see(f"v{i}", "年会", "正文", "年会") == [] for i in range(5))
