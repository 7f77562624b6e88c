"""A learned topic: the lexicon of a list found from its entries against the background.

Runs in ``bot train`` when the config names no lexicon.  The result is an
ordinary ``Lexicon`` (written beside the model as YAML for people to read and
edit), used exactly like a hand-written one.  All of it is counting:

1. *Candidates*: words and word pairs of the list's titles (title + abstract when
   most entries have one) that are at least 4x more frequent there than in the
   background's, in 3+ entries.  A word almost always used inside one pair
   ("low" in "low dose") gives way to the pair.
2. *Method*: the candidate in most entries is the list's anchor ("diffusion");
   method terms are the anchor and the candidates that, in the background, nearly
   always come with it (three in four of their papers name the anchor: "DDPM",
   "score based").  Pairs with the anchor ("latent diffusion") are its variants.
3. *Domain*: of the other candidates, the one in most entries and least tied to
   the anchor is the core ("medical"); domain terms are the candidates, then the
   words of only one or two entries, then the frequent background words (the
   purest first, no cap), whose background papers mostly name another domain term
   that shares no word with them ("medical imaging" does not vouch for "imaging"),
   also among the anchor's papers ("inverse problems" is named beside diffusion
   mostly outside the domain).  Once the domain has grown, each background word
   must still stand out against it (or is dropped).  They mark the list's field,
   not its method or its task.  Words of neither group ("unsupervised",
   "survey") are left to the word features.
   *Substitutes*: words the list's titles use *instead of* the anchor (never
   beside it in a list title; background titles rarely name both; their papers
   name the anchor far more often than papers in general; not domain words) are
   method terms too: a list about one subject names it in several ways.
4. *Confounders*: word pairs of the background containing a method word that
   nearly always appear with domain words but are rare in the list although the
   list uses the method in that domain ("diffusion MRI", "diffusion tensor").
5. *Examples*: for each term, list titles it matches; for each confounder, the
   background phrase it rejects (kept only when the matcher agrees).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from .counts import WORD, Background, log_odds_z, text_grams
from .domain import (
    METHOD_TIE,
    MIN_ENRICHMENT,
    MIN_TIE_PAPERS,
    background_forms,
    drop_redundant_pairs,
    find_confounders,
    find_domain_terms,
    find_substitutes,
)
from .errors import TrainingError
from .lexicon import Lexicon, Term
from .matching import Matcher

MIN_ENTRIES = 3  # a candidate is in at least this many list entries ...
MIN_Z = 3.0  # ... and surely more typical of them than of the background: weighted log-odds z >= 3 (p < 0.002)
CORE_MIN_SHARE = 0.2  # a domain exists when its core is in a fifth of the entries ...
CORE_WITH_ANCHOR = 0.5  # ... half of which name the anchor too (else the core is another name for it)


def _surface(gram: str, forms: Counter) -> str:
    """How the list writes a gram: acronyms keep their capitals (so they match case-sensitively)."""
    words = []
    for word in gram.split():
        seen = forms.get(word)
        best = seen.most_common(1)[0][0] if seen else word
        words.append(best if any(ch.isupper() for ch in best[1:]) else word)
    return " ".join(words)


def _why(n_list: int, total_list: int, n_background: int, total_background: int, extra: str = "") -> str:
    text = (f"in {n_list} of {total_list} list entries ({n_list / total_list:.0%}), "
            f"{n_background / max(total_background, 1):.2%} of background titles")
    return f"{text}; {extra}" if extra else text


@dataclass
class _Counts:
    """The grams of the list's texts and of the background's, counted once (document frequencies)."""

    list_texts: list[str]
    list_grams: list[set[str]]
    list_df: Counter
    forms: dict[str, Counter]  # how the list writes each word (to keep an acronym's capitals)
    back_field: list[str]
    back_df: Counter

    @property
    def n_list(self) -> int:
        return len(self.list_texts)

    @property
    def n_back(self) -> int:
        return max(len(self.back_field), 1)

    def enrichment(self, gram: str) -> float:
        return (self.list_df[gram] / self.n_list) / ((self.back_df[gram] + 1) / (self.n_back + 1))

    def typical(self, gram: str) -> bool:
        return log_odds_z(self.list_df[gram], self.n_list, self.back_df[gram], self.n_back) >= MIN_Z

    def why(self, gram: str, extra: str = "") -> str:
        return _why(self.list_df[gram], self.n_list, self.back_df[gram], self.n_back, extra)


def _count(entries: Sequence[tuple[str, str]], background: Sequence[tuple[str, str]]) -> _Counts:
    """Titles alone, or title + abstract when most entries have an abstract (the background alike)."""
    use_abstracts = sum(bool(a) for _, a in entries) > len(entries) / 2
    list_texts = [f"{t} . {a}" if use_abstracts and a else t for t, a in entries]
    forms: dict[str, Counter] = defaultdict(Counter)
    list_df: Counter = Counter()
    list_grams = []
    for text in list_texts:
        words, found = text_grams(text)
        for word in words:
            forms[word.lower()][word] += 1
        list_df.update(found)
        list_grams.append(found)
    back_field = [f"{t} . {a}" if use_abstracts else t for t, a in background]
    return _Counts(list_texts, list_grams, list_df, forms, back_field, _background_df(back_field, list_df))


def _background_df(texts: list[str], grams: Counter) -> Counter:
    """How many of the texts name each of the list's grams, as ``text_grams`` reads them: only the
    list's grams are ever looked up, and they passed its filters (stop words, digits) already."""
    words = {g for g in grams if " " not in g}
    pairs = {tuple(g.split(" ")) for g in grams if " " in g}
    found: Counter = Counter()
    for text in texts:
        lower = list(map(str.lower, WORD.findall(text)))
        found.update(words.intersection(lower))
        found.update(" ".join(p) for p in pairs.intersection(zip(lower, lower[1:])))
    return found


