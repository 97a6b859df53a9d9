"""How the spider and the pipelines record an event: one call adds its counters to Scrapy's
stats (the kind's counter, and one per code) and hands the event itself to SiteRun through
the `event_recorded` signal. Nothing here knows SiteRun."""

from __future__ import annotations

from typing import Any

from archiver.run.events import CODE_COUNTER, KINDS, Event, Kind
from archiver.run.signals import event_recorded, event_retracted

# The report names this many aliases per run with their URLs; the count is always exact.
ALIASES_NAMED = 50


class Recorder:
    def __init__(self, crawler: Any):
        # Read at each call: a spider is built before its crawler's stats exist.
        self.crawler = crawler

    def __call__(self, kind: Kind, code: str, url: str, reason: str, site: str = "",
                 **detail: Any) -> Event:
        event = Event(kind, code, url, reason, site, detail)
        self.count(kind, code)
        self.crawler.signals.send_catch_log(signal=event_recorded, event=event)
        return event

    def count(self, kind: Kind, code: str) -> None:
        """The counters of an event, without the event (one the report does not name)."""
        counter = KINDS[kind].counter
        stats = self.crawler.stats
        if counter:
            stats.inc_value(counter)
        stats.inc_value(CODE_COUNTER.format(kind=kind, code=code))

    def alias(self, url: str, file: str, site: str = "") -> None:
        """A URL that gave (or, by a learned variant, gives) the article of an archived file:
        counted always, named for the first ALIASES_NAMED of the run (10,000 variants of one
        article must not put 10,000 events in the report). Not a failure."""
        counter = KINDS[Kind.ALIAS].counter
        if self.crawler.stats.get_value(counter, 0) >= ALIASES_NAMED:
            self.count(Kind.ALIAS, "alias")
            return
        self(Kind.ALIAS, "alias", url, f"the same headline, date and body as {file}.md: an "
             "alias of that article, not archived twice", site, file=file)

    def retract(self, kind: Kind, url: str) -> None:
        """Take back this URL's event of this kind: the guard undid what it said (a refresh's
        rewrite put back). SiteRun drops the event and its counters."""
        self.crawler.signals.send_catch_log(signal=event_retracted, kind=kind, url=url)
