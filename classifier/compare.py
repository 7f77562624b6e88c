"""Retraining from maintainers' decisions: the budget a new model inherits, and keep or replace.

Runs in every retraining: ``bot train``, ``bot run``'s automatic training, the
retrain workflow (which runs ``bot train``) and ``bot backtest``'s weekly
retraining, all through ``bot.jobs.classify.train_and_compare``.

**The budget survives retraining** (``held_budget``).  It is the maintainers'
review capacity: the new model inherits the budget of the model in use
(proposals per 1,000 feed papers, placed on the recent feed with the decided
papers counted in it).  Retraining changes *which* papers fill it, not how
many.  It moves only on what the *margin* says, the ``MARGIN`` of the recent
decisions that the model in use found least probable (the papers its budget
let in last, and the papers maintainers added that it missed): by ``GROW``
when at least ``GROW_AT`` of them were accepted (there is more to find), by
``SHRINK`` when fewer than ``SHRINK_AT`` of a margin of ``MIN_MARGIN`` or more
were (the last papers in are rejected); never out of the list's pace bounds by
moving.  A model whose budget was not placed on the
feed (a sampled background) passes none on: the list's pace decides.  The
maintainers' ``classifier.proposals_per_1000`` overrides it.  (Measured in the
backtests, docs/backtest.md: where the recent decisions are all the model in
use's own proposals, ranked well, their margin is nearly always rejected, so
the budget steps down to the pace floor; it grows when the maintainers add
papers by hand that the model in use ranked low.)

**Keep or replace measures what maintainers feel** (``keep_or_replace``): both
models are judged on the *recent decisions*, those the model in use was not
trained on (made after it was trained: accepted and rejected proposals, and
papers added to the list since).  The model in use scores them as it is; the
new one by its out-of-fold probabilities (cross-fitted: the fold that scores a
paper did not learn from it).  At each model's own thresholds: precision
(accepted among the decided papers it would propose), recall of the accepted
papers, and proposals per 1,000 papers of the recent feed (the same papers for
both: the new model by its out-of-fold probabilities of them).  The new model is
refused when it ranks them worse (average precision of the accepted over the
rejected lower by more than ``AP_SLACK``, and in ``SURE`` of paired resamples of
the decisions: not one swapped pair), when it proposes more at no better
precision, or when it would miss more than ``RECALL_SLACK`` of the accepted
papers (the model in use proposed them all, so their recall favours it: only a
large loss counts).  With fewer than ``MIN_DECISIONS`` recent decisions the
earlier rule decides: average precision on an evaluation set built from the
training data (``evaluation_set``), lower by no more than ``TOLERANCE``, and no
more of the rejected papers proposed.  Example::

    decision = keep_or_replace(new, old, positives, negatives, len(rejected), recent)
    if decision.replace: save(new, folder)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sklearn.metrics import average_precision_score

from .features import paper_text
from .labels import weak_labels
from .model import Model
from .predict import classify_texts

TOLERANCE = 0.005  # average precision the fallback rule forgives (training noise between two fits)
MIN_DECISIONS = 10  # recent decisions needed to judge on them (and to move the budget)
AP_SLACK = 0.02  # average precision on the recent decisions the new model may lose (noise between two fits)
BOOTSTRAP, SURE, RANDOM_STATE = 200, 0.9, 0  # paired resamples of the recent decisions; "worse" in this share
RECALL_SLACK = 0.25  # share of the accepted papers: the model in use proposed them all, by construction
MARGIN = 1 / 3  # the least probable share of the recent decisions: what the budget let in last
GROW_AT, GROW = 0.5, 1.25  # most of the margin accepted: there is more to find
SHRINK_AT, SHRINK = 0.1, 0.8  # (almost) none of the margin accepted: propose fewer
MIN_MARGIN = 5  # recent decisions in the margin needed to shrink the budget


@dataclass
class Recent:
    """What happened since the model in use was trained: decided papers it never learned from, and the
    recent feed its proposals were drawn from."""

    positives: list = field(default_factory=list)  # Docs: accepted, or added to the list since
    negatives: list = field(default_factory=list)  # Docs: rejected since
    feed: list = field(default_factory=list)  # Docs: the feed papers listed since (or the recent feed)

    @property
    def decisions(self) -> int:
        return len(self.positives) + len(self.negatives)


def recent(old: Model | None, entries: list, accepted: list, rejected: list, feed: list) -> Recent:
    """The decisions ``old`` was not trained on (``meta['trained_on']``; a model without it: none)."""
    if old is None or "trained_on" not in old.meta:
        return Recent(feed=feed)
    seen = set(old.meta["trained_on"])
    return Recent([d for d in list(entries) + list(accepted) if d.id not in seen],
                  [d for d in rejected if d.id not in seen], feed)


def rate(model: Model, feed: list, out_of_fold: bool = False) -> float | None:
    """Proposals per 1,000 papers of ``feed`` (Docs) at the model's own thresholds (None: no feed);
    ``out_of_fold``: by the probabilities training gave each paper it learned from (``model.cv``)."""
    if not feed:
        return None
    cv = model.cv if out_of_fold and model.cv else {}
    unknown = [d for d in feed if d.id not in cv]
    found = classify_texts(model, [d.title for d in unknown], [d.abstract or None for d in unknown], explain=False)
    flagged = sum(v.relevant for v in found) + sum(
        cv[d.id] >= (model.threshold if d.abstract else model.threshold_title_only) for d in feed if d.id in cv)
    return 1000 * flagged / len(feed)


def held_budget(old: Model, now: Recent, bounds: tuple[float, float]) -> tuple[float, str] | None:
    """(the budget the new model inherits, why) with the rule of the module docstring; None when the
    model in use had no budget placed on the feed (a sampled background: the list's pace decides)."""
    metrics = old.meta.get("metrics", {})
    if not metrics.get("budget_on_feed"):
        return None
    base = float(metrics["budget_per_1000"])
    budget, low, high = base, *bounds
    why = f"the model in use's budget, {base:g} per 1,000"
    if now.decisions >= MIN_DECISIONS:
        share = margin_acceptance(old, now)
        said = f"{share:.2f} of the {MARGIN:.0%} least probable of {now.decisions} recent decisions accepted"
        if share >= GROW_AT and base * GROW <= high:
            budget, why = base * GROW, f"{why}; {said}: x{GROW:g}, there is more to find"
        elif share < SHRINK_AT and round(now.decisions * MARGIN) >= MIN_MARGIN and base * SHRINK >= low:
            budget, why = base * SHRINK, f"{why}; {said}: x{SHRINK:g}, the last papers in are rejected"
        else:
            why = f"{why}; {said}: held"
    return round(budget, 2), f"held across retraining: {why}"


def margin_acceptance(old: Model, now: Recent) -> float:
    """The share accepted among the ``MARGIN`` of the recent decisions the model in use found least
    probable: the papers its budget let in last, and those it missed that the maintainers added."""
    docs = [(d, True) for d in now.positives] + [(d, False) for d in now.negatives]
    found = classify_texts(old, [d.title for d, _ in docs], [d.abstract or None for d, _ in docs], explain=False)
    ranked = sorted(zip((v.probability for v in found), (d.id for d, _ in docs), (ok for _, ok in docs)))
    margin = ranked[:max(1, round(len(ranked) * MARGIN))]
    return sum(ok for _, _, ok in margin) / len(margin)


@dataclass
class Score:
    recall: float  # of the positives judged
    average_precision: float | None = None  # the fallback rule
    rejected_proposed: int | None = None  # the fallback rule
    precision: float | None = None  # the recent-decisions rule: accepted among the decided papers proposed
    per_1000: float | None = None  # the recent-decisions rule: proposals per 1,000 of the recent feed
    decisions: int = 0

    def line(self) -> str:
        if not self.decisions:
            return (f"average precision {self.average_precision:.4f}, recall {self.recall:.4f}, "
                    f"rejected papers proposed {self.rejected_proposed}")

        def show(value, pattern="{:.3f}"):
            return "-" if value is None else pattern.format(value)
        return (f"on {self.decisions} recent decisions: average precision {show(self.average_precision)}, "
                f"precision {show(self.precision)}, recall {self.recall:.3f}, "
                f"{show(self.per_1000, '{:.2f}')} proposals per 1,000 of the recent feed")


@dataclass
class Decision:
    replace: bool
    reason: str
    new: Score
    old: Score | None


def evaluation_set(lexicon: dict, positives: list, background: list, rejected: list) -> tuple[list, list]:
    """(positives, negatives) as (title, abstract) pairs: rejected papers first among the negatives."""
    labels = weak_labels([paper_text(d.title, d.abstract) for d in background], lexicon)
    negatives = list(rejected) + [d for d, label in zip(background, labels) if label in ("hard-negative",
                                                                                            "weak-negative")]
    return [(d.title, d.abstract) for d in positives], [(d.title, d.abstract) for d in negatives]


def score(model: Model, positives: list[tuple[str, str]], negatives: list[tuple[str, str]], n_rejected: int) -> Score:
    docs = positives + negatives
    found = classify_texts(model, [t for t, _ in docs], [a or None for _, a in docs], explain=False)
    truth = [1] * len(positives) + [0] * len(negatives)
    probability = [v.probability for v in found]
    return Score(sum(v.relevant for v in found[:len(positives)]) / max(len(positives), 1),
                 float(average_precision_score(truth, probability)) if negatives and positives else 0.0,
                 sum(v.relevant for v in found[len(positives):len(positives) + n_rejected]))


def _on_decisions(probability: np.ndarray, flagged: np.ndarray, truth: np.ndarray, per_1000: float | None) -> Score:
    """A model on the recent decisions: its scores, what it would propose, what the maintainers said."""
    return Score(float(flagged[truth].mean()) if truth.any() else 0.0,
                 average_precision=float(average_precision_score(truth, probability)) if truth.any() and
                 not truth.all() else None,
                 precision=float(truth[flagged].mean()) if flagged.any() else None, per_1000=per_1000,
                 decisions=len(truth))


def judge_recent(new: Model, old: Model, now: Recent) -> tuple[Score, Score, tuple]:
    """(new, old) on the recent decisions: the new model by its out-of-fold probabilities, both on the
    same recent feed; and (truth, new probabilities, old probabilities) of the decisions."""
    docs = now.positives + now.negatives
    truth = np.array([True] * len(now.positives) + [False] * len(now.negatives))
    found = classify_texts(old, [d.title for d in docs], [d.abstract or None for d in docs], explain=False)
    old_p = np.array([v.probability for v in found])
    old_flags = np.array([v.relevant for v in found], dtype=bool)
    new_p = np.array([(new.cv or {}).get(d.id, 0.0) for d in docs])
    new_t = np.array([new.threshold if d.abstract else new.threshold_title_only for d in docs])
    return (_on_decisions(new_p, new_p >= new_t, truth, rate(new, now.feed, out_of_fold=True)),
            _on_decisions(old_p, old_flags, truth, rate(old, now.feed)), (truth, new_p, old_p))


def ranks_worse(truth: np.ndarray, new_p: np.ndarray, old_p: np.ndarray) -> bool:
    """Whether the new model ranks the decided papers worse beyond the noise of a few decisions: lower
    average precision, by more than ``AP_SLACK``, on all of them and in at least ``SURE`` of ``BOOTSTRAP``
    paired resamples of them (fixed seed).  One swapped pair among a dozen decisions is not enough."""
    def gap(rows) -> float:
        return average_precision_score(truth[rows], old_p[rows]) - average_precision_score(truth[rows], new_p[rows])

    if gap(np.arange(len(truth))) <= AP_SLACK:
        return False
    draws = np.random.default_rng(RANDOM_STATE).integers(0, len(truth), (BOOTSTRAP, len(truth)))
    gaps = [gap(rows) for rows in draws if 0 < truth[rows].sum() < len(rows)]
    return bool(gaps) and float(np.mean([g > 0 for g in gaps])) >= SURE


def keep_or_replace(new: Model, old: Model | None, positives: list, negatives: list, n_rejected: int,
                    now: Recent | None = None) -> Decision:
    """Decide with the rules of the module docstring; without a model in use, replace."""
    if old is None:
        return Decision(True, "no saved model", score(new, positives, negatives, n_rejected), None)
    if now is not None and now.decisions >= MIN_DECISIONS and new.cv is not None:
        new_score, old_score, ranked = judge_recent(new, old, now)
        figures = f"new: {new_score.line()}; in use: {old_score.line()}"
        if new_score.average_precision is not None and ranks_worse(*ranked):
            return Decision(False, f"it ranks the recent decisions worse ({figures})", new_score, old_score)
        if now.positives and new_score.recall < old_score.recall - RECALL_SLACK:
            return Decision(False, f"it finds far fewer of the accepted papers ({figures})", new_score, old_score)
        better = (new_score.precision or 0.0) - (old_score.precision or 0.0)
        more = (new_score.per_1000 or 0.0) > (old_score.per_1000 or 0.0) * 1.05
        if more and better <= 0:
            return Decision(False, f"it proposes more at no better precision ({figures})", new_score, old_score)
        return Decision(True, f"it is not worse on the recent decisions ({figures})", new_score, old_score)
    new_score = score(new, positives, negatives, n_rejected)
    old_score = score(old, positives, negatives, n_rejected)
    if new_score.average_precision < old_score.average_precision - TOLERANCE:
        return Decision(False, "its average precision is lower", new_score, old_score)
    if new_score.rejected_proposed > old_score.rejected_proposed:
        return Decision(False, "it proposes more of the rejected papers", new_score, old_score)
    return Decision(True, "it is not worse on the evaluation set", new_score, old_score)
