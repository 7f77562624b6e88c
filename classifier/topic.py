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
from datetime import date

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

from .errors import TrainingError
from .lexicon import Lexicon, Term
from .matching import Matcher

WORD = re.compile(r"[^\W_]+")
STOP = frozenset(ENGLISH_STOP_WORDS) | {"using", "based", "via", "towards", "toward", "new", "novel", "study",
                                        "approach", "method", "methods", "paper", "results", "propose", "proposed"}
MIN_ENTRIES = 3  # a candidate is in at least this many list entries ...
MIN_Z = 3.0  # ... and surely more typical of them than of the background: weighted log-odds z >= 3 (p < 0.002)
PRIOR_DOCS = 100.0  # strength of the informative Dirichlet prior (the gram's pooled rate), in documents
MIN_ENRICHMENT = 4.0  # a substitute's papers name the anchor this many times more often than papers in general
CORE_MIN_SHARE = 0.2  # a domain exists when its core is in a fifth of the entries ...
CORE_WITH_ANCHOR = 0.5  # ... half of which name the anchor too (else the core is another name for it)
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


def _grams(text: str) -> tuple[list[str], set[str]]:
    """(surface words, word and adjacent-word-pair grams without stop words) of a text."""
    words = WORD.findall(text)
    lower = [w.lower() for w in words]
    grams = {w for w in lower if len(w) > 1 and w not in STOP and not w.isdigit()}
    grams.update(f"{a} {b}" for a, b in zip(lower, lower[1:])
                 if a not in STOP and b not in STOP and not a.isdigit() and not b.isdigit())
    return words, grams


class _Background:
    """Document sets of the background (title + abstract), computed once per word."""

    def __init__(self, texts: list[str]):
        self.texts = texts
        self.vectorizer = CountVectorizer(token_pattern=r"(?u)\b\w+\b", binary=True, min_df=2, dtype=np.int8)
        self.X = self.vectorizer.fit_transform(texts).tocsc()
        self.vocabulary = self.vectorizer.vocabulary_
        self._cache: dict[str, np.ndarray] = {}

    def docs(self, gram: str) -> np.ndarray:
        """Boolean mask of the background papers that contain the word or word pair."""
        if gram in self._cache:
            return self._cache[gram]
        words = gram.split()
        masks = []
        for word in words:
            column = self.vocabulary.get(word)
            mask = np.zeros(len(self.texts), dtype=bool)
            if column is not None:
                mask[self.X.indices[self.X.indptr[column]:self.X.indptr[column + 1]]] = True
            masks.append(mask)
        found = np.logical_and.reduce(masks)
        if len(words) > 1 and found.any():
            pattern = re.compile(r"(?<!\w)" + r"[\s\-]+".join(map(re.escape, words)) + r"(?!\w)", re.I)
            for index in np.nonzero(found)[0]:
                found[index] = bool(pattern.search(self.texts[index]))
        self._cache[gram] = found
        return found


def log_odds_z(k_list: int, n_list: int, k_back: int, n_back: int, prior: float = PRIOR_DOCS) -> float:
    """How surely a gram is more typical of the list than of the background: the weighted log-odds
    ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008), as a z-score, on
    document counts (``k`` of ``n`` documents name the gram).  The prior is the gram's pooled rate
    over ``prior`` documents: a gram of two entries cannot outweigh one of fifty.

    Example: log_odds_z(40, 100, 50, 10000) > 3 > log_odds_z(2, 100, 50, 10000)
    """
    rate = (k_list + k_back) / max(n_list + n_back, 1)
    alpha = prior * rate
    inside = math.log((k_list + alpha) / max(n_list - k_list + prior - alpha, 1e-9))
    outside = math.log((k_back + alpha) / max(n_back - k_back + prior - alpha, 1e-9))
    return (inside - outside) / math.sqrt(1 / (k_list + alpha) + 1 / (k_back + alpha))


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


