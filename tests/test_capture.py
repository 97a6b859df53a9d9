"""Raw captures (WARC): written by real crawls of a local site, then rebuilt, listed, checked and
exported with the server down."""

from __future__ import annotations

import gzip
import os
import random
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archiver.archive import article_path, urlname
from archiver.capture import warc_files
from archiver.capture.reader import Members, file_captures, parse
from archiver.config import ConfigError, load_site
from archiver.demo.server import FixtureServer
from tests.conftest import (
    PROXY_VARS,
    ROOT,
    latest_report,
    run_archiver,
    site_config,
    wait_until,
    write_config,
)
from tests.sitebuilder import Article, serve_site

LONG = ["　　学校召开工作会议，部署本学期重点任务，要求各单位结合实际抓好落实。" * 6] * 8
_HAN = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研质"
_PAGE_TEXT = random.Random(22)


def varied(count: int) -> list[str]:
    """Paragraphs of text that compresses like real news (not a repeated line)."""
    return ["　　" + "".join(_PAGE_TEXT.choice(_HAN) for _ in range(160)) + "。"
            for _ in range(count)]


def crawl_args(tmp_path: Path, command: str = "crawl", *more: str) -> list[str]:
    return [command, *(["fixture"] if command in ("crawl", "refresh", "rebuild") else []),
            "--config-dir", str(tmp_path / "cfg"), "--output", str(tmp_path / "out"), *more]


def archived(tmp_path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((tmp_path / "out/fixture").glob("*.md"))}


def captures(tmp_path: Path) -> list:
    return [c for w in warc_files(tmp_path / "out", "fixture") for c in file_captures(w)]


def test_rebuild_restores_every_file_byte_for_byte_with_the_server_down(tmp_path):
    articles = [Article(i, f"学校召开会议{i}", paragraphs=LONG[:3], images=[f"/img/{i}.png"])
                for i in range(1, 8)]
    with FixtureServer() as server:
        start = serve_site(server, articles)
        # Local image links: the rebuild must find the archived images as the crawl linked them.
        write_config(tmp_path / "cfg", site_config(start_urls=[start], image_links="local"))
        crawl = run_archiver(*crawl_args(tmp_path))
        assert crawl.returncode == 0, crawl.stdout + crawl.stderr
    before = archived(tmp_path)
    assert len(before) == 7 and all(b"](images/" in text for text in before.values())
    kinds = sorted({(c.kind, c.type) for c in captures(tmp_path)})
    assert kinds == [("article", "response"), ("list", "response")]
    # The server is gone: a rebuild that tried the network would fail to restore anything.
    for path in (tmp_path / "out/fixture").glob("*.md"):
        path.unlink()
    result = run_archiver(*crawl_args(tmp_path, "rebuild"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert archived(tmp_path) == before
    report = latest_report(tmp_path / "out")["sites"]["fixture"]
    assert report["articles"]["restored"] == 7 and report["articles"]["no_capture"] == 0
    # A second rebuild rewrites nothing: bytes and mtimes kept.
    mtimes = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "out/fixture").glob("*.md")}
    again = run_archiver(*crawl_args(tmp_path, "rebuild"))
    assert again.returncode == 0, again.stdout + again.stderr
    assert latest_report(tmp_path / "out")["sites"]["fixture"]["articles"]["unchanged"] == 7
    assert {p.name: p.stat().st_mtime_ns
            for p in (tmp_path / "out/fixture").glob("*.md")} == mtimes
    check = run_archiver(*crawl_args(tmp_path, "check"))
    assert check.returncode == 0, check.stdout


