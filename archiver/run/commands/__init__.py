"""Scrapy commands of the project (settings.COMMANDS_MODULE): `scrapy crawl SITE` with the
site's outcome as its exit code."""
