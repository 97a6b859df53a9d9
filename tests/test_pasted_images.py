"""Pictures pasted into an article (`<img src="data:image/png;base64,…">`) are decoded, archived
under images/ by the hash of their bytes and linked locally; a bad one is an image failure with
its reason and code, and leaves no data: URI in the file."""

from __future__ import annotations

import base64
import hashlib
import struct
import zlib

from archiver.archive import urlname
from tests.conftest import archive_files, run_archiver, site_config, site_report, write_config
from tests.sitebuilder import Article, serve_site


def png(width: int, height: int) -> bytes:
    """A real PNG of width x height grey pixels."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    raw = b"".join(b"\x00" + bytes(range(width)) for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0,
                                                                 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 0)) + chunk(b"IEND", b""))


def data_uri(data: bytes, media: str = "image/png") -> str:
    return f"data:{media};base64,{base64.b64encode(data).decode()}"


def test_pasted_pictures_are_archived_locally_and_bad_ones_reported(server, tmp_path):
    good, big = png(40, 30), png(200, 200)
    paragraphs = [
        "　　学校举行开学典礼。",
        f'<img src="{data_uri(good)}" />',
        # A lazy-loading placeholder: a 1x1 GIF in src, the picture in data-original.
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-original="/img/real.png"/>',
        f'<img src="data:image/png;base64,{"@" * 300}" />',  # does not decode
        f'<img src="{data_uri(b"<html>" + b"x" * 300, "image/png")}" />',  # no image inside
        f'<img src="{data_uri(big)}" />',  # over the cap set below
        "　　典礼结束。",
    ]
    article = Article(895001, "开学典礼", paragraphs=paragraphs)
    start = serve_site(server, [article])
    server.add("/img/real.png", png(5, 5), content_type="image/png")
    write_config(tmp_path / "configs", site_config(
        start_urls=[start], settings={"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0,
                                      "RETRY_TIMES": 0, "ARCHIVER_IMAGE_MAXSIZE": 20_000}))
    args = ("--config-dir", str(tmp_path / "configs"), "--output", str(tmp_path / "out"))
    result = run_archiver(*args, "crawl", "fixture")
    assert result.returncode == 1, result.stdout + result.stderr
    folder = tmp_path / "out" / "fixture"
    name = f"{hashlib.sha1(good).hexdigest()}.png"
    assert (folder / "images" / name).read_bytes() == good
    [post] = archive_files(tmp_path / "out", "fixture").values()
    assert f"![图](images/{name})" in post.content
    assert "data:" not in post.content
    assert f"![图]({server.url('/img/real.png')})" in post.content
    site = site_report(tmp_path / "out")
    codes = sorted(f.get("code", "") for f in site["failures"])
    assert codes == ["data_image_invalid", "data_image_invalid", "image_too_large"]
    assert all(len(f["url"]) < 120 and f["article"] == server.url(article.path)
               for f in site["failures"])
    assert site["images"]["fetched"] == 2  # the pasted picture and /img/real.png
    assert (folder / f"{urlname(server.url(article.path))}.md").is_file()
    check = run_archiver(*args, "check")
    assert check.returncode == 0, check.stdout + check.stderr