def test_rebuild_rewrites_exactly_the_files_a_changed_rule_or_an_older_archiver_affects(
        server, tmp_path):
    articles = [Article(i, f"新闻标题{i}", paragraphs=LONG[:2]) for i in range(1, 7)]
    # Only this one holds traditional characters: `t2s: true` changes it alone.
    articles[2].paragraphs = ["　　學校召開會議，部署本學期重點任務。" * 4]
    start = serve_site(server, articles)
    write_config(tmp_path / "cfg", site_config(start_urls=[start]))
    crawl = run_archiver(*crawl_args(tmp_path))
    assert crawl.returncode == 0, crawl.stdout + crawl.stderr
    before = archived(tmp_path)
    folder = tmp_path / "out/fixture"
    # Two files as an older archiver wrote them: another headline, a body line less.
    # Two of the simplified-Chinese articles (file names follow the server's port: the
    # traditional one, whose body line differs, must not be picked by chance).
    names = sorted(n for n in before if "學校" not in (folder / n).read_text(encoding="utf-8"))
    older_title, older_body = folder / names[0], folder / names[1]
    text = older_title.read_text(encoding="utf-8")
    older_title.write_text(text.replace("新闻标题", "旧标题", 1), encoding="utf-8")
    text = older_body.read_text(encoding="utf-8")
    older_body.write_text(text.replace("学校召开工作会议", "学校召开会议", 1), encoding="utf-8")
    mtimes = {p.name: p.stat().st_mtime_ns for p in folder.glob("*.md")}
    dry = run_archiver(*crawl_args(tmp_path, "rebuild", "--dry-run"))
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert dry.stdout.count("would change:") == 2
    assert {p.name: p.stat().st_mtime_ns for p in folder.glob("*.md")} == mtimes
    result = run_archiver(*crawl_args(tmp_path, "rebuild"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert archived(tmp_path) == before
    changed = {Path(e["file"]).name: e["reason"]
               for e in latest_report(tmp_path / "out")["sites"]["fixture"]["changed_articles"]}
    assert changed == {names[0]: "headline", names[1]: "body"}
    assert "changed: " in result.stdout and names[0] in result.stdout
    untouched = set(before) - set(changed)
    assert all(folder.joinpath(n).stat().st_mtime_ns == mtimes[n] for n in untouched)
    # One rule changes: only the traditional-character article is rewritten.
    write_config(tmp_path / "cfg", site_config(start_urls=[start], t2s=True))
    result = run_archiver(*crawl_args(tmp_path, "rebuild"))
    assert result.returncode == 0, result.stdout + result.stderr
    changed = latest_report(tmp_path / "out")["sites"]["fixture"]["changed_articles"]
    assert [(e["url"], e["reason"]) for e in changed] == [(server.url(articles[2].path), "body")]
    assert "学校召开会议" in folder.joinpath(Path(changed[0]["file"]).name).read_text("utf-8")


def test_an_archive_file_without_a_capture_is_counted_and_named(server, tmp_path):
    articles = [Article(i, f"新闻{i}", paragraphs=LONG[:1]) for i in range(1, 4)]
    start = serve_site(server, articles)
    write_config(tmp_path / "cfg", site_config(start_urls=[start], capture="off"))
    assert run_archiver(*crawl_args(tmp_path)).returncode == 0
    assert warc_files(tmp_path / "out", "fixture") == []
    result = run_archiver(*crawl_args(tmp_path, "rebuild"))
    assert result.returncode == 0, result.stdout + result.stderr
    site = latest_report(tmp_path / "out")["sites"]["fixture"]
    assert site["articles"]["no_capture"] == 3
    assert sorted(e["url"] for e in site["no_capture"]) == sorted(
        server.url(a.path) for a in articles)
    check = run_archiver(*crawl_args(tmp_path, "check"))
    assert check.returncode == 0 and "3 archive file(s) with no capture" in check.stdout
    # A refresh captures them (the config turned capture back on).
    write_config(tmp_path / "cfg", site_config(start_urls=[start]))
    assert run_archiver(*crawl_args(tmp_path, "refresh")).returncode == 0
    result = run_archiver(*crawl_args(tmp_path, "rebuild"))
    site = latest_report(tmp_path / "out")["sites"]["fixture"]
    assert site["articles"]["no_capture"] == 0 and site["articles"]["unchanged"] == 3


def test_refresh_of_an_unchanged_site_adds_revisit_records_only(server, tmp_path):
    articles = [Article(i, f"新闻{i}", paragraphs=varied(8)) for i in range(1, 7)]
    start = serve_site(server, articles)
    write_config(tmp_path / "cfg", site_config(start_urls=[start]))
    assert run_archiver(*crawl_args(tmp_path)).returncode == 0
    first = warc_files(tmp_path / "out", "fixture")
    assert len(first) == 1
    result = run_archiver(*crawl_args(tmp_path, "refresh"))
    assert result.returncode == 0, result.stdout + result.stderr
    second = [w for w in warc_files(tmp_path / "out", "fixture") if w not in first]
    assert len(second) == 1
    records = file_captures(second[0])
    assert len(records) == 6 and {c.type for c in records} == {"revisit"}
    # A revisit keeps the headers, not the page: measured, the refresh's records are a
    # fraction of the crawl's (pages of 4 KB gzipped here).
    pages = sum(c.length for c in file_captures(first[0]) if c.kind == "article")
    revisits = sum(c.length for c in records)
    print(f"crawl: {pages} B of article records; refresh: {revisits} B of revisit records, "
          f"{second[0].stat().st_size} B in all")
    assert revisits < pages / 4
    check = run_archiver(*crawl_args(tmp_path, "check"))
    assert check.returncode == 0, check.stdout


def test_history_lists_the_versions_of_a_changed_article_and_shows_each(server, tmp_path):
    article = Article(5, "初版标题", paragraphs=["　　第一版的正文，讲述学校召开工作会议的情况。"])
    start = serve_site(server, [article, Article(6, "另一篇", paragraphs=LONG[:1])])
    write_config(tmp_path / "cfg", site_config(start_urls=[start]))
    t0 = datetime.now(UTC)
    assert run_archiver(*crawl_args(tmp_path)).returncode == 0
    t1 = datetime.now(UTC)
    article.headline = "修订后的标题"
    article.paragraphs = ["　　第二版的正文，删去了一句话。"]
    server.add(article.path, article.page(), content_type="text/html")
    assert run_archiver(*crawl_args(tmp_path, "refresh")).returncode == 0
    t2 = datetime.now(UTC)
    url = server.url(article.path)
    listing = run_archiver("history", url, *crawl_args(tmp_path, "history")[1:])
    assert listing.returncode == 0, listing.stdout + listing.stderr
    rows = [line.split() for line in listing.stdout.splitlines()[1:]]
    assert [row[0] for row in rows] == ["1", "2"]
    dates = [datetime.fromisoformat(row[1].replace("Z", "+00:00")) for row in rows]
    assert t0 <= dates[0] <= t1 <= dates[1] <= t2
    assert rows[0][5] == "page" and "archive" not in rows[0]
    assert rows[1][-2:] == ["archive", "file"]  # the archive file came from version 2
    shown = [run_archiver("history", url, "--show", n, *crawl_args(tmp_path, "history")[1:])
             for n in ("1", "2")]
    assert "初版标题" in shown[0].stdout and "第一版的正文" in shown[0].stdout
    assert "修订后的标题" in shown[1].stdout and "第二版的正文" in shown[1].stdout
    assert shown[1].stdout == article_path(tmp_path / "out", "fixture", url).read_text("utf-8")


def slow_site(tmp_path: Path, server) -> list[Article]:
    articles = [Article(i, f"新闻{i}", paragraphs=LONG[:2]) for i in range(1, 121)]
    start = serve_site(server, articles, per_page=20)
    server.delay = 0.01
    write_config(tmp_path / "cfg", site_config(
        start_urls=[start], settings={"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0,
                                      "RETRY_TIMES": 0, "CONCURRENT_REQUESTS_PER_DOMAIN": 2}))
    return articles


def readable(warc: Path) -> int:
    """Records read up to the last complete one (the reader never raises on a torn tail)."""
    return sum(1 for _, _, data in Members(warc) if parse(data))


def test_kill_9_during_a_capturing_crawl_leaves_readable_warcs_and_a_rerun_completes(
        server, tmp_path):
    articles = slow_site(tmp_path, server)
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
    for count in (10, 50, 90):
        crawl = subprocess.Popen([sys.executable, "-m", "archiver.cli", *crawl_args(tmp_path)],
                                 cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        wait_until(lambda n=count: len(list((tmp_path / "out/fixture").glob("*.md"))) >= n,
                   f"{count} archived articles", timeout=120, process=crawl)
        crawl.send_signal(signal.SIGKILL)
        crawl.wait(timeout=30)
        for warc in warc_files(tmp_path / "out", "fixture"):
            assert readable(warc) > 0
        # Every archive file written so far has its capture (captured before it was written).
        sources = {c.source for c in captures(tmp_path) if c.kind == "article"}
        assert {p.stem for p in (tmp_path / "out/fixture").glob("*.md")} <= {
            urlname(u) for u in sources}
    # A power cut can tear the last record: half a gzip member at the end of a killed file.
    killed = [w for w in warc_files(tmp_path / "out", "fixture") if w.name.endswith(".open")]
    assert killed  # the kills left files their crawls never closed
    whole = readable(killed[-1])
    torn = gzip.compress(b"WARC/1.1\r\nWARC-Type: response\r\n" + b"x" * 5000)
    with open(killed[-1], "ab") as handle:
        handle.write(torn[:len(torn) // 2])
    members = Members(killed[-1])
    assert sum(1 for _ in members) == whole and members.torn
    result = run_archiver(*crawl_args(tmp_path), timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(list((tmp_path / "out/fixture").glob("*.md"))) == len(articles)
    notes = latest_report(tmp_path / "out")["sites"]["fixture"]["notes"]
    assert any("cut a torn last record" in note for note in notes), notes
    files = warc_files(tmp_path / "out", "fixture")
    assert not [w for w in files if w.name.endswith(".open")]  # every file closed
    for warc in files:
        members = Members(warc)
        assert sum(1 for _ in members) and not members.torn
    sources = {c.source for c in captures(tmp_path) if c.kind == "article"}
    assert sources >= {server.url(a.path) for a in articles}
    check = run_archiver(*crawl_args(tmp_path, "check"))
    assert check.returncode == 0, check.stdout


def test_check_names_a_corrupt_capture(server, tmp_path):
    start = serve_site(server, [Article(i, f"新闻{i}") for i in range(1, 4)])
    write_config(tmp_path / "cfg", site_config(start_urls=[start]))
    assert run_archiver(*crawl_args(tmp_path)).returncode == 0
    warc = warc_files(tmp_path / "out", "fixture")[0]
    capture = next(c for c in file_captures(warc) if c.kind == "article")
    # Rewrite one record with a body that no longer matches its stated digest.
    data = warc.read_bytes()
    record = gzip.decompress(data[capture.offset:capture.offset + capture.length])
    forged = gzip.compress(record.replace("学校召开".encode(), "学院召开".encode()))
    warc.write_bytes(data[:capture.offset] + forged + data[capture.offset + capture.length:])
    check = run_archiver(*crawl_args(tmp_path, "check"))
    assert check.returncode == 1
    assert f"{warc}: record at byte {capture.offset}" in check.stdout
    assert "payload digest" in check.stdout


@pytest.mark.parametrize("mode", ["all"])
def test_capture_all_keeps_images_too(server, tmp_path, mode):
    start = serve_site(server, [Article(1, "新闻", images=["/img/a.png"])])
    write_config(tmp_path / "cfg", site_config(start_urls=[start], capture=mode))
    assert run_archiver(*crawl_args(tmp_path)).returncode == 0
    assert sorted({c.kind for c in captures(tmp_path)}) == ["article", "image", "list"]


@pytest.mark.parametrize("text, mode", [("capture: off", "off"), ("capture: all", "all"),
                                        ("", "pages")])
def test_the_capture_key_reads_its_three_values(tmp_path, text, mode):
    config = site_config(start_urls=["http://127.0.0.1/1001/list.htm"])
    path = write_config(tmp_path, config)
    path.write_text(path.read_text(encoding="utf-8") + text + "\n", encoding="utf-8")
    assert load_site(path).capture == mode


def test_a_wrong_capture_value_is_a_config_error_naming_the_key(tmp_path):
    path = write_config(tmp_path, site_config(start_urls=["http://127.0.0.1/l.htm"],
                                              capture="sometimes"))
    with pytest.raises(ConfigError) as error:
        load_site(path)
    assert error.value.key == "capture"


def test_rebuild_never_replaces_an_article_by_what_its_newest_capture_gives_worse(server,
                                                                                  tmp_path):
    articles = [Article(i, f"新闻{i}", paragraphs=LONG[:2]) for i in range(1, 4)]
    start = serve_site(server, articles)
    write_config(tmp_path / "cfg", site_config(start_urls=[start]))
    assert run_archiver(*crawl_args(tmp_path)).returncode == 0
    before = archived(tmp_path)
    # The school now serves an error page with status 200: the refresh keeps the file, and its
    # capture of that page is the article's newest.
    server.add(articles[1].path, "<html><head><title>页面不存在</title></head><body><h1>页面不存在"
               "</h1><p>您访问的页面不存在或已被删除。</p></body></html>")
    assert run_archiver(*crawl_args(tmp_path, "refresh")).returncode == 1
    result = run_archiver(*crawl_args(tmp_path, "rebuild"))
    assert result.returncode == 1, result.stdout + result.stderr
    held = latest_report(tmp_path / "out")["sites"]["fixture"]["held_back"]
    assert [(e["url"], "error page" in e["reason"]) for e in held] == [
        (server.url(articles[1].path), True)]
    assert archived(tmp_path) == before
