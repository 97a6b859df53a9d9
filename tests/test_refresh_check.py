"""`archiver refresh` rewrites only what changed; `archiver check` finds every kind of damage;
every run leaves a JSON report."""

from __future__ import annotations

import json
import os
import time

import frontmatter

from archiver.archive import urlname
from archiver.pipelines.images import image_file_name
from tests.conftest import coded, run_archiver, site_config, site_report, write_config
from tests.sitebuilder import Article, serve_site


def setup_archive(tmp_path, server, articles):
    start = serve_site(server, articles, per_page=10)
    write_config(tmp_path / "configs", site_config(start_urls=[start]))
    result = archiver(tmp_path, "crawl", "fixture")
    assert result.returncode == 0, result.stdout + result.stderr
    return tmp_path / "out" / "fixture"


def archiver(tmp_path, *args):
    return run_archiver("--config-dir", str(tmp_path / "configs"), *args,
                        "--output", str(tmp_path / "out"))


def test_refresh_rewrites_only_changed_files_and_keeps_gone_ones(server, tmp_path):
    articles = [Article(600100 + i, f"新闻{i}", images=[f"/img/r{i}.png"]) for i in range(4)]
    folder = setup_archive(tmp_path, server, articles)
    files = {a.id: folder / f"{urlname(server.url(a.path))}.md" for a in articles}
    before = {i: (p.read_bytes(), p.stat().st_mtime_ns) for i, p in files.items()}
    # At the source: one article edited, one deleted; locally: one image lost.
    edited = Article(600101, "新闻1（更正）", images=["/img/r1.png"])
    server.add(edited.path, edited.page(), content_type="text/html")
    server.add(articles[2].path, b"gone", status=404)
    lost = folder / "images" / image_file_name(server.url("/img/r3.png"))
    lost.unlink()

    result = archiver(tmp_path, "refresh", "fixture")
    assert result.returncode == 0, result.stdout + result.stderr
    site = site_report(tmp_path / "out")
    assert site["articles"] | {"new": 0} == {"new": 0, "already_archived": 0, "changed": 1,
                                             "unchanged": 2, "gone": 1, "failed": 0, "flagged": 0,
                                             "offsite": 0, "alias": 0, "held_back": 0,
                                             "ignored": 0}
    assert site["images"]["fetched"] == 1
    assert coded(site["gone"]) == [("gone", "http_404", server.url(articles[2].path))]
    assert coded(site["changed_articles"]) == [("changed", "rewritten", server.url(edited.path))]
    assert frontmatter.load(files[600101])["title"] == "测试大学->新闻1（更正） | test.example"
    for i in (600100, 600102, 600103):  # unchanged and gone: same bytes, same mtime
        assert (files[i].read_bytes(), files[i].stat().st_mtime_ns) == before[i]
    assert lost.is_file()


def test_refresh_keeps_the_date_an_article_took_from_its_list_page(server, tmp_path):
    # The article page states no date; its list page shows one beside the link (rule "list").
    undated = Article(600150, "无日期新闻", date="2025-02-03 00:00", dated=False)
    folder = setup_archive(tmp_path, server, [undated])
    path = folder / f"{urlname(server.url(undated.path))}.md"
    archived = frontmatter.load(path)
    assert str(archived["date"]) == "2025-02-03 00:00:00"
    before = (path.read_bytes(), path.stat().st_mtime_ns)

    result = archiver(tmp_path, "refresh", "fixture")
    assert result.returncode == 0, result.stdout + result.stderr
    articles = site_report(tmp_path / "out")["articles"]
    assert (articles["unchanged"], articles["changed"], articles["failed"]) == (1, 0, 0)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before

    edited = Article(600150, "无日期新闻", date="2025-02-03 00:00", dated=False,
                     paragraphs=["　　学校召开工作会议，部署本学期重点任务（更正）。"])
    server.add(edited.path, edited.page(), content_type="text/html")
    result = archiver(tmp_path, "refresh", "fixture")
    assert result.returncode == 0, result.stdout + result.stderr
    site = site_report(tmp_path / "out")
    assert (site["articles"]["changed"], site["articles"]["failed"]) == (1, 0)
    assert [a["url"] for a in site["changed_articles"]] == [server.url(undated.path)]
    rewritten = frontmatter.load(path)
    assert rewritten["date"] == archived["date"] and "（更正）" in rewritten.content


