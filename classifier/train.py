"""Training: the relevance model, its calibration and operating point, and the section model.

Runs in ``bot train``, in ``bot run`` when the model must be (re)made, and in
``bot evaluate`` on a time split.  Deterministic: the inputs are sorted, folds
and solvers have fixed seeds.  The TF-IDF vocabulary is fitted once on all
training texts (unsupervised); stock scikit-learn does the rest: the logistic
regression's out-of-fold scores (``cross_val_predict``), and what
``CalibratedClassifierCV(method="sigmoid", ensemble=False)`` fits on the same
folds, built from those scores rather than by fitting the folds again
(``model.calibrated_from_scores``).  The same folds give each row's out-of-fold
probability, from which ``operating.py`` chooses the thresholds.  Example::

    model = train(entries, background, lexicon.load("lexicon.yaml"))
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.model_selection import cross_val_predict
from sklearn.pipeline import Pipeline

from . import sections as section_model
from .errors import TrainingError
from .features import paper_text, relevance_features
from .folds import GroupFolds
from .titles import title_key
from .labels import label_arrays, weak_labels
from .lexicon import Lexicon
from .model import Model, calibrated_from_scores
from .operating import BACKGROUND_KINDS, MIN_FEED, OperatingRule, Rows, choose
from .pace import Pace, day_of, entry_month, list_pace

RANDOM_STATE = 0
FOLDS = 5
TITLE_VIEW_SHARE = 10  # percent of plain negatives that also train as title-only texts
Progress = Callable[[str, int, int], None]  # (what is being done, steps done, steps in all)


@dataclass
class Doc:
    id: str
    title: str
    abstract: str = ""
    section: str | None = None
    moved: bool = False  # an accepted paper the maintainers moved to another section than proposed
    feed: bool = True  # a paper from the feed (False: from a sampled file, or a list entry the feed never had)
    date: str = ""  # a feed paper's listing date; else a list entry's own date (YYYY-MM-DD), when it has one


def _relevance_lr() -> LogisticRegression:
    return LogisticRegression(C=4.0, solver="liblinear", max_iter=1000, random_state=RANDOM_STATE)


def _sampled(doc_id: str) -> bool:
    return zlib.crc32(doc_id.encode()) % 100 < TITLE_VIEW_SHARE


@dataclass
class TrainingRows:
    texts: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)  # one group per paper (its title-only view goes with it)
    title_view: list[bool] = field(default_factory=list)  # the row is a title only
    weight: list[float] = field(default_factory=list)  # papers of the background the row stands for
    feed: list[bool] = field(default_factory=list)  # a background row from the feed


def relevance_rows(entries: list[Doc], background: list[Doc], rejected: list[Doc], accepted: list[Doc],
                   lexicon: dict) -> TrainingRows:
    """The relevance training rows: positives, decisions, and the weakly labelled background."""
    known_ids = {d.id for d in entries + rejected + accepted if d.id}
    known_titles = {title_key(d.title) for d in entries + rejected + accepted}
    background = [d for d in background if d.id not in known_ids and title_key(d.title) not in known_titles]
    rows = TrainingRows()

    def add(doc: Doc, kind: str, with_title_view: bool, view_weight: float = 1.0, feed: bool = False) -> None:
        for title_only in ([False, True] if doc.abstract and with_title_view else [not doc.abstract]):
            rows.texts.append(paper_text(doc.title, None if title_only else doc.abstract))
            rows.kinds.append(kind)
            rows.groups.append(doc.id or doc.title)
            rows.title_view.append(title_only)
            rows.weight.append(view_weight if title_only and doc.abstract else 1.0)
            rows.feed.append(feed)

    recent = recent_feed(background)
    # papers of the recent feed that maintainers decided (accepted ones merged into the list too) count in
    # the budget (else it is placed on a feed without the bot's accepted proposals and near misses, and each
    # retraining proposes more than the last); papers a person listed by hand do not (measured: counting
    # them placed a fresh model's budget too high on Mamba, 0.963 -> 0.889 recall)
    for doc in entries:
        add(doc, "list", True, feed=doc.feed and bool(doc.date) and recent(doc))
    for doc in accepted:
        add(doc, "accepted", True, feed=bool(doc.date) and recent(doc))
    for doc in rejected:
        add(doc, "rejected", True, feed=bool(doc.date) and recent(doc))
    labels = weak_labels([paper_text(d.title, d.abstract) for d in background], lexicon)
    for doc, label in zip(background, labels):
        if label != "unlabelled":
            sampled = label != "negative" or _sampled(doc.id)
            add(doc, label, sampled, 1.0 if label != "negative" else 100 / TITLE_VIEW_SHARE, doc.feed and recent(doc))
    return rows


RECENT_DAYS = 61  # the budget is placed on the feed of the last two months (the next papers look like them)


def recent_feed(background: list[Doc]) -> Callable[[Doc], bool]:
    """Whether a feed paper is recent enough to place the budget on: listed within ``RECENT_DAYS`` of the
    newest feed paper, when the store holds ``MIN_FEED`` of them (else every feed paper counts)."""
    days = [day.isoformat() for day in (day_of(d.date) for d in background if d.feed and d.date) if day]
    if not days:
        return lambda doc: True
    # no earlier than the oldest feed paper at hand: decided and listed papers of the feed count in the
    # budget only over the days whose other papers are there too (a background sample covers fewer days)
    cutoff = max((date.fromisoformat(max(days)) - timedelta(days=RECENT_DAYS)).isoformat(), min(days))
    if sum(day >= cutoff for day in days) < MIN_FEED:
        return lambda doc: True
    return lambda doc: bool(doc.date) and doc.date[:10] >= cutoff


HIDDEN_QUANTILE = 0.10


def _hidden_positives(scores: np.ndarray, kinds: np.ndarray, view: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Background rows labelled negative that score, out of fold, like the positives (above the lowest
    tenth of the positives read the same way), with the other view of the same paper.  Only for a
    learned lexicon: its few domain words make in-scope papers look like 'method without domain'.
    (With the hand-written lexicon this removed the informative hard negatives: worse on the
    development split.)"""
    negative = np.isin(kinds, ["negative", "hard-negative", "weak-negative"])
    hidden = np.zeros(len(scores), dtype=bool)
    for title_only in (False, True):
        positives = np.isin(kinds, ["list", "accepted", "positive"]) & (view == title_only)
        if positives.sum() >= 10:
            bar = np.quantile(scores[positives], HIDDEN_QUANTILE)
            hidden |= negative & (view == title_only) & (scores >= bar)
    return np.isin(groups, groups[hidden]) & negative


