"""What the guard remembers during one site's run (archiver.pipelines.guard and the write
pipeline share it through RunState.guard): which page each article URL answered, and the files
this run wrote as new, so that a page found to repeat can be undone."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from archiver.archive.integrity import RepeatedPages
from archiver.run import stats as keys


@dataclass
class RunGuard:
    repeats: RepeatedPages = field(default_factory=RepeatedPages)
    # Article URLs this run wrote as new files (only these may be undone).
    written: set[str] = field(default_factory=set)
    # Refresh: article URL -> (its file, the archived text this run replaced), for the same.
    replaced: dict[str, tuple[Path, str]] = field(default_factory=dict)
    # Archived articles asked for again as evidence that the site is up (see site_is_up).
    probe_ok: int = 0
    probe_failed: int = 0

    def answers(self, stats: dict) -> tuple[int, int]:
        """(articles that answered as articles, article requests that failed) in this run,
        the probes of archived articles included."""
        return (stats.get(keys.ARTICLES_NEW, 0) + self.probe_ok,
                stats.get(keys.ARTICLES_FAILED, 0) + self.probe_failed)


# Archived articles asked for at most, at the end of a run whose only article answers were
# 404/410s, to tell a dead link from an outage.
MAX_PROBES = 5


def site_is_up(answered: int, failed: int) -> bool:
    """An outage is not death: a run's 404/410 answers count toward "gone" only when other
    articles of the run answered (`answered` >= 1) and most of its article requests did not
    fail (`failed` <= `answered`)."""
    return answered >= 1 and failed <= answered


def probes_wanted(answered: int, failed: int) -> int:
    """How many archived articles to ask for so that site_is_up can be decided fairly."""
    if not failed or site_is_up(answered, failed):
        return 0
    return min(MAX_PROBES, failed - answered + 1)
