"""A crawl's bookkeeping, whatever starts it. The run's record as data: events with a kind and
a code (events), recorded through a Recorder (record) and the run's signals (signals), counters
in stats (stats); the state the spider is handed (state); the site's and the run's outcome
(outcome), exit codes (exitcodes) and the JSON report (report); the site lock (lock), the walk
record (resume), and the Scrapy extension that ties them together (extension)."""
