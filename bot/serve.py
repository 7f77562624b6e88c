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
from apscheduler.triggers.cron import CronTrigger

from .errors import BotError, ConfigError

log = logging.getLogger("bot.serve")
DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]


def _weekdays(field: str) -> str:
    """A crontab day-of-week field (0 or 7 = Sunday) as APScheduler day names (0 = Monday there)."""
    if field in ("*", "?"):
        return "*"
    chosen: set[int] = set()

    def number(token: str) -> int:
        token = token.lower()
        if token[:3] in DAYS:
            return DAYS.index(token[:3])
        if not token.isdigit() or int(token) > 7:
            raise ValueError(f"day of week {token!r} is not 0-7 or a day's name")
        return int(token) % 7

    for part in field.split(","):
        span, _, step = part.partition("/")
        if span == "*":
            start, end = 0, 6
        elif "-" in span:
            low, high = span.split("-")
            start, end = number(low), (7 if high == "7" else number(high))
        else:
            start = end = number(span)
        chosen.update(day % 7 for day in range(start, end + 1, int(step or 1)))
    return ",".join(DAYS[d] for d in sorted(chosen))


def cron_fields(expression: str) -> dict[str, str]:
    """APScheduler's CronTrigger fields from crontab syntax ('m h dom mon dow', or 's m h dom mon dow');
    ConfigError naming the expression if it does not parse.

    Example: cron_fields("30 1 * * 2-6")["day_of_week"] == "tue,wed,thu,fri,sat"
    """
    fields = expression.split()
    if len(fields) not in (5, 6):
        raise ConfigError(f"schedule.cron {expression!r}: expected 5 fields (or 6 with seconds first)")
    second = fields.pop(0) if len(fields) == 6 else "0"
    minute, hour, day, month, day_of_week = fields
    try:
        values = dict(second=second, minute=minute, hour=hour, day=day, month=month,
                      day_of_week=_weekdays(day_of_week))
        CronTrigger(**values, timezone="UTC")
    except (ValueError, KeyError, IndexError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise ConfigError(f"schedule.cron {expression!r}: {reason}",
                          "use crontab syntax, e.g. '30 1 * * 2-6'") from None
    return values


def cron_trigger(expression: str, timezone: str) -> CronTrigger:
    """A trigger from crontab syntax: 'm h dom mon dow', or 's m h dom mon dow'."""
    try:
        return CronTrigger(**cron_fields(expression), timezone=timezone)
    except (ValueError, KeyError) as exc:  # the zone (checked when the config is loaded)
        raise ConfigError(f"schedule.timezone {timezone!r}: {exc}") from None


def serve(config, job=None, max_runs: int | None = None) -> int:
    """Run ``job`` (default: ``bot run``) on the configured schedule until a signal or max_runs."""
    from .run import run

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
