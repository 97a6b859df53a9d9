"""Commands over the raw captures: rebuild, history, export (archiver.capture)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from archiver.commands.common import (
    EXIT_CONFIG,
    EXIT_FAILED,
    EXIT_LOCKED,
    EXIT_OK,
    load_registry,
    settings_for,
)


def _site_config(registry, name: str):
    """The config of a site folder: its config file's, or a host's archived by `fetch`."""
    from archiver.config import ConfigError, adhoc_site

    if name in registry.sites:
        return registry.sites[name]
    try:
        return adhoc_site(f"http://{name}/")
    except ConfigError:
        return None


def _site_names(args: argparse.Namespace, output: Path) -> list[str] | None:
    from archiver.archive import archived_sites
    from archiver.capture import captured_sites

    known = sorted(set(archived_sites(output)) | set(captured_sites(output)))
    unknown = [name for name in args.sites if name not in known]
    if unknown:
        print(f"no archive or capture of {', '.join(unknown)} in {output}", file=sys.stderr)
        return None
    return args.sites or known


def _rebuild_lines(result) -> list[str]:
    from archiver.capture import rebuild as r

    counts = ", ".join(f"{result.count(code)} {label}" for code, label in (
        (r.CHANGED, "changed"), (r.RESTORED, "restored"), (r.UNCHANGED, "unchanged"),
        (r.HELD, "held back"), (r.NO_CAPTURE, "no capture")))
    lines = [f"{result.site}: {counts}"]
    for entry in result.of(r.CHANGED):
        lines.append(f"  changed: {entry.url} ({entry.file}): {entry.reason}")
    for entry in result.of(r.RESTORED):
        lines.append(f"  restored: {entry.url} ({entry.file})")
    for entry in result.of(r.HELD):
        lines.append(f"  held back: {entry.url} ({entry.file}): {entry.reason}; file kept")
    for entry in result.of(r.NO_CAPTURE):
        lines.append(f"  no capture: {entry.file} ({entry.url or 'no source link'})")
    return lines


def _rebuild_report(result, code: int) -> dict:
    from dataclasses import asdict

    from archiver.capture import rebuild as r

    return {"mode": "rebuild", "outcome": "ok" if code == EXIT_OK else "failed",
            "exit_code": code,
            "articles": {c: result.count(c) for c in (r.CHANGED, r.RESTORED, r.UNCHANGED, r.HELD,
                                                      r.NO_CAPTURE, r.NOT_ARTICLE)},
            "changed_articles": [asdict(e) for e in result.of(r.CHANGED) + result.of(r.RESTORED)],
            "held_back": [asdict(e) for e in result.of(r.HELD)],
            "no_capture": [asdict(e) for e in result.of(r.NO_CAPTURE)]}


def _write_report(path: Path, started: float, status: int, output: Path,
                  sites: dict) -> str | None:
    """The rebuild's JSON report: the fields every run report has, per site the rebuild's
    counts and articles (codes: archiver.capture.rebuild)."""
    import json

    from archiver.archive import write_atomic
    from archiver.run.report import prune_reports

    document = {
        "command": "rebuild", "argv": sys.argv[1:], "pid": os.getpid(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "duration_seconds": round(time.time() - started, 3), "exit_code": status,
        "output": str(output), "sites": sites}
    try:
        write_atomic(path, json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    except OSError as error:
        return f"cannot write the report {path}: {error.strerror or error}"
    if path.parent.name == ".reports":
        prune_reports(path.parent)
    return None


def cmd_rebuild(args: argparse.Namespace) -> int:
    from archiver.capture import rebuild as r
    from archiver.run.extension import command_line
    from archiver.run.lock import SiteLock, SiteLocked
    from archiver.run.report import default_report_path

    settings = settings_for(args)
    output = Path(settings["ARCHIVER_OUTPUT_DIR"])
    registry = load_registry(settings)
    names = _site_names(args, output)
    if names is None:
        return EXIT_CONFIG
    started, status, written, sites = time.time(), EXIT_OK, False, {}
    for name in names:
        site = _site_config(registry, name)
        if site is None:
            print(f"{name}: no site config and not a host name; skipped", file=sys.stderr)
            status = max(status, EXIT_CONFIG)
            continue
        lock = None if args.dry_run else SiteLock(output, name, command_line())
        try:
            if lock is not None:
                lock.acquire()
        except SiteLocked as error:
            print(f"{name}: not rebuilt: {error}")
            status = EXIT_LOCKED if status in (EXIT_OK, EXIT_FAILED) else status
            continue
        try:
            result = r.rebuild_site(output, site, dry_run=args.dry_run,
                                    image_links=args.image_links,
                                    default_links=settings.get("ARCHIVER_IMAGE_LINKS"))
        finally:
            if lock is not None:
                lock.release()
        written |= bool(result.of(r.CHANGED) or result.of(r.RESTORED)) and not args.dry_run
        code = EXIT_FAILED if result.of(r.HELD) else EXIT_OK
        if code and status == EXIT_OK:
            status = code
        sites[name] = _rebuild_report(result, code)
        for line in _rebuild_lines(result):
            print(line if not args.dry_run else line.replace("  changed:", "  would change:")
                  .replace("  restored:", "  would restore:"))
    if written:
        os.sync()  # the rewritten files were written without an fsync each
    if not args.dry_run:
        path = Path(args.report) if args.report else default_report_path(output, "rebuild")
        error = _write_report(path, started, status, output, sites)
        print(error or f"report: {path}", file=sys.stderr if error else sys.stdout)
    return status


def _find_site(registry, output: Path, url: str):
    """The site whose captures hold the URL: its config's, else any captured site's."""
    from archiver.archive.layout import article_path
    from archiver.capture import captured_sites

    site = registry.site_for_url(url)
    if site is not None:
        return site
    for name in captured_sites(output):
        if article_path(output, name, url).exists():
            return _site_config(registry, name)
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or ""
    return _site_config(registry, host) if host in captured_sites(output) else None


def cmd_history(args: argparse.Namespace) -> int:
    from archiver.capture.history import versions

    settings = settings_for(args)
    output = Path(settings["ARCHIVER_OUTPUT_DIR"])
    registry = load_registry(settings)
    site = _find_site(registry, output, args.url)
    found = versions(output, site, args.url, settings.get("ARCHIVER_IMAGE_LINKS")) \
        if site is not None else []
    if not found:
        print(f"no capture of {args.url} in {output}", file=sys.stderr)
        return EXIT_FAILED
    if args.show is not None:
        if not 1 <= args.show <= len(found):
            print(f"history: --show {args.show}: give 1 to {len(found)}", file=sys.stderr)
            return EXIT_CONFIG
        version = found[args.show - 1]
        if version.text is None:
            print(f"version {version.number} gives no archive file: {version.reason}",
                  file=sys.stderr)
            return EXIT_FAILED
        sys.stdout.write(version.text)
        return EXIT_OK
    print(f"{args.url} ({site.name}): {len(found)} capture(s)")
    first_of: dict[str, int] = {}
    for v in found:
        c = v.capture
        same = first_of.setdefault(c.digest, v.number)
        what = "unchanged page" if c.type == "revisit" or same != v.number else "page"
        note = "the archive file" if v.in_archive else (v.reason or "")
        print(f"  {v.number:>3}  {c.date}  HTTP {c.status}  {c.digest}  "
              f"{what}{f' (as {same})' if same != v.number else ''}"
              f"{'  ' + note if note else ''}")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from archiver.capture.export import ExportError, export_wacz

    settings = settings_for(args)
    output = Path(settings["ARCHIVER_OUTPUT_DIR"])
    names = _site_names(args, output)
    if names is None:
        return EXIT_CONFIG
    target = Path(args.wacz).resolve()
    try:
        warcs, pages = export_wacz(output, names, target)
    except ExportError as error:
        print(f"export: {error}", file=sys.stderr)
        return EXIT_FAILED
    print(f"{target}: {warcs} WARC file(s) of {', '.join(names)}, {pages} article page(s)")
    return EXIT_OK