def _candidates(counts: _Counts) -> tuple[list[str], list[str], set[str], str]:
    """(candidates by entries, the word pairs among them, the words a pair subsumes, a thin-evidence
    note): grams in MIN_ENTRIES+ entries and surely typical of them; a word almost always used inside
    one pair gives way to the pair.  No such gram: the likeliest word, and the note says so."""
    list_df, n_list = counts.list_df, counts.n_list
    candidates = [g for g, n in list_df.items() if n >= MIN_ENTRIES and counts.typical(g)]
    pairs = [g for g in candidates if " " in g]
    subsumed = {w for g in pairs for w in g.split() if w in list_df and list_df[g] >= 0.8 * list_df[w]}
    candidates = sorted((g for g in candidates if g not in subsumed), key=lambda g: (-list_df[g], g))
    if candidates:
        return candidates, pairs, subsumed, ""
    scored = sorted((g for g in list_df if " " not in g and len(g) > 2),
                    key=lambda g: (-log_odds_z(list_df[g], n_list, counts.back_df[g], counts.n_back), g))
    if not scored:
        raise TrainingError(f"the list's {n_list} entries have no words to learn from",
                            "check that the list's entries have titles (`bot list check`)")
    thin = (f"thin evidence: no word is in {MIN_ENTRIES}+ of the {n_list} entries and surely typical of them; "
            f"the topic is the likeliest word, '{scored[0]}' (write a lexicon to do better)")
    return scored[:1], pairs, subsumed, thin


@dataclass
class _Draft:
    """What a list is about, as grams: its anchor, the anchor's variants, method and domain terms."""

    anchor: str
    anchor_docs: np.ndarray
    variants: list[str]
    method: list[str]
    domain: list[str]
    domain_docs: np.ndarray
    purity: dict[str, float]
    tie: Callable[[str], float]


