"""JavaScript-rendered sites: the settings that send a site's requests through scrapy-playwright.

Only sites with `render:` set get them (per crawler, through the spider's custom_settings), so
no other site ever starts a browser. The browser is found without any download step: an
explicit ARCHIVER_BROWSER, else Playwright's own Chromium if one is installed, else a system
Chromium (Debian's `chromium` package).
"""

from __future__ import annotations

import glob
import os
import shutil
from typing import Any

from scrapy.settings import default_settings

SYSTEM_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Flags for a headless browser on a server: root needs --no-sandbox; the background-networking
# flags stop Chromium from calling home (every such call fails on a closed network).
BROWSER_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
    "--no-first-run", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-extensions",
]
# Pages open at once per crawl: bounds the browser's memory on long crawls.
MAX_PAGES = 4
# What the browser does not load: images are downloaded by the image pipeline instead.
HEAVY_RESOURCES = frozenset(("image", "font", "media"))


class BrowserNotFound(RuntimeError):
    pass


def playwright_browser_installed() -> bool:
    default = os.path.expanduser("~/.cache/ms-playwright")
    root = os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or default
    return bool(glob.glob(os.path.join(root, "chromium*", "chrome-linux*", "chrome")))


def find_browser() -> str | None:
    """The browser executable to launch, "" for Playwright's own, or None when there is none."""
    explicit = os.environ.get("ARCHIVER_BROWSER")
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    if playwright_browser_installed():
        return ""
    return next((path for name in SYSTEM_BROWSERS if (path := shutil.which(name))), None)


def missing_browser_message() -> str:
    explicit = os.environ.get("ARCHIVER_BROWSER")
    if explicit:
        return f"ARCHIVER_BROWSER={explicit} is not an executable browser"
    return ("no browser found for a `render:` site: install Debian's chromium "
            "(apt-get install chromium), or set ARCHIVER_BROWSER to a Chromium or Chrome binary")


def abort_heavy_resources(request: Any) -> bool:
    return request.resource_type in HEAVY_RESOURCES


def browser_settings() -> dict[str, Any]:
    """Scrapy settings for a crawler whose site renders pages in a browser."""
    browser = find_browser()
    launch: dict[str, Any] = {"headless": True, "args": BROWSER_ARGS}
    if browser:
        launch["executable_path"] = browser
    return {
        "DOWNLOAD_HANDLERS": {
            "http": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
            "https": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
        },
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": launch,
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": MAX_PAGES,
        "PLAYWRIGHT_MAX_CONTEXTS": 1,
        "PLAYWRIGHT_ABORT_REQUEST": "archiver.browser.abort_heavy_resources",
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": 30_000,
        "CONCURRENT_REQUESTS": MAX_PAGES,
        # Navigation failures are retried like any other download error.
        "RETRY_EXCEPTIONS": [*default_settings.RETRY_EXCEPTIONS,
                             "playwright._impl._errors.TimeoutError",
                             "playwright._impl._errors.Error"],
        "ARCHIVER_BROWSER_FOUND": browser is not None,
    }
