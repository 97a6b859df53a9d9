"""Throughput and memory of `archiver crawl` next to the same job written by hand with Scrapy.

    .venv/bin/python -m bench.throughput [--articles N] [--rounds R] [--concurrency C]
                                         [--no-profile] [--big-archive N]      (make bench)

1. Generates a synthetic WebPlus-style news site of N articles (default 2,000; up to 50,000):
   list pages of 20, articles of realistic size with one image each (bench/synthetic.py).
2. Serves it with nginx on 127.0.0.1 (bench/nginx.py).
3. Crawls it R times each, alternating which goes first, with (a) the baseline a user would
   write by hand (bench/baseline.py: the same list pages and articles, images through Scrapy's
   FilesPipeline, one python-frontmatter file per article) and (b) `archiver crawl`; same
   concurrency, politeness off for both (bench/runs.py). Every run must write N articles and
   N images, or the benchmark stops.
4. Prints the median wall time, CPU time and peak RSS of each and the ratios archiver/baseline,
   then the time per stage of one cProfile run of each (bench/stages.py), the archiver's
   incremental second run over the unchanged site and, with --big-archive, its peak RSS when
   the archive already holds that many other articles.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from bench.nginx import serve
from bench.runs import Crawl, Run, archiver_crawl, baseline_crawl, measure
from bench.stages import stage_costs
from bench.synthetic import generate_site

SIDES = ("baseline", "archiver")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5,
                        help="runs of each crawl; the medians are compared (default 5)")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--same-tuning", action="store_true",
                        help="give the baseline the archiver's CONCURRENT_ITEMS too (default: "
                        "Scrapy's, as a user writes it by hand)")
    parser.add_argument("--capture", choices=("pages", "all", "off"), default="pages",
                        help="the archiver's `capture:` (default pages, the site default)")
    parser.add_argument("--no-profile", action="store_true",
                        help="skip the cProfile runs (the per-stage table)")
    parser.add_argument("--big-archive", type=int, default=0, metavar="N",
                        help="also measure the archiver's peak RSS crawling into an archive "
                        "that already holds N other articles (the archive index's memory)")
    return parser.parse_args()


def crawls(base: str, work: Path, concurrency: int, same_tuning: bool, capture: str
           ) -> dict[str, Crawl]:
    return {"baseline": baseline_crawl(base, work / "out-baseline", concurrency, same_tuning),
            "archiver": archiver_crawl(base, work / "out-archiver", concurrency, capture)}


def capture_sizes(site: Path) -> str:
    """The captures' size next to the archive's (Markdown files, images): bytes, and blocks
    on disk (every small file takes at least one 4 KB block)."""
    def sizes(paths: list[Path]) -> tuple[int, int]:
        stats = [p.stat() for p in paths if p.is_file()]
        return sum(s.st_size for s in stats), sum(s.st_blocks * 512 for s in stats)

    warc, warc_disk = sizes(list((site / ".warc").glob("*")))
    archive, archive_disk = sizes([*site.glob("*.md"), *(site / "images").glob("*")])
    if not archive:
        return "captures: no archive to compare with"
    return (f"captures: {warc / 1e6:.2f} MB next to an archive of {archive / 1e6:.2f} MB "
            f"(Markdown and images): {100 * warc / archive:.1f} % of its bytes, "
            f"{100 * warc_disk / archive_disk:.1f} % of its disk blocks "
            f"({warc_disk / 1e6:.2f} MB next to {archive_disk / 1e6:.2f} MB)")


def fresh(crawl: Crawl) -> Crawl:
    """The crawl, with whatever an earlier run wrote removed: every run starts empty."""
    shutil.rmtree(crawl.articles.parent, ignore_errors=True)  # the crawl's output folder
    return crawl


def alternate(jobs: dict[str, Crawl], rounds: int, work: Path, articles: int
              ) -> dict[str, list[Run]]:
    """Each crawl `rounds` times, the order swapped every round, so a machine getting busier or
    quieter weighs on both alike."""
    runs: dict[str, list[Run]] = {side: [] for side in SIDES}
    for n in range(rounds):
        for side in SIDES if n % 2 == 0 else reversed(SIDES):
            run = measure(fresh(jobs[side]), work)
            if (run.articles, run.images) != (articles, articles):
                raise SystemExit(f"{side} wrote {run.articles} articles and {run.images} images "
                                 f"of {articles}: not the same job")
            runs[side].append(run)
            print(f"  round {n + 1} {side:9} wall {run.wall:6.2f} s  cpu {run.cpu:6.2f} s  "
                  f"peak RSS {run.rss:6.1f} MB", flush=True)
    return runs


def median(runs: list[Run], field: str) -> float:
    return statistics.median(getattr(run, field) for run in runs)


def print_comparison(runs: dict[str, list[Run]], requests: int) -> None:
    print(f"\nmedians of {len(runs['baseline'])} runs each:")
    print(f"{'':24}{'baseline':>12}{'archiver':>12}{'ratio':>8}")
    for label, field in (("wall time, s", "wall"), ("CPU time, s", "cpu"),
                         ("peak RSS, MB", "rss")):
        base, ours = (median(runs[side], field) for side in SIDES)
        print(f"{label:24}{base:>12.2f}{ours:>12.2f}{ours / base:>8.2f}")
    base, ours = (requests / median(runs[side], "wall") for side in SIDES)
    print(f"{'requests per second':24}{base:>12.1f}{ours:>12.1f}{ours / base:>8.2f}")


def print_stages(profiles: dict[str, Path], articles: int) -> None:
    costs = {side: stage_costs(profiles[side], side) for side in SIDES}
    print("\nper stage, from one cProfile run of each (profiled seconds; ms per article):")
    print(f"{'':32}{'baseline':>10}{'archiver':>10}{'ms/art.':>9}{'ms/art.':>9}")
    for stage in costs["archiver"]:
        base, ours = costs["baseline"][stage], costs["archiver"][stage]
        print(f"  {stage:30}{base:>10.2f}{ours:>10.2f}"
              f"{base / articles * 1000:>9.3f}{ours / articles * 1000:>9.3f}")


def profile_both(jobs: dict[str, Crawl], work: Path) -> dict[str, Path]:
    profiles = {side: work / f"{side}.prof" for side in SIDES}
    for side in SIDES:
        measure(fresh(jobs[side]), work, profile=profiles[side])
    return profiles


def incremental(job: Crawl, work: Path) -> str:
    """The archiver again over the archive its last run left: what an unchanged site costs."""
    run = measure(replace(job, command=[arg for arg in job.command if arg != "--full"]), work)
    report = json.loads(job.report.read_text(encoding="utf-8"))["sites"]["bench"]
    return (f"incremental run over the unchanged site: {report['requests']} request(s), "
            f"{report['articles']['new']} new articles, wall time {run.wall:.2f} s "
            "(process start included)")


def big_archive(job: Crawl, work: Path, count: int, rss: float) -> str:
    """The archiver's peak RSS when its archive already holds `count` other articles."""
    fresh(job).articles.mkdir(parents=True)
    for i in range(count):
        name = hashlib.md5(f"http://old.example/{i}".encode()).hexdigest()
        (job.articles / f"{name}.md").write_text("---\ntitle: x\n---\nx\n", encoding="utf-8")
    run = measure(job, work)
    return (f"peak RSS of the same crawl into an archive already holding {count:,} articles: "
            f"{run.rss:.1f} MB (vs {rss:.1f} MB into an empty one)")


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="archiver-bench-") as tmp:
        work = Path(tmp)
        work.chmod(0o755)  # nginx's workers run as another user and must read the site
        started = time.perf_counter()
        lists = generate_site(work / "site", args.articles)
        print(f"site: {args.articles} articles on {lists} list pages "
              f"({time.perf_counter() - started:.1f} s to generate)")
        with serve(work / "site", work) as (base, kind):
            print(f"server: {kind} at {base}; concurrency {args.concurrency}")
            jobs = crawls(base, work, args.concurrency, args.same_tuning, args.capture)
            runs = alternate(jobs, args.rounds, work, args.articles)
            sizes = capture_sizes(jobs["archiver"].articles)
            second = incremental(jobs["archiver"], work)
            profiles = None if args.no_profile else profile_both(jobs, work)
            big = args.big_archive and big_archive(jobs["archiver"], work, args.big_archive,
                                                   median(runs["archiver"], "rss"))
        # Requests: the list pages, then per article its page and its image.
        print_comparison(runs, lists + args.articles * 2)
        if profiles:
            print_stages(profiles, args.articles)
        print(f"\ncapture: {args.capture}; {sizes}")
        print(f"{second}")
        if big:
            print(big)


if __name__ == "__main__":
    main()
