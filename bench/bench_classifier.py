"""Benchmark: relevance, sections and speed of the classifier, printed against the targets.

Relevance: two time splits of the real listings in ../shared/data/arxiv, each
trained on the earlier papers (with the bundled list as positives) and tested
on the later ones, scored against hand judgements of every paper proposed by
the keyword rule or by the model (in / out / borderline against the list's
scope; unjudged proposals count as out of scope):
- 2025-09 .. 2025-12 (14,328 papers, bench/judgements-2025.csv, 417 papers):
  judged after the lexicons and rules were fixed, so an honest test;
- 2026-01 .. 2026-07 (18,220 papers, bench/judgements.csv, 481 papers): the
  development split, whose errors shaped the lexicons (optimistic).
The maintainers' own future additions are not available here, so "recall of
the maintainers' additions" is reported through its proxy: cross-validated
recall of the list's own entries.

Sections: cross-validated top-1 / top-3 agreement on the list's entries (titles
only: the bundled list has no abstracts), beside a plain title-only LR anchor.

Speed: batch classification of 20,000 papers against bare scikit-learn
transform + predict_proba of the same pipeline; training on the list + all
63,823 papers; a cold `bot classify <id>` in a fresh process.

Run: python bench/bench_classifier.py   (about 4 minutes on 2 cores)
"""

from __future__ import annotations

import csv
import gzip
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from arxiv_fixtures import PAPERS, write_config  # noqa: E402
from bot.awesome import parse  # noqa: E402
from bot.config import load_config  # noqa: E402
from bot.paper import Paper  # noqa: E402
from bot.store import Store  # noqa: E402
from classifier import model as model_io  # noqa: E402
from classifier.evaluate import Dated, evaluate  # noqa: E402
from classifier.predict import classify_texts  # noqa: E402
from classifier.train import Doc, train  # noqa: E402

# (train before, test from, test until, judgements, what to know about the judgements)
SPLITS = [
    ("2025-09-01", "2026-01-01", "judgements-2025.csv",
     "untouched: the lexicons and rules were fixed before these 417 papers were judged"),
    ("2026-01-01", None, "judgements.csv",
     "development split: its 481 judged papers were used while designing the lexicons (optimistic)"),
]
# The anchor: a diffusion-family term AND a medical term anywhere in title + abstract.
NAIVE_METHOD = re.compile(r"diffusion|ddpm|ddim|score-based|score based|consistency model|schr.dinger bridge", re.I)
NAIVE_DOMAIN = re.compile(r"medical|clinical|radiolog|patholog|histolog|\bmri\b|\bct\b|\bpet\b|x-ray|ultrasound|"
                          r"retina|fundus|dermatolog|skin lesion|endoscop|brain|tumou?r|lesion|cancer|cardiac|chest|"
                          r"lung|biomedical|patient|disease|microscop|\bcell|ecg|eeg|surgical|dental|mammogra|anatom",
                          re.I)


def verdict(value: float, target: float, higher_is_better: bool = True) -> str:
    met = value >= target if higher_is_better else value <= target
    return "met" if met else "MISSED"


def relevance_table(report, records, judgements, split, until, note) -> None:
    test = [r for r in records if r["listing_date"] >= split and (until is None or r["listing_date"] < until)]
    naive = {r["id"] for r in test if NAIVE_METHOD.search(r["title"] + " " + r["abstract"])
             and NAIVE_DOMAIN.search(r["title"] + " " + r["abstract"])}
    inscope = {i for i, j in judgements.items() if j == "in"}
    naive_out = sum(1 for i in naive if judgements.get(i, "out") == "out")
    naive_row = {"proposals_per_1000": len(naive) / len(test) * 1000,
                 "recall_in_scope": len(naive & inscope) / len(inscope),
                 "out_of_scope_per_1000": naive_out / len(test) * 1000,
                 "unjudged_proposals": sum(1 for i in naive if i not in judgements)}
    rows = [("model (threshold %.3f)" % report["threshold"], report["model"]),
            ("keyword rule, the issue's anchor regexes", naive_row),
            ("keyword rule, this config's lexicons", report["keyword"])]
    for level in (0.95, 0.97, 0.98):
        points = [c for c in report["curve"] if c["recall_in_scope"] >= level]
        if points:
            best = max(points, key=lambda c: c["threshold"])
            rows.append((f"model at recall >= {level} (threshold {best['threshold']:.3f})", best))
    period = f"{split} .. {until}" if until else f"{split} .."
    print(f"\n## Relevance, test period {period}: trained on {report['train_papers']} earlier papers, "
          f"tested on {report['test_papers']}\n")
    print(f"Judgements: {len(inscope)} in scope, "
          f"{sum(1 for j in judgements.values() if j == 'borderline')} borderline (flow matching etc.; neither "
          f"required nor counted against), the rest out. {note}.\n")
    print("| rule | proposals / 1000 | recall of judged in-scope | out-of-scope / 1000 | unjudged |")
    print("|---|---:|---:|---:|---:|")
    for name, r in rows:
        print(f"| {name} | {r['proposals_per_1000']:.1f} | {r['recall_in_scope']:.3f} | "
              f"{r['out_of_scope_per_1000']:.2f} | {r['unjudged_proposals']} |")
    m = report["model"]
    list_recall = report["training_metrics"]["recall_list_cv"]
    print(f"\n- recall of the maintainers' additions (proxy: list entries, cross-validated, titles only): "
          f"{list_recall:.3f} (target >= 0.97: {verdict(list_recall, 0.97)})")
    print(f"- recall of in-scope papers they never added (judged): {m['recall_in_scope']:.3f} "
          f"(target >= 0.90: {verdict(m['recall_in_scope'], 0.90)})")
    print(f"- out-of-scope proposals per 1,000 feed papers: {m['out_of_scope_per_1000']:.2f} "
          f"(target <= 2: {verdict(m['out_of_scope_per_1000'], 2, False)})")
    print(f"- keyword anchor at its recall {naive_row['recall_in_scope']:.3f}: "
          f"{naive_row['out_of_scope_per_1000']:.2f} out-of-scope per 1,000")