def test_refresh_since_only_touches_newer_articles(server, tmp_path):
    old = Article(600200, "旧闻", date="2019-01-01 08:00")
    new = Article(600201, "新闻", date="2025-01-01 08:00")
    setup_archive(tmp_path, server, [old, new])
    hits = dict(server.hits)
    assert archiver(tmp_path, "refresh", "--since", "2024-06-01").returncode == 0
    refreshed = site_report(tmp_path / "out")["articles"]
    assert (refreshed["changed"], refreshed["unchanged"]) == (0, 1)
    assert server.hits[new.path] == hits[new.path] + 1
    assert server.hits[old.path] == hits[old.path]


def test_every_run_writes_a_json_report(server, tmp_path):
    articles = [Article(600300 + i, f"新闻{i}", images=[f"/img/x{i}.png", "/img/dead.png"])
                for i in range(2)]
    server.add("/img/dead.png", b"no", status=404)
    start = serve_site(server, articles, per_page=10)
    write_config(tmp_path / "configs", site_config(start_urls=[start]))
    report_path = tmp_path / "run.json"
    result = archiver(tmp_path, "crawl", "fixture", "--report", str(report_path))
    assert result.returncode == 1
    document = json.loads(report_path.read_text(encoding="utf-8"))
    assert document["command"] == "crawl" and document["exit_code"] == 1
    site = document["sites"]["fixture"]
    assert site["articles"]["new"] == 2
    assert site["images"] == {"fetched": 2, "already_archived": 0, "failed": 2}
    assert site["requests"] >= 5 and site["duration_seconds"] > 0
    assert {f["code"] for f in site["failures"]} == {"http_404"}
    # Without --report the report goes beside the archive, where reports older than 90 days
    # are removed (a crawl every 15 minutes would fill the disk with them).
    reports = tmp_path / "out" / ".reports"
    reports.mkdir(parents=True)
    old, recent = reports / "20200101-000000-crawl.json", reports / "20200102-000000-crawl.json"
    for path, age_days in ((old, 91), (recent, 89)):
        path.write_text("{}")
        moment = time.time() - age_days * 86400
        os.utime(path, (moment, moment))
    archiver(tmp_path, "crawl", "fixture")
    assert len(list(reports.glob("*-crawl.json"))) == 2
    assert recent.exists() and not old.exists()


def test_check_passes_a_clean_archive_and_lists_every_problem(server, tmp_path):
    articles = [Article(600400 + i, f"新闻{i}", images=[f"/img/c{i}.png"]) for i in range(7)]
    folder = setup_archive(tmp_path, server, articles)
    clean = archiver(tmp_path, "check")
    assert clean.returncode == 0, clean.stdout
    assert "checked 7 archive file(s)" in clean.stdout and ": 0 problem(s)" in clean.stdout

    paths = [folder / f"{urlname(server.url(a.path))}.md" for a in articles]
    text = [p.read_text(encoding="utf-8") for p in paths]
    paths[0].write_text(text[0].replace("title:", "title: [unclosed"), encoding="utf-8")
    paths[1].write_text(text[1].replace("urlname: ", "urlname: 0"), encoding="utf-8")
    (folder / "copy.md").write_text(text[2], encoding="utf-8")
    (folder / "images" / image_file_name(server.url("/img/c3.png"))).unlink()
    body4 = text[4].split("\n---\n", 1)
    paths[4].write_text(body4[0] + "\n---\n\n" + text[4].rsplit("\n\n", 1)[-1], encoding="utf-8")
    paths[5].write_text(text[5].replace("学校召开", "发布时间：2025-03-06\n\n学校召开"), encoding="utf-8")
    paths[6].write_text(text[6].replace("学校召开", "學(xué)校(xiào)召開"), encoding="utf-8")

    result = archiver(tmp_path, "check")
    assert result.returncode == 1
    out = result.stdout
    assert f"{paths[0]}: front matter does not parse" in out
    assert f"{paths[1]}: urlname 0" in out
    duplicate = next(line for line in out.splitlines() if "the same source link" in line)
    assert "archived 2 times" in duplicate and "copy.md" in duplicate
    assert f"{paths[3]}: image not archived locally: {server.url('/img/c3.png')}" in out
    assert f"{paths[4]}: body has no text" in out
    assert f"{paths[5]}: boilerplate left in the body" in out
    assert f"{paths[6]}: garbled text: pinyin" in out
