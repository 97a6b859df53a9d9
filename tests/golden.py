"""Golden cases: a saved page plus its URL and site -> the exact archive file expected.

Each folder under tests/fixtures/golden/ holds `page.html`, `case.yaml` (url, site config name or
inline config, optional content_type) and `expected.md`. Regenerate the expected files with
`python -m tests.golden` and review the diff by eye before committing.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from scrapy.http import HtmlResponse

from archiver.archive import to_markdown
from archiver.config import load_site, parse_site
from archiver.extract.article import extract_article
from archiver.middlewares import with_true_encoding

GOLDEN = Path(__file__).resolve().parent / "fixtures" / "golden"
ROOT = Path(__file__).resolve().parent.parent


def cases() -> list[Path]:
    return sorted(p for p in GOLDEN.iterdir() if (p / "case.yaml").is_file())


def build(case: Path) -> str:
    spec = yaml.safe_load((case / "case.yaml").read_text(encoding="utf-8"))
    if isinstance(spec["site"], str):
        site = load_site(ROOT / "spiders_config" / f"{spec['site']}.yaml")
    else:
        site = parse_site(case / "case.yaml", spec["site"])
    headers = {"Content-Type": spec["content_type"]} if spec.get("content_type") else {}
    # Scrapy's own response class decodes the bytes exactly as in a crawl.
    response = with_true_encoding(
        HtmlResponse(spec["url"], body=(case / "page.html").read_bytes(), headers=headers))
    return to_markdown(extract_article(response.text, spec["url"], site), site)


if __name__ == "__main__":
    for case in cases():
        (case / "expected.md").write_text(build(case), encoding="utf-8")
        print("wrote", case / "expected.md")
