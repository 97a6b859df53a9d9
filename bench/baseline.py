"""The baseline of bench/throughput.py: the spider a user would write by hand with Scrapy for the
benchmark site's job, in one file, run with `scrapy runspider`:

    scrapy runspider bench/baseline.py -a start=URL/1001/list.htm \\
        -s ARTICLES_STORE=OUT -s FILES_STORE=OUT/images -s CONCURRENT_REQUESTS=32 ...

It walks the same list pages, fetches the same articles, takes headline, date and body with CSS
selectors, downloads the images with Scrapy's FilesPipeline and writes one python-frontmatter
Markdown file per article (named by the md5 of its URL, like the archive). It checks nothing,
retries with Scrapy's defaults, and writes files directly: the costs the archiver adds on top
of this are what the benchmark measures.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from pathlib import Path

import frontmatter
import scrapy

SCHOOL, LABEL = "示例大学", "bench.local"
DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})\s+(\d{2}):(\d{2})")


class BaselineSpider(scrapy.Spider):
    name = "baseline"
    custom_settings = {
        "ITEM_PIPELINES": {
            "scrapy.pipelines.files.FilesPipeline": 300,
            f"{__name__}.FrontMatterPipeline": 400,
        },
    }

    def __init__(self, start: str, **kwargs):
        super().__init__(**kwargs)
        self.start_url = start

    async def start(self):
        yield scrapy.Request(self.start_url, callback=self.parse)

    def parse(self, response):
        for href in response.css("ul.news_list a::attr(href)").getall():
            yield response.follow(href, callback=self.parse_article)
        nxt = response.css("ul.wp_paging a.next::attr(href)").get()
        if nxt and not nxt.startswith("javascript"):
            yield response.follow(nxt, callback=self.parse)

    def parse_article(self, response):
        body = response.css(".wp_articlecontent")
        blocks = []
        for p in body.css("p"):
            src = p.css("img::attr(src)").get()
            if src:
                blocks.append(f"![图]({response.urljoin(src)})")
            elif text := "".join(p.css("::text").getall()).strip():
                blocks.append(text)
        found = DATE.search(response.css(".arti_update::text").get(""))
        yield {
            "url": response.url,
            "title": response.css(".arti_title::text").get("").strip(),
            "date": datetime(*map(int, found.groups())) if found else None,
            "body": "\n\n".join(blocks),
            "file_urls": [response.urljoin(s) for s in body.css("img::attr(src)").getall()],
        }


class FrontMatterPipeline:
    """One Markdown file with YAML front matter per article."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(Path(crawler.settings["ARTICLES_STORE"]))

    def process_item(self, item):
        post = frontmatter.Post(f"{item['body']}\n\n[转入文章首发地址]({item['url']})",
                                title=f"{SCHOOL}->{item['title']} | {LABEL}", date=item["date"],
                                urlname=hashlib.md5(item["url"].encode()).hexdigest(),
                                tags=[LABEL], categories=[LABEL])
        path = self.folder / f"{post['urlname']}.md"
        path.write_text(frontmatter.dumps(post, sort_keys=False) + "\n", encoding="utf-8")
        return item