def _recall_listed(rows: Rows, chosen: dict) -> float | None:
    """Cross-validated recall of the list's entries and accepted papers at the chosen thresholds
    (titles at the title-only threshold, papers with abstracts at the main one)."""
    listed = np.isin(rows.kinds, ["list", "accepted"])
    if not listed.any():
        return None
    thresholds = np.where(rows.title_view, chosen["threshold_title_only"], chosen["threshold"])
    return float((rows.probability[listed] >= thresholds[listed]).mean())


def list_pace_of(positives: list[Doc], background: list[Doc]) -> Pace:
    """The list's pace (``pace.py``) from its entries' months and the feed papers' listing dates."""
    return list_pace([entry_month(d.id, d.date) for d in positives], [d.date for d in background if d.feed])


def fingerprint(*groups: list[Doc]) -> str:
    digest = hashlib.sha256()
    for group in groups:
        for doc in group:
            digest.update(json.dumps([doc.id, doc.title, doc.abstract, doc.section, doc.moved]).encode())
        digest.update(b"|")
    return digest.hexdigest()[:16]


def check_positives(n: int) -> None:
    if not n:
        raise TrainingError("no positives to learn from: the list has no entries and no paper was accepted",
                            "check list.path and that the list's entries are recognised (`bot list check`)")


def _check(entries: list[Doc], accepted: list[Doc], background: list[Doc]) -> None:
    check_positives(len(entries) + len(accepted))
    if not background:
        raise TrainingError("no background papers to train against",
                            "run `bot fetch` or `bot fetch --from-file papers.jsonl.gz` first")


