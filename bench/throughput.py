"""Throughput and memory of `archiver crawl` next to a bare Scrapy spider, in the same run.

    .venv/bin/python -m bench.throughput [--articles N] [--concurrency C]   (make bench)

1. Generates a synthetic WebPlus-style news site of N articles (default 2,000; up to 50,000):
   list pages of 20 (list.htm, list2.htm, ...), articles of realistic size with one image each.
2. Serves it with nginx on 127.0.0.1 (Debian's nginx; Twisted's static server when nginx is
   missing, which is slower and says so).
3. Crawls it (a) with a bare Scrapy spider that fetches the same list and article pages and
   yields each headline, and (b) with `archiver crawl` writing the full archive with images;
   politeness off for both (no robots.txt, no delays, no AutoThrottle), same concurrency.
4. Prints pages per second of each, the ratio (b)/(a), the peak RSS of each, the archiver's time
   per stage from a cProfile run, the second (incremental) run's requests and wall time, the
   peak RSS of a crawl into an archive that already holds 50,000 articles, and extraction alone
   (median and p95 ms per page) for this project, trafilatura and GNE.
"""

from __future__ import annotations

import argparse
import json
import os
import pstats
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PER_PAGE = 20
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8cf"
    "c0000003010100c9fe92ef0000000049454e44ae426082"
)
NAV = "".join(f'<li><a href="/{100 + i}/list.htm">栏目{i}</a></li>' for i in range(20))
PARAGRAPH = ("学校召开专题会议，研究部署本学期重点工作。会议指出，要坚持以人才培养为中心，深化教育教学改革，"
             "推进学科建设和科学研究，提升服务社会能力，为建设高水平大学提供坚强保障。")


def article_path(i: int) -> str:
    return f"/{i % 97:02x}/{i % 89:02x}/c1001a{100000 + i}/page.htm"


def article_page(i: int) -> str:
    body = "".join(f"<p>　　{PARAGRAPH}（第{k}段）</p>" for k in range(6))
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<meta name="sudy-wp-siteId" content="1"><title>合成新闻{i}：学校召开专题会议-示例大学</title></head><body>
<div class="header"><ul class="menu">{NAV}</ul></div>
<div class="bread">当前位置：<a href="/main.htm">首页</a> &gt; <a href="/1001/list.htm">要闻</a></div>
<div class="article" frag="窗口3" portletmode="simpleArticleAttri">
<h1 class="arti_title">合成新闻{i}：学校召开专题会议</h1>
<p class="arti_metas"><span class="arti_update">发布时间：2025-03-{1 + i % 28:02d} 10:{i % 60:02d}</span>
<span class="arti_views">浏览次数：{i}</span></p>
<div class="entry"><div class="read"><div class="wp_articlecontent">{body}
<p style="text-align:center"><img src="/_upload/article/images/{i}.png" width="600"/></p>
</div></div></div></div>
<div class="footer"><ul>{NAV}</ul><p>版权所有 示例大学 地址：某市某路1号</p></div></body></html>"""


def list_page(n: int, ids: range, last: bool) -> str:
    items = "".join(f'<li class="news"><span class="news_title"><a href="{article_path(i)}" '
                    f'title="合成新闻{i}">合成新闻{i}</a></span><span class="news_meta">2025-03-01'
                    "</span></li>" for i in ids)
    nxt = "javascript:void(0);" if last else f"/1001/list{n + 1}.htm"
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<meta name="sudy-wp-siteId" content="1"><title>要闻-示例大学</title></head><body>
<div class="header"><ul class="menu">{NAV}</ul></div>
<div frag="窗口6" portletmode="simpleList"><ul class="news_list">{items}</ul>
<ul class="wp_paging"><li class="page_nav"><a class="next" href="{nxt}">下一页</a></li></ul></div>
<div class="footer">版权所有 示例大学</div></body></html>"""


