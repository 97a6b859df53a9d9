"""What a run counted, kept in Scrapy's stats: counters only, under `archiver/...`. The facts
about single URLs (failures, flags, gone articles, ...) are events (archiver.run.events), held
by SiteRun; stats keep one counter per kind and one per code of them."""

from __future__ import annotations

from scrapy.statscollectors import StatsCollector

ARTICLES_NEW = "archiver/articles/new"
ARTICLES_ARCHIVED = "archiver/articles/already_archived"
ARTICLES_FAILED = "archiver/articles/failed"
IMAGES_FETCHED = "archiver/images/fetched"
IMAGES_FAILED = "archiver/images/failed"
ARTICLES_FLAGGED = "archiver/articles/flagged"
ARTICLES_CHANGED = "archiver/articles/changed"
ARTICLES_UNCHANGED = "archiver/articles/unchanged"
ARTICLES_GONE = "archiver/articles/gone"
# Run records read back that could not be used (archiver.run.records), ignored.
RECORDS_BAD = "archiver/records/bad"
# Listed articles that live off the site (WeChat) and are not fetched: named, never silent.
ARTICLES_OFFSITE = "archiver/articles/offsite"
# Listed URLs found to be another URL's article (same headline, date and body): not archived
# again, recorded as aliases (archiver.archive.index).
ARTICLES_ALIAS = "archiver/articles/alias"
# Listed links the site's config acknowledges as not archivable (ignore_links): not failures.
ARTICLES_IGNORED = "archiver/articles/ignored"
IMAGES_PRESENT = "archiver/images/present"
LISTS_WALKED = "archiver/lists/walked"
LISTS_FAILED = "archiver/lists/failed"
LIST_LINKS = "archiver/lists/article_links"
BODY_SELECTOR = "archiver/rules/body/selector"
BODY_FALLBACK = "archiver/rules/body/fallback"
CMS_DETECTED = "archiver/cms/"  # + family: pages extracted with that family's rules
# List walks the list-page cap (list.max_pages, default 500) paused in this run: the next run
# goes on where they stopped (archiver.run.resume).
LISTS_CAPPED = "archiver/lists/capped"


def count_rules(stats: StatsCollector, rules: dict[str, str]) -> bool:
    """Count which CMS family and which rule gave the body of an article (the site's health);
    True when the body came from the generic fallback."""
    stats.inc_value(CMS_DETECTED + rules["cms"])
    fallback = rules.get("body") == "fallback"
    stats.inc_value(BODY_FALLBACK if fallback else BODY_SELECTOR)
    return fallback

# Refreshed articles whose new version was kept for review instead of replacing the file (the
# guard, archiver.archive.integrity).
ARTICLES_HELD_BACK = "archiver/articles/held_back"
