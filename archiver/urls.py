"""URLs as the archive keeps them: w3lib's safe_url_string, with a fast path for the links that
need no change (most of them; a list page or an article asks for every link it holds), and the
canonical form of an article URL (one article, one URL, one file)."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit, urlunsplit

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


# -- one article, one URL --------------------------------------------------------------------------

# Query parameters that never choose an article: session ids and tracking tags (README "Which
# URL parameters are dropped"). Names compare case-insensitively; a trailing "*" is a prefix.
SESSION_PARAMS = ("jsessionid", "phpsessid", "aspsessionid*", "sessionid", "session_id",
                  "sid", "cfid", "cftoken")
TRACKING_PARAMS = ("utm_*", "from", "spm", "scene", "isappinstalled", "clicktime", "enterid",
                   "share_token", "fbclid", "gclid", "wfr", "from_source")
# `sid` (and `sessionid`) name a story or a section on some sites (`show.php?sid=123`,
# `?sid=news`): dropped only when the value looks like a session token (16 characters or more,
# not a number).
_AMBIGUOUS = frozenset({"sid", "sessionid", "session_id"})
_TOKEN_MIN = 16
# Path parameters that carry a session (`/a.htm;jsessionid=0A1B…`).
_PATH_SESSION = re.compile(r";(?:jsessionid|phpsessid|sid|sessionid)=[^/?#;]*", re.I)
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def _matches(name: str, patterns: tuple[str, ...] | frozenset[str]) -> bool:
    return any(name.startswith(p[:-1]) if p.endswith("*") else name == p for p in patterns)


def _dropped(pair: str, keep: tuple[str, ...], drop: tuple[str, ...]) -> bool:
    name, _, value = pair.partition("=")
    name = unquote(name).strip().lower()
    if _matches(name, keep):
        return False
    if _matches(name, drop):
        return True
    if name in _AMBIGUOUS and (value.isdigit() or len(value) < _TOKEN_MIN):
        return False
    return _matches(name, SESSION_PARAMS) or _matches(name, TRACKING_PARAMS)


def canonical_url(url: str, keep: tuple[str, ...] = (), drop: tuple[str, ...] = ()) -> str:
    """The one URL of an article however a page links it: scheme and host in lower case, no
    default port, no fragment, no session id (`;jsessionid=…`, `?PHPSESSID=…`), no tracking
    parameter (`utm_*`, `from`, `spm`, …), the other query parameters sorted (each kept byte for
    byte: `?a` stays `?a`). `keep`/`drop` (a site's `url_params`, lower case, "*" a prefix)
    keep a parameter the defaults drop, or drop one more."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url  # not a URL a request could be made for; left alone
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    if port is not None and str(port) != _DEFAULT_PORTS.get(parts.scheme.lower()):
        host += f":{port}"
    if parts.username or parts.password:
        host = parts.netloc.rpartition("@")[0] + "@" + host
    path = _PATH_SESSION.sub("", parts.path) or "/"
    pairs = [p for p in parts.query.split("&") if p and not _dropped(p, keep, drop)]
    query = "&".join(sorted(pairs, key=lambda p: (p.partition("=")[0], p)))
    return urlunsplit((parts.scheme.lower(), host, path, query, ""))