@dataclass
class _Relevance:
    """The fitted relevance model and what it said of its own training rows, out of fold."""

    features: object
    calibrated: CalibratedClassifierCV
    table: TrainingRows  # the rows kept (hidden positives left out)
    y: np.ndarray
    probability: np.ndarray  # out-of-fold, calibrated
    rows: Rows  # what the operating point is placed on (hidden positives back in, scored unseen)
    hidden: np.ndarray


def _folds(X, y, groups) -> list:
    return list(GroupFolds(FOLDS, shuffle=True, random_state=RANDOM_STATE).split(X, y, groups))


def _fit_relevance(table: TrainingRows, lexicon_dict: dict) -> _Relevance:
    """Features, out-of-fold scores, hidden positives set aside (a learned lexicon's weak labels),
    and a sigmoid fitted on exactly the out-of-fold scores of the same folds and weights."""
    kinds_arr, view, groups_arr = np.array(table.kinds), np.array(table.title_view), np.array(table.groups)
    y, weights = label_arrays(table.kinds)
    if y.sum() == len(y):
        raise TrainingError("every background paper looks like a list entry: nothing to contrast them with",
                            "add background papers (`bot fetch --from-file`)")
    features = relevance_features(lexicon_dict)
    X = features.fit_transform(table.texts)
    folds = _folds(X, y, groups_arr)
    scores = cross_val_predict(_relevance_lr(), X, y, cv=folds, method="decision_function",
                               params={"sample_weight": weights})
    learned = str(lexicon_dict.get("source", "")).startswith("learned")
    hidden = _hidden_positives(scores, kinds_arr, view, groups_arr) if learned else np.zeros(len(y), dtype=bool)
    aside = None
    if hidden.any():  # in-scope papers a learned lexicon's weak labels called negative: left out, then refit
        keep = ~hidden
        aside = (X[hidden], kinds_arr[hidden], view[hidden], np.array(table.weight, dtype=float)[hidden],
                 np.array(table.feed, dtype=bool)[hidden])
        X, y, weights, groups_arr = X[keep], y[keep], weights[keep], groups_arr[keep]
        table = TrainingRows(*(list(np.array(getattr(table, name), dtype=object)[keep])
                               for name in ("texts", "kinds", "groups", "title_view", "weight", "feed")))
        folds = _folds(X, y, groups_arr)
        scores = cross_val_predict(_relevance_lr(), X, y, cv=folds, method="decision_function",
                                   params={"sample_weight": weights})
    table.kinds, table.title_view = [str(k) for k in table.kinds], [bool(v) for v in table.title_view]
    # CalibratedClassifierCV(method="sigmoid", cv=folds, ensemble=False), from the out-of-fold scores above
    calibrated = calibrated_from_scores(_relevance_lr().fit(X, y, sample_weight=weights), scores, y, weights)
    probability = calibrated.calibrated_classifiers_[0].calibrators[0].predict(scores)
    rows = Rows(probability, np.array(table.kinds), np.array(table.title_view), np.array(table.weight, dtype=float),
                np.array(table.feed, dtype=bool))
    if aside is not None:  # they are papers of the feed all the same: the budget counts them (scored unseen)
        rows = Rows(np.concatenate([probability, calibrated.predict_proba(aside[0])[:, 1]]),
                    *(np.concatenate([getattr(rows, name), extra]) for name, extra in
                      zip(("kinds", "title_view", "weight", "feed"), aside[1:])))
    return _Relevance(features, calibrated, table, y, probability, rows, hidden)


def _fit_sections(entries: list[Doc], accepted: list[Doc]):
    """(section examples, cross-validated agreement, the fitted section model)."""
    examples = [section_model.SectionExample(d.title, d.abstract, d.section, "list") for d in entries if d.section]
    examples += [section_model.SectionExample(d.title, d.abstract, d.section, "moved" if d.moved else "accepted")
                 for d in accepted if d.section]
    agreement = section_model.agreement(examples, section_model.cv_top3(examples))
    section = section_model.fit(examples) if examples else None
    if section is None:
        raise TrainingError("no list entry has a section", "the list needs headings above its entries")
    return examples, agreement, section


