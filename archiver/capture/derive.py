"""An archive file's text from a captured page, with today's extraction: the same steps as the
crawl (spider.parse_article, the quality gate, to_markdown), with no network.

The response is rebuilt the way Scrapy built it (its class from the headers, URL and body,
CharsetMiddleware's encoding), so an unchanged extraction gives the file byte for byte.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from scrapy.http import Headers, TextResponse
from scrapy.responsetypes import responsetypes

from archiver.archive.format import to_markdown
from archiver.archive.layout import FILES, IMAGES, image_file_name
from archiver.capture.reader import Page
from archiver.extract.article import extract_article
from archiver.extract.quality import verdict
from archiver.items import ArticleItem
from archiver.middlewares import with_true_encoding


@dataclass
class Derived:
    text: str | None  # the archive file's text; None when the page gives no article
    reason: str | None = None  # why not (the quality gate's refusal)
    flags: tuple[str, ...] = ()
    item: ArticleItem | None = field(default=None, repr=False)


def response_of(page: Page) -> TextResponse | None:
    headers = Headers(page.headers)
    uri = page.capture.uri
    cls = responsetypes.from_args(headers=headers, url=uri, body=page.body)
    response = with_true_encoding(cls(url=uri, status=page.status, headers=headers,
                                      body=page.body))
    if not isinstance(response, TextResponse):
        return None
    if page.encoding and response.encoding != page.encoding:
        response = response.replace(encoding=page.encoding)  # e.g. a browser-rendered page
    return response


class LocalFiles:
    """The images and attachments a site folder holds, by the hash their names start with
    (read once: a rebuild of thousands of articles asks for each image)."""

    def __init__(self, folder: Path):
        self.names: dict[str, str] = {}
        for sub in (IMAGES, FILES):
            path = folder / sub
            if path.is_dir():
                for entry in os.scandir(path):
                    if not entry.name.startswith("."):
                        self.names[entry.name.split(".", 1)[0]] = f"{sub}/{entry.name}"

    def paths(self, urls: list[str]) -> dict[str, str]:
        found = {}
        for url in urls:
            local = self.names.get(image_file_name(url).split(".", 1)[0])
            if local:
                found[url] = local
        return found


def derive(page: Page, site, image_links: str, local: LocalFiles | None = None) -> Derived:
    """The archive file a captured article page gives today (`image_links`: "original" or
    "local", as the crawl that captured it linked images)."""
    response = response_of(page)
    content_type = dict((k.lower(), v) for k, v in page.headers).get("content-type", "")
    if response is None or (content_type and not any(t in content_type.lower()
                                                      for t in ("html", "xml"))):
        return Derived(None, f"not an HTML page (Content-Type: {content_type or 'none'})")
    if not response.body.strip():
        return Derived(None, "empty page")
    item = extract_article(response.text, page.capture.source, site,
                           list_date=page.capture.list_date)
    found = verdict(item)
    if found.refused:
        return Derived(None, found.refused, item=item)
    paths = None
    if image_links == "local" and local is not None:
        allowed = [u for u in [*item.image_urls, *item.attachment_urls] if site.allows_image(u)]
        paths = local.paths(allowed)
    return Derived(to_markdown(item, site, paths), None, found.flags, item)