def learn(entries: Sequence[tuple[str, str]], background: Sequence[tuple[str, str]], *,
          progress: Callable[[str, int, int], None] | None = None) -> Lexicon:
    """A lexicon for the list whose entries (title, abstract) are given, against background papers."""
    def step(name: str, index: int) -> None:
        if progress:
            progress(name, index, 4)

    if not entries:
        raise TrainingError("no positives to learn from: the list has no entries and no paper was accepted",
                            "check list.path and that the list's entries are recognised (`bot list check`)")
    step("candidates", 0)
    use_abstracts = sum(bool(a) for _, a in entries) > len(entries) / 2
    list_texts = [f"{t} . {a}" if use_abstracts and a else t for t, a in entries]
    forms: dict[str, Counter] = defaultdict(Counter)
    list_df: Counter = Counter()
    list_grams = []
    for text in list_texts:
        words, grams = _grams(text)
        for word in words:
            forms[word.lower()][word] += 1
        list_df.update(grams)
        list_grams.append(grams)
    back_field = [f"{t} . {a}" if use_abstracts else t for t, a in background]
    back_df: Counter = Counter()
    for text in back_field:
        back_df.update(_grams(text)[1])
    n_list, n_back = len(entries), max(len(background), 1)

    def enrichment(gram: str) -> float:
        return (list_df[gram] / n_list) / ((back_df[gram] + 1) / (n_back + 1))

    def typical(gram: str) -> bool:
        return log_odds_z(list_df[gram], n_list, back_df[gram], n_back) >= MIN_Z

    candidates = [g for g, n in list_df.items() if n >= MIN_ENTRIES and typical(g)]
    pairs = [g for g in candidates if " " in g]
    subsumed = {w for g in pairs for w in g.split() if w in list_df and list_df[g] >= 0.8 * list_df[w]}
    candidates = sorted((g for g in candidates if g not in subsumed), key=lambda g: (-list_df[g], g))
    thin = ""
    if not candidates:  # too few entries, or entries that share no term: the likeliest word, and say so
        scored = sorted((g for g in list_df if " " not in g and len(g) > 2),
                        key=lambda g: (-log_odds_z(list_df[g], n_list, back_df[g], n_back), g))
        if not scored:
            raise TrainingError(f"the list's {n_list} entries have no words to learn from",
                                "check that the list's entries have titles (`bot list check`)")
        candidates = scored[:1]
        thin = (f"thin evidence: no word is in {MIN_ENTRIES}+ of the {n_list} entries and surely typical of them; "
                f"the topic is the likeliest word, '{candidates[0]}' (write a lexicon to do better)")

    step("method and domain", 1)
    corpus = _Background([f"{t} . {a}" for t, a in background])
    # the anchor: in most entries and typical of them (a common word in many entries is not)
    anchor = max(candidates, key=lambda g: (list_df[g] * math.log2(enrichment(g)), -len(g)))
    anchor_docs = corpus.docs(anchor)

    def tie(gram: str) -> float:
        docs = corpus.docs(gram)
        return float((docs & anchor_docs).sum() / docs.sum()) if docs.any() else 0.0

    anchor_words = set(anchor.split())
    variants = [g for g in candidates if g != anchor and anchor_words <= set(g.split())]
    method = [g for g in candidates if g != anchor and g not in variants and tie(g) >= METHOD_TIE
              and corpus.docs(g).sum() >= MIN_TIE_PAPERS]
    rest = [g for g in candidates if g != anchor and g not in variants and g not in method]
    # the core: in many entries, and much more frequent there than in the background's papers on the anchor
    anchor_pattern = re.compile(r"(?<!\w)" + r"[\s\-]+".join(map(re.escape, anchor.split())), re.I)
    anchor_field = [text for text in back_field if anchor_pattern.search(text)]
    anchor_df: Counter = Counter()
    for text in anchor_field:
        anchor_df.update(_grams(text)[1])

    def beyond_anchor(gram: str) -> float:
        return (list_df[gram] / n_list) / ((anchor_df[gram] + 1) / (len(anchor_field) + 1))

    core = max(rest, key=lambda g: list_df[g] * math.log2(max(beyond_anchor(g), 1.0)), default=None)
    if core is not None and not _is_domain(list_df[core], n_list, anchor_df[core], len(anchor_field)):
        core = None  # one subject across a field (or one task): the method alone says what belongs
    if core is not None and _beside(list_grams, core, anchor) < CORE_WITH_ANCHOR:
        method.append(core)  # named instead of the anchor ('incremental learning' for 'continual'): a synonym
        rest.remove(core)
        core = None
    rare = sorted((g for g, n in list_df.items() if n < MIN_ENTRIES and enrichment(g) >= MIN_ENRICHMENT
                   and g not in subsumed and " " not in g and not g.isdigit() and len(g) > 2),
                  key=lambda g: (-list_df[g], g))
    domain, purity = _domain_terms(corpus, rest, rare, core, tie, anchor_docs, set(pairs)) if core is not None \
        else ([], {})
    domain_docs = np.logical_or.reduce([corpus.docs(g) for g in domain]) if domain \
        else np.zeros(len(background), dtype=bool)
    domain = _drop_redundant_pairs(domain)
    titles = [t for t, _ in entries]
    substitutes = _substitutes(corpus, titles, [t for t, _ in background], anchor, anchor_docs, domain_docs,
                               set(method) | set(variants) | set(domain), typical)
    method = _drop_redundant_pairs(method + substitutes, anchor_words)
    for gram in domain:
        if gram not in list_df:
            forms.setdefault(gram, _background_forms(corpus, gram))

    step("confounders", 2)
    method_docs = np.logical_or.reduce([corpus.docs(g) for g in variants + method]) if variants + method \
        else anchor_docs
    confounders = _confounders(corpus, anchor, domain_docs, anchor_docs, method_docs, list_texts,
                               set(variants))

    step("examples", 3)
    variants = [v for v in variants if not (v.endswith("s") and v[:-1] in variants)]
    method_terms = [Term(phrase=_surface(anchor, forms), variants=tuple(_surface(v, forms) for v in variants),
                         suffixes=("s",), confounders=tuple(c for c, _ in confounders),
                         why=_why(list_df[anchor], n_list, back_df[anchor], n_back))]
    method_terms += [Term(phrase=_surface(g, forms), suffixes=("s",) if not g.endswith("s") else (),
                          why=_why(list_df[g], n_list, back_df[g], n_back, f"{tie(g):.0%} of its background "
                                   f"papers name '{anchor}'")) for g in method]
    domain_terms = [Term(phrase=_surface(g, forms), suffixes=("s",) if not g.endswith("s") else (),
                         why=(_why(list_df[g], n_list, back_df[g], n_back) if list_df[g] else
                              f"not in the list's titles; {purity.get(g, 0):.0%} of its background papers name "
                              f"other domain terms")) for g in domain]
    draft = Lexicon(method=tuple(method_terms), domain=tuple(domain_terms))
    lexicon = _with_examples(draft, [t for t, _ in entries], dict(confounders))
    topic = f"{anchor} ({', '.join(t.phrase for t in lexicon.domain[:3])})" if lexicon.domain else anchor
    source = (f"learned from {n_list} list entries against {len(background)} background papers "
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


def _overlaps(a: str, b: str) -> bool:
    """Two grams share a word ('medical imaging' and 'imaging'): one cannot vouch for the other."""
    return bool(set(a.split()) & set(b.split()))


def _domain_terms(corpus: _Background, seeds: list[str], rare: list[str], core: str, tie,
                  anchor_docs: np.ndarray, pairs: set[str]) -> tuple[list[str], dict[str, float]]:
    """The core and the grams found mostly with other domain terms: first the list's candidates, then
    the words of one or two list entries, then frequent background words of the domain's papers."""
    domain, purity = [core], {core: 1.0}
    base = float(corpus.docs(core).mean())
    zeros = np.zeros(len(corpus.texts), dtype=bool)

    def reference(gram: str) -> np.ndarray:
        """Papers naming a domain term that shares no word with the gram (so 'medical imaging' does
        not vouch for 'imaging')."""
        return np.logical_or.reduce([corpus.docs(t) for t in domain if t != gram and not _overlaps(t, gram)]
                                    or [zeros])

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


def _substitutes(corpus: _Background, titles: list[str], back_titles: list[str], anchor: str,
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
        (with_anchor if pattern.search(title) else without).update(_grams(title)[1])
    base = max(float(anchor_docs.mean()), 1e-9)
    found = []
    for gram, n in sorted(without.items(), key=lambda item: (-item[1], item[0])):
        if with_anchor[gram] or gram in known or any(_overlaps(gram, k) for k in known | {anchor}) \
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


def _frequent_words(corpus: _Background, domain_docs: np.ndarray, known: set[str], limit: int = 3000) -> list[str]:
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


def _background_forms(corpus: _Background, word: str, sample: int = 50) -> Counter:
    """How background papers write a word (to keep acronyms such as 'OCT' case-sensitive)."""
    pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.I)
    found: Counter = Counter()
    for index in np.nonzero(corpus.docs(word))[0][:sample]:
        found.update(m.group(0) for m in pattern.finditer(corpus.texts[index]))
    return found


def _drop_redundant_pairs(grams: list[str], also: set[str] = frozenset()) -> list[str]:
    """A word pair adds nothing when one of its words is a term already ('brain tumor' with 'brain')."""
    singles = {g for g in grams if " " not in g} | set(also)
    return [g for g in grams if " " not in g or not (set(g.split()) & singles)]


def _confounders(corpus: _Background, anchor: str, domain_docs: np.ndarray, anchor_docs: np.ndarray,
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
