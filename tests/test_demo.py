"""`archiver demo` works offline: both demo sites, every list page, every article and image."""

from __future__ import annotations

from tests.conftest import archive_files, run_archiver, site_report


def test_demo_archives_both_sites_and_a_second_run_adds_nothing(tmp_path):
    first = run_archiver("demo", "--output", str(tmp_path))
    assert first.returncode == 0, first.stdout + first.stderr
    for name, new, images in (("demo-webplus", 6, 5), ("demo-ecms", 5, 4)):
        site = site_report(tmp_path, name)
        assert (site["articles"]["new"], site["articles"]["failed"]) == (new, 0)
        assert (site["images"]["fetched"], site["images"]["failed"]) == (images, 0)
    assert len(archive_files(tmp_path, "demo-webplus")) == 6
    assert len(archive_files(tmp_path, "demo-ecms")) == 5
    # The sites keep their fixed host names whatever port the local server got.
    links = {post.content.rsplit("(", 1)[1].rstrip(")")
             for name in ("demo-webplus", "demo-ecms")
             for post in archive_files(tmp_path, name).values()}
    assert {link.split("/")[2] for link in links} == {"demo-webplus.example", "demo-ecms.example"}
    second = run_archiver("demo", "--output", str(tmp_path))
    # Each site's first list page has nothing new: the walk stops there.
    assert second.returncode == 0, second.stdout + second.stderr
    for name, on_first_page in (("demo-webplus", 4), ("demo-ecms", 3)):
        articles = site_report(tmp_path, name)["articles"]
        assert (articles["new"], articles["already_archived"]) == (0, on_first_page)
    assert len(archive_files(tmp_path, "demo-webplus")) == 6

