"""Time-split evaluation: train on what was known before a date, test on what came after.

Runs in ``bot evaluate`` and in ``bench/bench_classifier.py``.  Compares the
model with the keyword rule of its own lexicon (a method term AND a domain
term anywhere in title + abstract).  When hand judgements are given (arXiv id
-> in / out / borderline), it reports recall of the in-scope papers and
out-of-scope proposals per 1,000 feed papers; unjudged proposals count as out
of scope.  Without a lexicon, the topic is learned from the entries against the
papers before the split, as ``bot train`` would.  Sections: top-1 / top-3
agreement with the list, overall and per section (cross-validated), and, when
hand-labelled sections of test papers are given, agreement with those (the papers
read with their abstracts, as the bot reads the feed).  Example::

    report = evaluate(entries, papers, lexicon, "2026-01-01", judgements={"2601.00001": "in"},
                      sections={"2601.00001": "Segmentation"})
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .errors import EvaluationError
from .features import paper_text
from .lexicon import Lexicon
from .matching import role_counts
from .operating import OperatingRule
from .predict import classify_texts
from .sections import judged_agreement
from .train import Doc, Progress, train


def _rates(proposed: set[str], judgements: dict[str, str], n: int) -> dict:
    inscope = {i for i, j in judgements.items() if j == "in"}
    out = [i for i in proposed if judgements.get(i, "out") == "out"]
    return {
        "proposals_per_1000": len(proposed) / n * 1000,
        "recall_in_scope": len(proposed & inscope) / len(inscope) if inscope else None,
        "out_of_scope_per_1000": len(out) / n * 1000,
        "unjudged_proposals": sum(1 for i in proposed if i not in judgements),
    }


def tested(day: str | None, split: str, until: str | None = None) -> bool:
    """Whether a paper listed on ``day`` is in the test period: from ``split``, before ``until``."""
    return bool(day) and day >= split and (until is None or day < until)


def split_papers(papers: list[Doc], split: str, until: str | None = None) -> tuple[list[Doc], list[Doc]]:
    """(papers listed before ``split``, papers listed from it until ``until``); an error if one is empty."""
    before = [p for p in papers if p.date and p.date < split]
    after = [p for p in papers if tested(p.date, split, until)]
    if not before or not after:
        side = "before" if not before else "from"
        raise EvaluationError(f"no papers listed {side} {split} ({len(before)} before, {len(after)} from it"
                              f"{f' until {until}' if until else ''})",
                              "pick a --split date inside the store's listing dates, or import more papers")
    return before, after


def evaluate(entries: list[Doc], papers: list[Doc], lexicon: Lexicon | dict | None, split: str, *,
             rule: OperatingRule = OperatingRule(), judgements: dict[str, str] | None = None,
             until: str | None = None, progress: Progress | None = None,
             sections: dict[str, str] | None = None) -> dict:
    """Train before ``split`` (ISO date), classify the papers from ``split`` (until ``until``), report.
    ``sections``: arXiv id -> the section a person filed it under; those among the test papers are
    scored (top-1 / top-3, per section)."""
    before, after = split_papers(papers, split, until)
    learned = lexicon is None
    if learned:
        from .topic import learn

        lexicon = learn([(d.title, d.abstract) for d in entries], [(p.title, p.abstract) for p in before],
                        progress=progress)
    model = train(entries, before, lexicon, rule=rule, progress=progress)
    if progress:
        progress("classifying the test papers", 5, 5)
    verdicts = classify_texts(model, [p.title for p in after], [p.abstract or None for p in after], explain=False)
    probability = np.array([v.probability for v in verdicts])
    counts = role_counts([paper_text(p.title, p.abstract) for p in after], model.meta["lexicon"])
    keyword = (counts[:, 0] + counts[:, 1] > 0) & (counts[:, 2] + counts[:, 3] > 0)
    ids = [p.id for p in after]
    model_set = {i for i, v in zip(ids, verdicts) if v.relevant}
    keyword_set = {i for i, k in zip(ids, keyword) if k}
    report = {
        "split": split, "until": until, "train_papers": len(before), "test_papers": len(after),
        "lexicon": "learned from the list" if learned else "configured",
        "threshold": model.threshold, "training_metrics": model.meta["metrics"],
        "operating_curve": model.meta["operating_curve"],
        "model": {"proposals_per_1000": len(model_set) / len(after) * 1000},
        "keyword": {"proposals_per_1000": len(keyword_set) / len(after) * 1000},
        "agreement": {"both": len(model_set & keyword_set), "model_only": len(model_set - keyword_set),
                      "keyword_only": len(keyword_set - model_set)},
        "probabilities": {i: round(float(p), 5) for i, p in zip(ids, probability) if p >= 0.001},
    }
    if judgements:
        report.update(_judged(ids, probability, model.threshold, model_set, keyword_set, judgements))
    report.update(_sections(model, after, sections))
    return report


def _judged(ids: list[str], probability: np.ndarray, threshold: float, model_set: set[str], keyword_set: set[str],
            judgements: dict[str, str]) -> dict:
    """Rates of the model and the keyword rule against people's judgements, the curve over thresholds,
    the model's point at the keyword rule's recall, and the proposals with their judgements."""
    n = len(ids)
    report = {"model": _rates(model_set, judgements, n), "keyword": _rates(keyword_set, judgements, n)}
    curve = []
    for cut in sorted({round(float(t), 4) for t in np.geomspace(0.001, 0.999, 40)} | {threshold}):
        chosen = {i for i, p in zip(ids, probability) if p >= cut}
        curve.append({"threshold": cut, **_rates(chosen, judgements, n)})
    report["curve"] = curve
    target = report["keyword"]["recall_in_scope"] or 0
    matching = [c for c in curve if (c["recall_in_scope"] or 0) >= target]
    # the model's point at the keyword rule's recall (or, if it never gets there, its highest recall)
    report["model_at_keyword_recall"] = (max(matching, key=lambda c: c["threshold"]) if matching else
                                         max(curve, key=lambda c: (c["recall_in_scope"] or 0, c["threshold"])))
    report["proposals"] = [{"id": i, "probability": float(p), "judgement": judgements.get(i, "unjudged")}
                           for i, p in zip(ids, probability) if p >= threshold]
    return report


def _sections(model, after: list[Doc], sections: dict[str, str] | None) -> dict:
    """The section model's cross-validated agreement, and on the test papers people filed (if given)."""
    agreement = model.meta.get("section_agreement") or {}
    report = {"sections": {
        "labels": sorted(set(agreement.get("truth", []))),
        "truth": agreement.get("truth", []),
        "predicted": agreement.get("predicted", []),
        "top1_cv": agreement.get("top1"),
        "top3_cv": agreement.get("top3"),
        "per_section": agreement.get("per_section", {}),
    }}
    if sections:
        labelled = [(p.title, p.abstract or "", sections[p.id]) for p in after if p.id in sections]
        with_abstract = bool(model.meta.get("metrics", {}).get("section_uses_abstract", False))
        report["sections_judged"] = {"papers": len(labelled),
                                     **judged_agreement(model.section, labelled, with_abstract)}
    return report


