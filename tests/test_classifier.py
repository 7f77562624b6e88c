"""The classifier trained on a small real subset: traps, title-only positives, determinism,
model files, and the `train` / `classify` / `evaluate` commands."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np
import pytest

from arxiv_fixtures import load_papers, write_config
from bot.awesome import parse
from bot.config import load_config
from bot.errors import ModelError
from bot.paper import Paper
from bot.store import Store
from classifier import model as model_io
from classifier.predict import classify_texts
from classifier.train import Doc, train
from conftest import ROOT, SEED_README

TRAIN_MONTH = "2025-09"  # ~5,100 real papers of one month as the background
DWI_TRAPS = ["2603.25977", "2603.06696", "2603.17968"]  # diffusion MRI, no generative model
DDPM_FOR_MEDICAL = ["2605.10629", "2606.15457", "2604.05110"]  # diffusion models on MRI / mammograms


@pytest.fixture(scope="module")
def corpus():
    return {p["id"]: p for p in load_papers()}


@pytest.fixture(scope="module")
def lexicons():
    return load_config(ROOT / "config.yaml").classifier.lexicon.model_dump()


@pytest.fixture(scope="module")
def entries():
    return [Doc(e.arxiv_id or e.title_key, e.title, "", e.label) for e in parse(SEED_README.read_text()).entries]


@pytest.fixture(scope="module")
def background(corpus):
    return [Doc(p["id"], p["title"], p["abstract"]) for p in corpus.values()
            if p["listing_date"].startswith(TRAIN_MONTH)]


@pytest.fixture(scope="module")
def small_model(entries, background, lexicons):
    return train(entries, background, lexicons, target_recall=0.98)


@pytest.fixture(scope="module")
def trained_folder(tmp_path_factory, corpus, small_model):
    """A config + store + saved model in a scratch folder, as `bot train` leaves it."""
    folder = tmp_path_factory.mktemp("trained")
    config = write_config(folder)
    with Store(folder / "papers.sqlite") as store:
        store.add(Paper.from_json(p) for p in corpus.values() if p["listing_date"].startswith(TRAIN_MONTH))
        store.add(Paper.from_json(corpus[i]) for i in DWI_TRAPS + DDPM_FOR_MEDICAL)
    model_io.save(small_model, folder / "model")
    return folder, config


def verdicts_for(model, corpus, ids):
    papers = [corpus[i] for i in ids]
    return classify_texts(model, [p["title"] for p in papers], [p["abstract"] for p in papers])


def test_train_small_subset_reports_metrics(small_model):
    metrics = small_model.meta["metrics"]
    assert metrics["rows"]["list"] == 176 and metrics["rows"]["positive"] > 20
    assert 0 < small_model.threshold < 1
    assert metrics["recall_list_cv"] >= 0.9 and metrics["average_precision_cv"] > 0.5
    assert set(small_model.meta["sections"]) >= {"Segmentation", "Super Resolution", "Survey Papers"}


def test_classify_diffusion_mri_trap(small_model, corpus):
    traps = verdicts_for(small_model, corpus, DWI_TRAPS)
    real = verdicts_for(small_model, corpus, DDPM_FOR_MEDICAL)
    assert [v.relevant for v in traps] == [False] * 3, [v.probability for v in traps]
    assert [v.relevant for v in real] == [True] * 3, [v.probability for v in real]
    assert min(v.probability for v in real) > max(v.probability for v in traps)


def test_classify_natural_image_diffusion_and_medical_gan_are_not_relevant(small_model):
    natural = ("Taming Text-to-Video Diffusion Models for Camera Control",
               "We fine-tune a latent video diffusion model on natural videos of street scenes and "
               "landscapes, adding camera pose conditioning to the denoising transformer.")
    gan = ("CycleGAN-based CT to MRI Translation for Brain Tumour Patients",
           "We train a cycle-consistent generative adversarial network to translate CT scans of brain "
           "tumour patients into MRI, evaluated by radiologists on clinical data.")
    found = classify_texts(small_model, [natural[0], gan[0]], [natural[1], gan[1]])
    assert [v.relevant for v in found] == [False, False]


def test_classify_title_only_positives_are_not_penalised(small_model, entries):
    """Title-only list entries score high with the title-only threshold, and adding an abstract
    to an in-scope title does not sink it ('has an abstract' is not a negative feature)."""
    titles = [e.title for e in entries[:60]]
    title_only = classify_texts(small_model, titles, [None] * len(titles), explain=False)
    assert np.mean([v.relevant for v in title_only]) >= 0.9
    with_abstract = classify_texts(small_model, ["Denoising diffusion models for low-dose CT reconstruction"],
                                   ["We train a denoising diffusion probabilistic model on low-dose CT scans of "
                                    "patients and use it as a prior for reconstruction of clinical images."])
    assert with_abstract[0].relevant


def test_classify_sections_and_explanations(small_model, corpus):
    verdict = verdicts_for(small_model, corpus, ["2605.10629"])[0]
    assert len(verdict.section_probabilities) == 3
    assert verdict.section == next(iter(verdict.section_probabilities))
    assert verdict.explanation["for"] and all(isinstance(t, str) for t in verdict.explanation["for"])


def test_train_is_deterministic(entries, background, lexicons, small_model, corpus):
    again = train(entries, list(reversed(background)), lexicons, target_recall=0.98)
    assert again.threshold == small_model.threshold
    assert again.meta["data_fingerprint"] == small_model.meta["data_fingerprint"]
    for part in ("relevance", "section"):
        first, second = getattr(small_model, part), getattr(again, part)
        assert np.array_equal(first.named_steps["model"].coef_, second.named_steps["model"].coef_)
    ids = DWI_TRAPS + DDPM_FOR_MEDICAL
    assert [v.probability for v in verdicts_for(again, corpus, ids)] == \
        [v.probability for v in verdicts_for(small_model, corpus, ids)]


def test_model_round_trips_through_plain_arrays(small_model, corpus, tmp_path):
    model_io.save(small_model, tmp_path / "m")
    loaded = model_io.load(tmp_path / "m")
    ids = DWI_TRAPS + DDPM_FOR_MEDICAL
    assert [v.probability for v in verdicts_for(loaded, corpus, ids)] == \
        [v.probability for v in verdicts_for(small_model, corpus, ids)]


def test_model_from_another_library_version_is_refused(small_model, tmp_path, bot):
    folder = model_io.save(small_model, tmp_path / "model")
    meta = json.loads((folder / "meta.json").read_text())
    meta["versions"]["scikit-learn"] = "0.24.2"
    (folder / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="trained with scikit-learn 0.24.2"):
        model_io.load(folder)
    config = write_config(tmp_path)
    result = bot("--config", config, "classify", "2605.10629")
    assert result.exit_code == 2 and "run `bot train`" in result.err and result.err.count("\n") == 1


def test_model_file_tampering_is_refused(small_model, tmp_path):
    folder = model_io.save(small_model, tmp_path / "model")
    (folder / "model.npz").write_bytes((folder / "model.npz").read_bytes()[:-10] + b"0123456789")
    with pytest.raises(ModelError, match="does not match its metadata"):
        model_io.load(folder)


def snapshot(folder: Path) -> dict:
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in folder.rglob("*") if p.is_file()}


def test_classify_one_paper_prints_everything_and_writes_nothing(trained_folder, bot):
    folder, config = trained_folder
    before = snapshot(folder)
    result = bot("--config", config, "classify", "2605.10629v2")
    assert result.exit_code == 0, result.err
    assert "RELEVANT" in result.out and "would go to:  section '" in result.out
    assert "[[Paper](https://arxiv.org/abs/2605.10629)]" in result.out
    as_json = json.loads(bot("--config", config, "classify", "2603.25977", "--json").out)
    assert as_json["relevant"] is False and as_json["id"] == "2603.25977"
    assert snapshot(folder) == before


def test_classify_input_file_reports_bad_lines_and_keeps_going(trained_folder, corpus, bot, tmp_path):
    folder, config = trained_folder
    lines = [json.dumps(corpus["2606.15457"]), "{broken json", json.dumps({"id": "2601.00001"}),
             json.dumps(corpus["2603.25977"])]
    source = tmp_path / "batch.jsonl"
    source.write_text("\n".join(lines) + "\n")
    before = snapshot(folder)
    result = bot("--config", config, "classify", "--input", source, "--json")
    rows = [json.loads(line) for line in result.out.splitlines()]
    assert [r.get("id") or r.get("line") for r in rows] == ["2606.15457", 2, 3, "2603.25977"]
    assert rows[1]["error"].startswith("invalid JSON") and "missing field title" in rows[2]["error"]
    assert set(rows[0]) >= {"id", "title", "relevant", "probability", "section", "section_probabilities",
                            "explanation", "entry"}
    assert rows[0]["relevant"] and not rows[3]["relevant"]
    assert rows[0]["entry"].startswith("**Lesion-DDPM")
    assert snapshot(folder) == before


def test_train_command_saves_model_with_metadata(tmp_path, corpus, bot):
    config = write_config(tmp_path)
    with Store(tmp_path / "papers.sqlite") as store:
        store.add(Paper.from_json(p) for p in corpus.values() if p["listing_date"].startswith("2025-09-1"))
    result = bot("--config", config, "train", "--offline")
    assert result.exit_code == 0, result.err
    assert "training on 176 list entries" in result.out and "section_top3_cv" in result.out
    meta = json.loads((tmp_path / "model" / "meta.json").read_text())
    assert {"trained_at", "data_fingerprint", "versions", "metrics", "threshold"} <= set(meta)
    assert meta["versions"]["scikit-learn"]


def test_train_command_learns_from_decisions_and_compares_models(tmp_path, corpus, bot):
    config = write_config(tmp_path)
    with Store(tmp_path / "papers.sqlite") as store:
        store.add(Paper.from_json(p) for p in corpus.values() if p["listing_date"].startswith("2025-09-1"))
        store.add([Paper.from_json(corpus[i]) for i in ("2606.15457", "2603.25977")])
        store.record_decisions([("2606.15457", "accepted", "Image Generation", None, "test"),
                                ("2603.25977", "rejected", "Image Generation", None, "test")])
    first = bot("--config", config, "train", "--offline")
    assert "1 accepted, 1 rejected" in first.out and "'accepted': 2" in first.out and "'rejected': 2" in first.out
    second = bot("--config", config, "train", "--offline")
    assert second.exit_code == 0, second.err
    assert "new model                average precision" in second.out and "saved model " in second.out
    assert "kept the saved model" not in second.out  # the same data: not worse, replaced


def test_train_command_with_empty_store_says_what_to_do(tmp_path, bot):
    result = bot("--config", write_config(tmp_path), "train", "--offline")
    assert result.exit_code == 2 and "bot fetch" in result.err


def test_evaluate_command_writes_report_and_plots(tmp_path, corpus, bot):
    config = write_config(tmp_path)
    with Store(tmp_path / "papers.sqlite") as store:
        store.add(Paper.from_json(p) for p in corpus.values() if p["listing_date"] >= "2026-06-15")
    judgements = tmp_path / "j.csv"
    judgements.write_text("arxiv_id,judgement\n2606.15457,in\n2606.16180,out\n")
    result = bot("--config", config, "evaluate", "--split", "2026-06-25", "--judgements", judgements,
                 "--output", tmp_path / "report")
    assert result.exit_code == 0, result.err
    assert "| keyword rule (lexicons) |" in result.out
    written = sorted(os.listdir(tmp_path / "report"))
    assert written == ["precision_recall.png", "report.json", "report.md", "section_confusion.png"]
