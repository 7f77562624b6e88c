"""The operating point every list has: a budget from the list's own pace, never zero, moved by
cross-validation only within bounds; thin evidence said in one line."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from arxiv_fixtures import load_papers, write_config
from conftest import ROOT

from bot.papers.paper import Paper
from bot.papers.store import Store
from classifier.operating import MOVE, OperatingRule, Rows, choose
from classifier.pace import FALLBACK_BUDGET, MIN_BUDGET, K, entry_month, list_pace

FIXTURES = ROOT / "tests" / "fixtures" / "lists"


def months(per_month: int, first: str = "2024-07", count: int = 12) -> list[date]:
    year, month = map(int, first.split("-"))
    out = []
    for _ in range(count):
        out += [date(year, month, 1)] * per_month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def feed(per_day: int, days: int = 60, last: str = "2025-06-30") -> list[str]:
    end = date.fromisoformat(last)
    return [date.fromordinal(end.toordinal() - d).isoformat() for d in range(days) for _ in range(per_day)]


def test_pace_entry_month_reads_arxiv_ids_and_entry_dates():
    assert entry_month("2503.01234") == date(2025, 3, 1)
    assert entry_month("2312.1234") == date(2023, 12, 1)
    assert entry_month("title-key-of-an-entry", "2024-05-17") == date(2024, 5, 1)
    assert entry_month("hep-th/9901001") is None and entry_month(None) is None


def test_pace_budget_follows_the_lists_additions_and_the_feed():
    slow, fast = list_pace(months(5), feed(130)), list_pace(months(10), feed(130))
    assert slow.added_per_month == pytest.approx(5) and fast.added_per_month == pytest.approx(10)
    assert fast.budget_per_1000 == pytest.approx(2 * slow.budget_per_1000, rel=0.02)
    busier = list_pace(months(5), feed(260))
    assert busier.budget_per_1000 == pytest.approx(slow.budget_per_1000 / 2, rel=0.02)
    assert slow.budget_per_1000 == pytest.approx(K * 5 / slow.feed_per_month * 1000, rel=0.01)
    assert not slow.thin and "5.0 a month" in slow.evidence


def test_pace_of_a_snapshot_that_stopped_growing_is_the_pace_it_had():
    """The bundled list stops in 2023: its last year, not the year before today, gives its pace."""
    stale = list_pace(months(8, "2022-09"), feed(130, last="2025-09-18"))
    assert stale.added_per_month == pytest.approx(8) and stale.budget_per_1000 > MIN_BUDGET


def test_pace_with_thin_evidence_falls_back_to_a_budget_and_says_why():
    for entries in ([], [date(2025, 1, 1)] * 3, [None] * 40):
        pace = list_pace(entries, feed(130))
        assert pace.budget_per_1000 == FALLBACK_BUDGET > 0
        assert "fewer than" in pace.thin and "\n" not in pace.thin


def rows_without_abstract_positives(n: int = 9000) -> Rows:
    """A list known by its titles only, and a learned lexicon that found no weak positive."""
    rng = np.random.default_rng(0)
    kinds = np.array(["negative"] * n + ["list"] * 40)
    probability = np.concatenate([rng.beta(1, 30, n), rng.beta(5, 3, 40)])
    return Rows(probability, kinds, np.array([False] * n + [True] * 40), np.ones(n + 40))


def test_pace_budget_is_never_zero_without_abstract_positives():
    rows = rows_without_abstract_positives()
    pace = list_pace(months(6), feed(130))
    chosen, _ = choose(rows, OperatingRule(target_recall=0.98), pace)
    assert chosen["budget_per_1000"] == pace.budget_per_1000 > 0
    assert chosen["proposals_per_1000"] == pytest.approx(pace.budget_per_1000, abs=0.2)
    assert "cross-validation does not move it" in chosen["rule"]


def test_pace_cross_validation_moves_the_budget_only_within_bounds():
    rng = np.random.default_rng(1)
    kinds = np.array(["negative"] * 9000 + ["positive"] * 300 + ["list"] * 50)
    probability = np.concatenate([rng.beta(1, 30, 9000), rng.beta(3, 3, 300), rng.beta(5, 3, 50)])
    rows = Rows(probability, kinds, np.array([False] * 9350), np.ones(9350))
    small = list_pace(months(1), feed(130))  # the weak positives alone ask for far more than this
    chosen, _ = choose(rows, OperatingRule(target_recall=0.95), small)
    assert chosen["budget_per_1000"] == pytest.approx(small.budget_per_1000 * MOVE, abs=0.01)
    configured, _ = choose(rows, OperatingRule(budget_per_1000=15), small)
    assert configured["budget_per_1000"] == 15  # the maintainers' setting overrides the pace


def test_train_command_on_a_tiny_list_trains_with_one_line_warnings_and_a_budget(tmp_path, bot):
    """A list of a few entries that share no term: a warning per thin piece of evidence, a model, a
    budget above zero; never a traceback, never a silent zero."""
    tiny = tmp_path / "tiny.md"
    tiny.write_text("# Papers\n\n## Things\n\n- [Quantum error correction with surface codes](https://arxiv.org/abs/"
                    "2506.00001)\n- [A survey of bird migration](https://arxiv.org/abs/2506.00002)\n"
                    "- [Protein folding at scale](https://arxiv.org/abs/2506.00003)\n")
    config = write_config(tmp_path, classifier__lexicon=None)
    with Store(tmp_path / "papers.sqlite") as store:
        store.add(Paper.from_json(p) for p in load_papers() if p["listing_date"] >= "2026-06-01")
    result = bot("--config", config, "train", "--list", tiny, "--offline")
    assert result.exit_code == 0, result.err
    warnings = [line for line in result.err.splitlines() if line.startswith("warning: thin evidence")]
    assert len(warnings) == 2 and "Traceback" not in result.err
    budget = float(next(line for line in result.out.splitlines() if "budget_per_1000" in line).split()[-1])
    assert budget > 0


def test_init_prints_the_budget_with_its_evidence(bot, tmp_path):
    result = bot("init", "--list", FIXTURES / "numbered.md", "--offline", "--output", tmp_path)
    assert result.exit_code == 0, result.err
    line = next(line for line in result.out.splitlines() if line.startswith("budget: "))
    assert float(line.split()[1]) > 0 and "from the list's pace" in line


def test_pace_budget_is_placed_on_therecent_feed_when_the_store_has_enough_of_it():
    from classifier.train import Doc, recent_feed

    old = [Doc(f"o{i}", "t", "a", date="2025-01-10") for i in range(2000)]
    new = [Doc(f"n{i}", "t", "a", date="2025-06-20") for i in range(1500)]
    sample = [Doc(f"s{i}", "t", "a", feed=False) for i in range(10)]
    recent = recent_feed(old + new + sample)
    assert not any(recent(d) for d in old) and all(recent(d) for d in new)
    few = recent_feed(old + new[:100])  # too few recent papers: every feed paper counts
    assert all(few(d) for d in old + new[:100])


def test_pace_of_a_list_newer_than_the_store_is_still_read():
    """Entries dated after the store's newest feed paper (an old store, a new list) still count."""
    pace = list_pace(months(6, "2025-06"), feed(130, last="2025-04-30"))
    assert pace.added_per_month == pytest.approx(6) and not pace.thin


def test_pace_of_a_list_older_than_its_window_counts_the_quiet_months():
    """Six papers in the last two months of an old list's quiet year: half a paper a month, not three."""
    old = [date(2023, m, 1) for m in range(1, 13)] * 2 + [date(2024, 11, 1)] * 3 + [date(2024, 12, 1)] * 3
    assert list_pace(old, feed(130, last="2025-01-31")).added_per_month == pytest.approx(0.5)


def test_pace_ignores_listing_dates_that_are_not_iso_dates():
    """A store filled from a file with other date spellings: those papers do not count, nothing raises."""
    from classifier.train import Doc, recent_feed

    assert list_pace(months(5), ["2025/05/02", "May 2 2025", "2025-05-0x"]).budget_per_1000 > 0
    assert recent_feed([Doc("1", "t", "a", date="May 2 2025")])(Doc("2", "t", "a"))
