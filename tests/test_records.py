"""Run records read back (.state.json, .gone.json, .last-run.json) are untrusted input: a bad
one is reported once as `bad_record` and treated as absent, never stops its site or another."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from archiver.config import parse_site
from archiver.run.deadlinks import RECORD as GONE
from archiver.run.records import MAX_RECORD_BYTES, BadRecord, read_record
from archiver.run.resume import STATE_NAME, WalkRecord, fingerprint
from archiver.run.schedule import LAST_RUN, read_last_run
from tests.conftest import latest_report, run_archiver, site_config, write_config
from tests.sitebuilder import Article, serve_site

RECORDS = (STATE_NAME, GONE, LAST_RUN)
FUTURE = "2999-01-01T00:00:00"
LIST_PAGES = 3


def future_time(name: str, good: bytes, start: str) -> bytes:
    """The record as a run writes it, with a time in the future."""
    if name == LAST_RUN:
        document = {"started": FUTURE}
    elif name == GONE:
        document = {start + "x": {"status": 404, "runs": 1, "last": FUTURE[:10]}}
    else:
        document = json.loads(good)
        document["lists"][start]["finished"] = FUTURE
    return json.dumps(document).encode()


# Site name -> what each of its three records is replaced by (from the good record, if any).
BAD = {
    "null": lambda name, good, start: b"null",
    "list": lambda name, good, start: b"[]",
    "number": lambda name, good, start: b"1",
    "truncated": lambda name, good, start: (good or b'{"started": "2026-01-01T00:00"}')[:9],
    "huge": None,  # 50 MB, sparse
    "future": future_time,
    "zone": lambda name, good, start: json.dumps(
        {"started": "2026-01-01T05:00:00+08:00"} if name == LAST_RUN else
        {"version": 1, "fingerprint": "x", "lists": {start: {"walk": "clean",
                                                             "finished": "2026-01-01T05:00+08:00"}}}
        if name == STATE_NAME else {start: {"status": 404, "runs": 1, "last": "2026-01-01T05:00+08:00"}}
    ).encode(),
    "nested": lambda name, good, start: json.dumps(
        {"started": ["2026-01-01"]} if name == LAST_RUN else
        {"version": 1, "fingerprint": "x", "lists": {start: {"walk": "clean", "retry": [1]}}}
        if name == STATE_NAME else {start: {"status": "404", "runs": 2}}
    ).encode(),
}


def corrupt(folder: Path, name: str, how: str, start: str) -> None:
    path = folder / name
    if how == "huge":
        with open(path, "wb") as handle:
            handle.truncate(50 * 1024 * 1024)  # a sparse file: no time, no disk
        return
    good = path.read_bytes() if path.exists() else b""
    path.write_bytes(BAD[how](name, good, start))


def test_every_bad_record_is_reported_once_and_the_next_run_completes(server, tmp_path):
    articles = [Article(960000 + i, f"记录新闻{i}") for i in range(2 * LIST_PAGES)]
    start = serve_site(server, articles, per_page=2)
    configs, out = tmp_path / "configs", tmp_path / "out"
    # "hourly" is due an hour later; every other site (daily) only when its record is bad.
    write_config(configs, site_config("hourly", start_urls=[start], schedule="hourly"))
    write_config(configs, site_config("resting", start_urls=[start]))
    for how in BAD:
        write_config(configs, site_config(how, start_urls=[start]))
    first = run_archiver("--config-dir", str(configs), "crawl", "--all", "--output", str(out))
    assert first.returncode == 0, first.stdout + first.stderr
    for how in BAD:
        for name in RECORDS:
            corrupt(out / how, name, how, start)

    soon = (datetime.now() + timedelta(hours=1)).replace(second=0, microsecond=0)
    due = run_archiver("--config-dir", str(configs), "crawl", "--due", "--now",
                       soon.isoformat(timespec="minutes"), "--output", str(out))
    assert "unexpected error" not in due.stderr
    assert due.returncode == 1, due.stdout + due.stderr  # a bad record needs a look
    assert due.stdout.splitlines()[0] == \
        f"due at {soon:%Y-%m-%d %H:%M}: {', '.join(sorted([*BAD, 'hourly']))}"
    sites = latest_report(out)["sites"]
    assert sorted(sites) == sorted([*BAD, "hourly"])
    assert sites["hourly"]["outcome"] == "ok" and sites["hourly"]["bad_records"] == []
    for how in BAD:
        report = sites[how]
        named = sorted(Path(bad["file"]).name for bad in report["bad_records"])
        assert named == sorted(RECORDS), how
        assert {bad["code"] for bad in report["bad_records"]} == {"bad_record"}, how
        assert report["failures"] == [] and report["finish_reason"] == "finished", how
        # No usable walk record: every list page walked again, every article already there.
        assert report["list_pages"]["walked"] == LIST_PAGES, how
        assert report["articles"]["already_archived"] == len(articles), how
        assert sum(line.startswith("  warning: bad_record: ") and f"/{how}/" in line
                   for line in due.stdout.splitlines()) == 3, how
        # The run wrote good records in their place.
        for name in RECORDS:
            assert (out / how / name).stat().st_size < 10_000, (how, name)

    again = run_archiver("--config-dir", str(configs), "crawl", "--all", "--output", str(out))
    assert again.returncode == 0, again.stdout + again.stderr
    sites = latest_report(out)["sites"]
    for how in BAD:
        assert sites[how]["outcome"] == "ok" and sites[how]["bad_records"] == [], how
        assert sites[how]["list_pages"]["walked"] == 1, how  # the incremental stop is back


@pytest.mark.parametrize(("text", "problem"), [
    ("", "not a JSON record"),
    ('{"started": "2026-01-01T05:00:00"', "not a JSON record"),
    ("[" * 100_000, "not a JSON record"),  # nested too deep for the parser
    ("null", "should be an object, not null"),
    ("[]", "should be an object, not []"),
    ('{"started": 20260101}', "should be a string, not 20260101"),
    ('{"started": true}', "should be a string, not true"),
    ('{"started": "yesterday"}', "is not a time"),
    ('{"started": "2026-01-01T05:00:00Z"}', "has a time zone"),
    ('{"started": "2026-01-02T00:00:00"}', "is in the future"),
])
def test_a_last_run_record_that_cannot_be_used_names_its_problem(tmp_path, text, problem):
    (tmp_path / LAST_RUN).write_text(text, encoding="utf-8")
    with pytest.raises(BadRecord) as error:
        read_last_run(tmp_path, clock=datetime(2026, 1, 1, 12, 0))
    assert problem in error.value.problem
    assert error.value.path == tmp_path / LAST_RUN


def test_a_record_is_read_only_up_to_its_cap(tmp_path):
    path = tmp_path / "record.json"
    path.write_text(json.dumps({"x": "a" * 100}), encoding="utf-8")
    assert read_record(path)["x"] == "a" * 100
    assert read_record(tmp_path / "absent.json") is None
    with pytest.raises(BadRecord, match="larger than"):
        read_record(path, max_bytes=50)
    path.unlink()
    path.mkdir()
    with pytest.raises(BadRecord, match="not a regular file"):
        read_record(path)
    os.mkfifo(tmp_path / "fifo.json")  # no writer: reading it must not wait for one
    with pytest.raises(BadRecord, match="not a regular file"):
        read_record(tmp_path / "fifo.json")
    assert MAX_RECORD_BYTES < 50 * 1024 * 1024


def test_the_walk_record_keeps_only_the_lists_of_the_config(tmp_path):
    kept, dropped = "http://x.edu.cn/a/list.htm", "http://x.edu.cn/old/list.htm"
    site = parse_site("inline", site_config("x", start_urls=[kept],
                                            allowed_domains=["x.edu.cn"]))
    clean = {"walk": "clean", "retry": [], "finished": "2026-01-01T05:00:00"}
    (tmp_path / STATE_NAME).write_text(json.dumps(
        {"version": 1, "fingerprint": fingerprint(site),
         "lists": {kept: clean, dropped: {**clean, "retry": ["http://x.edu.cn/1.htm"] * 50}}}),
        encoding="utf-8")
    record = WalkRecord(tmp_path, site)
    plans = record.load()
    assert record.bad is None
    assert plans[kept].full is False  # the clean walk is trusted
    record.begin()
    written = json.loads((tmp_path / STATE_NAME).read_text(encoding="utf-8"))
    assert list(written["lists"]) == [kept]
