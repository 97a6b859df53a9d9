"""`archiver publish` treats the Hexo folder as the user's: it never writes through a symbolic
link that leads out of it, and never overwrites a post edited there since it was last
published (it names it; `--force` overwrites)."""

from __future__ import annotations

import pytest

from tests.conftest import run_archiver

CONFIG = "title: Blog\ntimezone: Asia/Shanghai\n"


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    output = tmp_path_factory.mktemp("archive")
    assert run_archiver("demo", "--output", str(output)).returncode == 0
    return output


def blog(folder):
    folder.mkdir()
    (folder / "_config.yml").write_text(CONFIG)
    return folder


def publish(blog_dir, output, *args):
    return run_archiver("publish", str(blog_dir), "--output", str(output), *args)


@pytest.mark.parametrize("link", ["source", "source/_posts", "source/_posts/demo-webplus"])
def test_no_write_through_a_link_out_of_the_hexo_folder(archive, tmp_path, link):
    site = blog(tmp_path / "blog")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (site / link).parent.mkdir(parents=True, exist_ok=True)
    (site / link).symlink_to(outside)
    result = publish(site, archive)
    assert result.returncode == 1, result.stdout + result.stderr
    assert list(outside.rglob("*")) == []
    assert f"{site / link} is a symbolic link that leads out of the Hexo folder" in result.stdout


def test_a_link_inside_the_hexo_folder_is_followed(archive, tmp_path):
    site = blog(tmp_path / "blog")
    (site / "posts").mkdir()
    (site / "source").mkdir()
    (site / "source" / "_posts").symlink_to(site / "posts")
    result = publish(site, archive)
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(list((site / "posts").glob("*/*.md"))) == len(list(archive.glob("*/*.md")))


def test_a_post_edited_in_the_hexo_folder_is_kept_until_force(archive, tmp_path):
    site = blog(tmp_path / "blog")
    assert publish(site, archive).returncode == 0
    posts = sorted((site / "source" / "_posts").glob("*/*.md"))
    edited, refreshed = posts[0], posts[1]
    edited.write_text(edited.read_text(encoding="utf-8") + "\n我的补充。\n", encoding="utf-8")
    mine = edited.read_bytes()
    # The archive changes another post (as a refresh would): that one is ours to replace.
    source = archive / refreshed.parent.name / refreshed.name
    original = source.read_bytes()
    source.write_bytes(original.replace(b"\n\n[", "\n\n更正：时间有误。\n\n[".encode(), 1))
    try:
        result = publish(site, archive)
        assert result.returncode == 1, result.stdout + result.stderr
        assert edited.read_bytes() == mine
        assert f"not published: {edited} was changed in the Hexo folder" in result.stdout
        assert "更正：时间有误。" in refreshed.read_text(encoding="utf-8")
        again = publish(site, archive)  # still kept, still named
        assert again.returncode == 1 and edited.read_bytes() == mine
        forced = publish(site, archive, "--force")
        assert forced.returncode == 0, forced.stdout
        assert "我的补充" not in edited.read_text(encoding="utf-8")
        assert publish(site, archive).returncode == 0
    finally:
        source.write_bytes(original)


def test_published_posts_carry_their_permalink_and_the_archive_keeps_the_seed_format(
        archive, tmp_path):
    site = blog(tmp_path / "blog")
    assert publish(site, archive).returncode == 0
    for post in (site / "source" / "_posts").glob("*/*.md"):
        text = post.read_text(encoding="utf-8")
        archived = (archive / post.parent.name / post.name).read_text(encoding="utf-8")
        assert text == archived.replace(f"urlname: {post.stem}\n",
                                        f"urlname: {post.stem}\npermalink: {post.stem}/\n", 1)
        assert "permalink" not in archived


def test_publish_warns_against_urlname_in_the_sites_permalink(archive, tmp_path):
    site = blog(tmp_path / "blog")
    (site / "_config.yml").write_text(CONFIG + "permalink: :urlname/\n")
    result = publish(site, archive)
    assert result.returncode == 1
    assert "/undefined/" in result.stdout and "set `permalink:` back" in result.stdout
