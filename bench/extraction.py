"""Extraction quality and speed, this project next to trafilatura and GNE, on labelled pages.

    .venv/bin/python -m bench.extraction            (or: make bench-extraction)

Three sets of labelled pages, each scored on its own:
- `corpus`: tests/fixtures/labels/<family>/*.json (hand-checked; see their README): the article
  pages of the nankai corpus (tests/fixtures/corpus/pages), and the seeds 001, 002, 004 rebuilt
  as pages (tests/fixtures/seed_pages; 004 is of no known family: "generic"); per CMS family.
- `corpus-schools`: tests/fixtures/schools, real pages of two schools nobody tuned on; per school.
- `corpus-vsb`: tests/fixtures/corpus-vsb, 80 VSB pages of 17 nankai department sites (landing,
  profile and notice pages as much as news; see its README).
Every extractor sees the page as `archiver fetch URL` does on a host with no site config: the
HTML decoded as the crawl decodes it, and the URL. The time per page is the extractor's alone
(decoding is done once, before the clock starts), in CPU time: median and 99th percentile.

Scores, per CMS family: paragraph-exact precision / recall / F1 over the body's units (each
paragraph, table row and hard line break, compared as text with whitespace and Markdown markup
removed; a unit counts only when it matches exactly; micro-averaged over all units of the
family), headline accuracy, date accuracy, image recall, median milliseconds per page.
"archiver" detects the family and uses its preset; "archiver-generic" switches presets off
(`cms: generic`) to show the generic extractor alone. Dates: this project must give the exact
time the page states; trafilatura and GNE are given credit for the right day.
"""

from __future__ import annotations

import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from scrapy.http import HtmlResponse

from archiver.config import adhoc_site
from archiver.extract.article import extract_article
from archiver.extract.quality import verdict
from archiver.extract.text import text_units
from archiver.middlewares import with_true_encoding

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
LABELS = FIXTURES / "labels"


@dataclass
class Output:
    headline: str = ""
    published: str | None = None  # "YYYY-MM-DD HH:MM:SS", or a day "YYYY-MM-DD"
    units: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    # Would the page be archived: the quality verdict for this project; for a peer, whether it
    # gave a headline, a body and a date.
    archived: bool = False


def plain(text: str) -> str:
    """A plain-text unit as compared: whitespace gone."""
    return re.sub(r"\s+", "", text)


def from_markdown(text: str) -> str:
    """A Markdown unit as plain text: image and link syntax, emphasis and escapes gone."""
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(?<!\\)\*\*|</?strong>", "", text)
    # Autolinks (<http://…>, <a_b@c.cn>) and a line-opening ':' as its character reference.
    text = re.sub(r"(?<!\\)<([^<>\s]+(?::|@)[^<>\s]*)>", r"\1", text)
    text = re.sub(r"(?m)^&#58;", ":", text)
    return re.sub(r"\\(.)", r"\1", text)


def load_labels(families: tuple[str, ...] = ("ecms", "webplus", "vsb", "generic")) -> list[dict]:
    labels = []
    for family in families:
        for path in sorted((LABELS / family).glob("*.json")):
            label = json.loads(path.read_text(encoding="utf-8"))
            # Corpus pages by file name; authored pages (the rebuilt seeds) by their path.
            page = FIXTURES / label.get("path", f"corpus/pages/{label['file']}")
            label["html_bytes"] = page.read_bytes()
            labels.append(label)
    return labels


SCHOOLS = FIXTURES / "schools"


def load_schools() -> list[dict]:
    """The real pages of schools this project was not tuned on (tests/fixtures/schools, answers
    read by hand from the markup), as labels scored per school (host)."""
    labels = []
    for entry in json.loads((SCHOOLS / "manifest.json").read_text(encoding="utf-8")):
        expected = entry["expected"]
        labels.append({
            "file": entry["file"], "url": entry["url"], "cms": urlsplit(entry["url"]).hostname,
            "headline": expected["headline"], "published": expected["date"],
            "units": expected["paragraphs"], "images": [],
            "html_bytes": (SCHOOLS / entry["file"]).read_bytes(),
        })
    return labels


VSB = FIXTURES / "corpus-vsb"


def load_vsb() -> list[dict]:
    """The VSB pages of nankai department sites (tests/fixtures/corpus-vsb, gzipped)."""
    labels = []
    for entry in json.loads((VSB / "manifest.json").read_text(encoding="utf-8")):
        expected = entry["expected"]
        labels.append({
            "file": entry["file"], "url": entry["url"], "cms": "vsb",
            "headline": expected["headline"], "published": expected["date"],
            "units": expected["paragraphs"], "images": [],
            "html_bytes": gzip.decompress((VSB / entry["file"]).read_bytes()),
        })
    return labels


def decoded(label: dict) -> str:
    """The page as the crawl decodes it (once per page: every extractor reads the same text)."""
    if "html" not in label:
        response = HtmlResponse(label["url"], body=label["html_bytes"])
        label["html"] = with_true_encoding(response).text
    return label["html"]


def archiver_extractor(cms: str) -> Callable[[dict], Output]:
    def run(label: dict) -> Output:
        site = replace(adhoc_site(label["url"]), cms=cms)
        item = extract_article(decoded(label), label["url"], site)
        units = [unit for block in item.text_blocks for unit in text_units(block)]
        published = item.published.strftime("%Y-%m-%d %H:%M:%S") if item.published else None
        return Output(item.headline, published, units, list(item.image_urls),
                      verdict(item).refused is None)
    return run


