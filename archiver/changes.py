"""What a refresh changed in an archive file, in the words a person reviews before publishing:
headline, date, body, images, tags (tags or categories)."""

from __future__ import annotations

import re

from archiver.archive.format import parse_article

_IMAGE = re.compile(r"^!\[[^\]]*\]\(([^)\s]+)\)$", re.M)


def what_changed(old: str, new: str) -> list[str]:
    """The parts that differ between two texts of one archive file ("file" when the old text
    is missing or does not parse)."""
    try:
        before, after = parse_article(old), parse_article(new)
    except Exception:  # noqa: BLE001 (a broken old file: it is rewritten whole)
        return ["file"]
    parts = []
    if before.get("title") != after.get("title"):
        parts.append("headline")
    if str(before.get("date")) != str(after.get("date")):
        parts.append("date")
    if _IMAGE.sub("", before.content).split() != _IMAGE.sub("", after.content).split():
        parts.append("body")
    if _IMAGE.findall(before.content) != _IMAGE.findall(after.content):
        parts.append("images")
    if (before.get("tags"), before.get("categories")) != (after.get("tags"),
                                                          after.get("categories")):
        parts.append("tags")
    return parts or ["layout"]
