"""Benchmark: the bot's judgement on real paper lists it was never tuned on, against what their
maintainers really added later.

For each list of bench/lists/lists.json (real GitHub lists, their README as of a cut date inside
the shared corpus and as of a later date; sources and licences in bench/lists/SOURCES.md), this
does what a new user does offline, through the same library functions as the commands:

    bot init --list before.md            -> the budget it predicts (the list's pace)
    bot fetch --from-file <corpus up to the cut date>
    bot train --offline                  -> the learned topic, the model, its operating point
    bot classify --input <corpus after the cut date>

and scores the proposals against the arXiv papers the maintainers added between the two versions
that the corpus holds (positives; every other paper of the window counts as not added).  Per list:
recall and proposals per 1,000 feed papers; the naive anchor (TF-IDF word 1-2-grams + class-balanced
LogisticRegression on the list's entries against the same background) and the list's one-line
keyword rule (bench/lists/lists.json, written from the list's title and introduction before any
result was seen): how many proposals per 1,000 each needs for the bot's recall; section top-1 of
the flagged positives; the budget predicted from the list's pace against the rate realised; the
highest-scoring papers not added and the lowest-scoring positives missed.  Lists marked held_out
were kept out of all tuning and are reported apart.

Run: python bench/bench_lists.py [--only SLUG ...] [--samples 5]   (about 1 minute a list on 2 cores)
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
from scipy.stats import rankdata

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from arxiv_fixtures import load_papers  # noqa: E402

from bot.base.errors import BotError  # noqa: E402
from bot.jobs.classify import background_docs, lexicon_for, train_model, training_docs  # noqa: E402
from bot.lists.awesome import parse  # noqa: E402
from bot.papers.paper import Paper  # noqa: E402
from classifier.features import paper_text  # noqa: E402
from classifier.pace import entry_month, list_pace  # noqa: E402
from classifier.predict import classify_texts  # noqa: E402

LISTS = ROOT / "bench" / "lists"
MIN_POSITIVES = 20  # the targets apply to lists with at least this many later additions in the corpus
# The corpus's feed changes on 2025-10-18: cs.CV with cross-lists and cs.LG until then, cs.CV-only papers after
# (../shared/data/arxiv/SOURCES.md, "Coverage").  A list's share of the feed jumps with it, so the budget is
# compared with the rate realised while the feed is the one the store held when the model was trained.
MIX_END = "2025-10-17"


def keyword_match(groups: list[list[str]], text: str) -> bool:
    text = text.lower()
    return all(any(phrase in text for phrase in group) for group in groups)


def per_1000_at_recall(scores: np.ndarray, positive: np.ndarray, recall: float) -> float | None:
    """Proposals per 1,000 a ranking needs to find ``recall`` of the positives (None: no positives)."""
    if not positive.any():
        return None
    order = np.argsort(-scores, kind="stable")
    found = np.cumsum(positive[order])
    need = int(np.ceil(recall * positive.sum() - 1e-9))
    if need <= 0:
        return 0.0
    index = int(np.searchsorted(found, need))
    return (index + 1) / len(scores) * 1000


def history_rate(folder: Path, cut: str) -> float | None:
    """arXiv ids the list's commits added a month over the year before the cut (the online evidence)."""
    import csv
    from datetime import date, timedelta

    path = folder / "history.csv"
    if not path.is_file():
        return None
    rows = list(csv.DictReader(path.open()))
    start = (date.fromisoformat(cut) - timedelta(days=365)).isoformat()
    first = min((r["date"] for r in rows), default=cut)
    span_days = (date.fromisoformat(cut) - date.fromisoformat(max(start, first))).days or 1
    added = sum(int(r["added_arxiv_ids"]) for r in rows if start < r["date"] <= cut)
    return added / span_days * 30.44


def naive_scores(entry_texts: list[str], background_texts: list[str], test_texts: list[str]) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    anchor = Pipeline([("tfidf", TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)),
                       ("lr", LogisticRegression(class_weight="balanced", max_iter=2000, random_state=0))])
    anchor.fit(entry_texts + background_texts, [1] * len(entry_texts) + [0] * len(background_texts))
    return anchor.predict_proba(test_texts)[:, 1]


