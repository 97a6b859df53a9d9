"""Acceptance: pages carrying seeds 000 and 003, served under their real URLs through an HTTP
proxy, are fetched by `archiver fetch` into files that match the seeds."""

from __future__ import annotations

import re

import frontmatter
import pytest

from archiver.pipelines.images import image_file_name
from tests.conftest import FIXTURES, blocks, run_archiver

# The reference archive files 000_… and 003_… of the project seeds.
SEEDS = FIXTURES / "seeds"
CASES = [
    ("000_247281fd4e0692c0.txt", "njust_000.html", "njust"),
    ("003_2f62085cd5636d82.txt", "nankai_003.html", "nankai"),
]
# A real (tiny) JPEG, so the image pipeline stores real image bytes.
JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b0c"
    "1912130f141d1a1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ffc0000b"
    "080001000101011100ffc4001f0000010501010101010100000000000000000102030405060708090a0bffc400b510"
    "0002010303020403050504040000017d01020300041105122131410613516107227114328191a1082342b1c11552d1"
    "f02433627282090a161718191a25262728292a3435363738393a434445464748494a535455565758595a6364656667"
    "68696a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2"
    "c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9faffda0008010100003f00"
    "fbd3ffd9"
)


def seed(name: str) -> frontmatter.Post:
    return frontmatter.loads((SEEDS / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize(("seed_name", "page", "site"), CASES)
def test_fetch_through_proxy_reproduces_the_seed(server, tmp_path, seed_name, page, site):
    expected = seed(seed_name)
    source = re.search(r"\[转入文章首发地址\]\((.+)\)", expected.content).group(1)
    images = re.findall(r"!\[图\]\((.+?)\)", expected.content)
    server.add(source, (FIXTURES / "seeds" / page).read_bytes())
    for url in images:
        server.add(url, JPEG, content_type="image/jpeg")

    result = run_archiver("fetch", source, "--output", str(tmp_path),
                          env={"http_proxy": server.base_url})
    assert result.returncode == 0, result.stdout + result.stderr

    written = frontmatter.load(tmp_path / site / f"{expected['urlname']}.md")
    assert list(written.metadata) == list(expected.metadata)
    for key, value in expected.metadata.items():
        assert written[key] == value, key
    # The seeds keep the pages' no-break spaces between names ("记者\xa0郝静秋"); the archiver
    # folds every space run to one plain space, the only difference it is allowed.
    assert blocks(written.content) == blocks(expected.content.replace("\xa0", " "))
    for url in images:
        stored = tmp_path / site / "images" / image_file_name(url)
        assert stored.read_bytes() == JPEG
    # Every request went through the proxy under the real URL.
    assert server.hits[source] == 1
