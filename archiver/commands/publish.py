"""`archiver publish HEXO_DIR [SITE…]`: copy the archive into a Hexo site.

Posts go to `source/_posts/<site>/<urlname>.md`, each with `permalink: <urlname>/` added to its
front matter (Hexo's per-post permalink), so that an archived post is at /<urlname>/ whatever
the site's own `permalink:` is and the blog's own posts keep theirs; the archive file itself
keeps the seed format. Archived images that posts link locally (`image_links: local`,
`images/<file>`) go to `source/images/`, where hexo-renderer-marked's `prependRoot` makes those
links point (`/images/<file>`). Only files whose bytes differ are written, so a second publish
writes nothing and Hexo sees no change; nothing in the Hexo site is ever deleted. A file Hexo
would fail on or mangle is not copied: it is named, with the fix.

The Hexo folder is the user's: nothing is written through a symbolic link that leads out of it,
and a post changed there since it was last published (a hand edit) is not overwritten but named
(`--force` overwrites). What was last published is known from the hash of each post written,
kept in HEXO_DIR/.archiver-published.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from archiver.archive import archived_sites, archived_urlnames, hexo, write_atomic
from archiver.archive.format import parse_article
from archiver.commands.common import EXIT_CONFIG, EXIT_FAILED, EXIT_OK, settings_for

# Local links as the archive writes them (image_links: local): an image, on its own line or in a
# table cell, is images/<file name>; an attachment is files/<file name>.
_LOCAL_IMAGE = re.compile(r"!\[[^\]]*\]\((?P<src>images/[\w.-]+)\)")
_LOCAL_FILE = re.compile(r"(?<!\\)\]\((?P<src>files/[\w.-]+)\)")
TIMEZONE = "Asia/Shanghai"
# The hashes of the posts last published, per path relative to the Hexo folder.
MANIFEST = ".archiver-published.json"
_URLNAME_LINE = re.compile(rb"^urlname: ([0-9a-f]{32})\n", re.M)


@dataclass
class Published:
    root: Path  # the Hexo folder, resolved
    force: bool = False
    manifest: dict[str, str] = field(default_factory=dict)
    copied: list[Path] = field(default_factory=list)
    unchanged: int = 0
    images: int = 0  # images and attachments copied
    skipped: list[str] = field(default_factory=list)
    edited: list[Path] = field(default_factory=list)  # changed in the Hexo folder: kept
    outside: list[str] = field(default_factory=list)  # links out of the Hexo folder
    ticker: Any = None  # archiver.progress.Ticker: the progress line on a terminal


def digest(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def read_manifest(hexo_dir: Path) -> dict[str, str]:
    try:
        data = json.loads((hexo_dir / MANIFEST).read_bytes())
    except (OSError, ValueError, RecursionError):
        return {}
    posts = data.get("posts") if isinstance(data, dict) else None
    return {k: v for k, v in posts.items() if isinstance(v, str)} if isinstance(posts, dict) \
        else {}


def leaves(root: Path, target: Path) -> Path | None:
    """The symbolic link by which writing `target` would leave the Hexo folder `root`
    (resolved), or None. The file itself may be a link: write_atomic replaces a link, never
    writes through it; the folders on the way are followed by mkdir and rename."""
    folder = target.parent
    while not folder.exists() and not folder.is_symlink():
        folder = folder.parent
    if Path(os.path.realpath(folder)).is_relative_to(root):
        return None
    step = folder
    while step != step.parent and not step.is_symlink():
        step = step.parent
    return step if step.is_symlink() else folder


def _copy_if_changed(data: bytes, target: Path, result: Published) -> bool:
    """Write `data` at `target` unless it is already there; False when nothing was written
    (unchanged, or refused: a link out of the Hexo folder)."""
    link = leaves(result.root, target)
    if link is not None:
        result.outside.append(f"{target}: {link} is a symbolic link that leads out of the "
                              "Hexo folder; nothing is written through it")
        return False
    try:
        if target.read_bytes() == data:
            return False
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        pass
    write_atomic(target, data)
    return True


def hexo_post(data: bytes) -> bytes:
    """The post as published: the archive file with `permalink: <urlname>/` after its urlname
    (Hexo's per-post permalink: the post is at /<urlname>/ whatever the site's permalink)."""
    match = _URLNAME_LINE.search(data.split(b"\n---\n", 1)[0])
    if match is None:
        return data
    return data[:match.end()] + b"permalink: " + match.group(1) + b"/\n" + data[match.end():]


def publish_post(raw: bytes, data: bytes, target: Path, result: Published) -> None:
    """Copy one post unless the copy in the Hexo folder was changed there since it was last
    published (a hand edit: kept and named, unless --force)."""
    key = target.relative_to(result.root).as_posix() if target.is_relative_to(result.root) \
        else str(target)
    try:
        current = target.read_bytes()
    except (OSError, ValueError):
        current = None
    # Ours to replace: what was last published (by its hash), or the archive file as an
    # archiver before the manifest published it (without the permalink line).
    ours = current is None or current == data or digest(current) == result.manifest.get(key) \
        or (key not in result.manifest and current == raw)
    if not ours and not result.force:
        result.edited.append(target)
        return
    refused = len(result.outside)
    if _copy_if_changed(data, target, result):
        result.copied.append(target)
    elif len(result.outside) > refused:
        return
    else:
        result.unchanged += 1
    result.manifest[key] = digest(data)


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
            result.images += _copy_if_changed(local.read_bytes(), target, result)
    return images


def publish_site(folder: Path, hexo_dir: Path, result: Published) -> bool:
    """Copy one archive site folder; True when some post links images locally."""
    posts = hexo_dir / "source" / "_posts" / folder.name
    local_images = False
    for path in sorted(folder.glob("*.md")):
        if result.ticker is not None:
            result.ticker.tick(f"{len(result.copied)} copied")
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
        publish_post(data, hexo_post(data), posts / path.name, result)
    return local_images


def config_advice(config: dict, local_images: bool) -> list[str]:
    """What the Hexo site's _config.yml must set for the archive to publish right."""
    advice = []
    if ":urlname" in str(config.get("permalink") or ""):
        # Every archived post carries its own permalink; the site's own posts (Hello World,
        # About) have no urlname and would all be built at /undefined/, over each other.
        advice.append("set `permalink:` back to Hexo's default `:year/:month/:day/:title/` "
                      "(archived posts carry their own `permalink: <urlname>/`; with "
                      ":urlname in the site's permalink, posts without a urlname, such as "
                      "Hello World, are all built at /undefined/)")
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
    root = Path(os.path.realpath(hexo_dir))
    result = Published(root, force=args.force, manifest=read_manifest(root))
    before = dict(result.manifest)
    from archiver.progress import Ticker

    result.ticker = Ticker("posts", sum(len(archived_urlnames(output, s)) for s in sites),
                           enabled=sys.stderr.isatty() and not args.verbose)
    local_images = False
    try:
        for site in sites:
            local_images |= publish_site(output / site, root, result)
        result.ticker.finish()
    except OSError as error:  # a full disk, a read-only or missing folder: say which, stop
        print(f"cannot publish into {hexo_dir}: {error}", file=sys.stderr)
        save_manifest(root, result, before)
        return EXIT_CONFIG
    save_manifest(root, result, before)
    # The few files a refresh changed are worth naming; a first publish of thousands is not.
    if args.verbose or len(result.copied) <= 20:
        for path in result.copied:
            print(f"copied {path}")
    for line in result.skipped:
        print(f"not published (run `archiver refresh`, or fix it by hand): {line}")
    for path in result.edited:
        print(f"not published: {path} was changed in the Hexo folder since it was last "
              "published; keep your edit, or give --force to replace it by the archive's")
    for line in result.outside:
        print(f"not published: {line}")
    advice = config_advice(config, local_images)
    for line in advice:
        print(f"{config_file}: {line}")
    print(f"published {len(sites)} site(s) to {hexo_dir / 'source' / '_posts'}: "
          f"{len(result.copied)} copied, {result.unchanged} unchanged, {result.images} image(s) "
          f"or attachment(s) copied, "
          f"{len(result.skipped) + len(result.edited) + len(result.outside)} not published; "
          f"next: `hexo generate` in {hexo_dir}")
    return EXIT_FAILED if result.skipped or result.edited or result.outside or advice \
        else EXIT_OK


def save_manifest(root: Path, result: Published, before: dict[str, str]) -> None:
    """Remember the hash of every post as published (atomically; a failure is said, and only
    costs the next publish its certainty about hand edits)."""
    if result.manifest == before or leaves(root, root / MANIFEST) is not None:
        return
    try:
        write_atomic(root / MANIFEST, json.dumps({"version": 1, "posts": result.manifest},
                                                 sort_keys=True, indent=0) + "\n")
    except OSError as error:
        print(f"cannot write {root / MANIFEST}: {error.strerror or error}", file=sys.stderr)