def markdown(report: dict) -> str:
    """A short human report."""
    period = f"from {report['split']}" + (f" until {report['until']}" if report.get("until") else "")
    lines = [f"# Time-split evaluation ({report['split']})", "",
             f"Trained on {report['train_papers']} papers listed before {report['split']}, "
             f"tested on {report['test_papers']} listed {period}; lexicon: {report.get('lexicon', 'configured')}; "
             f"threshold {report['threshold']:.3f}.", "",
             "| rule | proposals / 1000 | recall of in-scope | out-of-scope / 1000 | unjudged |", "|---|---:|---:|---:|---:|"]

    def row(name, r):
        if r is None:
            return
        recall = f"{r['recall_in_scope']:.3f}" if r.get("recall_in_scope") is not None else "-"
        out = f"{r['out_of_scope_per_1000']:.2f}" if "out_of_scope_per_1000" in r else "-"
        lines.append(f"| {name} | {r['proposals_per_1000']:.1f} | {recall} | {out} | {r.get('unjudged_proposals', '-')} |")

    row("model", report["model"])
    row("keyword rule (lexicon)", report["keyword"])
    row("model at the keyword rule's recall", report.get("model_at_keyword_recall"))
    sections = report["sections"]
    if sections.get("top1_cv") is not None:
        lines += ["", f"Section agreement with the list (cross-validated): top-1 {sections['top1_cv']:.3f}, "
                      f"top-3 {sections['top3_cv']:.3f}.", "",
                  "| section | entries | top-1 | top-3 |", "|---|---:|---:|---:|"]
        for name, agree in sections.get("per_section", {}).items():
            lines.append(f"| {name} | {agree['examples']} | {agree['top1']:.2f} | {agree['top3']:.2f} |")
    judged = report.get("sections_judged") or {}
    if judged.get("papers"):
        lines += ["", f"Section agreement with the hand-labelled test papers ({judged['papers']}, read with their "
                      f"abstracts): top-1 {judged['top1']:.3f}, top-3 {judged['top3']:.3f}.", "",
                  "| section | papers | top-1 | top-3 |", "|---|---:|---:|---:|"]
        for name, agree in judged["per_section"].items():
            lines.append(f"| {name} | {agree['examples']} | {agree['top1']:.2f} | {agree['top3']:.2f} |")
    elif "sections_judged" in report:
        lines += ["", "No hand-labelled section is for a paper of the test period."]
    entries = report.get("entries") or {}
    if entries.get("all"):
        every = entries["all"]
        counted = f"{every['entries']} list entr{'y' if every['entries'] == 1 else 'ies'}"
        lines += ["", f"The bot's entries against the maintainers' own lines for the {counted} of the test period "
                      f"(difflib ratio, median; written into the list without the entries of the test period, each "
                      f"in its section): {every['median']:.3f}; links not in the paper's record: "
                      f"{every['invented_links']}.",
                  "", "| section | entries | median similarity | invented links |", "|---|---:|---:|---:|"]
        for name, found in entries["per_section"].items():
            lines.append(f"| {name} | {found['entries']} | {found['median']:.3f} | {found['invented_links']} |")
    elif "entries" in report:
        lines += ["", "No list entry under a heading is a paper of the test period in the store: entry similarity "
                      "not measured."]
    lines.append("")
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
    for key, name, ylabel in (("sections", "section_confusion.png", "the list's section"),
                              ("sections_judged", "section_confusion_judged.png", "the hand-labelled section")):
        found = report.get(key) or {}
        if found.get("truth"):
            _confusion(plt, found["truth"], found["predicted"], ylabel, folder / name)
            written.append(folder / name)
    return written


def _confusion(plt, truth: list[str], predicted: list[str], ylabel: str, path: Path) -> None:
    labels = sorted(set(truth) | set(predicted))
    index = {label: i for i, label in enumerate(labels)}
    matrix = np.zeros((len(labels), len(labels)), dtype=int)
    for true, guess in zip(truth, predicted):
        matrix[index[true], index[guess]] += 1
    fig, ax = plt.subplots(figsize=(8, 7))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=90, fontsize=7)
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    for (r, c), value in np.ndenumerate(matrix):
        if value:
            ax.text(c, r, str(value), ha="center", va="center", fontsize=6)
    ax.set_xlabel("predicted section")
    ax.set_ylabel(ylabel)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
