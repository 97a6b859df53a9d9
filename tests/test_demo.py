"""`archiver demo` works offline: both demo sites, every list page, every article and image."""

from __future__ import annotations

from tests.conftest import archive_files, run_archiver


def test_demo_archives_both_sites_and_a_second_run_adds_nothing(tmp_path):
    first = run_archiver("demo", "--output", str(tmp_path))
    assert first.returncode == 0, first.stdout + first.stderr
    assert "demo-webplus: 6 new, 0 already archived, 0 dropped or failed; images 5 fetched" \
        in first.stdout
    assert "demo-ecms: 5 new, 0 already archived, 0 dropped or failed; images 4 fetched" \
        in first.stdout
    assert len(archive_files(tmp_path, "demo-webplus")) == 6
    assert len(archive_files(tmp_path, "demo-ecms")) == 5
    # The sites keep their fixed host names whatever port the local server got.
    links = {post.content.rsplit("(", 1)[1].rstrip(")")
             for name in ("demo-webplus", "demo-ecms")
             for post in archive_files(tmp_path, name).values()}
    assert {link.split("/")[2] for link in links} == {"demo-webplus.example", "demo-ecms.example"}
    second = run_archiver("demo", "--output", str(tmp_path))
    # Each site's first list page has nothing new: the walk stops there.
    assert "demo-webplus: 0 new, 4 already archived" in second.stdout
    assert "demo-ecms: 0 new, 3 already archived" in second.stdout
    assert len(archive_files(tmp_path, "demo-webplus")) == 6