def generate_site(root: Path, count: int) -> int:
    """Write the site's files; returns the number of list pages."""
    pages = (count + PER_PAGE - 1) // PER_PAGE
    for n in range(1, pages + 1):
        name = "list.htm" if n == 1 else f"list{n}.htm"
        path = root / "1001" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        ids = range((n - 1) * PER_PAGE, min(count, n * PER_PAGE))
        path.write_text(list_page(n, ids, n == pages), encoding="utf-8")
    images = root / "_upload" / "article" / "images"
    images.mkdir(parents=True)
    for i in range(count):
        path = root / article_path(i).lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(article_page(i), encoding="utf-8")
        (images / f"{i}.png").write_bytes(PNG)
    return pages


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(root: Path, work: Path) -> tuple[subprocess.Popen, str, str]:
    port = free_port()
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                      else None)
    if nginx:
        conf = work / "nginx.conf"
        conf.write_text(f"""worker_processes 1; daemon off; pid {work}/nginx.pid;
error_log {work}/nginx-error.log; events {{ worker_connections 4096; }}
http {{ access_log off; sendfile on; keepalive_requests 1000000;
  types {{ text/html htm html; image/png png; }}
  client_body_temp_path {work}/cb; proxy_temp_path {work}/px; fastcgi_temp_path {work}/fc;
  uwsgi_temp_path {work}/uw; scgi_temp_path {work}/sc;
  server {{ listen 127.0.0.1:{port}; root {root}; }} }}""")
        proc = subprocess.Popen([nginx, "-c", str(conf), "-p", str(work)],
                                stderr=subprocess.DEVNULL)
        kind = "nginx"
    else:
        twist = Path(PY).with_name("twist")
        proc = subprocess.Popen([str(twist), "web", "--path", str(root), "--listen",
                                 f"tcp:{port}:interface=127.0.0.1"], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        kind = "twisted.web static (nginx not installed: the server may be the bottleneck)"
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    return proc, f"http://127.0.0.1:{port}", kind


def timed(cmd: list[str], cwd: Path, env: dict | None = None) -> tuple[float, float, str]:
    """Run a command; wall seconds, peak RSS in MB (GNU time), its output."""
    started = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-f", "MAXRSS=%M", *cmd], cwd=cwd, env=env,
                            capture_output=True, text=True)
    wall = time.perf_counter() - started
    rss = next((int(line.split("=")[1]) / 1024 for line in result.stderr.splitlines()
                if line.startswith("MAXRSS=")), float("nan"))
    if result.returncode not in (0,):
        print(result.stdout[-2000:], result.stderr[-2000:], file=sys.stderr)
    return wall, rss, result.stdout


BARE_SPIDER = '''
import scrapy

class Bare(scrapy.Spider):
    name = "bare"

    def __init__(self, start, **kw):
        super().__init__(**kw)
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
        yield {"headline": response.css(".arti_title::text").get()}
'''


