"""Crontab syntax read into APScheduler's cron fields: one parser, used when the configuration is
checked (``schedule.cron``) and when ``bot serve`` schedules the job.

Example: cron_fields("30 1 * * 2-6")["day_of_week"] == "tue,wed,thu,fri,sat"
"""

from __future__ import annotations

from apscheduler.triggers.cron import CronTrigger

from bot.base.errors import ConfigError

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
