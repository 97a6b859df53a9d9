"""Which articles a site's archive holds, by any URL that names them: one article, one file.

A file is named by the md5 of its source URL (`<urlname>.md`). An article is already archived
when a listed URL, as linked or in its canonical form (archiver.urls.canonical_url), names a
file; when it is a recorded alias of a file (another URL that gave the same headline, date and
body); or when it is the canonical form of a file's own source link (files archived before
URLs were canonicalised keep their names: nothing is ever renamed). The last needs every
file's source link, and the content check needs every file's fingerprint: both come from one
scan of the site's files, made only when a URL is not found by name (an unchanged site costs
no scan).

Aliases are only URLs of the same path differing in query parameters that are not needed to
name an article (the URL without them is still an article URL): one page answered for
`show.asp?id=5` and `?id=6` is a site in trouble (maintenance, a login wall), and must never
make real articles aliases of it.

The aliases live in `<output>/<site>/.aliases.json`: {"version": 1, "aliases": {URL: urlname},
"variants": [{"url": URL, "params": [name, ...], "file": urlname}]}. A variant says: this URL
with any value (or none) of these query parameters is that file; it is learned when two URLs
that differ only in those parameters give the same article (`?x=1`, `?x=2`, ...), so the rest
of such a family is not even requested. The record is untrusted on read: a file too large, not
JSON, or of the wrong shape is reported and ignored, and every entry is checked.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from archiver.archive.fs import write_atomic
from archiver.archive.layout import urlname

ALIASES_NAME = ".aliases.json"
# The record stays small: beyond these, new aliases are simply found again by their content.
ALIASES_MAX_BYTES = 4 * 1024 * 1024
ALIASES_MAX = 20_000
VARIANTS_MAX = 2_000
_URLNAME = re.compile(r"^[0-9a-f]{32}$")
_URL_MAX = 2_000

# What tells two archive files apart as articles, and what does not: the urlname line and the
# source link name the URL, not the article; link targets are compared by the hash in an
# archived file's name (images/<sha1 of the URL>.png) or the hash of the URL itself, so the same
# images count as the same whether linked locally or at the source.
_URLNAME_LINE = re.compile(r"^urlname:.*$", re.M)
_SOURCE_LINE = re.compile(r"^\[转入文章首发地址\]\([^)\s]*\)\s*$", re.M)
_LINK_TARGET = re.compile(r"\]\(([^)\s]*)\)")
_LOCAL_TARGET = re.compile(r"^(?:images|files)/([0-9a-f]{40})(?:\.\w+)?$")
_SOURCE_LINK = re.compile(r"^\[转入文章首发地址\]\((?P<url>[^)\s]+)\)\s*$", re.M)


def _target(match: re.Match) -> str:
    target = match.group(1)
    local = _LOCAL_TARGET.match(target)
    digest = local.group(1) if local else hashlib.sha1(target.encode("utf-8")).hexdigest()
    return f"]({digest})"


def article_fingerprint(text: str) -> str:
    """The same for two archive files holding the same headline, date and body (the same
    article under two URLs); different as soon as one word, the date or an image differs."""
    text = _SOURCE_LINE.sub("", _URLNAME_LINE.sub("", text, count=1))
    return hashlib.sha1(_LINK_TARGET.sub(_target, text).encode("utf-8")).hexdigest()


def file_source_link(text: str) -> str | None:
    found = _SOURCE_LINK.findall(text)
    return found[-1] if found else None


def _without(url: str, params: frozenset[str]) -> str:
    """The URL without the named query parameters (the rest in their order)."""
    parts = urlsplit(url)
    kept = [p for p in parts.query.split("&")
            if p and p.partition("=")[0].lower() not in params]
    return urlunsplit(parts._replace(query="&".join(kept)))


def _params(url: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for pair in urlsplit(url).query.split("&"):
        if pair:
            name, _, value = pair.partition("=")
            found.setdefault(name.lower(), []).append(value)
    return found


def differing_params(a: str, b: str) -> frozenset[str]:
    """The query parameters two URLs of the same path differ in (empty when the paths differ
    or nothing does)."""
    pa, pb = urlsplit(a), urlsplit(b)
    if (pa.scheme, pa.netloc, pa.path) != (pb.scheme, pb.netloc, pb.path):
        return frozenset()
    qa, qb = _params(a), _params(b)
    return frozenset(k for k in {*qa, *qb} if qa.get(k) != qb.get(k))


@dataclass(frozen=True)
class Variant:
    url: str  # the article's URL without `params`
    params: frozenset[str]
    file: str


@dataclass(frozen=True)
class Found:
    file: str  # the urlname of the file holding the article
    alias: bool  # found as another URL's article (an alias or a variant)
    fresh: bool  # an alias learned in this run


class ArchiveIndex:
    """The urlnames a site's archive holds and the URLs that name them. Read once per crawl
    (by archiver.run.extension.SiteRun, once the site's lock is held) and shared by the spider
    (which requests no archived article), the request check, the dedup pipeline and the write
    pipeline (which adds what this run archives and records aliases)."""

    def __init__(self, names: set[str], folder: Path | None = None,
                 canonical: Callable[[str], str] = lambda url: url,
                 is_article: Callable[[str], bool] = lambda url: True):
        self.names = names
        self.folder = Path(folder) if folder is not None else None
        self.canonical = canonical
        self.is_article = is_article
        self.aliases: dict[str, str] = {}
        self.variants: dict[str, list[Variant]] = {}  # by the URL without its query
        self.fresh_aliases: set[str] = set()
        self.fresh_variants: set[Variant] = set()
        self.problem = ""  # why the alias record was ignored, once
        self.changed = False
        self._by_link: dict[str, str] | None = None  # canonical source link -> urlname
        self._by_text: dict[str, tuple[str, str]] = {}  # fingerprint -> (urlname, URL)

    @classmethod
    def open(cls, folder: Path, canonical: Callable[[str], str],
             is_article: Callable[[str], bool]) -> ArchiveIndex:
        names = ({e.name[:-3] for e in os.scandir(folder) if e.name.endswith(".md")}
                 if folder.is_dir() else set())
        index = cls(names, folder, canonical, is_article)
        index._load_aliases()
        return index

    # -- lookups ---------------------------------------------------------------------------------

    def __contains__(self, url: str) -> bool:
        return self.find(url) is not None

    def find(self, url: str) -> Found | None:
        """The file that holds the article at this URL (as linked or canonical), or None."""
        if urlname(url) in self.names:
            return Found(urlname(url), False, False)
        canonical = self.canonical(url)
        if canonical != url and urlname(canonical) in self.names:
            return Found(urlname(canonical), False, False)
        target = self.aliases.get(canonical)
        if target in self.names:
            return Found(target, True, canonical in self.fresh_aliases)
        for variant in self.variants.get(_base(canonical), ()):
            if variant.file in self.names and _without(canonical, variant.params) == variant.url:
                return Found(variant.file, True, variant in self.fresh_variants)
        target = self._links().get(canonical)
        return Found(target, False, False) if target in self.names else None

    def add(self, url: str) -> None:
        self.names.add(urlname(url))

    # -- the same article under another URL ------------------------------------------------------

    def same_article(self, fingerprint: str) -> tuple[str, str] | None:
        """(urlname, URL) of the file holding the article of this fingerprint, or None."""
        self._links()
        found = self._by_text.get(fingerprint)
        return found if found and found[0] in self.names else None

    def wrote(self, url: str, fingerprint: str) -> None:
        """This run wrote the article at `url`, of this fingerprint."""
        self.names.add(urlname(url))
        if self._by_link is not None:
            self._by_link.setdefault(url, urlname(url))
            self._by_text.setdefault(fingerprint, (urlname(url), url))

    def alias_params(self, url: str, file_url: str) -> frozenset[str] | None:
        """The query parameters in which `url` differs from the URL of a file holding the same
        text, when that makes it an alias: the same path, and without those parameters still
        an article URL of the site (`page.htm?x=1` and `page.htm?x=2` are one article;
        `show.asp?id=5` and `show.asp?id=6` answering one page are a site in trouble, never
        aliases: two different paths neither). None when it is no alias."""
        params = differing_params(url, self.canonical(file_url)) if file_url else frozenset()
        if not params or not self.is_article(_without(url, params)):
            return None
        return params

    def record_alias(self, url: str, file: str, params: frozenset[str]) -> None:
        """`url` gave the same article as the file `file`, from which it differs in `params`:
        not fetched again, and neither is any other value of them for this article."""
        if len(self.aliases) < ALIASES_MAX:
            self.aliases[url] = file
            self.fresh_aliases.add(url)
            self.changed = True
        if sum(map(len, self.variants.values())) < VARIANTS_MAX:
            variant = Variant(_without(url, params), params, file)
            known = self.variants.setdefault(_base(url), [])
            if variant not in known:
                known.append(variant)
                self.fresh_variants.add(variant)
                self.changed = True

    # -- the scan of the files, once and only when needed ----------------------------------------

    def _links(self) -> dict[str, str]:
        if self._by_link is None:
            self._by_link = {}
            if self.folder is not None and self.folder.is_dir():
                self._scan()
        return self._by_link

    def _scan(self) -> None:
        assert self._by_link is not None
        for entry in os.scandir(self.folder):
            if not entry.name.endswith(".md") or not entry.is_file(follow_symlinks=False):
                continue
            try:
                with open(entry.path, encoding="utf-8", errors="replace") as handle:
                    text = handle.read(1024 * 1024)
            except OSError:
                continue
            name, link = entry.name[:-3], file_source_link(text)
            if link:
                self._by_link.setdefault(self.canonical(link), name)
            # Files in the order the directory gives: on a tie the first one found stays.
            self._by_text.setdefault(article_fingerprint(text), (name, link or ""))

    # -- the alias record ------------------------------------------------------------------------

    @property
    def record_path(self) -> Path | None:
        return self.folder / ALIASES_NAME if self.folder is not None else None

    def _load_aliases(self) -> None:
        path = self.record_path
        try:
            size = path.stat().st_size
        except OSError:
            return  # no record: no alias yet
        try:
            if size > ALIASES_MAX_BYTES:
                raise ValueError(f"{size} bytes, more than the {ALIASES_MAX_BYTES} a record "
                                 "may have")
            data = json.loads(path.read_bytes())
            if not isinstance(data, dict) or not isinstance(data.get("aliases", {}), dict) \
                    or not isinstance(data.get("variants", []), list):
                raise ValueError("not an alias record")
        except (OSError, ValueError, RecursionError) as error:
            self.problem = (f"the alias record {path} is unreadable ({error}); it is ignored "
                            "and rewritten")
            self.changed = True
            return
        for url, file in list(data.get("aliases", {}).items())[:ALIASES_MAX]:
            if _good_url(url) and isinstance(file, str) and _URLNAME.match(file):
                self.aliases[url] = file
        for entry in data.get("variants", [])[:VARIANTS_MAX]:
            if not isinstance(entry, dict):
                continue
            url, params, file = entry.get("url"), entry.get("params"), entry.get("file")
            if _good_url(url) and isinstance(file, str) and _URLNAME.match(file) \
                    and isinstance(params, list) and params \
                    and all(isinstance(p, str) and 0 < len(p) <= 60 for p in params):
                self.variants.setdefault(_base(url), []).append(
                    Variant(url, frozenset(p.lower() for p in params), file))

    def save(self) -> None:
        """Write the record when this run changed it; entries of deleted files go (deleting a
        file makes its article archivable again, by any of its URLs). Raises OSError."""
        if not self.changed or self.record_path is None:
            return
        aliases = {u: f for u, f in self.aliases.items() if f in self.names}
        variants = [{"url": v.url, "params": sorted(v.params), "file": v.file}
                    for group in self.variants.values() for v in group if v.file in self.names]
        if not aliases and not variants:
            self.record_path.unlink(missing_ok=True)
            return
        document = {"version": 1, "aliases": aliases, "variants": variants}
        write_atomic(self.record_path, json.dumps(document, ensure_ascii=False, indent=0) + "\n")


def _base(url: str) -> str:
    return url.partition("?")[0]


def _good_url(url: object) -> bool:
    return isinstance(url, str) and len(url) <= _URL_MAX and url.startswith(("http://",
                                                                             "https://"))