def _metrics(fit: _Relevance, chosen: dict, pace, rule: OperatingRule, examples, agreement) -> dict:
    kinds_arr, title_view = np.array(fit.table.kinds), np.array(fit.table.title_view)
    return {
        "left_out_as_hidden_positives": int(fit.hidden.sum()),
        "threshold": chosen["threshold"],
        "threshold_title_only": chosen["threshold_title_only"],
        "budget_per_1000": chosen["budget_per_1000"],
        "budget_on_feed": bool(fit.rows.background()[1]),
        "operating_rule": chosen["rule"],
        "pace_added_per_month": round(pace.added_per_month, 2),
        "pace_feed_per_month": round(pace.feed_per_month, 1),
        "pace_budget_per_1000": pace.budget_per_1000,
        "pace_thin": pace.thin,
        "target_recall": rule.target_recall,
        "average_precision_cv": float(average_precision_score(fit.y, fit.probability)),
        "recall_list_cv": _recall_listed(fit.rows, chosen),
        "recall_weak_positives_cv": chosen["recall_weak_positives"],
        "proposals_per_1000_background_cv": chosen["proposals_per_1000"],
        "background_papers": int((np.isin(kinds_arr, BACKGROUND_KINDS) & ~title_view).sum()),
        "rows": {kind: int((kinds_arr == kind).sum()) for kind in sorted(set(fit.table.kinds))},
        "section_examples": len(examples),
        "section_uses_abstract": section_model.uses_abstract(examples),
        "section_top1_cv": agreement.get("top1"),
        "section_top3_cv": agreement.get("top3"),
    }


def _out_of_fold(fit: _Relevance) -> dict[str, float]:
    """Each paper's out-of-fold probability, read as the bot reads it (its full text first); a paper
    labelled by the maintainers or the list before its background row."""
    cv: dict[str, tuple[tuple[bool, bool], float]] = {}
    for group, kind, title_only, p in zip(fit.table.groups, fit.table.kinds, fit.table.title_view, fit.probability):
        rank = (kind in ("list", "accepted", "rejected"), not title_only)
        if group not in cv or rank > cv[group][0] or (rank == cv[group][0] and not title_only):
            cv[group] = (rank, float(p))
    return {group: p for group, (_, p) in cv.items()}


def train(entries: list[Doc], background: list[Doc], lexicon: Lexicon | dict, *, rejected: list[Doc] = (),
          accepted: list[Doc] = (), rule: OperatingRule = OperatingRule(), progress: Progress | None = None) -> Model:
    """Fit relevance + section models; thresholds, operating curve and metrics go into ``model.meta``.

    Example: model = train(entry_docs, background_docs, lexicon_io.load("lexicon.yaml"))
    """
    steps = ["weak labels", "features", "out-of-fold scores", "calibrated model", "sections"]

    def step(index: int) -> None:
        if progress:
            progress(steps[min(index, len(steps) - 1)], index, len(steps))

    lexicon_dict = lexicon.as_dict() if isinstance(lexicon, Lexicon) else lexicon
    entries, rejected, accepted = list(entries), list(rejected), list(accepted)
    _check(entries, accepted, background)
    background = sorted(background, key=lambda d: d.id)
    step(0)
    table = relevance_rows(entries, background, rejected, accepted, lexicon_dict)
    step(1)
    fit = _fit_relevance(table, lexicon_dict)
    step(3)
    pace = list_pace_of(entries + accepted, background)
    chosen, curve = choose(fit.rows, rule, pace)
    step(4)
    examples, agreement, section = _fit_sections(entries, accepted)
    step(5)
    meta = {
        "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "data_fingerprint": fingerprint(entries, background, rejected, accepted),
        "labels_fingerprint": fingerprint(entries, rejected, accepted),
        "lexicon": lexicon_dict,
        "metrics": _metrics(fit, chosen, pace, rule, examples, agreement),
        "operating_curve": curve,
        "sections": sorted({e.section for e in examples}),
        "section_agreement": agreement,
        "feed_until": max((d.date[:10] for d in background if d.feed and d.date), default=""),
        "trained_on": sorted({d.id for d in entries + accepted + rejected}),
    }
    return Model(Pipeline([("features", fit.features), ("model", fit.calibrated)]), section, meta, _out_of_fold(fit))
