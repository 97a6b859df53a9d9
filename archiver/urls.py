"""URLs as the archive keeps them: w3lib's safe_url_string, with a fast path for the links that
need no change (most of them; a list page or an article asks for every link it holds)."""

from __future__ import annotations

import re

from w3lib.url import safe_url_string

# What safe_url_string would change: non-ASCII or unsafe characters, a second "#", and an
# upper-case host.
_NEEDS_QUOTING = re.compile(r"[^\x21-\x7e]|[\"<>\\^`{|}\[\]]")


def safe_url(url: str) -> str:
    """safe_url_string(url), computed only when it would change something."""
    if _NEEDS_QUOTING.search(url) or url.count("#") > 1:
        return safe_url_string(url)
    host = url.partition("://")[2].partition("/")[0]
    return url if host == host.lower() else safe_url_string(url)
