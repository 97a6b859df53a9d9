"""`archiver status --html FILE`: the status as one static page (no server, no script, no
external asset: styles inline, charts as inline SVG), to open from disk or mail around.

Every figure sits in an element with `data-field` inside the element of its site
(`data-site`), so a test (or a script of the operator's) can read the page back.
"""

from __future__ import annotations

from html import escape
from typing import Any

from archiver.status.text import last_run_cells

STYLE = """
body{font:13px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em;margin:0 0 .2em} h2{font-size:1.15em;margin:1.6em 0 .4em}
.meta{color:#666;margin-bottom:1em}
table{border-collapse:collapse} th,td{padding:.25em .45em;border-bottom:1px solid #ddd;
text-align:left;white-space:nowrap} td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.total td{font-weight:600;border-top:2px solid #999}
.ok{color:#17753a} .failed,.config_error,.not_started,.unreachable{color:#b3261e}
.interrupted,.locked{color:#a15c00}
section.site{border-top:1px solid #ccc;margin-top:1.2em}
.strip{display:flex;gap:3px;margin:.3em 0} .strip span{width:14px;height:14px;border-radius:2px}
ul.items{margin:.3em 0;padding-left:1.2em} ul.items li{word-break:break-all}
.warn{color:#a15c00}
"""
OUTCOME_COLOURS = {"ok": "#2e9e58", "failed": "#d33a2c", "interrupted": "#e8a317",
                   "locked": "#8c8c8c", "not_started": "#7b1fa2", "config_error": "#7b1fa2",
                   "skipped": "#bdbdbd"}
COLUMNS = (("articles", "articles"), ("newest", "newest"), ("last run", "last_run"),
           ("outcome", "outcome"), ("new", "new"), ("failed", "failed"),
           ("next due", "next_due"), ("retry", "retry"), ("gone", "gone"),
           ("ignored", "ignored"), ("held back", "held_back"), ("health", "health"))
NUMERIC = {"articles", "new", "failed", "retry", "gone", "ignored", "held_back", "health"}


def cells(site: dict[str, Any]) -> dict[str, str]:
    started, outcome, new, failed = last_run_cells(site)
    due = "now" if site["due"] else (site["next_due"] or "-").replace("T", " ")
    return {"articles": str(site["articles"]), "newest": (site["newest"] or "-")[:10],
            "last_run": started, "outcome": outcome, "new": new, "failed": failed,
            "next_due": due if site["configured"] else "-", "retry": str(site["retry"]),
            "gone": str(site["gone"]), "ignored": str(site["ignored"]),
            "held_back": str(site["held_back"]), "health": str(len(site["health"]))}


def css_class(key: str, values: dict[str, str]) -> str:
    """Numbers align right; the outcome is coloured by its value (ok, failed, ...)."""
    if key in NUMERIC:
        return "n"
    return values[key].replace(" ", "_") if key == "outcome" else ""


def table(document: dict[str, Any]) -> str:
    head = "".join(f"<th>{escape(title)}</th>" for title, _ in COLUMNS)
    rows = []
    for site in document["sites"]:
        values = cells(site)
        tds = "".join(f'<td data-field="{key}" class="{escape(css_class(key, values))}">'
                      f"{escape(values[key])}</td>" for _, key in COLUMNS)
        rows.append(f'<tr data-site="{escape(site["name"])}"><td><a href="#site-'
                    f'{escape(site["name"])}">{escape(site["name"])}</a></td>{tds}</tr>')
    t = document["totals"]
    shown = {**t, "newest": (t["newest"] or "-")[:10]}
    total = "".join(f'<td class="n" data-total="{key}">{escape(str(shown[key]))}</td>'
                    if key in shown else "<td></td>" for _, key in COLUMNS)
    return (f"<table><thead><tr><th>site</th>{head}</tr></thead><tbody>{''.join(rows)}"
            f'<tr class="total" data-site=""><td>total ({t["sites"]})</td>{total}</tr>'
            "</tbody></table>")


