"""Ingestion: poll the feeds, catch up missed days through the API, fill the store.

Runs first in ``bot run`` and alone in ``bot fetch``.  Every new or
cross-listed paper lands in the store exactly once; replacements refresh the
metadata of papers already seen.  What went wrong is collected in
``problems`` (a failed feed, a feed item skipped because it cannot be read
or its id is not an arXiv id, a silent announcement day, a failed catch-up) so
the run can exit non-zero while keeping everything that did work.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from bot.base.errors import FetchError
from bot.papers.arxiv_api import ArxivAPI
from bot.papers.feeds import FeedResult, expected_announcement, merge, poll, today_in_new_york
from bot.papers.http import PoliteSession
from bot.papers.store import Store

log = logging.getLogger(__name__)
LAST_POLL = "last_poll_day"


@dataclass
class IngestReport:
    feeds: list[FeedResult] = field(default_factory=list)
    seen: int = 0  # new + cross items, one per paper
    new_ids: list[str] = field(default_factory=list)
    refreshed: int = 0
    caught_up: int = 0
    announced: date | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.problems)

    def lines(self) -> list[str]:
        out = []
        for feed in self.feeds:
            kinds: dict[str, int] = {}
            for item in feed.items:
                kinds[item.announce_type] = kinds.get(item.announce_type, 0) + 1
            detail = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or "empty"
            status = "ok" if feed.ok else f"FAILED: {feed.error}"
            if feed.ok and feed.skipped:
                status += f", {len(feed.skipped)} item(s) skipped"
            out.append(f"feed {feed.category}: {detail} ({status})")
        out.append(f"papers announced: {self.seen}, new to the store: {len(self.new_ids)}, "
                   f"refreshed: {self.refreshed}, caught up: {self.caught_up}")
        out += [f"note: {n}" for n in self.notes]
        out += [f"problem: {p}" for p in self.problems]
        return out


def missed_days(last: date, current: date, holidays: list[date]) -> list[date]:
    """Announcement days strictly between the last poll and the current feed day."""
    days, day = [], last + timedelta(days=1)
    while day < current:
        if expected_announcement(day, holidays):
            days.append(day)
        day += timedelta(days=1)
    return days


def catch_up(config, store: Store, api: ArxivAPI, since: date, until: date, progress=None) -> list[str]:
    """Fetch by submission date through the API and store; returns the new ids.
    ``progress(what, done, total)`` hears about every paper fetched (total unknown)."""
    batch, new_ids, fetched = [], [], 0
    for paper in api.by_date(config.arxiv.categories, since, until):
        fetched += 1
        if progress:
            progress("papers fetched", fetched, None)
        batch.append(paper)
        if len(batch) >= 500:
            new_ids += store.add(batch)
            batch = []
    new_ids += store.add(batch)
    return new_ids


def daily(config, store: Store, *, today: date | None = None, session: PoliteSession | None = None,
          api: ArxivAPI | None = None) -> IngestReport:
    """The daily poll: feeds, then catch-up when days were missed, then sanity checks."""
    arx = config.arxiv
    session = session or PoliteSession(timeout=arx.timeout, retries=arx.retries, deadline=arx.deadline,
                                       name="arXiv RSS")
    report = IngestReport(feeds=poll(arx.categories, arx.rss_url, session))
    healthy = [f for f in report.feeds if f.ok]
    report.problems += [f"feed {f.category} failed: {f.error}" for f in report.feeds if not f.ok]
    # skipped items are reported, but their feed's day still counts as polled
    skipped = [f"feed {f.category}: {why}" for f in healthy for why in f.skipped]
    candidates, replaced = merge(healthy)
    report.seen = len(candidates)
    report.new_ids = store.add(candidates)
    known = store.get_many(p.id for p in replaced)
    store.add([p for p in replaced if p.id in known])
    report.refreshed = len(known)

    today = today or today_in_new_york()
    announced = [f.announced for f in healthy if f.announced]
    report.announced = max(announced) if announced else None
    current = report.announced or today
    last_text = store.get_state(LAST_POLL)
    last = date.fromisoformat(last_text) if last_text else None
    if candidates and not report.new_ids and last == current:
        report.notes.append(f"the feeds serve the batch of {current} again; nothing new (already seen)")
    if last and (missed := missed_days(last, current, arx.holidays)):
        report.notes.append(f"catching up {len(missed)} missed announcement day(s) since {last}")
        try:
            api = api or ArxivAPI.from_config(config)
            new_ids = catch_up(config, store, api, last - timedelta(days=1), current)
            report.caught_up = len(new_ids)
            report.new_ids += [i for i in new_ids if i not in set(report.new_ids)]
        except FetchError as exc:
            report.problems.append(f"catch-up since {last} failed: {exc.one_line()}")
        skipped += [f"catch-up: {why}" for why in getattr(api, "skipped", [])]
    if not candidates and healthy and expected_announcement(current, arx.holidays):
        report.problems.append(
            f"no new papers in any feed on {current}, an announcement day: arXiv or its feed format "
            f"may have changed (check {arx.rss_url})")
    if not report.problems and (last is None or current >= last):
        store.set_state(LAST_POLL, current.isoformat())
    report.problems += skipped
    return report
