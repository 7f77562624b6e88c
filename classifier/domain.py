"""The parts of a learned topic beyond its anchor: domain terms (the list's field), substitutes (other
names the list uses for its subject) and confounders (background phrases that look like the topic
but are not), each found by counting papers of the background.  Used by ``topic.learn``.

Example: find_domain_terms(corpus, ["mri"], [], "medical", tie, anchor_docs, set())[0][0] == "medical"
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable

import numpy as np

from .counts import STOP, Background, text_grams

MIN_ENRICHMENT = 4.0  # a substitute's papers name the anchor this many times more often than papers in general
MIN_TIE_PAPERS = 10  # a tie to the anchor is measured on at least this many background papers
METHOD_TIE = 0.75  # a method term's background papers name the anchor at least this often
DOMAIN_PURITY = 0.5  # a domain term's background papers name the domain at least this often ...
DOMAIN_LIFT = 2.0  # ... and this many times more often than background papers in general
EXPANSION_PURITY = 0.65  # a word of 1-2 entries or of the background joins the domain when this often found with it
EXPANSION_KEEP = 0.9  # ... and a background word stays when this often found with the grown domain
CONFOUNDER_PURITY = 0.6  # a confounder's background papers name the domain at least this often
CONFOUNDER_MIN_PAPERS = 3
SUBSTITUTE_TIE = 0.12  # a substitute's background papers name the anchor at least this often (aerial: 0.124 for
#                        "remote sensing", bench_classifier's second list; VQA: 0.04 for "report generation", bench_lists) ...
SUBSTITUTE_TITLE_SHARE = 0.1  # a substitute's background titles name the anchor too at most this often


def overlaps(a: str, b: str) -> bool:
    """Two grams share a word ('medical imaging' and 'imaging'): one cannot vouch for the other."""
    return bool(set(a.split()) & set(b.split()))


def find_domain_terms(corpus: Background, seeds: list[str], rare: list[str], core: str, tie,
                  anchor_docs: np.ndarray, pairs: set[str]) -> tuple[list[str], dict[str, float]]:
    """The core and the grams found mostly with other domain terms: first the list's candidates, then
    the words of one or two list entries, then frequent background words of the domain's papers."""
    domain, purity = [core], {core: 1.0}
    base = float(corpus.docs(core).mean())
    zeros = np.zeros(len(corpus.texts), dtype=bool)

    known: dict[tuple, np.ndarray] = {}  # the union of a set of domain terms' papers, computed once

    def reference(gram: str) -> np.ndarray:
        """Papers naming a domain term that shares no word with the gram (so 'medical imaging' does
        not vouch for 'imaging')."""
        words = set(gram.split())
        kept = tuple(t for t in domain if t != gram and not words & set(t.split()))
        if kept not in known:
            known[kept] = np.logical_or.reduce([corpus.docs(t) for t in kept] or [zeros])
        return known[kept]

    def share(gram: str, bar: float) -> float | None:
        return _domain_share(corpus.docs(gram), reference(gram), tie(gram), base, anchor_docs, bar)

    # grow from the core (a lower bar first: few papers name "medical" beside "MRI"), then prune to the bar
    for bar in (DOMAIN_PURITY * 0.6, DOMAIN_PURITY, DOMAIN_PURITY):
        for gram in seeds:
            if gram not in domain and (found := share(gram, bar)) is not None:
                domain.append(gram)
                purity[gram] = found
    for _ in range(2):
        for gram in list(domain[1:]):
            found = share(gram, DOMAIN_PURITY)
            if found is None:
                domain.remove(gram)
            else:
                purity[gram] = found
    for gram in rare:  # named by one or two entries only: must be as pure as a background word
        if gram not in domain and not _plural_of(gram, domain) and (found := share(gram, EXPANSION_PURITY)):
            domain.append(gram)
            purity[gram] = found
    for _ in range(2):  # then frequent background words, in two rounds (the second sees the first's)
        everything = reference("")
        inside_pairs = {w for p in pairs for w in p.split()}
        for word in _frequent_words(corpus, everything, set(seeds) | set(domain) | inside_pairs):
            if _plural_of(word, domain):
                continue
            found = share(word, EXPANSION_PURITY)
            if found is not None:
                domain.append(word)
                purity[word] = found
    for _ in range(2):  # the grown domain covers more papers: a word must still stand out against it
        for gram in list(domain[1:]):
            found = share(gram, DOMAIN_PURITY if gram in seeds else EXPANSION_PURITY if gram in rare else EXPANSION_KEEP)
            if found is None:
                domain.remove(gram)
            else:
                purity[gram] = found
    return domain, purity


