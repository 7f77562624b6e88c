"""Training labels for positive-unlabelled learning.

Runs at the start of training.  The list gives positives (often titles only);
the feed background is *unlabelled*, not negative: in-scope papers the
maintainers never added sit in it.  Each background paper gets a weak label
from the lexicon (hand-written or learned):

- ``positive``: the domain is in the title and the method anywhere, or the
  method is in the title and two different domain words in the abstract, or
  both are used throughout the abstract (3+ mentions each);
- ``hard-negative``: a confounder (e.g. diffusion MRI) without the method, or
  the method without any domain word (e.g. diffusion on natural images);
- ``weak-negative``: method and domain both named, but only in passing (e.g. a
  diffusion paper that lists medical imaging among its applications);
- ``weak-negative`` too, for a *learned* lexicon: a paper naming only one
  distinct domain word (a learned domain holds broad words such as 'imaging';
  one of them alone does not place a paper in the field);
- ``hard-negative`` too: a confounder in the title, the method not, and the
  confounder named at least as often as the method;
- ``unlabelled``: a confounder in the title, the method named more often but
  only in the text: left out of training rather than taught either way;
- ``negative``: everything else.

A lexicon without domain terms (a list about a method alone) labels by the
method: named in the title or 3+ times in the abstract is ``positive``, named in
passing ``weak-negative``, a confounder without it ``hard-negative``.

Maintainers' rejections are true negatives and weigh most.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .matching import matcher, role_counts

WEIGHTS = {"list": 4.0, "accepted": 4.0, "positive": 1.0, "rejected": 2.0, "hard-negative": 2.0,
           "weak-negative": 1.0, "negative": 1.0}


def _distinct_domain_terms(text: str, lexicon: dict) -> int:
    """Different domain words named anywhere in the text (title and abstract together)."""
    return len({found.lower() for part in matcher(lexicon).scan(text) for _, found in part["domain"]})


def weak_labels(texts: Sequence[str], lexicon: dict) -> list[str]:
    """A weak label for each background text (see the module docstring)."""
    labels = []
    has_domain = bool(lexicon.get("domain"))
    learned = str(lexicon.get("source", "")).startswith("learned")
    for text, (method_t, method_a, domain_t, domain_a, conf_t, conf_a) in zip(texts, role_counts(texts, lexicon)):
        method, domain, conf = method_t + method_a, domain_t + domain_a, conf_t + conf_a
        if not has_domain:
            labels.append("hard-negative" if conf and not method else "negative" if not method else
                          "positive" if method_t or method_a >= 3 else "weak-negative")
        elif method == 0:
            labels.append("hard-negative" if conf_t and domain else "negative")
        elif domain == 0:
            labels.append("hard-negative")
        elif conf_t and not method_t:
            # a diffusion-MRI paper: the word 'diffusion' alone is the physics, unless the
            # generative method is named more often than the confounder
            labels.append("hard-negative" if conf >= method else "unlabelled")
        elif learned and _distinct_domain_terms(text, lexicon) < 2:
            # a learned domain has broad words ('imaging'): one of them alone does not place a paper
            labels.append("weak-negative")
        elif (domain_t and method) or (method_t and domain_a >= 2) or (method_a >= 3 and domain_a >= 3):
            labels.append("positive")
        else:
            labels.append("weak-negative")  # both named, but only in passing
    return labels


def label_arrays(kinds: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Targets and sample weights for rows of the given kinds (unlabelled rows excluded upstream)."""
    y = np.array([1 if k in ("list", "accepted", "positive") else 0 for k in kinds])
    w = np.array([WEIGHTS[k] for k in kinds])
    return y, w