def run_list(spec: dict, records: list[dict], samples: int, lists: Path = LISTS) -> dict:
    started = time.perf_counter()
    folder = lists / spec["slug"]
    before = parse((folder / "before.md").read_text(encoding="utf-8"))
    after = parse((folder / "after.md").read_text(encoding="utf-8"))
    cut, end = spec["cut_date"], spec["end_date"]
    store = [Paper.from_json(r) for r in records if r["listing_date"] <= cut]
    test = [r for r in records if cut < r["listing_date"] <= end]
    listed_before = {e.arxiv_id for e in before.entries if e.arxiv_id}
    after_section = {e.arxiv_id: e.label for e in after.entries if e.arxiv_id}
    test_ids = [r["id"] for r in test]
    positive = np.array([i in after_section and i not in listed_before for i in test_ids])

    # bot train --offline, with no lexicon in the config (the topic is learned), as `bot init` writes it
    config = SimpleNamespace(classifier=SimpleNamespace(lexicon=None, target_recall=0.95, proposals_per_1000=None))
    data = training_docs(before, {p.id: p for p in store}, {}, {})
    data.background = background_docs(store, [])
    lexicon, _ = lexicon_for(config, data)
    model = train_model(config, data, lexicon)
    metrics = model.meta["metrics"]
    verdicts = classify_texts(model, [r["title"] for r in test], [r["abstract"] or None for r in test], explain=False)
    scores = np.array([v.probability for v in verdicts])
    proposed = np.array([v.relevant for v in verdicts])
    n = len(test)
    recall = float(proposed[positive].mean()) if positive.any() else None
    same_mix = np.array([r["listing_date"] <= MIX_END for r in test])
    rate = proposed.sum() / n * 1000

    test_texts = [paper_text(r["title"], r["abstract"]) for r in test]
    naive = naive_scores([paper_text(d.title, d.abstract) for d in data.entries],
                         [paper_text(d.title, d.abstract) for d in data.background], test_texts)
    keyword = np.array([keyword_match(spec["keyword_rule"], t) for t in test_texts])
    labels = set(before.labels())
    flagged = [(i, v) for i, v, p in zip(test_ids, verdicts, positive) if p and v.relevant]
    placeable = [(i, v) for i, v in flagged if after_section[i] in labels]
    result = {
        "slug": spec["slug"], "held_out": spec.get("held_out", False), "shape": spec.get("shape", ""),
        "entries": len(before.entries), "with_abstract": sum(bool(d.abstract) for d in data.entries),
        "store": len(store), "test": n, "positives": int(positive.sum()),
        "recall": recall, "per_1000": rate, "proposed": int(proposed.sum()),
        "predicted_budget": metrics["pace_budget_per_1000"], "chosen_budget": metrics["budget_per_1000"],
        "pace_ids": metrics.get("pace_added_per_month"), "pace_history": history_rate(folder, cut),
        "true_per_1000": positive.sum() / n * 1000,
        # what `bot init` prints before the store has any feed (the feed's rate assumed)
        "init_budget": list_pace([entry_month(e.arxiv_id, e.date) for e in before.entries]).budget_per_1000,
        "per_1000_same_mix": float(proposed[same_mix].mean() * 1000) if same_mix.any() else None,
        "pace_thin": metrics["pace_thin"], "rule": metrics["operating_rule"],
        "topic": model.meta["lexicon"].get("topic", ""),
        "naive_at_recall": per_1000_at_recall(naive, positive, recall or 0),
        "bot_ranked_at_recall": per_1000_at_recall(scores, positive, recall or 0),
        # a design to try next: the bot's ranking averaged with the naive anchor's (ranks, so neither scale wins)
        "ensemble_at_recall": per_1000_at_recall(rankdata(scores) + rankdata(naive), positive, recall or 0),
        # another: the product of the two probabilities (the naive anchor orders the bot's saturated top)
        "product_at_recall": per_1000_at_recall(np.log(scores + 1e-12) + np.log(naive + 1e-12), positive, recall or 0),
        # what each ranking needs for the target recall, against the maintainers' own rate (is 0.85 reachable?)
        "at_target": {name: per_1000_at_recall(ranking, positive, 0.85) for name, ranking in (
            ("bot", scores), ("naive", naive), ("rank average", rankdata(scores) + rankdata(naive)),
            ("product", np.log(scores + 1e-12) + np.log(naive + 1e-12)))},
        "keyword_per_1000": keyword.sum() / n * 1000,
        "keyword_recall": float(keyword[positive].mean()) if positive.any() else None,
        "bot_at_keyword_rate": None, "naive_at_keyword_recall": None,
        "sections_top1": (sum(v.section == after_section[i] for i, v in placeable) / len(placeable))
        if placeable else None,
        "sections_n": len(placeable),
        "seconds": time.perf_counter() - started,
    }
    if positive.any():
        k = int(round(keyword.sum()))
        top = np.argsort(-scores, kind="stable")[:k]
        result["bot_at_keyword_rate"] = float(positive[top].sum() / positive.sum())
        result["naive_at_keyword_recall"] = per_1000_at_recall(naive, positive, result["keyword_recall"])
        result["bot_at_keyword_recall"] = per_1000_at_recall(scores, positive, result["keyword_recall"])
        for multiple in (1, 2, 3, 4, 6):  # recall if the budget were `multiple` x the list's pace (ranked)
            budget = multiple * metrics["pace_added_per_month"] / metrics["pace_feed_per_month"] * 1000
            count = int(round(budget * n / 1000))
            result[f"recall_at_{multiple}x_pace"] = float(positive[np.argsort(-scores, kind="stable")[:count]].sum()
                                                          / positive.sum())
    by_id = {r["id"]: r for r in test}
    wrong = [i for i in np.argsort(-scores, kind="stable") if not positive[i]][:samples]
    missed = [i for i in np.argsort(scores, kind="stable") if positive[i] and not proposed[i]][:samples]
    result["top_not_added"] = [(float(scores[i]), by_id[test_ids[i]]["title"][:100]) for i in wrong]
    result["lowest_missed"] = [(float(scores[i]), by_id[test_ids[i]]["title"][:100]) for i in missed]
    result["lexicon"] = {role: [t["phrase"] for t in model.meta["lexicon"].get(role, [])][:12]
                         for role in ("method", "domain")}
    return result


