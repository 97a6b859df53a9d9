"""Per-site schedules and `archiver crawl --due`, with the clock passed in."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from archiver.config import ConfigError, load_site
from archiver.run.schedule import is_due, record_run
from tests.conftest import run_archiver, site_config, site_report, write_config
from tests.sitebuilder import Article, serve_site

T = datetime.fromisoformat


@pytest.mark.parametrize(
    ("schedule", "last", "now", "due"),
    [
        ("hourly", None, "2026-01-01T10:00", True),             # never run
        ("hourly", "2026-01-01T09:00:04", "2026-01-01T10:00", True),   # cron jitter allowed
        ("hourly", "2026-01-01T09:30", "2026-01-01T10:00", False),
        ("daily", "2025-12-31T10:01", "2026-01-01T10:00", True),
        ("daily", "2026-01-01T01:00", "2026-01-01T10:00", False),
        ("weekly", "2025-12-26T10:00", "2026-01-01T10:00", False),
        ("weekly", "2025-12-25T10:00", "2026-01-01T10:00", True),
        (None, "2025-12-31T09:00", "2026-01-01T10:00", True),    # no schedule: daily
        ("30 6 * * *", "2026-01-01T06:30:02", "2026-01-01T10:00", False),  # ran at today's 6:30
        ("30 6 * * *", "2025-12-31T06:30", "2026-01-01T10:00", True),
        ("30 6 * * *", "2025-12-31T06:30", "2026-01-01T06:00", False),     # not yet fired today
        ("0 8 * * 1", "2025-12-29T08:00", "2026-01-04T23:00", False),      # Mondays only
        ("0 8 * * 1", "2025-12-29T08:00", "2026-01-05T08:00", True),
    ],
)
def test_is_due(schedule, last, now, due):
    assert is_due(schedule, T(last) if last else None, T(now)) is due


def test_a_bad_schedule_is_a_config_error(tmp_path):
    path = write_config(tmp_path, site_config(start_urls=["http://127.0.0.1/l.htm"],
                                              schedule="every tuesday"))
    with pytest.raises(ConfigError) as error:
        load_site(path)
    assert error.value.key == "schedule"


def test_crawl_due_picks_exactly_the_due_sites(server, tmp_path):
    start = serve_site(server, [Article(950000, "定时新闻")])
    configs = tmp_path / "configs"
    for name, schedule in (("hourly-site", "hourly"), ("daily-site", "daily"),
                           ("weekly-site", "weekly"), ("cron-site", "0 6 * * *")):
        write_config(configs, site_config(name, start_urls=[start], schedule=schedule))
    out = tmp_path / "out"
    # Last runs: all at 2026-01-01 05:00, the weekly one a week earlier.
    for name in ("hourly-site", "daily-site", "cron-site"):
        record_run(out, name, T("2026-01-01T05:00"), "finished")
    record_run(out, "weekly-site", T("2025-12-25T05:00"), "finished")
    result = run_archiver("--config-dir", str(configs), "crawl", "--due", "--now",
                          "2026-01-01T07:00", "--output", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "due at 2026-01-01 07:00: cron-site, hourly-site, weekly-site" in result.stdout
    assert "daily-site:" not in result.stdout
    # Each crawled site recorded its run (at the real time it started): ten minutes later only
    # daily-site, whose last run is long past, is due.
    soon = (datetime.now() + timedelta(minutes=10)).replace(microsecond=0)
    later = run_archiver("--config-dir", str(configs), "crawl", "--due", "--now",
                         soon.isoformat(), "--output", str(out))
    assert later.stdout.splitlines()[0] == f"due at {soon:%Y-%m-%d %H:%M}: daily-site"


def test_log_file_gets_the_full_log(server, tmp_path):
    start = serve_site(server, [Article(950100, "日志新闻")])
    write_config(tmp_path / "configs", site_config(start_urls=[start]))
    log = tmp_path / "crawl.log"
    result = run_archiver("--config-dir", str(tmp_path / "configs"), "crawl", "--all",
                          "--output", str(tmp_path / "out"), "--log-file", str(log))
    assert result.returncode == 0
    assert "Spider opened" in log.read_text(encoding="utf-8")
    assert site_report(tmp_path / "out")["articles"]["new"] == 1
