"""Where each crawl spends its time, per stage of the job, from one cProfile run of each.

cProfile makes every Python call slower (about twice), so the figures are for comparing the two
columns, not absolute costs. "Scrapy and the rest" is the profiled time outside the named
stages (downloads, scheduling, middlewares of Scrapy, start and close), idle waits excluded.
"""

from __future__ import annotations

import pstats
from pathlib import Path

# stage -> crawl -> the (file suffix, function) pairs whose cumulative time (their own and that
# of everything they call) is the stage's.
IMAGE_STEPS = ("get_media_requests", "media_downloaded", "item_completed")
STAGES: dict[str, dict[str, list[tuple[str, str]]]] = {
    "list pages (links, next page)": {"archiver": [("archiver/spiders/site.py", "parse_list")],
                                      "baseline": [("bench/baseline.py", "parse")]},
    "article page -> fields": {"archiver": [("archiver/spiders/site.py", "parse_article")],
                               "baseline": [("bench/baseline.py", "parse_article")]},
    "  of which Markdown": {"archiver": [("archiver/extract/markdown.py", "to_blocks")]},
    "quality gate": {"archiver": [("archiver/pipelines/validate.py", "process_item")]},
    "dedup": {"archiver": [("archiver/pipelines/dedup.py", "process_item")]},
    "write the Markdown file": {"archiver": [("archiver/pipelines/write.py", "process_item")],
                                "baseline": [("bench/baseline.py", "process_item")]},
    "images (FilesPipeline)": {
        "archiver": [("archiver/pipelines/images.py", step) for step in IMAGE_STEPS],
        "baseline": [("scrapy/pipelines/files.py", step) for step in IMAGE_STEPS]},
    "charset + retry middlewares": {
        "archiver": [("archiver/middlewares.py", "process_response")]},
}
# Not part of any stage: top-level parts whose time is already counted in a stage.
NESTED = {"  of which Markdown"}
IDLE = ("select.epoll", "poll")


def _cumulative(stats: pstats.Stats, targets: list[tuple[str, str]]) -> float:
    return sum(cumulative for (filename, _, function), (_, _, _, cumulative, _)
               in stats.stats.items()
               if any(filename.endswith(suffix) and function == name
                      for suffix, name in targets))


def _busy(stats: pstats.Stats) -> float:
    """Profiled time without the reactor's waits for the network."""
    idle = sum(own for (_, _, function), (_, _, own, _, _) in stats.stats.items()
               if all(part in function for part in IDLE))
    return stats.total_tt - idle


def stage_costs(profile: Path, crawl: str) -> dict[str, float]:
    """Seconds per stage of a crawl ("archiver" or "baseline"), the rest, and the total."""
    stats = pstats.Stats(str(profile))
    costs = {stage: _cumulative(stats, parts.get(crawl, [])) for stage, parts in STAGES.items()}
    costs["Scrapy and the rest"] = _busy(stats) - sum(
        seconds for stage, seconds in costs.items() if stage not in NESTED)
    costs["total"] = _busy(stats)
    return costs
