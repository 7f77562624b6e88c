"""The list's pace: how many papers its maintainers add a month, and the budget that follows from it.

Runs in ``bot init`` (to print the budget it predicts) and at the start of every
training (``train.py`` hands the budget to ``operating.py``).  One formula for
every list::

    budget per 1,000 feed papers = K x (papers the list adds a month) / (feed papers a month) x 1,000

The list's rate is read from the list itself: the months of its entries (an
arXiv id carries its year and month, ``2503.01234`` is March 2025; an entry's own
date counts where it has no id) over the last ``WINDOW_MONTHS`` before the
list's newest dated entry (a snapshot that stopped growing keeps the pace it had), or over
the list's life when it is younger.  The feed's rate
is measured on the store's papers (their listing dates); with less than
``MIN_FEED_DAYS`` of them, ``DEFAULT_FEED_PER_MONTH`` stands in (stated as such).
``K`` proposes more than the maintainers add: the list's next papers are not
all the most list-like of the feed, and a proposal costs a maintainer seconds,
a missed paper a hole in the list.  The budget is kept within
[``MIN_BUDGET``, ``MAX_BUDGET``]: never zero, never a flood.  Example::

    pace = list_pace(["2503.01234", "2504.00002"], feed_dates=["2025-05-02"] * 4000)
    pace.budget_per_1000, pace.evidence
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

K = 3.0  # proposals per paper the maintainers add (chosen on bench/bench_lists.py, see the README)
WINDOW_MONTHS = 12  # the list's recent pace: its additions over the last year
MIN_ENTRIES = 5  # fewer dated entries in the window: the pace is thin (the budget falls back)
MIN_FEED_DAYS = 28  # the store's feed must span this many days to measure the feed's rate
DEFAULT_FEED_PER_MONTH = 4000.0  # cs.CV + cs.LG + eess.IV announce about this many papers a month (2025-26)
MIN_BUDGET = 0.5  # proposals per 1,000 feed papers, at least ...
MAX_BUDGET = 50.0  # ... and at most
FALLBACK_BUDGET = 2.0  # when the list's pace cannot be read (no dated entries)
NEW_ID = re.compile(r"^(\d{2})(\d{2})\.\d{4,5}$")
DAYS_PER_MONTH = 30.44


@dataclass(frozen=True)
class Pace:
    """What the list's history says: its additions a month, the feed's papers a month, the budget."""

    added_per_month: float
    feed_per_month: float
    budget_per_1000: float
    evidence: str  # one line: what the numbers were read from
    thin: str = ""  # why the evidence is thin (empty when it is not)


def entry_month(arxiv_id: str | None, entry_date: str | date | None = None) -> date | None:
    """The month an entry was written about: its arXiv id's (YYMM), else its own date's.

    Example: entry_month("2503.01234") == date(2025, 3, 1)
    """
    match = NEW_ID.match(arxiv_id or "")
    if match:
        year, month = 2000 + int(match.group(1)), int(match.group(2))
        if 1 <= month <= 12:
            return date(year, month, 1)
    if isinstance(entry_date, str) and entry_date:
        try:
            entry_date = date.fromisoformat(entry_date[:10])
        except ValueError:
            return None
    return entry_date.replace(day=1) if isinstance(entry_date, date) else None


def day_of(text: str | None) -> date | None:
    """The date of an ISO listing date ('2025-05-02...'), None for anything else (never an error)."""
    try:
        return date.fromisoformat((text or "")[:10])
    except ValueError:
        return None


def feed_rate(feed_dates: Iterable[str], as_of: date) -> tuple[float | None, str]:
    """(feed papers a month over the last three months of the store, or None when too few days; its evidence)."""
    days = sorted(d.isoformat() for d in map(day_of, feed_dates) if d)
    if not days:
        return None, "no feed papers in the store"
    start = max(date.fromisoformat(days[0]), as_of - timedelta(days=91))
    recent = [d for d in days if start.isoformat() <= d <= as_of.isoformat()]
    span = (as_of - start).days + 1
    if span < MIN_FEED_DAYS or not recent:
        return None, f"the store's feed spans {span} days (fewer than {MIN_FEED_DAYS})"
    per_month = len(recent) / span * DAYS_PER_MONTH
    return per_month, f"{len(recent):,} feed papers in {span} days"


def list_pace(entry_months: Iterable[date | None], feed_dates: Iterable[str] = (), as_of: date | None = None,
              k: float = K) -> Pace:
    """The list's pace and the budget it implies (see the module docstring).

    ``entry_months``: one per entry (``entry_month``; None for an undated entry);
    ``feed_dates``: the listing dates of the store's feed papers; ``as_of``: the day
    the budget is for (default: the newest feed date, else today).
    """
    feed_dates = [d.isoformat() for d in map(day_of, feed_dates) if d]
    if as_of is None:
        as_of = date.fromisoformat(max(feed_dates)) if feed_dates else date.today()
    feed, feed_evidence = feed_rate(feed_dates, as_of)
    thin = []
    if feed is None:  # normal before the first weeks of feed: stated in the evidence, not a warning
        feed_evidence += f": assumed {DEFAULT_FEED_PER_MONTH:,.0f} feed papers a month"
        feed = DEFAULT_FEED_PER_MONTH
    else:
        feed_evidence += f" ({feed:,.0f} a month)"
    months = sorted(m for m in entry_months if m is not None and m <= date.today())  # the list's own history
    # the list's own last year: a snapshot that stopped growing keeps the pace it had (its newest entry
    # ends the window, not today)
    end = months[-1] if months else as_of.replace(day=1)
    window_start = date(end.year - WINDOW_MONTHS // 12, end.month, 1)
    recent = [m for m in months if m > window_start]
    if len(recent) < MIN_ENTRIES:
        thin.append(f"{len(recent)} dated entries in the list's last {WINDOW_MONTHS} months (fewer than "
                    f"{MIN_ENTRIES}): a budget of {FALLBACK_BUDGET:g} per 1,000")
        return Pace(len(recent) / WINDOW_MONTHS, feed, FALLBACK_BUDGET,
                    f"{len(recent)} entries dated in the list's last {WINDOW_MONTHS} months; {feed_evidence}",
                    "; ".join(thin))
    # the whole window for a list older than it (a quiet year counts), else the list's life so far
    start = recent[0] if months[0] > window_start else date(window_start.year + window_start.month // 12,
                                                            window_start.month % 12 + 1, 1)
    span = max((end.year - start.year) * 12 + end.month - start.month + 1, 1)  # whole months, both ends
    added = len(recent) / span
    budget = min(max(k * added / feed * 1000, MIN_BUDGET), MAX_BUDGET)
    evidence = (f"{len(recent)} entries dated {start.isoformat()[:7]} .. {end.isoformat()[:7]} "
                f"({added:.1f} a month); {feed_evidence}; "
                f"{k:g} x {added:.1f} / {feed:,.0f} x 1,000 = {k * added / feed * 1000:.2f} per 1,000")
    if budget != k * added / feed * 1000:
        evidence += f", kept within [{MIN_BUDGET:g}, {MAX_BUDGET:g}]"
    return Pace(added, feed, round(budget, 2), evidence, "; ".join(thin))
