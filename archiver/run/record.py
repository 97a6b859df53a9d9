"""How the spider and the pipelines record an event: one call adds its counters to Scrapy's
stats (the kind's counter, and one per code) and hands the event itself to SiteRun through
the `event_recorded` signal. Nothing here knows SiteRun."""

from __future__ import annotations

from typing import Any

from archiver.run.events import CODE_COUNTER, KINDS, Event, Kind
from archiver.run.signals import event_recorded


class Recorder:
    def __init__(self, crawler: Any):
        # Read at each call: a spider is built before its crawler's stats exist.
        self.crawler = crawler

    def __call__(self, kind: Kind, code: str, url: str, reason: str, site: str = "",
                 **detail: Any) -> Event:
        event = Event(kind, code, url, reason, site, detail)
        counter = KINDS[kind].counter
        stats = self.crawler.stats
        if counter:
            stats.inc_value(counter)
        stats.inc_value(CODE_COUNTER.format(kind=kind, code=code))
        self.crawler.signals.send_catch_log(signal=event_recorded, event=event)
        return event
