"""What the guard remembers during one site's run (archiver.pipelines.guard and the write
pipeline share it through SiteRun.guard): which page each article URL answered, and the files
this run wrote as new, so that a page found to repeat can be undone."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from archiver.archive.integrity import RepeatedPages


@dataclass
class RunGuard:
    repeats: RepeatedPages = field(default_factory=RepeatedPages)
    # Article URL -> the file this run wrote for it as new (only these may be undone).
    written: dict[str, Path] = field(default_factory=dict)
