"""A learned topic: `bot train` without a lexicon learns one from the list, prints it, writes it as an
editable YAML file that loads back, and uses it like a hand-written one.  Also the keep-or-replace rule."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest
from arxiv_fixtures import load_papers, write_config
from conftest import ROOT

from bot.papers.paper import Paper
from bot.papers.store import Store
from classifier import lexicon as lexicon_io
from classifier import model as model_io
from classifier.compare import keep_or_replace
from classifier.matching import Matcher
from classifier.predict import classify_texts
from classifier.topic import learn

DWI_TRAPS = ["2603.25977", "2603.06696", "2603.17968"]
DDPM_FOR_MEDICAL = ["2605.10629", "2606.15457", "2604.05110"]


@pytest.fixture(scope="module")
def learned(tmp_path_factory):
    """`bot train --offline` with no classifier.lexicon, on a store of six weeks of real listings
    (2025-08-15 .. 2025-09-30, ~7,900 papers; a month holds too few diffusion-MRI papers to find the look-alike)."""
    folder = tmp_path_factory.mktemp("learned")
    config = write_config(folder, classifier__lexicon=None)
    with Store(folder / "papers.sqlite") as store:
        store.add(Paper.from_json(p) for p in load_papers() if "2025-08-15" <= p["listing_date"] < "2025-10")
    return folder, config


@pytest.fixture(scope="module")
def trained(learned):
    import subprocess
    import sys

    folder, config = learned
    result = subprocess.run([sys.executable, "-m", "bot", "--config", str(config), "train", "--offline"],
                            capture_output=True, text=True, cwd=ROOT)
    return folder, result


def test_train_learns_the_topic_without_a_lexicon_and_prints_it(trained):
    folder, result = trained
    assert result.returncode == 0, result.stderr
    assert "learned the topic from the list" in result.stdout
    assert "method      diffusion" in result.stdout and "look-alikes" in result.stdout
    assert f"written to {folder / 'model' / 'learned-lexicon.yaml'}" in result.stdout


def test_train_learned_lexicon_is_editable_yaml_with_working_examples(trained):
    folder, _ = trained
    lexicon = lexicon_io.load(folder / "model" / "learned-lexicon.yaml")
    assert lexicon.source.startswith("learned from 176 list entries")
    anchor = lexicon.method[0]
    assert anchor.phrase == "diffusion" and any("model" in v for v in anchor.variants)
    assert any("mri" in c.lower() or "weighted" in c.lower() or "tensor" in c.lower() for c in anchor.confounders)
    domain = {t.phrase for t in lexicon.domain}
    assert "medical" in domain and len(domain & {"MRI", "CT", "brain", "clinical", "patient"}) >= 3
    assert not domain & {"survey", "unsupervised", "diffusion"}  # neither the task nor the method
    # phrases named beside the method mostly outside the field are not domain words
    assert not domain & {"inverse problems", "solving inverse", "image denoising"}
    matcher = Matcher(lexicon)
    assert all(matcher.example_failures(role, index) == [] for role, index, _ in lexicon.terms())
    assert sum(len(t.matches) for t in lexicon.domain) >= 10 and anchor.rejects


def test_train_uses_the_learned_lexicon_like_a_hand_written_one(trained):
    folder, _ = trained
    model = model_io.load(folder / "model")
    meta = json.loads((folder / "model" / "meta.json").read_text())
    assert meta["lexicon"]["source"].startswith("learned") and model.meta["lexicon"] == meta["lexicon"]
    corpus = {p["id"]: p for p in load_papers()}
    papers = [corpus[i] for i in DWI_TRAPS + DDPM_FOR_MEDICAL]
    found = classify_texts(model, [p["title"] for p in papers], [p["abstract"] for p in papers])
    assert [v.relevant for v in found] == [False] * 3 + [True] * 3, [v.probability for v in found]
    assert "[method and domain]" in model.feature_names


def test_topic_learns_the_words_a_list_uses_instead_of_its_anchor():
    """A list names its subject in several ways: the words its titles use instead of the anchor
    ('satellite', 'hyperspectral' for 'remote sensing') are method terms too, so the entries whose
    titles lack the anchor are found by the lexicon (the second list of the benchmark)."""
    from bot.lists.awesome import parse

    corpus = {p["id"]: p for p in load_papers()}
    entries = parse((ROOT / "bench" / "list-rs-vlm.md").read_text()).entries
    background = [(p["title"], p["abstract"]) for p in corpus.values() if "2025-09" <= p["listing_date"] < "2025-10"]
    lexicon = learn([(e.title, corpus[e.arxiv_id]["abstract"]) for e in entries], background)
    anchor, others = lexicon.method[0].phrase, {t.phrase.lower() for t in lexicon.method[1:]}
    assert anchor == "remote sensing"
    assert len(others & {"satellite", "aerial", "sar", "earth observation", "earth", "hyperspectral", "multispectral",
                         "drone", "uav"}) >= 2, others
    assert not others & {t.phrase.lower() for t in lexicon.domain}
    titles = [e.title for e in entries]
    with_anchor = [t for t in titles if anchor in t.lower()]
    matcher = Matcher(lexicon)
    found = [t for t in titles if matcher.scan(t)[0]["method"]]
    assert len(found) > len(with_anchor) and set(with_anchor) <= set(found)


def test_topic_learned_domain_word_alone_makes_no_weak_positive():
    """A learned domain holds broad words ('imaging'): a paper naming the method and only one domain
    word is not taken as in scope for training; two different domain words are.  A hand-written
    lexicon keeps its rule (one domain word in the title is enough)."""
    from classifier.features import paper_text
    from classifier.labels import weak_labels

    hand = lexicon_io.from_dict({"method": [{"phrase": "diffusion"}],
                                 "domain": [{"phrase": "imaging"}, {"phrase": "MRI"}]}).as_dict()
    learned = {**hand, "source": "learned from 3 list entries against 10 background papers"}
    texts = [paper_text("Diffusion priors for computational imaging", "We solve imaging inverse problems."),
             paper_text("Diffusion models for MRI", "Fast imaging of the brain.")]
    assert weak_labels(texts, learned) == ["weak-negative", "positive"]
    assert weak_labels(texts, hand) == ["positive", "positive"]


def test_topic_learning_needs_entries():
    from classifier.errors import TrainingError

    with pytest.raises(TrainingError, match="no positives"):
        learn([], [("A title", "An abstract")])


def test_train_keep_or_replace_rule_keeps_the_better_model(demo_model):
    model = demo_model.model
    corpus = load_papers()[:400]
    positives = [(t, "") for t in ["Diffusion models for MRI reconstruction", "Score-based CT denoising",
                                   "Latent diffusion for chest X-ray synthesis"] * 4]
    negatives = [(p["title"], p["abstract"]) for p in corpus]
    assert keep_or_replace(model, model, positives, negatives, 0).replace
    worse = copy.deepcopy(model)
    worse.estimator.coef_ = -worse.estimator.coef_  # ranks everything upside down
    decision = keep_or_replace(worse, model, positives, negatives, 0)
    assert not decision.replace and "average precision" in decision.reason
    assert decision.new.average_precision < decision.old.average_precision
    assert np.array_equal(-worse.estimator.coef_, model.estimator.coef_)  # the saved model is untouched
