"""Pure extraction: (page HTML, URL, site config) -> ArticleItem. No I/O, no Scrapy engine."""