def trafilatura_extractor(label: dict) -> Output:
    import trafilatura

    html = decoded(label)
    text = trafilatura.extract(html, url=label["url"], include_images=True,
                               output_format="markdown", favor_recall=True) or ""
    meta = trafilatura.extract_metadata(html, default_url=label["url"])
    images = re.findall(r"!\[[^\]]*\]\(([^)\s]+)", text)
    units = [from_markdown(u) for u in (line.strip() for line in text.splitlines())
             if u and not u.startswith("![")]
    out = Output(meta.title if meta and meta.title else "",
                 meta.date if meta and meta.date else None, units, images)
    return replace(out, archived=bool(out.headline and out.units and out.published))


def gne_extractor(label: dict) -> Output:
    from gne import GeneralNewsExtractor

    result = GeneralNewsExtractor().extract(decoded(label), host=label["url"], noise_node_list=[])
    units = [u.strip() for u in (result.get("content") or "").splitlines() if u.strip()]
    out = Output(result.get("title") or "", result.get("publish_time") or None, units,
                 list(result.get("images") or []))
    return replace(out, archived=bool(out.headline and out.units and out.published))


EXTRACTORS: dict[str, Callable[[dict], Output]] = {
    "archiver": archiver_extractor("auto"),
    "archiver-generic": archiver_extractor("generic"),
    "trafilatura": trafilatura_extractor,
    "gne": gne_extractor,
}


@dataclass
class Score:
    matched: int = 0
    predicted: int = 0
    expected: int = 0
    headlines: int = 0
    dates: int = 0
    images_found: int = 0
    images_expected: int = 0
    archived: int = 0
    pages: int = 0
    millis: list[float] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _date_right(got: str | None, want: str | None, exact: bool) -> bool:
    if want is None or got is None:
        return want is None and got is None if exact else want is None
    got_norm = re.sub(r"[/.]", "-", str(got)).strip()
    if len(want) == 10:  # the page states a day only: the time must be midnight
        return got_norm[:10] == want and (not exact or got_norm[10:] in ("", " 00:00:00"))
    return got_norm == want if exact else got_norm[:10] == want[:10]


def score(name: str, labels: list[dict]) -> dict[str, Score]:
    """Scores per family (and "all") of one extractor."""
    extractor = EXTRACTORS[name]
    exact = name.startswith("archiver")
    scores: dict[str, Score] = {}
    for label in labels:
        decoded(label)  # outside the clock
        # CPU time: the figure the extractor costs, less blurred by other jobs on the machine.
        start = time.process_time()
        try:
            out = extractor(label)
        except Exception as error:  # a peer crashing on a page scores nothing for it
            print(f"  {name} failed on {label['file']}: {error}", file=sys.stderr)
            out = Output()
        elapsed = (time.process_time() - start) * 1000
        want = Counter(plain(u) for u in label["units"] if plain(u))
        got = Counter(plain(u) for u in out.units if plain(u))
        for key in (label["cms"], "all"):
            s = scores.setdefault(key, Score())
            s.pages += 1
            s.matched += sum((want & got).values())
            s.predicted += sum(got.values())
            s.expected += sum(want.values())
            s.headlines += plain(out.headline) == plain(label["headline"])
            s.dates += _date_right(out.published, label["published"], exact)
            s.archived += out.archived
            s.images_found += len(set(label["images"]) & set(out.images))
            s.images_expected += len(set(label["images"]))
            s.millis.append(elapsed)
    return scores


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the values lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def table(results: dict[str, dict[str, Score]]) -> str:
    lines = [f"{'family':<24} {'extractor':<17} {'pages':>5} {'P':>6} {'R':>6} {'F1':>6} "
             f"{'headline':>8} {'date':>6} {'archived':>8} {'img rec':>7} {'ms med':>7} "
             f"{'ms p99':>7}"]
    families = sorted({f for scores in results.values() for f in scores} - {"all"}) + ["all"]
    for family in families:
        for name, scores in results.items():
            s = scores.get(family)
            if not s:
                continue
            img = s.images_found / s.images_expected if s.images_expected else 1.0
            lines.append(
                f"{family:<24} {name:<17} {s.pages:>5} {s.precision:>6.3f} {s.recall:>6.3f} "
                f"{s.f1:>6.3f} {s.headlines / s.pages:>8.1%} {s.dates / s.pages:>6.1%} "
                f"{s.archived / s.pages:>8.1%} {img:>7.1%} {statistics.median(s.millis):>7.2f} "
                f"{percentile(s.millis, 0.99):>7.2f}")
    return "\n".join(lines)


def figures(s: Score) -> dict[str, float]:
    """One family's figures as plain numbers (the --json output the quality gate reads)."""
    return {"f1": s.f1, "headline": s.headlines / s.pages, "date": s.dates / s.pages,
            "archived": s.archived / s.pages,
            "images": s.images_found / s.images_expected if s.images_expected else 1.0,
            "ms_median": statistics.median(s.millis), "ms_p99": percentile(s.millis, 0.99)}


def main(argv: list[str]) -> None:
    as_json = "--json" in argv
    names = [a for a in argv if a != "--json"] or list(EXTRACTORS)
    sets = {"corpus": ("corpus: nankai corpus and seeds, per CMS family", load_labels()),
            "schools": ("corpus-schools: two schools never tuned on, per school",
                        load_schools()),
            "vsb": ("corpus-vsb: VSB pages of 17 nankai department sites", load_vsb())}
    results = {key: {name: score(name, labels) for name in names}
               for key, (_, labels) in sets.items()}
    if as_json:
        print(json.dumps({key: {name: {family: figures(s) for family, s in scores.items()}
                                for name, scores in by_name.items()}
                          for key, by_name in results.items()}))
        return
    for key, (title, _) in sets.items():
        print(f"\n{title}")
        print(table(results[key]))


if __name__ == "__main__":
    main(sys.argv[1:])
