"""The run's verdict in words: each site's summary lines and the last line with the totals and
the exit code, rendered from the run's outcome (archiver.run.outcome). Every selected site
appears (a broken config, a site with nothing to do); the summary and the JSON report say the
same, because both are read from the same SiteOutcome."""

from __future__ import annotations

from archiver.run.events import KINDS, Event, Kind
from archiver.run.exitcodes import ExitCode
from archiver.run.outcome import SECTIONS, Outcome, SiteOutcome

# How the summary names an event, per kind; a kind not listed reads "<kind>: <url>: <reason>".
EVENT_LINES = {
    Kind.ARTICLE: "article failed: {url}: {reason}",
    Kind.IMAGE: "image failed: {url} (in {article}): {reason}",
    Kind.LIST: "list page failed: {url}: {reason} (the articles it links were not looked for)",
    Kind.FLAGGED: "archived but flagged: {url}: {reason}",
    Kind.GONE: "gone: {url}: {reason}",
    Kind.OFFSITE: "not archived: {url}: {reason}",
    Kind.CHANGED: "changed: {url} ({file}): {reason}",
    Kind.HEALTH: "health: {reason}",
    Kind.CAPPED: "list {url}: this run walked it to the cap of {max_pages} list pages; the next "
                 "run goes on from list page {next_page}",
    Kind.HELD_BACK: "held back [{code}]: {url} ({file}): {reason}",
    Kind.RECORD: "warning: bad_record: {url}: {reason}; ignored (treated as absent) and written "
                 "anew",
}
# Kinds the summary gives in one line for all their events (10,000 aliases of one article).
GROUPED = {Kind.ALIAS}


# Report sections the summary counts but does not list line by line.
QUIET_SECTIONS = (KINDS[Kind.IGNORED].section,)


def event_line(event: Event) -> str:
    template = EVENT_LINES.get(event.kind, "{kind}: {url}: {reason}")
    return template.format_map({"article": "?", **event.detail, "kind": event.kind,
                                "code": event.code, "url": event.url, "reason": event.reason})


def site_lines(name: str, site: SiteOutcome) -> list[str]:
    """The terminal summary of one site's run."""
    if site.outcome is Outcome.CONFIG_ERROR:
        return [f"{name}: CONFIG ERROR: {site.reason}"]
    if site.outcome is Outcome.SKIPPED:
        return [f"{name}: {site.reason}"]
    if site.outcome in (Outcome.LOCKED, Outcome.NOT_STARTED):
        return [f"{name}: not crawled: {site.reason}"]
    a, images = site.counts["articles"], site.counts["images"]
    if site.mode == "refresh":
        articles = (f"{a['changed']} changed, {a['unchanged']} unchanged, {a['gone']} gone, "
                    f"{a['failed']} failed")
        if a.get("held_back"):
            articles += f", {a['held_back']} held back"
    else:
        articles = (f"{a['new']} new, {a['already_archived']} already archived, "
                    f"{a['failed']} dropped or failed")
    if a.get("ignored"):
        articles += f", {a['ignored']} ignored"
    lines = [f"{name}: {articles}; images {images['fetched']} fetched, {images['failed']} failed"]
    if site.unreachable:
        lines = [f"{name}: UNREACHABLE: {site.unreachable.reason} ({site.unreachable.url})"]
    lines += [f"  {note}" for note in site.notes]
    # Grouped as the report groups them: failures, flagged, gone, ..., health last. Links
    # acknowledged in the config are counted above, not listed (the report names each one), so
    # that a cron mail stays short; aliases are one line for all (10,000 of one article).
    lines += [f"  {event_line(event)}" for name in SECTIONS if name not in QUIET_SECTIONS
              for event in site.section(name) if event.kind not in GROUPED]
    lines += alias_lines(site)
    if site.outcome is Outcome.INTERRUPTED:
        lines.append(f"  interrupted: {site.counts['queued_not_made']} queued request(s) not "
                     "made; every file written is complete; run the same command again to "
                     "finish")
    elif site.finish_reason != "finished":
        lines.append(f"  failed: {site.reason}")
    return lines


def alias_lines(site: SiteOutcome) -> list[str]:
    aliases = site.counts["articles"].get("alias", 0)
    if not aliases:
        return []
    files = sorted({str(event.detail.get("file")) for event in site.section("aliases")})
    return [f"  aliases: {aliases} listed URL(s) gave the same article as a file already "
            f"archived ({', '.join(f + '.md' for f in files[:3])}"
            f"{', …' if len(files) > 3 else ''}); recorded, not archived twice"]


def totals_line(sites: dict[str, SiteOutcome], status: ExitCode) -> str:
    """The last line of a run: what all sites did together, and the verdict."""
    def total(group: str, key: str) -> int:
        return sum(s.counts.get(group, {}).get(key, 0) for s in sites.values())

    broken = sum(1 for s in sites.values() if s.outcome is Outcome.CONFIG_ERROR)
    down = sum(1 for s in sites.values() if s.unreachable)
    parts = [f"{len(sites)} site(s)"]
    if broken:
        parts.append(f"{broken} with a config error")
    if down:
        parts.append(f"{down} unreachable")
    articles = [f"{total('articles', key)} {key.replace('_', ' ')}"
                for key in ("new", "already_archived", "alias", "changed", "gone", "failed",
                            "flagged", "offsite", "held_back", "ignored")
                if key in ("new", "failed") or total("articles", key)]
    return (f"total: {', '.join(parts)}; articles {', '.join(articles)}; images "
            f"{total('images', 'fetched')} fetched, {total('images', 'failed')} failed; "
            f"{status.verdict} (exit {int(status)})")
