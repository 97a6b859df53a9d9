"""`archiver publish HEXO_DIR [SITE…]`: copy the archive into a Hexo site.

Posts go to `source/_posts/<site>/<urlname>.md`; archived images that posts link locally
(`image_links: local`, `images/<file>`) go to `source/images/`, where hexo-renderer-marked's
`prependRoot` makes those links point (`/images/<file>`). Only files whose bytes differ are
written, so a second publish writes nothing and Hexo sees no change; nothing in the Hexo site is
ever deleted. A file Hexo would fail on or mangle is not copied: it is named, with the fix.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from archiver.archive import archived_sites, hexo, write_atomic
from archiver.archive.format import parse_article
from archiver.commands.common import EXIT_CONFIG, EXIT_FAILED, EXIT_OK, settings_for

# Local links as the archive writes them (image_links: local): an image, on its own line or in a
# table cell, is images/<file name>; an attachment is files/<file name>.
_LOCAL_IMAGE = re.compile(r"!\[[^\]]*\]\((?P<src>images/[\w.-]+)\)")
_LOCAL_FILE = re.compile(r"(?<!\\)\]\((?P<src>files/[\w.-]+)\)")
TIMEZONE = "Asia/Shanghai"


@dataclass
class Published:
    copied: list[Path] = field(default_factory=list)
    unchanged: int = 0
    images: int = 0  # images and attachments copied
    skipped: list[str] = field(default_factory=list)


def _copy_if_changed(data: bytes, target: Path) -> bool:
    try:
        if target.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    write_atomic(target, data)
    return True


def copy_local_files(folder: Path, body: str, source: Path, urlname: str,
                     result: Published) -> bool:
    """Copy the images and attachments a post links locally; True when it links any image.
    Images go to source/images/ (hexo-renderer-marked's prependRoot makes `images/x` read
    `/images/x`); attachments to source/<urlname>/files/, since a plain link is not
    root-prefixed and resolves beside the post's page at /<urlname>/ (permalink :urlname/)."""
    links = [(m.group("src"), source / m.group("src")) for m in _LOCAL_IMAGE.finditer(body)]
    images = bool(links)
    links += [(m.group("src"), source / urlname / m.group("src"))
              for m in _LOCAL_FILE.finditer(body)]
    for src, target in links:
        local = folder / src
        if local.is_file() and not local.is_symlink():
            result.images += _copy_if_changed(local.read_bytes(), target)
    return images


def publish_site(folder: Path, hexo_dir: Path, result: Published) -> bool:
    """Copy one archive site folder; True when some post links images locally."""
    posts = hexo_dir / "source" / "_posts" / folder.name
    local_images = False
    for path in sorted(folder.glob("*.md")):
        if path.is_symlink() or not path.is_file():
            continue
        data = path.read_bytes()
        try:
            text = data.decode("utf-8")
            post = parse_article(text)
            found = hexo.problems(text, post.metadata, post.content)
        except Exception as error:  # noqa: BLE001 (YAML, Unicode: the file is not publishable)
            found = [f"does not parse: {str(error).splitlines()[0]}"]
        if found:
            result.skipped.append(f"{path}: {found[0]}")
            continue
        local_images |= copy_local_files(folder, post.content, hexo_dir / "source", path.stem,
                                         result)
        if _copy_if_changed(data, posts / path.name):
            result.copied.append(posts / path.name)
        else:
            result.unchanged += 1
    return local_images


def config_advice(config: dict, local_images: bool) -> list[str]:
    """What the Hexo site's _config.yml must set for the archive to publish right."""
    advice = []
    if ":urlname" not in str(config.get("permalink") or ""):
        advice.append("set `permalink: :urlname/` (each post's address is its urlname, stable "
                      "across refreshes and renames)")
    if config.get("timezone") != TIMEZONE:
        advice.append(f"set `timezone: {TIMEZONE}` (the archive's dates are China time; an "
                      "empty timezone takes the machine's, 8 hours off on a UTC server)")
    marked = config.get("marked") if isinstance(config.get("marked"), dict) else {}
    if local_images and (config.get("relative_link") or marked.get("prependRoot") is False):
        advice.append("set `relative_link: false` and keep `marked: {prependRoot: true}` "
                      "(local image links images/… must resolve to /images/…)")
    return advice


def hexo_config(hexo_dir: Path) -> dict | str:
    """The Hexo site's _config.yml, or why it cannot be read (one line)."""
    config_file = hexo_dir / "_config.yml"
    try:
        config = yaml.safe_load(config_file.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        return (f"{hexo_dir} is not a Hexo site: cannot read _config.yml "
                f"({str(error).splitlines()[0]})")
    if not isinstance(config, dict):
        return f"{config_file}: not a YAML mapping"
    return config


def cmd_publish(args: argparse.Namespace) -> int:
    output = Path(settings_for(args)["ARCHIVER_OUTPUT_DIR"])
    hexo_dir = Path(args.hexo_dir)
    config_file = hexo_dir / "_config.yml"
    config = hexo_config(hexo_dir)
    if isinstance(config, str):
        print(config, file=sys.stderr)
        return EXIT_CONFIG
    archived = archived_sites(output)
    sites = args.sites or archived
    missing = [s for s in sites if s not in archived]
    if missing or not sites:
        print(f"nothing archived for: {', '.join(missing) or 'any site'} in {output}",
              file=sys.stderr)
        return EXIT_CONFIG
    result = Published()
    local_images = False
    try:
        for site in sites:
            local_images |= publish_site(output / site, hexo_dir, result)
    except OSError as error:  # a full disk, a read-only or missing folder: say which, stop
        print(f"cannot publish into {hexo_dir}: {error}", file=sys.stderr)
        return EXIT_CONFIG
    # The few files a refresh changed are worth naming; a first publish of thousands is not.
    if args.verbose or len(result.copied) <= 20:
        for path in result.copied:
            print(f"copied {path}")
    for line in result.skipped:
        print(f"not published (run `archiver refresh`, or fix it by hand): {line}")
    advice = config_advice(config, local_images)
    for line in advice:
        print(f"{config_file}: {line}")
    print(f"published {len(sites)} site(s) to {hexo_dir / 'source' / '_posts'}: "
          f"{len(result.copied)} copied, {result.unchanged} unchanged, {result.images} image(s) "
          f"or attachment(s) copied, {len(result.skipped)} not published; next: `hexo generate` "
          f"in {hexo_dir}")
    return EXIT_FAILED if result.skipped or advice else EXIT_OK
