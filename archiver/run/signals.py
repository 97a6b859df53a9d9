"""The run's own signals (Scrapy signals are plain objects; crawler.signals sends them): how
the spider and the pipelines report to the run's bookkeeping (SiteRun) without knowing it, and
how SiteRun hands the run's state to whoever needs it.

Every receiver takes keyword arguments named as below.
"""

# SiteRun -> whoever needs the run's state (the dedup pipeline): `state` (RunState). Sent on
# spider_opened, after SiteRun set `spider.run`, before the spider's first request.
run_opened = object()

# Recorder -> SiteRun: `event` (archiver.run.events.Event), after its counters were added.
event_recorded = object()

# Spider -> SiteRun: `urls` (articles about to be requested), `start` (the start URL of the
# list that linked them): a failure of one of them is that list's to retry next time.
articles_listed = object()

# Spider -> SiteRun: `start` (a start URL), `why`: that list's walk did not reach its end (or
# its first page with nothing new), so the next run walks it in full.
walk_cut = object()

# Spider -> SiteRun: `start`, `point` ({"url", "page", "pending"}: the next list page), `deep`
# (the walk resumed from the last run's point): the list-page cap (or a failed list page of the
# resumed walk) paused that list's walk; the next run goes on at `point` (archiver.run.resume).
walk_paused = object()

# Spider -> SiteRun: `start`: that list's walk reached the end of the list (or an endless
# pager): nothing is left to resume.
walk_ended = object()

# Spider -> SiteRun: `url` of an article whose body came from the generic fallback rather
# than the site's selectors (a sample is named by the site's health).
body_fallback = object()

# Recorder -> SiteRun: `kind`, `url`: the event of that kind for that URL no longer holds (the
# guard put back a file a refresh had rewritten); it is dropped with its counters.
event_retracted = object()

# Anyone -> SiteRun: `text`, one line for the site's `notes` in the summary and the report
# (the capture middleware: a WARC file a killed run left repaired, captures that stopped).
note = object()
