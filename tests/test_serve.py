"""`bot serve`: a schedule of seconds, a run that fails once, a clean stop on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime

import pytest
from arxiv_fixtures import Loopback, Reply, day_listing, rss20, write_config
from conftest import ROOT

from bot.base.config import load_config
from bot.base.cron import _weekdays, cron_trigger
from bot.base.errors import ConfigError, FetchError
from bot.jobs.serve import serve


@pytest.mark.parametrize("field,names", [
    ("1-5", "mon,tue,wed,thu,fri"), ("2-6", "tue,wed,thu,fri,sat"), ("0", "sun"), ("7", "sun"),
    ("0,6", "sun,sat"), ("*", "*"), ("mon-fri", "mon,tue,wed,thu,fri"), ("*/2", "sun,tue,thu,sat"),
])
def test_serve_crontab_weekdays_are_translated(field, names):
    assert _weekdays(field) == names


def test_serve_cron_trigger_fires_on_crontab_days():
    trigger = cron_trigger("30 1 * * 2-6", "UTC")  # crontab: Tuesday to Saturday
    monday = datetime(2026, 11, 23, 12, 0, tzinfo=trigger.timezone)
    assert trigger.get_next_fire_time(None, monday).strftime("%a %H:%M") == "Tue 01:30"


def test_serve_bad_cron_is_a_config_error():
    with pytest.raises(ConfigError, match="expected 5 fields"):
        cron_trigger("every day", "UTC")


@pytest.mark.parametrize("runs", ["0", "-1"])
def test_serve_max_runs_below_one_is_refused_at_once(runs):
    """Else it would wait for the schedule and run until killed (here: until the timeout fails the test)."""
    result = subprocess.run([sys.executable, "-m", "bot", "--config", str(ROOT / "config.yaml"), "serve",
                             "--max-runs", runs], capture_output=True, text=True, timeout=30, cwd=ROOT)
    assert result.returncode == 2 and "--max-runs" in result.stderr and result.stderr.count("\n") == 1, result.stderr


class Report:
    def __init__(self, failed):
        self.failed = failed

    def lines(self):
        return ["summary line"]


def test_serve_survives_a_failing_run_and_never_overlaps(tmp_path, caplog):
    config = load_config(write_config(tmp_path, schedule__cron="* * * * * *"))
    calls = []

    def job():
        calls.append(time.monotonic())
        if len(calls) == 1:
            raise FetchError("arXiv RSS http://x: HTTP 503 after 4 attempts")
        time.sleep(1.5)  # longer than the schedule's interval: the next tick must be skipped
        return Report(False)

    caplog.set_level("INFO", logger="bot.jobs.serve")
    assert serve(config, job, max_runs=3) == 0
    assert len(calls) == 3
    assert "run failed: arXiv RSS http://x: HTTP 503" in caplog.text
    assert caplog.text.count("run finished") == 2 and "summary line" in caplog.text
    assert calls[2] - calls[1] >= 1.5  # runs never overlap


def test_serve_process_runs_on_schedule_and_stops_on_sigterm(tmp_path, model_folder):
    listing = day_listing("2025-09-18", "cs.CV")
    with Loopback() as feeds:
        feeds.routes["/rss/cs.CV"] = [Reply(500, b"down", {"Retry-After": "0"}),
                                      Reply(body=rss20("cs.CV", "2025-09-18", listing))]
        config = write_config(tmp_path, schedule__cron="*/2 * * * * *", arxiv__rss_url=feeds.url + "/rss/{category}",
                              arxiv__categories=["cs.CV"], arxiv__retries=0, classifier__model_path=str(model_folder))
        env = {k: v for k, v in os.environ.items() if k != "GITHUB_TOKEN"}
        process = subprocess.Popen([sys.executable, "-m", "bot", "--config", str(config), "serve"],
                                   stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)
        log, deadline = [], time.monotonic() + 90
        while time.monotonic() < deadline:
            line = process.stderr.readline()
            log.append(line)
            if "run finished" in line:
                break
        process.send_signal(signal.SIGTERM)
        _, rest = process.communicate(timeout=60)
    text = "".join(log) + rest
    assert process.returncode == 0, text
    assert "feed cs.CV failed" in text and "run FAILED" in text  # the first run: the feed is down
    assert "proposed: 2" in text and "run finished" in text  # a later run: proposed
    assert "received SIGTERM" in text and "stopped (" in text
