"""`archiver status` on a terminal: one line per site, then the totals."""

from __future__ import annotations

from typing import Any

COLUMNS = ("site", "articles", "newest", "last run", "outcome", "new", "failed", "next due",
           "retry", "gone", "ignored", "health")


def last_run_cells(site: dict[str, Any]) -> tuple[str, str, str, str]:
    run = site["last_run"]
    if site["config_error"]:
        return "-", "config error", "-", "-"
    if run is None:
        return "never", "-", "-", "-"
    return run["started"][:16].replace("T", " "), run["outcome"], str(run["new"]), \
        str(run["failed"])


def row(site: dict[str, Any]) -> list[str]:
    started, outcome, new, failed = last_run_cells(site)
    due = "now" if site["due"] else (site["next_due"] or "-").replace("T", " ")
    return [site["name"], str(site["articles"]), (site["newest"] or "-")[:10], started, outcome,
            new, failed, due if site["configured"] else "-", str(site["retry"]),
            str(site["gone"]), str(site["ignored"]),
            f"{len(site['health'])} warning(s)" if site["health"] else "ok"]


def lines(document: dict[str, Any]) -> list[str]:
    rows = [list(COLUMNS)] + [row(site) for site in document["sites"]]
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    numeric = {1, 5, 6, 8, 9, 10}
    out = ["  ".join(cell.rjust(w) if i in numeric else cell.ljust(w)
                     for i, (cell, w) in enumerate(zip(r, widths, strict=True))).rstrip()
           for r in rows]
    t = document["totals"]
    out.append(f"total: {t['sites']} site(s), {t['articles']} article(s), newest "
               f"{(t['newest'] or '-')[:10]}; {t['never_run']} never run, {t['failing']} "
               f"failing, {t['due']} due; {t['retry']} to retry, {t['gone']} gone, "
               f"{t['ignored']} ignored, {t['held_back']} held back; {t['health']} health "
               "warning(s)")
    out += [f"unreadable record: {line}" for line in document["problems"]]
    return out
