"""Archive files are written without an fsync each (one sync when a crawl ends), so a power cut
can leave the last ones empty. The next run, taking over the dead run's lock, removes empty
files so that their articles are fetched again instead of counting as archived."""

from __future__ import annotations

from archiver.archive import image_file_name, urlname
from tests.conftest import latest_report, run_archiver, site_config, write_config
from tests.sitebuilder import PNG, Article, serve_site


def test_files_left_empty_by_a_power_cut_are_fetched_again(server, tmp_path):
    articles = [Article(860000 + i, f"新闻{i}", images=[f"/img/p{i}.png"]) for i in range(3)]
    start = serve_site(server, articles)
    write_config(tmp_path / "configs", site_config(start_urls=[start]))
    args = ("--config-dir", str(tmp_path / "configs"), "crawl", "fixture",
            "--output", str(tmp_path / "out"))
    assert run_archiver(*args).returncode == 0
    folder = tmp_path / "out" / "fixture"
    emptied = folder / f"{urlname(server.url(articles[1].path))}.md"
    emptied.write_bytes(b"")
    image = folder / "images" / image_file_name(server.url("/img/p1.png"))
    image.write_bytes(b"")  # the emptied article's image
    # Empty files of the user's own: not named as the archiver names its files, never touched.
    theirs = [folder / ".gitkeep", folder / "notes.txt", folder / "images" / ".gitkeep",
              folder / "files" / "README", folder / "0123.md"]
    for path in theirs:
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(b"")
    # The run that was cut off still names itself in the lock file (it never released it).
    (folder / ".archiver.lock").write_text('{"pid": 999999, "host": "h", "command": "c"}')
    # Its walk record says the list was walked cleanly: only the empty files show the loss.
    result = run_archiver(*args, "--full")
    assert result.returncode == 0, result.stdout + result.stderr
    site = latest_report(tmp_path / "out")["sites"]["fixture"]
    assert site["articles"]["new"] == 1
    assert emptied.stat().st_size > 0
    assert image.read_bytes() == PNG
    assert all(path.is_file() and path.stat().st_size == 0 for path in theirs)
