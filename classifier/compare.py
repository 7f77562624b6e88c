"""Keep or replace: is a retrained model at least as good as the saved one?

Runs after every training that would overwrite a saved model (``bot train``,
``bot run``'s automatic retraining).  Both models are scored on one evaluation
set, built from the new training data with the new model's lexicon: the list's
entries and the accepted papers (positive) against the rejected papers and the
background's weak and hard negatives.  The new model replaces the saved one
unless its average precision is lower by more than ``TOLERANCE`` or it proposes
more of the papers the maintainers rejected.  Example::

    decision = keep_or_replace(new, old, positives, negatives, rejected)
    if decision.replace: save(new, folder)
"""

from __future__ import annotations

from dataclasses import dataclass

from sklearn.metrics import average_precision_score

from .features import paper_text
from .labels import weak_labels
from .model import Model
from .predict import classify_texts

TOLERANCE = 0.005


@dataclass
class Score:
    average_precision: float
    recall: float
    rejected_proposed: int


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
    return Score(float(average_precision_score(truth, probability)) if negatives and positives else 0.0,
                 sum(v.relevant for v in found[:len(positives)]) / max(len(positives), 1),
                 sum(v.relevant for v in found[len(positives):len(positives) + n_rejected]))


def keep_or_replace(new: Model, old: Model | None, positives: list, negatives: list, n_rejected: int) -> Decision:
    """Decide with the rule of the module docstring; without a saved model, replace."""
    new_score = score(new, positives, negatives, n_rejected)
    if old is None:
        return Decision(True, "no saved model", new_score, None)
    old_score = score(old, positives, negatives, n_rejected)
    if new_score.average_precision < old_score.average_precision - TOLERANCE:
        return Decision(False, "its average precision is lower", new_score, old_score)
    if new_score.rejected_proposed > old_score.rejected_proposed:
        return Decision(False, "it proposes more of the rejected papers", new_score, old_score)
    return Decision(True, "it is not worse on the evaluation set", new_score, old_score)
