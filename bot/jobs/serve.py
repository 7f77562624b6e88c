"""`bot serve`: run the main job on a schedule, for self-hosting, with APScheduler.

A long-running process.  ``schedule.cron`` (crontab syntax, 5 fields, or 6 with
seconds first) in ``schedule.timezone`` triggers the same job as ``bot run``;
never two at once (one instance, missed runs coalesced into one within a
grace time).  Each run's summary is logged; a failing run is logged and the
next one still comes; SIGINT/SIGTERM stop the scheduler cleanly after the run
in progress.
"""

from __future__ import annotations

import logging
import signal
import threading

from apscheduler.events import EVENT_JOB_MAX_INSTANCES
from apscheduler.schedulers.blocking import BlockingScheduler

from bot.base.cron import cron_trigger
from bot.base.errors import BotError

log = logging.getLogger("bot.jobs.serve")
def serve(config, job=None, max_runs: int | None = None) -> int:
    """Run ``job`` (default: ``bot run``) on the configured schedule until a signal or max_runs."""
    from bot.jobs.run import run

    job = job or (lambda: run(config))
    settings = config.schedule
    scheduler = BlockingScheduler(timezone=settings.timezone, job_defaults={
        "coalesce": True, "max_instances": 1, "misfire_grace_time": settings.misfire_grace_seconds})
    runs = {"done": 0, "failed": 0}
    lock = threading.Lock()

    def scheduled() -> None:
        log.info("run started")
        try:
            report = job()
            for line in report.lines():
                log.info(line)
            failed = report.failed
        except BotError as exc:
            log.error("run failed: %s", exc.one_line())
            failed = True
        except Exception:  # the service survives anything a run throws
            log.exception("run crashed")
            failed = True
        with lock:
            runs["done"] += 1
            runs["failed"] += failed
            log.info("run %s (%d done, %d failed)", "FAILED" if failed else "finished", runs["done"], runs["failed"])
            if max_runs and runs["done"] >= max_runs:
                scheduler.shutdown(wait=False)

    def stop(signum, _frame) -> None:
        log.info("received %s: stopping after the run in progress", signal.Signals(signum).name)
        scheduler.shutdown(wait=False)

    scheduler.add_listener(lambda event: log.warning("previous run still going: this one is skipped"),
                           EVENT_JOB_MAX_INSTANCES)
    trigger = cron_trigger(settings.cron, settings.timezone)
    scheduler.add_job(scheduled, trigger, id="bot-run", name="bot run")
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    log.info("serving: schedule %r (%s), next run at %s", settings.cron, settings.timezone,
             trigger.get_next_fire_time(None, __import__("datetime").datetime.now(trigger.timezone)))
    try:
        scheduler.start()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    log.info("stopped (%d runs, %d failed)", runs["done"], runs["failed"])
    return 0