def scrapy_settings(concurrency: int) -> list[str]:
    settings = {"CONCURRENT_REQUESTS": concurrency, "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
                "ROBOTSTXT_OBEY": False, "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0,
                "LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False}
    return [arg for k, v in settings.items() for arg in ("-s", f"{k}={v}")]


def site_config(base: str, concurrency: int) -> dict:
    return {
        "name": "bench", "school": "示例大学", "label": "bench.local", "tags": ["bench.local"],
        "categories": ["bench.local"], "allowed_domains": ["127.0.0.1"],
        "start_urls": [f"{base}/1001/list.htm"], "cms": "webplus",
        "settings": {"CONCURRENT_REQUESTS": concurrency,
                     "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency, "ROBOTSTXT_OBEY": False,
                     "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0},
    }


STAGES = {
    "list pages (links, paging)": ("archiver/spiders/site.py", "parse_list"),
    "parse + extract": ("archiver/extract/article.py", "extract_article"),
    "  of which Markdown": ("archiver/extract/markdown.py", "to_blocks"),
    "quality gate": ("archiver/pipelines/validate.py", "process_item"),
    "dedup": ("archiver/pipelines/dedup.py", "process_item"),
    "write (to_markdown + atomic write)": ("archiver/pipelines/write.py", "process_item"),
    "images (store)": ("archiver/pipelines/images.py", "persist_file"),
    "charset check": ("archiver/middlewares.py", "process_response"),
}


def stage_times(profile: Path) -> tuple[float, dict[str, float]]:
    stats = pstats.Stats(str(profile))
    total = stats.total_tt
    found: dict[str, float] = {}
    for (filename, _, function), (_, _, _, cumulative, _) in stats.stats.items():
        for stage, (suffix, name) in STAGES.items():
            if filename.endswith(suffix) and function == name:
                found[stage] = found.get(stage, 0.0) + cumulative
    return total, found


def extraction_timings(pages: list[tuple[str, str]]) -> dict[str, tuple[float, float]]:
    from archiver.config import adhoc_site
    from archiver.extract.article import extract_article
    from bench.extraction import gne_extractor, trafilatura_extractor

    def ours(page: dict) -> None:
        extract_article(page["html"], page["url"], adhoc_site(page["url"]))

    runners = {"archiver": ours}
    try:
        import gne  # noqa: F401
        import trafilatura  # noqa: F401

        runners["trafilatura"] = lambda p: trafilatura_extractor(
            {"url": p["url"], "html_bytes": p["html"].encode()})
        runners["gne"] = lambda p: gne_extractor({"url": p["url"], "html_bytes": p["html"].encode()})
    except ImportError:
        print("(trafilatura/gne not installed: pip install -e '.[bench]')")
    results = {}
    for name, run in runners.items():
        millis = []
        for url, html in pages:
            started = time.perf_counter()
            run({"url": url, "html": html})
            millis.append((time.perf_counter() - started) * 1000)
        millis.sort()
        results[name] = (statistics.median(millis), millis[int(len(millis) * 0.95) - 1])
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--big-archive", type=int, default=50_000,
                        help="archive size for the dedup-index memory figure (0: skip)")
    parser.add_argument("--no-profile", action="store_true",
                        help="skip the cProfile run (the per-stage table)")
    args = parser.parse_args()
    import yaml

    with tempfile.TemporaryDirectory(prefix="archiver-bench-") as tmp:
        work = Path(tmp)
        work.chmod(0o755)  # nginx's workers run as another user and must read the site
        site_root = work / "site"
        t0 = time.perf_counter()
        lists = generate_site(site_root, args.articles)
        pages = lists + args.articles
        print(f"site: {args.articles} articles on {lists} list pages, generated in "
              f"{time.perf_counter() - t0:.1f} s")
        server, base, kind = start_server(site_root, work)
        print(f"server: {kind} at {base}; concurrency {args.concurrency}")
        try:
            (work / "bare.py").write_text(BARE_SPIDER)
            bare_env = {k: v for k, v in os.environ.items() if not k.startswith("SCRAPY_")}
            bare_wall, bare_rss, _ = timed(
                [PY, "-m", "scrapy", "runspider", str(work / "bare.py"), "-a",
                 f"start={base}/1001/list.htm", *scrapy_settings(args.concurrency)],
                cwd=work, env=bare_env)

            configs = work / "configs"
            configs.mkdir()
            (configs / "bench.yaml").write_text(
                yaml.safe_dump(site_config(base, args.concurrency), allow_unicode=True))
            out = work / "out"
            crawl = [PY, "-m", "archiver.cli", "--config-dir", str(configs), "crawl", "bench",
                     "--output", str(out), "--full"]
            arch_wall, arch_rss, summary = timed([*crawl, "--report", str(work / "r1.json")],
                                                 cwd=ROOT)
            written = len(list((out / "bench").glob("*.md")))

            second_wall, _, _ = timed([*crawl[:-1], "--report", str(work / "r2.json")], cwd=ROOT)

            # (c) the archiver without its image pipeline: how much the images cost.
            noimg_env = {**os.environ, "ARCHIVER_CONFIG_DIR": str(configs),
                         "ARCHIVER_OUTPUT_DIR": str(work / "out-noimg")}
            pipelines = {"archiver.pipelines.validate.ValidatePipeline": 100,
                         "archiver.pipelines.dedup.DedupPipeline": 200,
                         "archiver.pipelines.write.WritePipeline": 400}
            noimg_wall, _, _ = timed([PY, "-m", "scrapy", "crawl", "bench", "-a", "full=1",
                                      "-s", "LOG_LEVEL=WARNING",
                                      "-s", f"ITEM_PIPELINES={json.dumps(pipelines)}"],
                                     cwd=ROOT, env=noimg_env)
            second = json.loads((work / "r2.json").read_text())["sites"]["bench"]

            total, stages = 0.0, {}
            if not args.no_profile:
                shutil.rmtree(out)
                profile = work / "crawl.prof"
                subprocess.run([PY, "-m", "cProfile", "-o", str(profile), "-m", "archiver.cli",
                                *crawl[3:]], cwd=ROOT, capture_output=True)
                total, stages = stage_times(profile)

            big_rss = None
            if args.big_archive:
                shutil.rmtree(out, ignore_errors=True)
                folder = out / "bench"
                folder.mkdir(parents=True)
                import hashlib

                for i in range(args.big_archive):
                    name = hashlib.md5(f"http://old.example/{i}".encode()).hexdigest()
                    (folder / f"{name}.md").write_text("---\ntitle: x\n---\nx\n")
                _, big_rss, _ = timed(crawl, cwd=ROOT)
        finally:
            server.terminate()
            server.wait()

        bare_pps, arch_pps = pages / bare_wall, pages / arch_wall
        print()
        print(f"{'':32}{'bare Scrapy':>14}{'archiver':>14}")
        print(f"{'pages (lists + articles)':32}{pages:>14}{pages:>14}")
        print(f"{'wall time, s':32}{bare_wall:>14.2f}{arch_wall:>14.2f}")
        print(f"{'pages per second':32}{bare_pps:>14.1f}{arch_pps:>14.1f}")
        print(f"{'peak RSS, MB':32}{bare_rss:>14.1f}{arch_rss:>14.1f}")
        print(f"ratio archiver / bare Scrapy: {arch_pps / bare_pps:.2f} "
              f"(archiver also fetched {args.articles} images and wrote {written} files)")
        print(f"without its image pipeline the archiver takes {noimg_wall:.2f} s: "
              f"{pages / noimg_wall:.1f} pages/s, ratio {pages / noimg_wall / bare_pps:.2f}")
        print(f"archiver summary: {summary.strip().splitlines()[0] if summary.strip() else '-'}")
        print()
        if total:
            print(f"per stage, from a cProfile run (profiled total {total:.2f} s of CPU in the "
                  "main thread):")
        for stage in STAGES if total else ():
            seconds = stages.get(stage, 0.0)
            print(f"  {stage:32}{seconds:>8.2f} s  {seconds / total:>6.1%}  "
                  f"{seconds / args.articles * 1000:>7.3f} ms/article")
        print()
        print(f"incremental run over the unchanged site: {second['requests']} requests "
              f"({second['articles']['new']} new articles), wall time {second_wall:.2f} s "
              "(process start included)")
        if big_rss is not None:
            print(f"peak RSS of the same crawl into an archive already holding "
                  f"{args.big_archive:,} articles: {big_rss:.1f} MB (vs {arch_rss:.1f} MB)")
        print()
        sample = [(f"{base}{article_path(i)}", article_page(i))
                  for i in range(0, args.articles, max(1, args.articles // 200))][:200]
        print(f"extraction alone on {len(sample)} of these pages (ms per page):")
        for name, (median, p95) in extraction_timings(sample).items():
            print(f"  {name:12} median {median:6.2f}   p95 {p95:6.2f}")


if __name__ == "__main__":
    main()
