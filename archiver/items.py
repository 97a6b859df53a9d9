"""The item that flows from extraction through the pipelines to the archive."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class ArticleItem:
    # The article page's URL exactly as requested; its md5 is the archive file's urlname.
    url: str
    # Name of the site config that produced it (the archive folder).
    site: str
    # The page's own headline, cleaned; "" when none was found.
    headline: str = ""
    # Publish time as the page states it, in the site's local time; None when none was found.
    published: datetime | None = None
    # The date text as found on the page, kept for reports when parsing goes wrong.
    published_raw: str = ""
    # Body as Markdown blocks in page order: paragraphs, and images as `![图](absolute URL)`.
    blocks: list[str] = field(default_factory=list)
    # Absolute image URLs in article order (the images pipeline downloads these).
    image_urls: list[str] = field(default_factory=list)
    # Absolute URLs of the attachment files the body links to (pdf, doc, xls, zip, ...): archived
    # like images, linked where they stand.
    attachment_urls: list[str] = field(default_factory=list)
    # FilesPipeline results for downloaded images and attachments: dicts with url, path,
    # checksum, status.
    images: list[dict] = field(default_factory=list)
    # Which rule found each field: "cms" names the family whose rules applied; "headline" is
    # selector, fallback or title; "published" is selector, fallback, list, url or none;
    # "body" is selector or fallback, or too_deep / too_large for a page beyond the bounds
    # of archiver.extract.bounds (not read).
    rules: dict[str, str] = field(default_factory=dict)
    # What extraction saw that the quality verdict flags (bidi controls removed from the text).
    flags: list[str] = field(default_factory=list)
    # True when `archiver refresh` re-fetched an article that is already archived.
    refresh: bool = False
    # The page holds a password input (a login form): with little text, a login wall.
    login_form: bool = False
    # The headline the list link gave this article ("" when it came from no list): a page
    # whose headline is not this one and says 维护/登录/404 is not the article.
    list_headline: str = ""
    # Why the quality verdict refuses a refreshed version ("" when it does not): held back.
    refused: str = ""

    @property
    def text_blocks(self) -> list[str]:
        """The body's paragraphs without its images."""
        return [b for b in self.blocks if not b.startswith("![")]