def fmt(value, pattern: str = "{:.2f}") -> str:
    return "-" if value is None else pattern.format(value)


def verdict(r: dict) -> str:
    """met / MISSED for the issue's per-list targets (lists with >= MIN_POSITIVES positives)."""
    if r["positives"] < MIN_POSITIVES:
        return "(too few positives)"
    problems = []
    if (r["recall"] or 0) < 0.85:
        problems.append("recall")
    if r["naive_at_recall"] is not None and r["per_1000"] >= r["naive_at_recall"]:
        problems.append("naive")
    if r["keyword_recall"] is not None and r["keyword_recall"] >= (r["recall"] or 0) and \
            r["per_1000"] >= r["keyword_per_1000"]:
        problems.append("keyword")
    if r["proposed"] == 0:
        problems.append("zero")
    realised = r["per_1000_same_mix"] if r["per_1000_same_mix"] is not None else r["per_1000"]
    if not (0.5 <= realised / max(r["predicted_budget"], 1e-9) <= 2):
        problems.append("budget")
    return "met" if not problems else "MISSED " + ",".join(problems)


def table(results: list[dict], title: str) -> None:
    if not results:
        return
    print(f"\n### {title}\n")
    print("| list | shape | entries (abstracts) | positives | recall | proposals/1000 | naive at that recall | "
          "keyword rule: recall @ /1000 | bot at keyword's rate | predicted budget | realised/predicted "
          f"(feed of the store's mix, to {MIX_END}) | "
          "sections top-1 (n) | |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in results:
        print(f"| {r['slug']} | {r['shape']} | {r['entries']} ({r['with_abstract']}) | {r['positives']} | "
              f"{fmt(r['recall'], '{:.3f}')} | {r['per_1000']:.1f} | {fmt(r['naive_at_recall'], '{:.1f}')} | "
              f"{fmt(r['keyword_recall'], '{:.2f}')} @ {r['keyword_per_1000']:.1f} | "
              f"{fmt(r['bot_at_keyword_rate'], '{:.2f}')} | {r['predicted_budget']:.2f} | "
              f"{fmt(r['per_1000_same_mix'] and r['per_1000_same_mix'] / max(r['predicted_budget'], 1e-9))} | "
              f"{fmt(r['sections_top1'])} ({r['sections_n']}) | "
              f"{verdict(r)} |")
    scored = [r for r in results if r["positives"] >= MIN_POSITIVES]
    if scored:
        print(f"| **all ({len(scored)} with >= {MIN_POSITIVES} positives)** | | | "
              f"{sum(r['positives'] for r in scored)} | {np.mean([r['recall'] or 0 for r in scored]):.3f} | "
              f"{np.mean([r['per_1000'] for r in scored]):.1f} | | | | | | | "
              f"{sum(verdict(r) == 'met' for r in scored)} of {len(scored)} met |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", help="the lists to run (slugs)")
    parser.add_argument("--samples", type=int, default=5, help="papers shown per list in each sample")
    parser.add_argument("--json", type=Path, help="also write every result to this JSON file")
    parser.add_argument("--lists", type=Path, default=LISTS / "lists.json", help="the manifest of lists")
    args = parser.parse_args()
    specs = json.loads(args.lists.read_text())
    if args.only:
        specs = [s for s in specs if s["slug"] in args.only]
    records = load_papers()
    results, unreadable = [], []
    for spec in specs:
        try:
            result = run_list(spec, records, args.samples, args.lists.parent)
        except BotError as exc:  # a list the bot cannot read is a finding, not a crash
            print(f"{spec['slug']}: {exc.one_line()}", file=sys.stderr)
            unreadable.append((spec["slug"], exc.one_line()))
            continue
        results.append(result)
        print(f"{spec['slug']}: recall {fmt(result['recall'], '{:.3f}')} at {result['per_1000']:.1f} per 1,000 "
              f"({result['seconds']:.0f} s)", file=sys.stderr)
    print("# Multi-list benchmark\n")
    for slug, why in unreadable:
        print(f"- **{slug}**: not read ({why})")
    table([r for r in results if not r["held_out"]], "Lists used in tuning")
    table([r for r in results if r["held_out"]], "Held-out lists (never used in tuning)")
    print("\n### The list's pace: read offline from its entries' arXiv ids, and from its commits (history.csv)\n")
    print("| list | added a month (ids) | added a month (commits) | maintainers' additions per 1,000 in the window | "
          f"budget `bot init` predicts | budget `bot train` predicts | realised to {MIX_END} | realised, whole window |"
          "\n|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['slug']} | {fmt(r['pace_ids'], '{:.1f}')} | {fmt(r['pace_history'], '{:.1f}')} | "
              f"{r['true_per_1000']:.2f} | {r['init_budget']:.2f} | {r['predicted_budget']:.2f} | "
              f"{fmt(r['per_1000_same_mix'])} | "
              f"{r['per_1000']:.2f} |")
    print("\n### Rankings at the bot's recall: proposals per 1,000 each needs (the bot's own ranking, the naive "
          "anchor, their rank average, the product of their probabilities)\n")
    print("| list | recall | bot | naive anchor | rank average | product |\n|---|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['slug']} | {fmt(r['recall'], '{:.3f}')} | {fmt(r['bot_ranked_at_recall'], '{:.1f}')} | "
              f"{fmt(r['naive_at_recall'], '{:.1f}')} | {fmt(r['ensemble_at_recall'], '{:.1f}')} | "
              f"{fmt(r['product_at_recall'], '{:.1f}')} |")
    print("\n### Is recall 0.85 reachable? Proposals per 1,000 each ranking needs for it, against the maintainers' "
          "own additions per 1,000 (the budget follows their pace: 3x, within 2x of it)\n")
    names = ["bot", "naive", "rank average", "product"]
    print("| list | maintainers' additions / 1,000 | " + " | ".join(names) + " | best, in multiples of the maintainers' rate |"
          "\n|---|---:|" + "---:|" * (len(names) + 1))
    for r in results:
        needs = [r["at_target"][n] for n in names]
        best = min((n for n in needs if n is not None), default=None)
        print(f"| {r['slug']} | {r['true_per_1000']:.2f} | " + " | ".join(fmt(n, "{:.1f}") for n in needs) +
              f" | {fmt(best and best / max(r['true_per_1000'], 1e-9), '{:.1f}x')} |")
    print("\n### The recall a budget of m x the list's pace would give (test papers ranked by the bot)\n")
    print("| list | " + " | ".join(f"{m}x" for m in (1, 2, 3, 4, 6)) + " |\n|---|" + "---:|" * 5)
    for r in results:
        if "recall_at_1x_pace" in r:
            print(f"| {r['slug']} | " + " | ".join(f"{r[f'recall_at_{m}x_pace']:.2f}" for m in (1, 2, 3, 4, 6)) + " |")
    print("\n### What each list's model learned and where it went wrong\n")
    for r in results:
        print(f"**{r['slug']}** ({'held out' if r['held_out'] else 'tuning'}): topic *{r['topic']}*; method "
              f"{r['lexicon']['method']}; domain {r['lexicon']['domain']}")
        print(f"- operating point: {r['rule']}")
        if r["pace_thin"]:
            print(f"- thin evidence: {r['pace_thin']}")
        print("- highest-scoring papers not added: " + "; ".join(f"{p:.3f} {t}" for p, t in r["top_not_added"]))
        print("- lowest-scoring positives missed: " + "; ".join(f"{p:.3f} {t}" for p, t in r["lowest_missed"]))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