def main() -> None:
    config = load_config(ROOT / "config.yaml")
    lexicons = config.classifier.lexicon.model_dump()
    document = parse((ROOT.parent / "shared" / "data" / "list" / "README-seed.md").read_text())
    entries = [Doc(e.arxiv_id or e.title_key, e.title, "", e.label) for e in document.entries]
    with gzip.open(PAPERS, "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    papers = [Dated(r["id"], r["title"], r["abstract"], None, r["listing_date"]) for r in records]

    # --- relevance ----------------------------------------------------------------------------
    started = time.perf_counter()
    report = None
    for split, until, judged_file, note in SPLITS:
        with open(ROOT / "bench" / judged_file, newline="") as handle:
            judgements = {row["arxiv_id"]: row["judgement"] for row in csv.DictReader(handle)}
        result = evaluate(entries, papers, lexicons, split, target_recall=config.classifier.target_recall,
                          judgements=judgements, until=until)
        relevance_table(result, records, judgements, split, until, note)
        report = report or result
    print(f"\n(relevance evaluation: {time.perf_counter() - started:.0f} s)")

    # --- sections -----------------------------------------------------------------------------
    sections = report["sections"]
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import KFold, cross_val_predict
    from sklearn.pipeline import Pipeline
    titles = [d.title for d in entries]
    labels = [d.section for d in entries]
    from sklearn.feature_extraction.text import TfidfVectorizer
    anchor = Pipeline([("f", TfidfVectorizer()), ("m", LogisticRegression(max_iter=2000))])
    anchor_pred = cross_val_predict(anchor, titles, labels, cv=KFold(5, shuffle=True, random_state=0))
    anchor_top1 = float(np.mean(np.array(anchor_pred) == np.array(labels)))
    print("\n## Sections (list entries, 5-fold cross-validation, titles only)\n")
    print("| model | top-1 | top-3 |\n|---|---:|---:|")
    print(f"| anchor: title-only TF-IDF + LR, defaults | {anchor_top1:.3f} | - |")
    print(f"| section model (words, pairs, 4-char pieces; heading names; balanced) | {sections['top1_cv']:.3f} | "
          f"{sections['top3_cv']:.3f} |")
    print(f"- top-1 target >= 0.85: {verdict(sections['top1_cv'], 0.85)}; "
          f"top-3 target >= 0.95: {verdict(sections['top3_cv'], 0.95)}")

    # --- speed ----------------------------------------------------------------------------------
    print("\n## Speed (2 cores)\n")
    from classifier.features import _text_counts
    _text_counts.cache_clear()  # a cold training run: the lexicon counts are not memoised yet
    started = time.perf_counter()
    full = train(entries, [Doc(p.id, p.title, p.abstract) for p in papers], lexicons,
                 target_recall=config.classifier.target_recall)
    train_seconds = time.perf_counter() - started
    batch = records[-20000:]
    titles, abstracts = [r["title"] for r in batch], [r["abstract"] for r in batch]
    from classifier.features import paper_text
    texts = [paper_text(t, a) for t, a in zip(titles, abstracts)]
    timings_bare, timings_bot = [], []
    for _ in range(3):
        _text_counts.cache_clear()
        started = time.perf_counter()
        full.relevance.predict_proba(texts)
        timings_bare.append(time.perf_counter() - started)
        _text_counts.cache_clear()
        started = time.perf_counter()
        classify_texts(full, titles, abstracts, explain=True)
        timings_bot.append(time.perf_counter() - started)
    bare, ours = statistics.median(timings_bare), statistics.median(timings_bot)
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        cfg = write_config(folder)
        with Store(folder / "papers.sqlite") as store:
            store.add([Paper.from_json(batch[0])])
        model_io.save(full, folder / "model")
        cold = []
        for _ in range(3):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "bot", "--config", str(cfg), "classify", batch[0]["id"]],
                           check=True, capture_output=True, cwd=ROOT)
            cold.append(time.perf_counter() - started)
    print("| measure | seconds | target |\n|---|---:|---|")
    print(f"| bare scikit-learn transform + predict_proba, 20,000 papers | {bare:.2f} | |")
    print(f"| bot batch classify (relevance, calibration, section, explanation), 20,000 papers | {ours:.2f} | "
          f"<= 1.25x bare: {ours / bare:.2f}x {verdict(1.25, ours / bare)} |")
    print(f"| bot train: list + {len(papers)} background papers | {train_seconds:.1f} | < 60 s: "
          f"{verdict(60, train_seconds)} |")
    print(f"| bot classify <id>, cold process, metadata cached (median of 3) | {statistics.median(cold):.2f} | "
          f"< 1.5 s: {verdict(1.5, statistics.median(cold))} |")


if __name__ == "__main__":
    main()