def _core(counts: _Counts, rest: list[str], anchor: str) -> str | None:
    """The domain's core: in many entries, and much more frequent there than in the background's
    papers on the anchor; None when the list is one subject across a field (or one task)."""
    anchor_pattern = re.compile(r"(?<!\w)" + r"[\s\-]+".join(map(re.escape, anchor.split())), re.I)
    anchor_field = [text for text in counts.back_field if anchor_pattern.search(text)]
    anchor_df: Counter = Counter()
    for text in anchor_field:
        anchor_df.update(text_grams(text)[1])

    def beyond_anchor(gram: str) -> float:
        return (counts.list_df[gram] / counts.n_list) / ((anchor_df[gram] + 1) / (len(anchor_field) + 1))

    core = max(rest, key=lambda g: counts.list_df[g] * math.log2(max(beyond_anchor(g), 1.0)), default=None)
    if core is not None and not _is_domain(counts.list_df[core], counts.n_list, anchor_df[core], len(anchor_field)):
        return None
    return core


def _method_and_domain(counts: _Counts, corpus: Background, candidates: list[str], pairs: list[str],
                       subsumed: set[str], titles: list[str], background_titles: list[str]) -> _Draft:
    """The anchor (in most entries and typical of them), its variants, the method terms tied to it in
    the background, the domain grown from its core, and the substitutes the titles use for the anchor."""
    list_df = counts.list_df
    anchor = max(candidates, key=lambda g: (list_df[g] * math.log2(counts.enrichment(g)), -len(g)))
    anchor_docs = corpus.docs(anchor)

    def tie(gram: str) -> float:
        docs = corpus.docs(gram)
        return float((docs & anchor_docs).sum() / docs.sum()) if docs.any() else 0.0

    anchor_words = set(anchor.split())
    variants = [g for g in candidates if g != anchor and anchor_words <= set(g.split())]
    method = [g for g in candidates if g != anchor and g not in variants and tie(g) >= METHOD_TIE
              and corpus.docs(g).sum() >= MIN_TIE_PAPERS]
    rest = [g for g in candidates if g != anchor and g not in variants and g not in method]
    core = _core(counts, rest, anchor)
    if core is not None and _beside(counts.list_grams, core, anchor) < CORE_WITH_ANCHOR:
        method.append(core)  # named instead of the anchor ('incremental learning' for 'continual'): a synonym
        rest.remove(core)
        core = None
    rare = sorted((g for g, n in list_df.items() if n < MIN_ENTRIES and counts.enrichment(g) >= MIN_ENRICHMENT
                   and g not in subsumed and " " not in g and not g.isdigit() and len(g) > 2),
                  key=lambda g: (-list_df[g], g))
    domain, purity = find_domain_terms(corpus, rest, rare, core, tie, anchor_docs, set(pairs)) \
        if core is not None else ([], {})
    domain_docs = np.logical_or.reduce([corpus.docs(g) for g in domain]) if domain \
        else np.zeros(len(corpus.texts), dtype=bool)
    domain = drop_redundant_pairs(domain)
    found = find_substitutes(corpus, titles, background_titles, anchor, anchor_docs, domain_docs,
                             set(method) | set(variants) | set(domain), counts.typical)
    method = drop_redundant_pairs(method + found, anchor_words)
    return _Draft(anchor, anchor_docs, variants, method, domain, domain_docs, purity, tie)


def _terms(counts: _Counts, draft: _Draft, confounders: list[tuple[str, str]]) -> Lexicon:
    """The draft as lexicon terms, each with the evidence that chose it."""
    forms, anchor = counts.forms, draft.anchor
    variants = [v for v in draft.variants if not (v.endswith("s") and v[:-1] in draft.variants)]
    method_terms = [Term(phrase=_surface(anchor, forms), variants=tuple(_surface(v, forms) for v in variants),
                         suffixes=("s",), confounders=tuple(c for c, _ in confounders), why=counts.why(anchor))]
    method_terms += [Term(phrase=_surface(g, forms), suffixes=("s",) if not g.endswith("s") else (),
                          why=counts.why(g, f"{draft.tie(g):.0%} of its background papers name '{anchor}'"))
                     for g in draft.method]
    domain_terms = [Term(phrase=_surface(g, forms), suffixes=("s",) if not g.endswith("s") else (),
                         why=(counts.why(g) if counts.list_df[g] else
                              f"not in the list's titles; {draft.purity.get(g, 0):.0%} of its background papers "
                              f"name other domain terms")) for g in draft.domain]
    return Lexicon(method=tuple(method_terms), domain=tuple(domain_terms))


