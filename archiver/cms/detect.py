"""Which CMS family made a page, from the markers of each family (archiver.cms.families)."""

from __future__ import annotations

from archiver.cms.families import FAMILIES


def detect_family(html: str) -> str | None:
    """The family with the most markers on the page (at least two), or None."""
    head = html[:400_000]
    scores = {family.name: sum(1 for m in family.markers if m.search(head))
              for family in FAMILIES.values() if family.markers}
    name, score = max(scores.items(), key=lambda kv: kv[1])
    return name if score >= 2 else None
