"""How long `archiver status` takes on a big archive.

    .venv/bin/python -m bench.status [--sites 200] [--articles 100000] [--reports 200]

Builds, in a temporary folder, SITES site configs and an archive of ARTICLES archive files
spread over them (front matter as docs/format.md, a body of a few paragraphs, dates over ten
years), each site with its .last-run.json, .state.json and .gone.json, and REPORTS run
reports in <output>/.reports/ (each naming every site, with a few failures). Then times
`archiver status` as a user runs it (a new process each time): the first run (no status cache
yet: every archive file's head is read), then warm runs, --json and --html, and a run after one
site got a new article. Prints the times in seconds.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CONFIG = """name: {name}
school: 示例大学{n}
label: {name}.edu.cn
tags: [{name}.edu.cn]
categories: [{name}.edu.cn]
allowed_domains: [{name}.edu.cn]
start_urls: [http://www.{name}.edu.cn/news/list.htm]
cms: webplus
schedule: daily
"""

ARTICLE = """---
title: 示例大学{n}->学校召开第{i}次工作会议，部署下一阶段重点任务 | {name}.edu.cn
date: {date}
urlname: {urlname}
tags:
- {name}.edu.cn
categories:
- {name}.edu.cn
---

{body}

[转入文章首发地址]({url})
"""
BODY = "\n\n".join(["会议指出，要坚持问题导向，细化工作举措，确保各项任务落到实处。" * 6] * 5)


def build(root: Path, sites: int, articles: int, reports: int) -> tuple[Path, Path]:
    configs, output = root / "configs", root / "output"
    configs.mkdir()
    (output / ".reports").mkdir(parents=True)
    per_site = articles // sites
    for s in range(sites):
        name = f"site{s:03d}"
        (configs / f"{name}.yaml").write_text(CONFIG.format(name=name, n=s), encoding="utf-8")
        folder = output / name
        folder.mkdir()
        for i in range(per_site):
            url = f"http://www.{name}.edu.cn/{2015 + i % 10}/c1a{i}/page.htm"
            digest = hashlib.md5(url.encode()).hexdigest()
            date = f"{2015 + i % 10}-{1 + i % 12:02d}-{1 + i % 28:02d} 09:30:00"
            (folder / f"{digest}.md").write_text(ARTICLE.format(
                n=s, i=i, name=name, date=date, urlname=digest, body=BODY, url=url),
                encoding="utf-8")
        (folder / ".last-run.json").write_text('{"started": "2026-01-01T06:00:00"}\n')
        (folder / ".gone.json").write_text(json.dumps({
            f"http://www.{name}.edu.cn/old{k}.htm": {"status": 404, "runs": 2,
                                                     "last": "2025-12-31"} for k in range(3)}))
        (folder / ".state.json").write_text(json.dumps({"version": 1, "fingerprint": "x", "lists": {
            f"http://www.{name}.edu.cn/news/list.htm": {
                "walk": "clean", "retry": [f"http://www.{name}.edu.cn/r{k}.htm"
                                           for k in range(2)]}}}))
    for r in range(reports):
        started = time.strftime("%Y-%m-%dT%H:%M:%S+0800",
                                time.gmtime(1767225600 + r * 3600))
        document = {"command": "crawl", "started": started, "exit_code": 1, "sites": {
            f"site{s:03d}": {
                "mode": "crawl", "outcome": "failed", "exit_code": 1, "reason": "",
                "health": [], "articles": {"new": 3, "failed": 1},
                "failures": [{"kind": "article", "url": f"http://www.site{s:03d}.edu.cn/x.htm",
                              "reason": "HTTP 500"}],
            } for s in range(sites)}}
        name = f"{started[:10].replace('-', '')}-{r:06d}-crawl.json"
        (output / ".reports" / name).write_text(json.dumps(document, indent=2))
    return configs, output


def timed(command: list[str]) -> float:
    began = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--reports", type=int, default=200)
    args = parser.parse_args()
    archiver = str(Path(sys.executable).with_name("archiver"))
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        began = time.perf_counter()
        configs, output = build(root, args.sites, args.articles, args.reports)
        print(f"built {args.sites} sites, {args.articles} articles, {args.reports} reports in "
              f"{time.perf_counter() - began:.1f} s")
        base = [archiver, "status", "--config-dir", str(configs), "--output", str(output)]
        print(f"first run (no cache):  {timed(base):.2f} s")
        warm = [timed(base) for _ in range(3)]
        print(f"warm runs:             {', '.join(f'{t:.2f}' for t in warm)} s")
        print(f"--json:                {timed([*base, '--json']):.2f} s")
        print(f"--html:                {timed([*base, '--html', str(root / 's.html')]):.2f} s "
              f"({os.path.getsize(root / 's.html') // 1024} KB)")
        new = output / "site000" / ("0" * 32 + ".md")
        new.write_text(ARTICLE.format(n=0, i=0, name="site000", date="2026-01-02 10:00:00",
                                      urlname="0" * 32, body=BODY, url="http://x/"))
        print(f"after one new article: {timed(base):.2f} s")
        print(f"`archiver sites` (for scale): {timed([archiver, 'sites', '--config-dir', str(configs)]):.2f} s")


if __name__ == "__main__":
    main()
