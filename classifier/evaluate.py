"""Time-split evaluation: train on what was known before a date, test on what came after.

Runs in ``bot evaluate`` and in ``bench/bench_classifier.py``.  Compares the
model with the keyword rule of its own lexicons (method AND domain anywhere in
title + abstract).  When hand judgements are given (arXiv id -> in / out /
borderline), it reports recall of the in-scope papers and out-of-scope
proposals per 1,000 feed papers; unjudged proposals count as out of scope.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .features import paper_text, role_counts
from .predict import classify_texts
from .train import Doc, section_cv_predictions, train


@dataclass
class Dated(Doc):
    listing_date: str = ""


def _rates(proposed: set[str], judgements: dict[str, str], n: int) -> dict:
    inscope = {i for i, j in judgements.items() if j == "in"}
    out = [i for i in proposed if judgements.get(i, "out") == "out"]
    return {
        "proposals_per_1000": len(proposed) / n * 1000,
        "recall_in_scope": len(proposed & inscope) / len(inscope) if inscope else None,
        "out_of_scope_per_1000": len(out) / n * 1000,
        "unjudged_proposals": sum(1 for i in proposed if i not in judgements),
    }


def evaluate(entries: list[Doc], papers: list[Dated], lexicons: dict, split: str, *,
             target_recall: float = 0.95, judgements: dict[str, str] | None = None,
             until: str | None = None) -> dict:
    """Train before ``split`` (ISO date), classify the papers from ``split`` (until ``until``), report."""
    before = [p for p in papers if p.listing_date < split]
    after = [p for p in papers if p.listing_date >= split and (until is None or p.listing_date < until)]
    if not before or not after:
        raise ValueError(f"no papers on one side of {split}: {len(before)} before, {len(after)} after")
    model = train(entries, before, lexicons, target_recall=target_recall)
    verdicts = classify_texts(model, [p.title for p in after], [p.abstract or None for p in after], explain=False)
    probability = np.array([v.probability for v in verdicts])
    counts = role_counts([paper_text(p.title, p.abstract) for p in after], lexicons)
    keyword = (counts[:, 0] + counts[:, 1] > 0) & (counts[:, 2] + counts[:, 3] > 0)
    ids = [p.id for p in after]
    model_set = {i for i, v in zip(ids, verdicts) if v.relevant}
    keyword_set = {i for i, k in zip(ids, keyword) if k}
    report = {
        "split": split, "until": until, "train_papers": len(before), "test_papers": len(after),
        "threshold": model.threshold, "training_metrics": model.meta["metrics"],
        "model": {"proposals_per_1000": len(model_set) / len(after) * 1000},
        "keyword": {"proposals_per_1000": len(keyword_set) / len(after) * 1000},
        "agreement": {"both": len(model_set & keyword_set), "model_only": len(model_set - keyword_set),
                      "keyword_only": len(keyword_set - model_set)},
    }
    if judgements:
        n = len(after)
        report["model"] = _rates(model_set, judgements, n)
        report["keyword"] = _rates(keyword_set, judgements, n)
        curve = []
        for threshold in sorted({round(float(t), 4) for t in np.geomspace(0.001, 0.999, 40)} | {model.threshold}):
            chosen = {i for i, p in zip(ids, probability) if p >= threshold}
            curve.append({"threshold": threshold, **_rates(chosen, judgements, n)})
        report["curve"] = curve
        target = report["keyword"]["recall_in_scope"] or 0
        matching = [c for c in curve if (c["recall_in_scope"] or 0) >= target]
        # the model's point at the keyword rule's recall (or, if it never gets there, its highest recall)
        report["model_at_keyword_recall"] = (max(matching, key=lambda c: c["threshold"]) if matching else
                                             max(curve, key=lambda c: (c["recall_in_scope"] or 0, c["threshold"])))
        report["proposals"] = [{"id": i, "probability": float(p), "judgement": judgements.get(i, "unjudged")}
                               for i, p in zip(ids, probability) if p >= model.threshold]
    labelled = [d for d in entries if d.section]
    predicted = section_cv_predictions(labelled)
    report["sections"] = {
        "labels": sorted({d.section for d in labelled}),
        "truth": [d.section for d in labelled],
        "predicted": predicted,
        "top1_cv": model.meta["metrics"].get("section_top1_cv"),
        "top3_cv": model.meta["metrics"].get("section_top3_cv"),
    }
    return report


def markdown(report: dict) -> str:
    """A short human report."""
    period = f"from {report['split']}" + (f" until {report['until']}" if report.get("until") else "")
    lines = [f"# Time-split evaluation ({report['split']})", "",
             f"Trained on {report['train_papers']} papers listed before {report['split']}, "
             f"tested on {report['test_papers']} listed {period}. Threshold {report['threshold']:.3f}.", "",
             "| rule | proposals / 1000 | recall of in-scope | out-of-scope / 1000 | unjudged |", "|---|---:|---:|---:|---:|"]

    def row(name, r):
        if r is None:
            return
        recall = f"{r['recall_in_scope']:.3f}" if r.get("recall_in_scope") is not None else "-"
        out = f"{r['out_of_scope_per_1000']:.2f}" if "out_of_scope_per_1000" in r else "-"
        lines.append(f"| {name} | {r['proposals_per_1000']:.1f} | {recall} | {out} | {r.get('unjudged_proposals', '-')} |")

    row("model", report["model"])
    row("keyword rule (lexicons)", report["keyword"])
    row("model at the keyword rule's recall", report.get("model_at_keyword_recall"))
    sections = report["sections"]
    lines += ["", f"Section agreement (cross-validated on the list): top-1 {sections['top1_cv']:.3f}, "
                  f"top-3 {sections['top3_cv']:.3f}.", ""]
    return "\n".join(lines)


def write(report: dict, folder: Path) -> list[Path]:
    """report.json, report.md and, when matplotlib is installed, two PNG plots."""
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / "report.json", folder / "report.md"]
    written[0].write_text(json.dumps(report, indent=1))
    written[1].write_text(markdown(report))
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return written
    if report.get("curve"):
        fig, ax = plt.subplots(figsize=(5, 4))
        recall = [c["recall_in_scope"] for c in report["curve"]]
        out = [c["out_of_scope_per_1000"] for c in report["curve"]]
        ax.plot(recall, out, marker=".", label="model")
        ax.scatter([report["keyword"]["recall_in_scope"]], [report["keyword"]["out_of_scope_per_1000"]],
                   color="red", label="keyword rule")
        ax.set_xlabel("recall of in-scope papers")
        ax.set_ylabel("out-of-scope proposals per 1000")
        ax.legend()
        fig.tight_layout()
        fig.savefig(folder / "precision_recall.png", dpi=110)
        plt.close(fig)
        written.append(folder / "precision_recall.png")
    sections = report["sections"]
    labels = sections["labels"]
    index = {label: i for i, label in enumerate(labels)}
    matrix = np.zeros((len(labels), len(labels)), dtype=int)
    for truth, predicted in zip(sections["truth"], sections["predicted"]):
        matrix[index[truth], index[predicted]] += 1
    fig, ax = plt.subplots(figsize=(8, 7))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=90, fontsize=7)
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    for (r, c), value in np.ndenumerate(matrix):
        if value:
            ax.text(c, r, str(value), ha="center", va="center", fontsize=6)
    ax.set_xlabel("predicted section")
    ax.set_ylabel("the list's section")
    fig.tight_layout()
    fig.savefig(folder / "section_confusion.png", dpi=110)
    plt.close(fig)
    written.append(folder / "section_confusion.png")
    return written
