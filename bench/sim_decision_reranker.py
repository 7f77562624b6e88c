"""Simulation: could a model learned from the maintainers' decisions alone re-rank the first model's
papers so that fewer proposals find as many of the papers maintainers added?  (The issue *Feedback
makes the bot better*; measured before building it into the bot, not part of the bot.)

Reads the never-retraining replay of ``bench/bench_feedback.py --output DIR`` (``DIR/<list>/
decisions.jsonl``: every paper of the window with the first model's log-odds over its threshold, and
what the maintainers did) and the papers' texts from the shared corpus.  Week by week:

- *as the first model*: the week's papers with a margin above ``--pool`` ranked by that margin;
- *re-ranked*: the same papers ranked by margin + ``--beta`` x the decision function of a TF-IDF +
  class-balanced logistic regression trained on the proposals decided in earlier weeks (accepted
  against rejected; scikit-learn, fixed settings; the first model's margin alone while fewer than 3 of
  either are known);

and each takes the top ``--volume`` x the number the first model really proposed that week.  Printed:
the papers of the truth found by each, per list.  Both rankings are simulated the same way (no daily
cap, no lookback), so compare them with each other, not with the replay's own figures.

Run: python bench/sim_decision_reranker.py --from /tmp/feedback [--volume 0.8] [--pool -1.5] [--beta 1]
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parent.parent
PAPERS = ROOT.parent / "shared" / "data" / "arxiv" / "papers.jsonl.gz"
DECIDED = ("accepted", "rejected", "borderline")


def texts_of(ids: set[str]) -> dict[str, str]:
    found = {}
    with gzip.open(PAPERS, "rt", encoding="utf-8") as handle:
        for line in handle:
            paper = json.loads(line)
            if paper["id"] in ids:
                found[paper["id"]] = f"{paper['title']}. {paper.get('abstract') or ''}"
    return found


def week_scores(earlier: list[dict], pool: list[dict], text: dict[str, str], beta: float) -> list[float]:
    """The pool's scores: the first model's margin, plus what the decisions so far say about each paper."""
    margins = [r["margin"] for r in pool]
    accepted = [r["verdict"] == "accepted" for r in earlier]
    if not pool or beta == 0 or sum(accepted) < 3 or len(accepted) - sum(accepted) < 3:
        return margins
    vectorizer = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), stop_words="english")
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000)
    model.fit(vectorizer.fit_transform([text[r["id"]] for r in earlier]), accepted)
    said = model.decision_function(vectorizer.transform([text[r["id"]] for r in pool]))
    return [m + beta * s for m, s in zip(margins, said)]


def simulate(rows: list[dict], text: dict[str, str], pool_at: float, beta: float, volume: float) -> int:
    """Papers of the truth found over the window, ranking each week's pool with ``beta``."""
    found = 0
    for week in sorted({r["week"] for r in rows}):
        earlier = [r for r in rows if r["proposed"] and r["week"] < week and r["verdict"] in DECIDED]
        this = [r for r in rows if r["week"] == week]
        pool = [r for r in this if r["margin"] > pool_at and r["verdict"] != "already listed"]
        take = round(volume * sum(r["proposed"] for r in this))
        order = np.argsort(week_scores(earlier, pool, text, beta))[::-1][:take]
        found += sum(pool[i]["truth"] == "in" for i in order)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--from", dest="folder", type=Path, required=True,
                        help="the --output folder of bench/bench_feedback.py")
    parser.add_argument("--volume", type=float, default=1.0, help="share of the first model's weekly proposals")
    parser.add_argument("--pool", type=float, default=-1.5, help="lowest margin (log-odds) a paper may have")
    parser.add_argument("--beta", type=float, default=1.0, help="weight of the decisions' model")
    args = parser.parse_args()
    runs = sorted(p.parent for p in args.folder.glob("*/decisions.jsonl"))
    if not runs:
        sys.exit(f"no */decisions.jsonl under {args.folder}: run bench/bench_feedback.py --output {args.folder}")
    replays = {run.name: [r for r in map(json.loads, (run / "decisions.jsonl").read_text().splitlines())
                          if r["mode"] == "never"] for run in runs}
    text = texts_of({r["id"] for rows in replays.values() for r in rows if r["margin"] > args.pool or r["proposed"]})
    print(f"top {args.volume:g} x the first model's weekly proposals, pool: margin > {args.pool:g}, "
          f"beta {args.beta:g}\n")
    print("| list | truth in window | proposed by the first model | found: its margin | found: re-ranked |")
    print("|---|---:|---:|---:|---:|")
    for name, rows in replays.items():
        truth = sum(r["verdict"] in ("accepted", "missed") for r in rows)
        alone, reranked = (simulate(rows, text, args.pool, beta, args.volume) for beta in (0.0, args.beta))
        print(f"| {name} | {truth} | {sum(r['proposed'] for r in rows)} | {alone} | {reranked} |", flush=True)


if __name__ == "__main__":
    main()
