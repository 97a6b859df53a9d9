"""archiver: crawl Chinese university news sites into a Markdown archive."""
