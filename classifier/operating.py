"""The operating point: how many papers to propose, and the thresholds that follow from it.

Runs at the end of training, on the out-of-fold probabilities of every row.
The point is a *budget*: proposals per 1,000 feed papers (the background read
with abstracts, as the bot reads the feed).  It is the maintainers' setting
(``classifier.proposals_per_1000``) or, by default, the list's own pace
(``pace.py``: K times the papers its maintainers add a month, per 1,000 feed
papers), which every list has, whatever its topic and whatever it offers to
cross-validate.  Cross-validation may move it by at most ``MOVE`` either way,
and only with ``MIN_EVIDENCE`` positives read with an abstract: towards the
larger of

- the smallest budget at which the cross-validated recall of the positives with
  an abstract (weak positives; list entries and accepted papers once their
  abstracts are known) reaches ``target_recall``, and
- the rate of the background's weak positives (the clear in-scope papers the
  lexicon finds) plus ``HEADROOM``: room for the in-scope papers that do not
  look like them (new phrasing, a method named only in the abstract).

Rates are measured on the background papers from the feed (the store).  A
background file that is a *sample* (the bundled demo background keeps every
weak positive but a fifth of the papers just below them) has other rates: with
fewer than ``MIN_FEED`` feed papers the headroom is left out and the budget
columns of the curve are only indicative.  Papers known by their title only (no abstract) get their own threshold:
the one that keeps ``target_recall`` of the list's entries, cross-validated on
their titles (probabilities of a title alone are lower: an abstract threshold
would not transfer to them, nor theirs to abstracts).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .pace import MIN_BUDGET, Pace, list_pace

BACKGROUND_KINDS = ("positive", "negative", "hard-negative", "weak-negative")
BUDGETS = (0.5, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 20, 25, 30, 40, 50, 75, 100)


HEADROOM = 0.10
MIN_FEED = 1000  # feed papers needed to measure rates on the feed itself


@dataclass(frozen=True)
class OperatingRule:
    target_recall: float = 0.95
    budget_per_1000: float | None = None  # set by the maintainers (or held across retraining): overrides the rest
    budget_source: str = "classifier.proposals_per_1000"  # where that budget comes from, for the report


@dataclass
class Rows:
    """What the operating point needs to know about each training row."""
    probability: np.ndarray  # out-of-fold calibrated probability
    kinds: np.ndarray  # list, accepted, rejected, positive, negative, hard-negative, weak-negative
    title_view: np.ndarray  # the row is a title only
    weight: np.ndarray  # how many background papers the row stands for (sampled title views weigh more)
    feed: np.ndarray | None = None  # a paper of the recent feed (background, decided, or listed since)

    def background(self) -> tuple[np.ndarray, bool]:
        """(mask of the background rows that rates are measured on, whether they are the feed's mix):
        the recent feed's papers when there are enough of them, else every background row.  The feed's
        papers that were decided or listed since count too: without its in-scope papers and near misses
        the feed's top would be thinner than the next papers' and the budget placed too low."""
        background = np.isin(self.kinds, BACKGROUND_KINDS)
        if self.feed is not None:
            feed = self.feed.astype(bool)  # any kind: the feed's in-scope papers and near misses belong to it
            if (feed & ~self.title_view).sum() >= MIN_FEED:
                return feed, True
        return background, self.feed is None


def _threshold_for_share(probability: np.ndarray, weight: np.ndarray, share: float) -> float:
    """The lowest probability such that rows at or above it hold at most ``share`` of the weight."""
    if not len(probability):
        return 0.5
    order = np.argsort(-probability, kind="stable")
    cumulative = np.cumsum(weight[order]) / weight.sum()
    within = np.nonzero(cumulative <= share + 1e-12)[0]
    if not len(within):
        return float(probability[order[0]]) + 1e-9  # even one paper is over the budget
    return float(probability[order[within[-1]]])


def _recall_threshold(probability: np.ndarray, target: float) -> float | None:
    """The highest threshold that keeps ``target`` of these positives (None when there are too few)."""
    if len(probability) < 10:
        return None
    values = np.sort(probability)
    return float(values[min(int(np.floor((1 - target) * len(values))), len(values) - 1)])


def title_threshold(rows: Rows, target: float) -> float | None:
    """For papers known by title only: keep ``target`` of the list's entries read by their titles."""
    listed = np.isin(rows.kinds, ["list", "accepted"]) & rows.title_view
    return _recall_threshold(rows.probability[listed], target)


def abstract_threshold(rows: Rows, budget: float) -> float:
    """The threshold at which papers with an abstract are proposed at ``budget`` per 1,000."""
    with_abstract = rows.background()[0] & ~rows.title_view
    return _threshold_for_share(rows.probability[with_abstract], rows.weight[with_abstract], budget / 1000)


def point(rows: Rows, budget: float, title_t: float | None = None) -> dict:
    """Thresholds and cross-validated rates at one budget.  ``recall_list_titles`` ranks the list's
    titles among the background's titles at the same budget (what the budget means for titles)."""
    abstract_t = abstract_threshold(rows, budget)
    background = rows.background()[0]
    background_titles = background & rows.title_view
    ranked_title_t = _threshold_for_share(rows.probability[background_titles], rows.weight[background_titles],
                                          budget / 1000) if background_titles.any() else abstract_t
    with_abstract = background & ~rows.title_view
    listed = np.isin(rows.kinds, ["list", "accepted"])

    def recall(mask, threshold):
        return float((rows.probability[mask] >= threshold).mean()) if mask.any() else None

    return {
        "budget_per_1000": budget,
        "threshold": abstract_t,
        "threshold_title_only": title_t if title_t is not None else ranked_title_t,
        "proposals_per_1000": float((rows.probability[with_abstract] >= abstract_t).mean() * 1000)
        if with_abstract.any() else 0.0,
        "recall_list_titles": recall(listed & rows.title_view, ranked_title_t),
        "recall_list_abstracts": recall(listed & ~rows.title_view, abstract_t),
        "recall_weak_positives": recall((rows.kinds == "positive") & ~rows.title_view, abstract_t),
        "rejected_proposed": int((rows.probability[rows.kinds == "rejected"] >=
                                  np.where(rows.title_view[rows.kinds == "rejected"],
                                           title_t if title_t is not None else ranked_title_t, abstract_t)).sum()),
    }


def weak_positive_rate(rows: Rows) -> float:
    """Weak positives per 1,000 background papers read with their abstracts."""
    with_abstract = rows.background()[0] & ~rows.title_view
    return float(np.isin(rows.kinds[with_abstract], ["positive", "accepted"]).mean() * 1000) \
        if with_abstract.any() else 0.0


MOVE = 2.0  # cross-validated recall may move the list's pace budget down or up by at most this factor
MIN_EVIDENCE = 10  # positives with an abstract (entries, accepted, weak positives) needed to let it move


def choose(rows: Rows, rule: OperatingRule, pace: Pace | None = None) -> tuple[dict, list[dict]]:
    """The chosen point and the operating curve around it (budgets in ascending order).

    The budget is the maintainers' (``rule.budget_per_1000``) or the list's pace
    (``pace.py``: K times what the maintainers add, per 1,000 feed papers).  What
    cross-validation says (the smallest budget that finds ``target_recall`` of the
    positives with an abstract; the weak positives' rate plus headroom) moves it
    within [pace / MOVE, pace x MOVE], and only when there are ``MIN_EVIDENCE``
    such positives: never to zero, never to a flood."""
    title_t = title_threshold(rows, rule.target_recall)
    curve = [point(rows, b, title_t) for b in BUDGETS]
    if rule.budget_per_1000 is not None:
        chosen = point(rows, float(rule.budget_per_1000), title_t)
        chosen["rule"] = f"a budget of {rule.budget_per_1000:g} proposals per 1,000 papers ({rule.budget_source})"
    else:
        pace = pace or list_pace([])
        base = pace.budget_per_1000
        listed = np.isin(rows.kinds, ["list", "accepted", "positive"]) & ~rows.title_view
        evidence = listed.sum() >= MIN_EVIDENCE
        reaching = _smallest_budget_reaching(rows, rule.target_recall, curve, title_t) if evidence else None
        why = f"the list's pace: {pace.evidence}"
        if pace.thin:
            why += f" (thin evidence: {pace.thin})"
        if evidence and not rows.background()[1]:
            # a sampled background (the bundled papers, before the feed has filled the store) has not the
            # feed's mix: a budget cannot be placed on it, the recall of the positives can
            chosen = reaching if reaching["budget_per_1000"] >= MIN_BUDGET else point(rows, MIN_BUDGET, title_t)
            chosen["rule"] = (f"the smallest budget at which {rule.target_recall:g} of the positives with an abstract "
                              f"are found (cross-validated; fewer than {MIN_FEED} papers from the feed, and the other "
                              f"background papers are a sample whose rates are not the feed's: the list's pace, "
                              f"{base:g} per 1,000, takes over once the feed has filled the store)")
            return chosen, _around(chosen, curve)
        if evidence:
            room = round((1 + HEADROOM) * weak_positive_rate(rows), 2)  # the feed's mix (a sample returned above)
            wanted = max(reaching["budget_per_1000"], room)
            budget = round(min(max(wanted, base / MOVE), base * MOVE), 2)
            headroom = ", or the weak positives plus headroom" if room > reaching["budget_per_1000"] else ""
            why += (f"; cross-validation asks for {wanted:g} (recall {rule.target_recall:g} of {int(listed.sum())} "
                    f"positives with an abstract{headroom})"
                    f", kept within [{base / MOVE:g}, {base * MOVE:g}]")
        else:
            budget = base
            why += (f"; fewer than {MIN_EVIDENCE} positives with an abstract ({int(listed.sum())}): "
                    "cross-validation does not move it")
        chosen = point(rows, budget, title_t)
        chosen["rule"] = f"a budget of {budget:g} per 1,000 from {why}"
    return chosen, _around(chosen, curve)


def _around(chosen: dict, curve: list[dict]) -> list[dict]:
    """The curve's points within a factor of four of the chosen budget, the chosen one included."""
    budgets = sorted({c["budget_per_1000"] for c in curve} | {chosen["budget_per_1000"]})
    near = [b for b in budgets if chosen["budget_per_1000"] / 4 <= b <= chosen["budget_per_1000"] * 4]
    by_budget = {c["budget_per_1000"]: c for c in curve} | {chosen["budget_per_1000"]: chosen}
    return [by_budget[b] for b in near]


def _reaches(p: dict, target: float, sizes: tuple[int, int]) -> bool:
    """Both recalls reach the target; in a small group one paper may be missed (one odd entry of a
    50-entry list must not decide the operating point for everything)."""
    for value, n in zip((p["recall_list_abstracts"], p["recall_weak_positives"]), sizes):
        if value is not None and value < target - 1e-9 and round((1 - value) * n) > max((1 - target) * n, 1):
            return False
    return True


def _smallest_budget_reaching(rows: Rows, target: float, curve: list[dict], title_t: float | None) -> dict:
    """Bisection between the grid points: the smallest budget whose point reaches the target."""
    listed = np.isin(rows.kinds, ["list", "accepted"]) & ~rows.title_view
    weak = (rows.kinds == "positive") & ~rows.title_view
    sizes = (int(listed.sum()), int(weak.sum()))
    reaching = [c for c in curve if _reaches(c, target, sizes)]
    if not reaching:
        return dict(curve[-1])
    high = reaching[0]["budget_per_1000"]
    lower = [c["budget_per_1000"] for c in curve if c["budget_per_1000"] < high]
    low = lower[-1] if lower else 0.0
    best = dict(reaching[0])
    for _ in range(12):
        middle = (low + high) / 2
        candidate = point(rows, middle, title_t)
        if _reaches(candidate, target, sizes):
            high, best = middle, candidate
        else:
            low = middle
    best["budget_per_1000"] = round(best["budget_per_1000"], 2)
    return best