def find_substitutes(corpus: Background, titles: list[str], back_titles: list[str], anchor: str,
                 anchor_docs: np.ndarray, domain_docs: np.ndarray, known: set[str],
                 typical: Callable[[str], bool]) -> list[str]:
    """Words and pairs that name the anchor's subject *instead of* the anchor: list titles use them
    only without it ('satellite imagery', 'aerial', 'SAR' for 'remote sensing'), background titles
    almost never name both, yet their papers name the anchor far more often than papers in general,
    they are not words of the domain (which the anchor is combined with), and they are typical of the
    list (``typical``: weighted log-odds against the background)."""
    pattern = re.compile(r"(?<!\w)" + r"[\s\-]+".join(map(re.escape, anchor.split())), re.I)
    without, with_anchor = Counter(), Counter()
    for title in titles:
        (with_anchor if pattern.search(title) else without).update(text_grams(title)[1])
    base = max(float(anchor_docs.mean()), 1e-9)
    found = []
    for gram, n in sorted(without.items(), key=lambda item: (-item[1], item[0])):
        if with_anchor[gram] or gram in known or any(overlaps(gram, k) for k in known | {anchor}) \
                or not typical(gram):  # a word of two titles in five hundred is not the list's (log-odds)
            continue
        docs = corpus.docs(gram)
        if docs.sum() < MIN_TIE_PAPERS or (docs & domain_docs).sum() / docs.sum() >= DOMAIN_PURITY:
            continue  # too rare to judge, or a word of the domain
        tie = (docs & anchor_docs).sum() / docs.sum()
        if tie / base < MIN_ENRICHMENT or tie < SUBSTITUTE_TIE:  # another name for it is often found beside it
            continue
        words = r"[\s\-]+".join(map(re.escape, gram.split()))
        named = re.compile(rf"(?<!\w){words}(?!\w)", re.I)
        in_title = [i for i in np.nonzero(docs)[0] if named.search(back_titles[i])]
        both = sum(1 for i in in_title if anchor_docs[i] and pattern.search(back_titles[i]))
        if in_title and both / len(in_title) <= SUBSTITUTE_TITLE_SHARE:
            found.append(gram)
    # a word used (nearly) only inside one of the pairs gives way to it ('earth' to 'earth observation')
    inside = {w for g in found if " " in g for w in g.split() if without[g] >= 0.8 * without[w]}
    found = [g for g in found if g not in inside]
    return [g for g in found if not any(g != h and set(g.split()) > set(h.split()) for h in found)]


def _domain_share(docs: np.ndarray, reference: np.ndarray, tie: float, base: float, anchor_docs: np.ndarray,
                  bar: float = DOMAIN_PURITY) -> float | None:
    """The share of a word's background papers that name the domain, when that makes it a domain
    word: mostly found with the domain (among all papers, and among the anchor's papers when it has
    enough of them there), much more than domain papers are among all, and not a method word."""
    if docs.sum() < CONFOUNDER_MIN_PAPERS or tie >= METHOD_TIE:
        return None
    share = float((docs & reference).sum() / docs.sum())
    # against the reference's own coverage: as the domain grows, a common word needs a higher share
    lift = share / max(float(reference.mean()), base, 1e-9)
    with_anchor = docs & anchor_docs
    if with_anchor.sum() >= MIN_TIE_PAPERS and (with_anchor & reference).sum() / with_anchor.sum() < bar:
        return None  # beside the anchor, mostly outside the domain ('inverse problems' for diffusion)
    return share if share >= bar and lift >= DOMAIN_LIFT else None


def _plural_of(word: str, terms: list[str]) -> bool:
    return any(word in (t + "s", t + "es") or t in (word + "s", word + "es") for t in terms)


