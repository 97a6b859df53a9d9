"""Spiders discover: list pages -> article links -> next list page. Extraction lives elsewhere."""
