"""Training: the relevance model, its calibration and threshold, and the section model.

Runs in ``bot train`` (and ``bot evaluate`` on a time split).  Deterministic:
the inputs are sorted, folds and solvers have fixed seeds.  The TF-IDF
vocabulary is fitted once on all training texts (unsupervised); the logistic
regression is cross-validated on top of it to get out-of-fold scores, which
calibrate the probability (Platt) and choose the threshold for the target
recall.  Then the final models are fitted on everything.
"""

from __future__ import annotations

import hashlib
import json
import warnings
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np
from joblib import Parallel, delayed
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.model_selection import KFold, StratifiedGroupKFold
from sklearn.pipeline import Pipeline

from bot.awesome import normalize_title

from .features import paper_text, relevance_features, section_features
from .labels import label_arrays, weak_labels
from .model import Model

RANDOM_STATE = 0
FOLDS = 5
TITLE_VIEW_SHARE = 10  # percent of plain negatives that also train as title-only texts


@dataclass
class Doc:
    id: str
    title: str
    abstract: str = ""
    section: str | None = None


def _relevance_lr() -> LogisticRegression:
    return LogisticRegression(C=4.0, solver="liblinear", max_iter=1000, random_state=RANDOM_STATE)


def _section_lr() -> LogisticRegression:
    return LogisticRegression(C=20.0, class_weight="balanced", max_iter=3000, random_state=RANDOM_STATE)


def _sampled(doc_id: str) -> bool:
    return zlib.crc32(doc_id.encode()) % 100 < TITLE_VIEW_SHARE


def relevance_rows(entries: list[Doc], background: list[Doc], rejected: list[Doc], accepted: list[Doc],
                   lexicons: dict) -> tuple[list[str], list[str], list[str], list[bool]]:
    """Texts, kinds, group ids and 'title-only view' flags of the relevance training rows."""
    known_ids = {d.id for d in entries + rejected + accepted if d.id}
    known_titles = {normalize_title(d.title) for d in entries + rejected + accepted}
    background = [d for d in background if d.id not in known_ids and normalize_title(d.title) not in known_titles]
    texts, kinds, groups, title_view = [], [], [], []

    def add(doc: Doc, kind: str, with_title_view: bool) -> None:
        texts.append(paper_text(doc.title, doc.abstract))
        kinds.append(kind)
        groups.append(doc.id or doc.title)
        title_view.append(not doc.abstract)
        if doc.abstract and with_title_view:
            texts.append(paper_text(doc.title))
            kinds.append(kind)
            groups.append(doc.id or doc.title)
            title_view.append(True)

    for doc in entries:
        add(doc, "list", True)
    for doc in accepted:
        add(doc, "accepted", True)
    for doc in rejected:
        add(doc, "rejected", True)
    labels = weak_labels([paper_text(d.title, d.abstract) for d in background], lexicons)
    for doc, label in zip(background, labels):
        if label != "unlabelled":
            add(doc, label, label != "negative" or _sampled(doc.id))
    return texts, kinds, groups, title_view


def _threshold(probability: np.ndarray, positive: np.ndarray, target: float) -> float:
    """The highest threshold that keeps recall >= target on these positives."""
    values = np.sort(probability[positive])
    if not len(values):
        return 0.5
    index = int(np.floor((1 - target) * len(values)))
    return float(values[min(index, len(values) - 1)])


def _section_texts(docs: list[Doc], use_abstract: bool) -> list[str]:
    return [paper_text(d.title, d.abstract if use_abstract else None) for d in docs]


def _fit_section(texts: list[str], sections: list[str], names: list[str]) -> Pipeline:
    pipeline = Pipeline([("features", section_features()), ("model", _section_lr())])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pipeline.fit(list(texts) + names, list(sections) + names)


def _section_inputs(docs: list[Doc]) -> tuple[list[str], np.ndarray, list[str], bool]:
    labelled = [d for d in docs if d.section]
    use_abstract = sum(bool(d.abstract) for d in labelled) > len(labelled) / 2
    sections = np.array([d.section for d in labelled])
    return _section_texts(labelled, use_abstract), sections, sorted(set(sections)), use_abstract


def section_cv_top3(docs: list[Doc]) -> list[list[str]]:
    """Out-of-fold top-3 sections for each labelled doc (5 folds, fixed seed)."""
    texts, sections, names, _ = _section_inputs(docs)
    top3: list[list[str]] = [[] for _ in texts]
    for train_idx, test_idx in KFold(FOLDS, shuffle=True, random_state=RANDOM_STATE).split(texts):
        model = _fit_section([texts[i] for i in train_idx], sections[train_idx], names)
        proba = model.predict_proba([texts[i] for i in test_idx])
        for row, best in zip(test_idx, model.classes_[np.argsort(-proba, axis=1)[:, :3]]):
            top3[row] = [str(s) for s in best]
    return top3