def learn(entries: Sequence[tuple[str, str]], background: Sequence[tuple[str, str]], *,
          progress: Callable[[str, int, int], None] | None = None) -> Lexicon:
    """A lexicon for the list whose entries (title, abstract) are given, against background papers.

    Example: learn([("Diffusion models for MRI", ""), ...], background_pairs).method[0].phrase == "diffusion"
    """
    def step(name: str, index: int) -> None:
        if progress:
            progress(name, index, 4)

    if not entries:
        raise TrainingError("no positives to learn from: the list has no entries and no paper was accepted",
                            "check list.path and that the list's entries are recognised (`bot list check`)")
    step("candidates", 0)
    counts = _count(entries, background)
    candidates, pairs, subsumed, thin = _candidates(counts)
    step("method and domain", 1)
    corpus = Background([f"{t} . {a}" for t, a in background])
    titles = [t for t, _ in entries]
    draft = _method_and_domain(counts, corpus, candidates, pairs, subsumed, titles, [t for t, _ in background])
    for gram in draft.domain:
        if gram not in counts.list_df:
            counts.forms.setdefault(gram, background_forms(corpus, gram))
    step("confounders", 2)
    method_docs = np.logical_or.reduce([corpus.docs(g) for g in draft.variants + draft.method]) \
        if draft.variants + draft.method else draft.anchor_docs
    confounders = find_confounders(corpus, draft.anchor, draft.domain_docs, draft.anchor_docs, method_docs,
                                   counts.list_texts, set(draft.variants))
    step("examples", 3)
    lexicon = _with_examples(_terms(counts, draft, confounders), titles, dict(confounders))
    topic = f"{draft.anchor} ({', '.join(t.phrase for t in lexicon.domain[:3])})" if lexicon.domain else draft.anchor
    source = (f"learned from {counts.n_list} list entries against {len(background)} background papers "
              f"on {date.today().isoformat()}" + (f"; {thin}" if thin else ""))
    return Lexicon(lexicon.method, lexicon.domain, topic, source)


def _beside(list_grams: list[set[str]], gram: str, anchor: str) -> float:
    """The share of the list's entries naming ``gram`` that name ``anchor`` too."""
    having = [grams for grams in list_grams if gram in grams]
    return sum(anchor in grams for grams in having) / len(having) if having else 0.0


def _is_domain(k_list: int, n_list: int, k_anchor: int, n_anchor: int) -> bool:
    """The core names a domain the list narrows its anchor to: in a fifth of its entries, and surely
    more typical of them than of the background's papers on the anchor (weighted log-odds).  A list
    about one method across a whole field has no such word (its words are the field's)."""
    return k_list >= CORE_MIN_SHARE * n_list and log_odds_z(k_list, n_list, k_anchor, n_anchor) >= MIN_Z


def _with_examples(lexicon: Lexicon, titles: list[str], confounder_examples: dict[str, str]) -> Lexicon:
    """Each term with up to two list titles it matches and its confounders' phrases as rejects."""
    matcher = Matcher(lexicon)
    flat = [(role, term) for role, _, term in lexicon.terms()]
    matched: dict[int, list[str]] = defaultdict(list)
    for title in titles:
        for role in ("method", "domain"):
            for index, _ in matcher.scan(title)[0][role]:
                if len(matched[index]) < 2 and title not in matched[index]:
                    matched[index].append(title)
    out: dict[str, list[Term]] = {"method": [], "domain": []}
    for index, (role, term) in enumerate(flat):
        rejects = tuple(confounder_examples[c] for c in term.confounders if c in confounder_examples)
        candidate = Term(**{**term.__dict__, "matches": tuple(matched[index]), "rejects": rejects})
        check = Matcher(Lexicon(method=(candidate,))) if role == "method" else None
        if check is not None:
            kept = tuple(r for r in rejects if not any(part["method"] for part in check.scan(r)))
            candidate = Term(**{**candidate.__dict__, "rejects": kept})
        out[role].append(candidate)
    return Lexicon(tuple(out["method"]), tuple(out["domain"]))
