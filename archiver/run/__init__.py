"""A crawl's bookkeeping, whatever starts it: stats keys (stats), the site lock (lock), the walk
record (resume), the site's outcome and the JSON report (outcome), and the Scrapy extension that
ties them together (extension)."""
