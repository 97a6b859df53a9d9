"""Versions held back for review: a refresh never replaces an archived file with a version
that archiver.archive.integrity finds implausible; it keeps that version beside the archive,
where `publish` and `check` never look:

    <output>/<site>/.held/<urlname>.md     the version the site gave, as it would be written
    <output>/<site>/.held/<urlname>.json   {"url", "code", "reason", "held"}

`archiver refresh --accept URL…` / `--accept-all` moves held versions into the archive.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from archiver.archive.fs import write_atomic
from archiver.archive.layout import article_path, site_dir, urlname

HELD = ".held"


@dataclass(frozen=True)
class Held:
    site: str
    url: str
    code: str
    reason: str
    text_path: Path
    info_path: Path


def held_dir(output: Path | str, site: str) -> Path:
    return site_dir(output, site) / HELD


def held_path(output: Path | str, site: str, url: str) -> Path:
    return held_dir(output, site) / f"{urlname(url)}.md"


def hold(output: Path | str, site: str, url: str, text: str, code: str, reason: str) -> Path:
    """Keep `text` (a whole archive file) for review instead of writing it; returns its path."""
    path = held_path(output, site, url)
    path.parent.mkdir(exist_ok=True)
    write_atomic(path, text)
    info = {"url": url, "code": code, "reason": reason,
            "held": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    write_atomic(path.with_suffix(".json"),
                 json.dumps(info, ensure_ascii=False, indent=1) + "\n")
    return path


def discard(output: Path | str, site: str, url: str) -> None:
    """Forget a held version (the site gives the archived text again, or an edit was applied)."""
    path = held_path(output, site, url)
    for stale in (path, path.with_suffix(".json")):
        stale.unlink(missing_ok=True)


def held_versions(output: Path | str, site: str) -> list[Held]:
    """The site's held-back versions (an entry whose JSON does not read is skipped)."""
    folder = held_dir(output, site)
    found = []
    for info_path in sorted(folder.glob("*.json")) if folder.is_dir() else ():
        text_path = info_path.with_suffix(".md")
        try:
            info = json.loads(info_path.read_text(encoding="utf-8"))
            url = info["url"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if isinstance(url, str) and urlname(url) == info_path.stem and text_path.is_file():
            found.append(Held(site, url, str(info.get("code", "")), str(info.get("reason", "")),
                              text_path, info_path))
    return found


def accept(output: Path | str, held: Held) -> Path:
    """Apply a held version: it becomes the archive file; returns that file."""
    target = article_path(output, held.site, held.url)
    write_atomic(target, held.text_path.read_bytes())
    held.text_path.unlink(missing_ok=True)
    held.info_path.unlink(missing_ok=True)
    return target