def section_cv_predictions(docs: list[Doc]) -> list[str]:
    return [best[0] for best in section_cv_top3(docs)]


def fit_section(entries: list[Doc]) -> tuple[Pipeline, dict, bool]:
    """The section model and its cross-validated top-1 / top-3 agreement.

    Each section's own heading is added as one more example of it ('Super Resolution'
    teaches the words of the heading): +6 points of top-3 agreement on the bundled list."""
    texts, sections, names, use_abstract = _section_inputs(entries)
    metrics = {"section_examples": len(texts), "section_uses_abstract": use_abstract}
    if len(names) > 1 and len(texts) >= FOLDS * 2:
        top3 = section_cv_top3(entries)
        metrics["section_top1_cv"] = float(np.mean([b[0] == s for b, s in zip(top3, sections)]))
        metrics["section_top3_cv"] = float(np.mean([s in b for b, s in zip(top3, sections)]))
    return _fit_section(texts, list(sections), names), metrics, use_abstract


def fingerprint(*groups: list[Doc]) -> str:
    digest = hashlib.sha256()
    for group in groups:
        for doc in group:
            digest.update(json.dumps([doc.id, doc.title, doc.abstract, doc.section]).encode())
        digest.update(b"|")
    return digest.hexdigest()[:16]


def train(entries: list[Doc], background: list[Doc], lexicons: dict, *, rejected: list[Doc] = (),
          accepted: list[Doc] = (), target_recall: float = 0.95) -> Model:
    """Fit relevance + section models; metrics and threshold go into ``model.meta``."""
    entries, rejected, accepted = list(entries), list(rejected), list(accepted)
    background = sorted(background, key=lambda d: d.id)
    texts, kinds, groups, title_view = relevance_rows(entries, background, rejected, accepted, lexicons)
    y, weights = label_arrays(kinds)
    if y.sum() == 0 or y.sum() == len(y):
        raise ValueError("training needs both positives (list entries) and background papers")
    features = relevance_features(lexicons)
    X = features.fit_transform(texts)
    scores = np.zeros(len(y))
    folds = list(StratifiedGroupKFold(FOLDS, shuffle=True, random_state=RANDOM_STATE).split(X, y, groups))

    def fold_scores(train_idx, test_idx):
        fold_model = _relevance_lr().fit(X[train_idx], y[train_idx], sample_weight=weights[train_idx])
        return test_idx, fold_model.decision_function(X[test_idx])

    for test_idx, fold in Parallel(n_jobs=2, prefer="threads")(delayed(fold_scores)(*f) for f in folds):
        scores[test_idx] = fold
    calibrator = LogisticRegression(C=1e4, random_state=RANDOM_STATE).fit(scores.reshape(-1, 1), y)
    probability = calibrator.predict_proba(scores.reshape(-1, 1))[:, 1]
    kinds_arr, view = np.array(kinds), np.array(title_view)
    listed = np.isin(kinds_arr, ["list", "accepted"])
    weak = kinds_arr == "positive"
    # Papers with an abstract and papers known by title only score differently: one threshold each,
    # each the highest that keeps the target recall on every group of positives it has.
    thresholds = {}
    for name, rows in (("abstract", ~view), ("title_only", view)):
        groups = [g for g in (listed & rows, weak & rows) if g.sum() >= 10]
        thresholds[name] = min((_threshold(probability, g, target_recall) for g in groups), default=0.5)
    threshold = thresholds["abstract"]
    proposed = probability >= np.where(view, thresholds["title_only"], thresholds["abstract"])
    background_rows = np.isin(kinds_arr, ["positive", "negative", "hard-negative", "weak-negative"]) & ~view

    def share(rows):
        return float(proposed[rows].mean()) if rows.any() else None

    metrics = {
        "threshold": threshold,
        "threshold_title_only": thresholds["title_only"],
        "target_recall": target_recall,
        "average_precision_cv": float(average_precision_score(y, probability)),
        "recall_list_cv": share(listed),
        "recall_weak_positives_cv": share(weak & ~view),
        "proposals_per_1000_background_cv": float(proposed[background_rows].mean() * 1000),
        "weak_negatives_proposed_per_1000_cv": float(
            (proposed & background_rows & (y == 0)).sum() / max(background_rows.sum(), 1) * 1000),
        "rows": {kind: int((kinds_arr == kind).sum()) for kind in sorted(set(kinds))},
    }
    final = _relevance_lr().fit(X, y, sample_weight=weights)
    relevance = Pipeline([("features", features), ("model", final)])
    section, section_metrics, _ = fit_section(entries + accepted)
    metrics.update(section_metrics)
    meta = {
        "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "data_fingerprint": fingerprint(entries, background, rejected, accepted),
        "lexicons": lexicons,
        "metrics": metrics,
        "sections": sorted({d.section for d in entries + accepted if d.section}),
    }
    return Model(relevance, calibrator, section, threshold, meta)