def _frequent_words(corpus: Background, domain_docs: np.ndarray, known: set[str], limit: int = 3000) -> list[str]:
    """Background words that occur mostly in domain papers (e.g. 'fundus' for a medical list), the
    purest first."""
    X = corpus.X
    in_domain = np.asarray(X[domain_docs].sum(axis=0)).ravel()
    everywhere = np.asarray(X.sum(axis=0)).ravel()
    names = corpus.vectorizer.get_feature_names_out()
    share = in_domain / np.maximum(everywhere, 1)
    enough = (everywhere >= 10) & (share >= DOMAIN_PURITY)
    order = np.lexsort((-in_domain, -np.round(share, 2)))
    words = []
    for index in order[:limit]:
        word = names[index]
        if enough[index] and len(word) > 2 and word not in STOP and not word.isdigit() and word not in known:
            words.append(word)
    return words


def background_forms(corpus: Background, word: str, sample: int = 50) -> Counter:
    """How background papers write a word (to keep acronyms such as 'OCT' case-sensitive)."""
    pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.I)
    found: Counter = Counter()
    for index in np.nonzero(corpus.docs(word))[0][:sample]:
        found.update(m.group(0) for m in pattern.finditer(corpus.texts[index]))
    return found


def drop_redundant_pairs(grams: list[str], also: set[str] = frozenset()) -> list[str]:
    """A word pair adds nothing when one of its words is a term already ('brain tumor' with 'brain')."""
    singles = {g for g in grams if " " not in g} | set(also)
    return [g for g in grams if " " not in g or not (set(g.split()) & singles)]


def find_confounders(corpus: Background, anchor: str, domain_docs: np.ndarray, anchor_docs: np.ndarray,
                 method_docs: np.ndarray, list_texts: list[str], variants: set[str]) -> list[tuple[str, str]]:
    """(phrase, a background example) of word pairs with the anchor that are look-alikes: found with the
    domain's words, rarely with the method's own phrases (the list's variants, the other method terms),
    and rare in the list although the list uses the anchor in that domain."""
    if not domain_docs.any():
        return []
    word = r"[\s\-]+".join(map(re.escape, anchor.split()))
    left = re.compile(rf"(?<!\w)([^\W\d_]+)[\s\-]+(?={word}(?!\w))", re.I)
    right = re.compile(rf"(?<!\w){word}[\s\-]+([^\W\d_]+)(?!\w)", re.I)
    counts: Counter = Counter()
    with_domain: Counter = Counter()
    with_method: Counter = Counter()
    example: dict[str, str] = {}
    for index in np.nonzero(anchor_docs)[0]:
        text = corpus.texts[index]
        seen = set()
        for pattern, before in ((left, True), (right, False)):
            for m in pattern.finditer(text):
                other = m.group(1).lower()
                if other in STOP or len(other) < 2:
                    continue
                phrase = f"{other} {anchor}" if before else f"{anchor} {other}"
                if phrase not in seen:
                    seen.add(phrase)
                    counts[phrase] += 1
                    with_domain[phrase] += bool(domain_docs[index])
                    with_method[phrase] += bool(domain_docs[index] and method_docs[index])
                    example.setdefault(phrase, text[m.start():m.end()] if not before else
                               text[m.start():m.end() + len(anchor) + 1].strip())
    list_anchor = [t for t in list_texts if re.search(rf"(?<!\w){word}", t, re.I)]
    background_anchor_domain = max(int((anchor_docs & domain_docs).sum()), 1)
    method_share = float((anchor_docs & domain_docs & method_docs).sum() / background_anchor_domain)
    found = []
    for phrase, n in counts.most_common():
        share = with_domain[phrase] / n
        if phrase in variants or with_domain[phrase] < CONFOUNDER_MIN_PAPERS or share < CONFOUNDER_PURITY:
            continue
        if with_method[phrase] / with_domain[phrase] > method_share / 2:
            continue  # its papers use the method as the list does: a kind of the method, not a look-alike
        expected = len(list_anchor) * with_domain[phrase] / background_anchor_domain
        observed = sum(1 for t in list_anchor if re.search(r"[\s\-]+".join(map(re.escape, phrase.split())), t, re.I))
        if expected >= 1.0 and _poisson_at_most(observed, expected) < 0.15:
            written = " ".join(w if any(ch.isupper() for ch in w[1:]) else w.lower()
                               for w in re.split(r"[\s\-]+", example[phrase]))
            found.append((written, example[phrase]))
    return found


def _poisson_at_most(k: int, mean: float) -> float:
    return sum(math.exp(-mean) * mean ** i / math.factorial(i) for i in range(k + 1))
