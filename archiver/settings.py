"""Scrapy settings for the archiver, and the ARCHIVER_* keys it adds.

Every value here is a default: a site config's `settings:` mapping overrides it per site, and the
command line overrides it per run.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

BOT_NAME = "archiver"
SPIDER_MODULES: list[str] = []
# One spider class per spiders_config/*.yaml, built by archiver.spiderloader.
SPIDER_LOADER_CLASS = "archiver.spiderloader.SiteSpiderLoader"


def _configs_default() -> str:
    """spiders_config/ of the working directory. Inside an egg deployed to Scrapyd there is no
    such folder: the configs packaged in the egg (archiver/_sites, see archiver/scrapyd.py)."""
    here = Path.cwd() / "spiders_config"
    if not here.is_dir() and resources.files("archiver").joinpath("_sites").is_dir():
        return "package:archiver/_sites"
    return str(here)


# Defaults follow the user, never the package's own folder (after `pip install .` that is
# site-packages): the working directory's ./spiders_config and ./output, or the environment's
# ARCHIVER_CONFIG_DIR and ARCHIVER_OUTPUT_DIR (which reach `scrapy crawl` too), or the options.
ARCHIVER_CONFIG_DIR = os.environ.get("ARCHIVER_CONFIG_DIR") or _configs_default()
# Root of the archive: one folder per site below it.
ARCHIVER_OUTPUT_DIR = os.environ.get("ARCHIVER_OUTPUT_DIR") or str(Path.cwd() / "output")
# Default for the per-site `image_links` key: "original" keeps the source image URLs in the
# Markdown (the seed format); "local" points them at the archived copies.
ARCHIVER_IMAGE_LINKS = "original"
# Show live progress on stderr (set by the CLI when stderr is a terminal).
ARCHIVER_PROGRESS = False

# Real-site manners: obey robots.txt, say who we are, go gently. All overridable per site.
ROBOTSTXT_OBEY = True
USER_AGENT = "archiver/0.1 (+https://github.com/; news archiver for university news mirrors)"
CONCURRENT_REQUESTS = 16
# Outputs of one response processed in parallel. An article page gives one item and a list page
# a page of requests; under the asyncio reactor Scrapy starts this many worker tasks for every
# response, so its default of 100 cost more than the archiver's own work (docs/benchmarks.md).
CONCURRENT_ITEMS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.25
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 3
# Cap what one response may weigh: a news page or photo is far below this.
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024

# HttpProxyMiddleware is on by default and reads http_proxy/https_proxy/no_proxy; keep it so.
HTTPPROXY_ENABLED = True

DOWNLOADER_MIDDLEWARES = {
    # After HttpCompression (590) has unpacked the body, before anything reads its text.
    "archiver.middlewares.CharsetMiddleware": 580,
    # Keeps each page as the spider gets it (after those two) in the site's WARC files.
    "archiver.capture.middleware.CaptureMiddleware": 570,
    # Scrapy's retries, with a growing pause before each.
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "archiver.middlewares.BackoffRetryMiddleware": 550,
    # An article the archive holds by now (an alias learned meanwhile) is not requested.
    "archiver.knownarticles.KnownArticleMiddleware": 50,
    # Sees a 3xx before Scrapy's RedirectMiddleware (600) follows it: off-site is reported so.
    "archiver.middlewares.OffsiteRedirectMiddleware": 610,
    # Last before the downloader: at most CONCURRENT_REQUESTS requests per host inside it, the
    # rest wait here, and a signal drops them (archiver.run.stopping).
    "archiver.run.stopping.DownloadGate": 990,
    # After HttpCompression (590), before Scrapy's MetaRefreshMiddleware (580) follows a
    # <meta refresh>: one to another host is named as such.
    "archiver.middlewares.MetaRefreshMiddleware": 585,
}
# Pause before the first retry (seconds), doubled for each further one, capped.
ARCHIVER_RETRY_BACKOFF = 1.0
ARCHIVER_RETRY_BACKOFF_MAX = 30.0
# Largest image the archive downloads (bytes); a larger one is reported and skipped.
ARCHIVER_IMAGE_MAXSIZE = 20 * 1024 * 1024
# Largest attachment (pdf, doc, xls, zip, ... linked in a body) the archive downloads (bytes).
ARCHIVER_ATTACHMENT_MAXSIZE = 50 * 1024 * 1024

ITEM_PIPELINES = {
    "archiver.pipelines.validate.ValidatePipeline": 100,
    "archiver.pipelines.guard.GuardPipeline": 150,
    "archiver.pipelines.dedup.DedupPipeline": 200,
    "archiver.pipelines.images.ArticleImagesPipeline": 300,
    "archiver.pipelines.write.WritePipeline": 400,
}
# The images pipeline stores under <output>/<site>/images/; FILES_STORE is set from the output
# directory when a crawler starts (see ArticleImagesPipeline.from_crawler).
FILES_URLS_FIELD = "image_urls"
FILES_RESULT_FIELD = "images"
# An archived image never goes stale: re-download only when the file is missing.
FILES_EXPIRES = 365 * 100
MEDIA_ALLOW_REDIRECTS = True

EXTENSIONS = {
    "archiver.progress.Progress": 500,
    # The run's bookkeeping, whatever starts the crawl: lock, resume state, outcome, report.
    "archiver.run.extension.SiteRun": 510,
    "archiver.errors.UnexpectedErrors": 520,
    # A signal ends the run promptly: queued downloads (an article's 3,000 images) are dropped.
    "archiver.run.stopping.PromptStop": 530,
}
# `scrapy crawl SITE` exits with the site's outcome (archiver/run/commands/crawl.py).
COMMANDS_MODULE = "archiver.run.commands"
# Path of the JSON report a crawl writes by itself; "": <output>/.reports/<time>-<site>.json.
# `archiver dispatch` sets it for each Scrapyd job; the `archiver` commands set it to "-" and
# write one report for all the sites of the run.
ARCHIVER_JOB_REPORT = ""

TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
