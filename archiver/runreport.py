"""The machine-readable report every `crawl`, `fetch` and `refresh` writes beside the archive."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from archiver import report
from archiver.archive import write_atomic


def site_report(stats: dict, site: Any) -> dict[str, Any]:
    """One site's figures from its crawler's stats, and its health."""
    notes = stats.get(report.FAILURES, [])
    return {
        "health": report.health(stats, site),
        "articles": {
            "new": stats.get(report.ARTICLES_NEW, 0),
            "already_archived": stats.get(report.ARTICLES_ARCHIVED, 0),
            "changed": stats.get(report.ARTICLES_CHANGED, 0),
            "unchanged": stats.get(report.ARTICLES_UNCHANGED, 0),
            "gone": stats.get(report.ARTICLES_GONE, 0),
            "failed": stats.get(report.ARTICLES_FAILED, 0),
            "flagged": stats.get(report.ARTICLES_FLAGGED, 0),
        },
        "images": {
            "fetched": stats.get(report.IMAGES_FETCHED, 0),
            "already_archived": stats.get(report.IMAGES_PRESENT, 0),
            "failed": stats.get(report.IMAGES_FAILED, 0),
        },
        "list_pages": {"walked": stats.get(report.LISTS_WALKED, 0),
                       "failed": stats.get(report.LISTS_FAILED, 0)},
        "requests": stats.get("downloader/request_count", 0),
        "responses_by_status": {
            key.rsplit("/", 1)[1]: value for key, value in stats.items()
            if key.startswith("downloader/response_status_count/")
        },
        "cms_detected": sorted(k[len(report.CMS_DETECTED):] for k in stats
                               if k.startswith(report.CMS_DETECTED)),
        "duration_seconds": round(stats.get("elapsed_time_seconds", 0.0), 3),
        "finish_reason": stats.get("finish_reason", ""),
        "failures": [n for n in notes if n["kind"] in ("article", "image", "list")],
        "flagged": [n for n in notes if n["kind"] == "flagged"],
        "gone": [n for n in notes if n["kind"] == "gone"],
        "changed_articles": [n for n in notes if n["kind"] == "changed"],
    }


def default_report_path(output: Path, command: str) -> Path:
    return output / ".reports" / f"{time.strftime('%Y%m%d-%H%M%S')}-{command}.json"


def write_report(path: Path, command: str, argv: list[str], started: float, exit_code: int,
                 output: Path, sites: dict[str, dict]) -> None:
    document = {
        "command": command,
        "argv": argv,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "duration_seconds": round(time.time() - started, 3),
        "exit_code": exit_code,
        "output": str(output),
        "sites": sites,
    }
    write_atomic(path, json.dumps(document, ensure_ascii=False, indent=2) + "\n")
