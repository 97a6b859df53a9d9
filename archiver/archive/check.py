"""`archiver check`: validate the whole archive, file by file, without touching it."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

from archiver.archive import hexo
from archiver.archive.format import SOURCE_LINK_TEXT, parse_article, source_link
from archiver.archive.index import article_fingerprint
from archiver.archive.layout import IMAGES, archived_sites, image_file_name, urlname
from archiver.archive.svg import active_content
from archiver.extract.published import furniture, is_meta_line
from archiver.extract.quality import EARLIEST_YEAR, garbled
from archiver.extract.text import plain_text

REQUIRED = ("title", "date", "urlname", "tags", "categories")
# Meta labels that are never an article's own last line (a notice may end with the time of its
# event, "时间：4月16日 19:00", so a bare 时间 is not among them).
_TRAILING_META = ("发布", "浏览", "点击", "阅读", "访问")
_IMAGE = re.compile(r"^!\[图\]\((?P<src>[^)\s]+)\)$")


def _local_image(folder: Path, src: str) -> bool:
    """Whether an image the Markdown references is in the archive: a relative path must exist;
    a source URL must have its hashed copy under images/."""
    if "://" not in src:
        return (folder / src).is_file()
    stem = image_file_name(src).split(".", 1)[0]
    return any((folder / IMAGES).glob(f"{stem}*"))


def date_problem(value: object, today: date) -> str | None:
    """A front matter date the crawl would have flagged: not a time, before 1990, or after
    tomorrow (the same bounds as the quality gate)."""
    if not value:
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime.combine(value, datetime.min.time())
    if not isinstance(value, datetime):
        return f"date {value!r} is not a time (YYYY-MM-DD HH:MM:SS)"
    if value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    if not datetime(EARLIEST_YEAR, 1, 1) <= value < datetime.combine(
            today + timedelta(days=2), datetime.min.time()):
        return (f"implausible date {value:%Y-%m-%d %H:%M:%S} (before {EARLIEST_YEAR} or after "
                "tomorrow)")
    return None


def check_file(path: Path, today: date | None = None) -> tuple[list[str], str | None]:
    """Problems of one archive file, and its source link."""
    problems, link, _ = _check_file(path, today)
    return problems, link


def _check_file(path: Path, today: date | None = None
                ) -> tuple[list[str], str | None, str | None]:
    """Problems of one archive file, its source link and its article's fingerprint."""
    try:
        raw = path.read_text(encoding="utf-8")
        post = parse_article(raw)
    except Exception as error:  # noqa: BLE001 (YAML, Unicode: any of them is the problem)
        return [f"front matter does not parse: {str(error).splitlines()[0]}"], None, None
    problems = [f"front matter lacks '{key}'" for key in REQUIRED if not post.get(key)]
    link = source_link(post.content)
    if link is None:
        problems.append("no source link ([转入文章首发地址](…)) at the end of the body")
    elif post.get("urlname") != urlname(link):
        problems.append(f"urlname {post.get('urlname')} is not the md5 of the source link {link}")
    elif path.stem != urlname(link):
        problems.append(f"file name is not the urlname {urlname(link)}")
    problem = date_problem(post.get("date"), today or date.today())
    if problem:
        problems.append(problem)
    blocks = [b.strip() for b in post.content.split("\n\n") if b.strip()]
    if link is not None and not blocks[-1].startswith(f"[{SOURCE_LINK_TEXT}]"):
        problems.append(f"text after the source link, which must be the last line: "
                        f"{blocks[-1][:40]!r}")
    text = [b for b in blocks if not b.startswith(("![", f"[{SOURCE_LINK_TEXT}]"))]
    if not text:
        problems.append("body has no text")
    left = furniture(text)
    # The page's meta line (发布时间：…, 浏览次数：…) copied below the text: furniture() looks
    # for it above the first paragraph only, where pages put it.
    for i in range(len(text) - 1, 0, -1):
        shown = plain_text(text[i])
        if not (is_meta_line(shown) and shown.startswith(_TRAILING_META)):
            break
        left[i] = True
    for block in (b for b, flagged in zip(text, left, strict=True) if flagged):
        problems.append(f"boilerplate left in the body: {block[:40]!r}")
    flag = garbled("\n".join([str(post.get("title", "")), *text]))
    if flag:
        problems.append(f"garbled text: {flag}")
    for block in blocks:
        image = _IMAGE.match(block)
        if image and not _local_image(path.parent, image.group("src")):
            problems.append(f"image not archived locally: {image.group('src')}")
    problems.extend(f"Hexo: {problem}" for problem in hexo.problems(raw, post.metadata,
                                                                     post.content))
    return problems, link, article_fingerprint(raw)


def _svg_problems(images: Path) -> list[str]:
    """SVG images that could run script in the blog (archived by an older archiver)."""
    problems = []
    for svg in sorted(images.glob("*.svg")) if images.is_dir() else ():
        try:
            active = active_content(svg.read_bytes())
        except OSError as error:
            active = f"it cannot be read ({error.strerror or error})"
        if active:
            problems.append(f"{svg}: an SVG image that carries script ({active}): delete it "
                            "before publishing")
    return problems


def check_archive(output: Path) -> tuple[list[str], int]:
    """Every problem as "<file>: <problem>", and how many files were checked."""
    problems: list[str] = []
    by_link: dict[str, list[Path]] = defaultdict(list)
    # One article, one file: the same headline, date and body in two files of a site.
    by_text: dict[tuple[str, str], list[Path]] = defaultdict(list)
    files = 0
    for site in archived_sites(output):
        for path in sorted((output / site).glob("*.md")):
            files += 1
            found, link, fingerprint = _check_file(path)
            problems.extend(f"{path}: {problem}" for problem in found)
            if link:
                by_link[link].append(path)
            if fingerprint:
                by_text[site, fingerprint].append(path)
        problems.extend(_svg_problems(output / site / IMAGES))
    for link, paths in by_link.items():
        if len(paths) > 1:
            problems.append(f"{paths[0]}: the same source link {link} is archived "
                            f"{len(paths)} times: {', '.join(str(p) for p in paths)}")
    for paths in by_text.values():
        if len(paths) > 1:
            problems.append(f"{paths[0]}: the same article (headline, date and body) is archived "
                            f"{len(paths)} times: {', '.join(str(p) for p in paths)}; keep one "
                            "and delete the others")
    return problems, files