def month_chart(per_month: dict[str, int], width: int = 720, height: int = 110) -> str:
    """Articles archived per month of their date, every month from the first to the last
    shown (months without an article as gaps), years marked below."""
    months = sorted(m for m in per_month if m != "undated")
    if not months:
        return '<p class="meta">no dated article</p>'
    first, last = (int(months[0][:4]), int(months[0][5:7])), (int(months[-1][:4]),
                                                              int(months[-1][5:7]))
    span = []
    year, month = first
    while (year, month) <= last:
        span.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    top = max(per_month.get(m, 0) for m in span) or 1
    bar = width / len(span)
    base, room = height - 16, height - 30  # bars stand on `base`, at most `room` high
    parts = [f'<line x1="0" x2="{width}" y1="{base + 0.5}" y2="{base + 0.5}" stroke="#999"/>']
    for i, key in enumerate(span):
        count = per_month.get(key, 0)
        h = room * count / top
        x = i * bar
        parts.append(f'<rect x="{x:.2f}" y="{base - h:.2f}" width="{max(bar - 1, 0.5):.2f}" '
                     f'height="{h:.2f}" fill="#3b6fb6" data-month="{key}" data-count="{count}">'
                     f"<title>{key}: {count}</title></rect>")
        if key.endswith("-01") or i == 0:
            parts.append(f'<text x="{x:.2f}" y="{height - 4}" font-size="10" fill="#555">'
                         f"{key[:4]}</text>")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="articles per month">'
            f'<text x="0" y="10" font-size="10" fill="#555">articles per month (highest: '
            f"{top})</text>{''.join(parts)}</svg>")


def run_strip(runs: list[dict[str, Any]]) -> str:
    """The last runs' outcomes, oldest left, newest right."""
    if not runs:
        return '<p class="meta">never run</p>'
    boxes = "".join(
        f'<span data-outcome="{escape(r["outcome"])}" style="background:'
        f'{OUTCOME_COLOURS.get(r["outcome"], "#999")}" title="{escape(r["started"])} '
        f'{escape(r["command"])}: {escape(r["outcome"])}, {r["new"]} new, {r["failed"]} '
        f'failed"></span>' for r in reversed(runs))
    return f'<div class="strip">{boxes}</div>'


def items(title: str, field: str, entries: list[str]) -> str:
    if not entries:
        return ""
    lis = "".join(f"<li>{entry}</li>" for entry in entries)
    return f'<h3>{escape(title)}</h3><ul class="items" data-field="{field}">{lis}</ul>'


def link(url: str) -> str:
    return f'<a href="{escape(url)}">{escape(url)}</a>'


def site_section(site: dict[str, Any]) -> str:
    name = escape(site["name"])
    failures = [f"{escape(f['kind'])}: {link(f['url'])}: {escape(f['reason'])}"
                for f in site["failures"] if f["kind"] != "held_back"]
    held = [f"{link(f['url'])}: {escape(f['reason'])}" for f in site["failures"]
            if f["kind"] == "held_back"]
    parts = [f'<section class="site" id="site-{name}" data-site="{name}"><h2>{name}</h2>']
    if site["config_error"]:
        parts.append(f'<p class="failed">config error: {escape(site["config_error"])}</p>')
    parts.append(f'<p class="meta">{site["articles"]} articles, newest '
                 f'{escape((site["newest"] or "-")[:10])}; schedule '
                 f'{escape(site["schedule"] or "-")}</p>')
    parts.append(month_chart(site["per_month"]))
    parts.append("<h3>last runs</h3>" + run_strip(site["runs"]))
    if site["last_run"] and site["last_run"]["reason"]:
        parts.append(f'<p>last run: {escape(site["last_run"]["reason"])}</p>')
    parts.append(items("failures in the last run", "failures", failures))
    parts.append(items("held back", "held_back_items", held))
    parts.append(items("waiting for a retry", "retry_urls", [link(u) for u in site["retry_urls"]]))
    parts.append(items("ignored (acknowledged in the config)", "ignored_urls",
                       [link(u) for u in site["ignored_urls"]]))
    parts.append(items("gone", "gone_urls", [link(u) for u in site["gone_urls"]]))
    parts.append(items("health", "health", [f'<span class="warn">{escape(h)}</span>'
                                            for h in site["health"]]))
    parts.append("</section>")
    return "".join(parts)


def render(document: dict[str, Any]) -> str:
    t = document["totals"]
    problems = "".join(f'<p class="warn">unreadable record: {escape(p)}</p>'
                       for p in document["problems"])
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>archive status {escape(document['generated'])}</title>"
        f"<style>{STYLE}</style></head><body>"
        f"<h1>Archive status</h1><p class=\"meta\">{escape(document['output'])} · "
        f"{escape(document['generated'].replace('T', ' '))} · {t['sites']} sites, "
        f"{t['articles']} articles, {t['failing']} failing, {t['never_run']} never run</p>"
        f"{problems}{table(document)}"
        f"{''.join(site_section(site) for site in document['sites'])}"
        "</body></html>\n")
