"""Benchmark: ingest a week of real arXiv listings served as RSS over loopback.

Replays 2025-09-15 .. 2025-09-19 (complete cs.CV and cs.LG new+cross days in
../shared/data/arxiv), one feed per category and day, through the real
`bot.papers.ingest.daily` (feedparser + SQLite store).  Prints papers/second for the
whole run, the parse+store time of each day with the network excluded, and
peak memory.  Target: a full day of all configured categories (~2,000 items)
parsed and stored in under 2 seconds.

Run: python bench/bench_ingest.py
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from arxiv_fixtures import Loopback, Reply, day_listing, rss20, write_config  # noqa: E402

from bot.base.config import load_config  # noqa: E402
from bot.papers.feeds import merge, parse_feed  # noqa: E402
from bot.papers.ingest import daily  # noqa: E402
from bot.papers.store import Store  # noqa: E402

DAYS = ["2025-09-15", "2025-09-16", "2025-09-17", "2025-09-18", "2025-09-19"]
CATEGORIES = ["cs.CV", "cs.LG"]
TARGET_SECONDS = 2.0


def main() -> None:
    feeds = {(day, cat): rss20(cat, day, day_listing(day, cat)) for day in DAYS for cat in CATEGORIES}
    rows, total_items, total_wall = [], 0, 0.0
    with tempfile.TemporaryDirectory() as folder, Loopback() as server:
        config = load_config(write_config(Path(folder), arxiv__rss_url=server.url + "/rss/{category}",
                                          arxiv__categories=CATEGORIES))
        with Store(config.store.path) as store:
            for day in DAYS:
                for cat in CATEGORIES:
                    server.routes[f"/rss/{cat}"] = Reply(body=feeds[(day, cat)])
                items = sum(len(day_listing(day, c)) for c in CATEGORIES)
                started = time.perf_counter()
                report = daily(config, store, today=date.fromisoformat(day))
                wall = time.perf_counter() - started
                # the same work with the network excluded: parse the bytes, merge, store
                started = time.perf_counter()
                with Store(Path(folder) / f"offline-{day}.sqlite") as scratch:
                    parsed = [parse_feed(feeds[(day, c)], c) for c in CATEGORIES]
                    candidates, _ = merge(parsed)
                    scratch.add(candidates)
                offline = time.perf_counter() - started
                rows.append((day, items, len(report.new_ids), wall, offline))
                total_items += items
                total_wall += wall
    # a full-size day: the week's real items in one day's feeds (~2,000 after cross-listing)
    full = {c: rss20(c, DAYS[-1], [i for d in DAYS for i in day_listing(d, c)]) for c in CATEGORIES}
    full_items = sum(len(parse_feed(full[c], c).items) for c in CATEGORIES)
    timings = []
    with tempfile.TemporaryDirectory() as folder:
        for attempt in range(3):
            started = time.perf_counter()
            with Store(Path(folder) / f"full-{attempt}.sqlite") as scratch:
                candidates, _ = merge([parse_feed(full[c], c) for c in CATEGORIES])
                scratch.add(candidates)
            timings.append(time.perf_counter() - started)
    full_seconds = sorted(timings)[1]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("| day | feed items | new papers | wall s (loopback) | parse+store s (no network) | items/s |")
    print("|---|---:|---:|---:|---:|---:|")
    for day, items, new, wall, offline in rows:
        print(f"| {day} | {items} | {new} | {wall:.2f} | {offline:.2f} | {items / offline:,.0f} |")
    print(f"| full-size day (week in one) | {full_items} | {len(candidates)} | - | {full_seconds:.2f} | "
          f"{full_items / full_seconds:,.0f} |")
    print(f"\nweek: {total_items} items in {total_wall:.2f} s over loopback = {total_items / total_wall:,.0f} papers/s")
    print(f"peak memory (max RSS, whole process incl. fixtures): {peak_mb:.0f} MB")
    scaled = full_seconds / full_items * 2000
    verdict = "met" if scaled < TARGET_SECONDS else "MISSED"
    print(f"target: 2,000 items parsed+stored in < {TARGET_SECONDS:.0f} s -> {scaled:.2f} s per 2,000 items "
          f"(median of 3, {verdict})")


if __name__ == "__main__":
    main()
