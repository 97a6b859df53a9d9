"""An SVG image never carries script into the blog: an SVG that could run code is refused (an
image failure with code svg_script), a harmless one is archived byte for byte, and `check`
names a scripted SVG left in the archive by an older archiver."""

from __future__ import annotations

from archiver.archive import image_file_name
from tests.conftest import run_archiver, site_config, site_report, write_config
from tests.sitebuilder import Article, serve_site

HARMLESS = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" '
            b'height="10"><circle cx="5" cy="5" r="4" fill="red"/></svg>')
SCRIPTED = {
    "/img/script.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "/img/onload.svg": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    "/img/link.svg": (b'<svg xmlns="http://www.w3.org/2000/svg" '
                      b'xmlns:x="http://www.w3.org/1999/xlink"><a x:href="jav&#x09;ascript:'
                      b'alert(1)"><text>x</text></a></svg>'),
    "/img/entity.svg": (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY s "&#60;script&#62;">]>'
                        b'<svg xmlns="http://www.w3.org/2000/svg">&s;</svg>'),
    # Served as an image/png, with SVG inside: found by its bytes.
    "/img/disguised.png": b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject/></svg>',
}


def test_an_svg_that_could_run_script_is_refused(server, tmp_path):
    article = Article(896001, "矢量图", images=["/img/ok.svg", *SCRIPTED])
    start = serve_site(server, [article])
    server.add("/img/ok.svg", HARMLESS, content_type="image/svg+xml")
    for path, body in SCRIPTED.items():
        server.add(path, body, content_type="image/png" if path.endswith(".png")
                   else "image/svg+xml")
    write_config(tmp_path / "configs", site_config(start_urls=[start]))
    args = ("--config-dir", str(tmp_path / "configs"), "--output", str(tmp_path / "out"))
    result = run_archiver(*args, "crawl", "fixture")
    assert result.returncode == 1, result.stdout + result.stderr
    images = tmp_path / "out" / "fixture" / "images"
    assert (images / image_file_name(server.url("/img/ok.svg"))).read_bytes() == HARMLESS
    for path in SCRIPTED:
        assert not list(images.glob(image_file_name(server.url(path)).split(".")[0] + "*"))
    failures = site_report(tmp_path / "out")["failures"]
    assert sorted(f["url"] for f in failures) == sorted(server.url(p) for p in SCRIPTED)
    assert {f["code"] for f in failures} == {"svg_script"}
    # The article keeps the refused images' source links (an <img> never runs an SVG's
    # script), which check names as not archived locally, like any failed image.
    check = run_archiver(*args, "check")
    assert check.stdout.count("image not archived locally") == len(SCRIPTED)
    assert "carries script" not in check.stdout

    planted = images / f"{'a' * 40}.svg"
    planted.write_bytes(SCRIPTED["/img/script.svg"])
    check = run_archiver(*args, "check")
    assert check.returncode == 1
    assert f"{planted}: an SVG image that carries script" in check.stdout
