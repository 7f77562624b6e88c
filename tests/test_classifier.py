"""The classifier on real data: traps, title-only positives, determinism, model files, the operating
point, sections, and the `train` / `classify` / `evaluate` commands.  The trained model is the
session's shared demo model (tests/conftest.py); only the tests about training itself train."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from arxiv_fixtures import load_papers, write_config
from conftest import ROOT, SEED_README

from bot.base.decision import Decision
from bot.lists.awesome import parse
from bot.papers.paper import Paper
from bot.papers.store import Store
from classifier import lexicon as lexicon_io
from classifier import model as model_io
from classifier.errors import ModelError, TrainingError
from classifier.features import INDICATOR_NAMES
from classifier.operating import OperatingRule
from classifier.predict import classify_texts
from classifier.train import Doc, train

DWI_TRAPS = ["2603.25977", "2603.06696", "2603.17968"]  # diffusion MRI, no generative model
DDPM_FOR_MEDICAL = ["2605.10629", "2606.15457", "2604.05110"]  # diffusion models on MRI / mammograms


@pytest.fixture(scope="module")
def corpus():
    return {p["id"]: p for p in load_papers()}


@pytest.fixture(scope="module")
def entries():
    return [Doc(e.arxiv_id or e.title_key, e.title, "", e.label) for e in parse(SEED_README.read_text()).entries]


@pytest.fixture(scope="module")
def model(demo_model):
    return demo_model.model


@pytest.fixture(scope="module")
def trained_folder(tmp_path_factory, corpus, demo_model):
    """A config + store + saved model in a scratch folder, as `bot train` leaves it."""
    folder = tmp_path_factory.mktemp("trained")
    config = write_config(folder)
    with Store(folder / "papers.sqlite") as store:
        store.add(Paper.from_json(p) for p in corpus.values() if p["listing_date"].startswith("2025-09-1"))
        store.add(Paper.from_json(corpus[i]) for i in DWI_TRAPS + DDPM_FOR_MEDICAL)
    model_io.save(demo_model.model, folder / "model")
    return folder, config


def verdicts_for(model, corpus, ids):
    papers = [corpus[i] for i in ids]
    return classify_texts(model, [p["title"] for p in papers], [p["abstract"] for p in papers])


def test_train_reports_metrics_operating_point_and_sections(model):
    metrics = model.meta["metrics"]
    assert metrics["rows"]["list"] == 176 and metrics["rows"]["positive"] > 20
    assert 0 < model.threshold < 1 and 0 < model.threshold_title_only < 1
    assert metrics["average_precision_cv"] > 0.5 and metrics["recall_weak_positives_cv"] >= 0.98
    assert metrics["budget_per_1000"] > 0 and "operating_rule" in metrics
    budgets = [row["budget_per_1000"] for row in model.meta["operating_curve"]]
    assert budgets == sorted(budgets) and metrics["budget_per_1000"] in budgets
    assert set(model.meta["sections"]) >= {"Segmentation", "Super Resolution", "Survey Papers"}
    per_section = model.meta["section_agreement"]["per_section"]
    assert per_section["Segmentation"]["examples"] == 26 and 0 <= per_section["Segmentation"]["top1"] <= 1


def test_classify_diffusion_mri_trap(model, corpus):
    traps = verdicts_for(model, corpus, DWI_TRAPS)
    real = verdicts_for(model, corpus, DDPM_FOR_MEDICAL)
    assert [v.relevant for v in traps] == [False] * 3, [v.probability for v in traps]
    assert [v.relevant for v in real] == [True] * 3, [v.probability for v in real]
    assert min(v.probability for v in real) > max(v.probability for v in traps)


def test_classify_natural_image_diffusion_and_medical_gan_rank_below_the_real_thing(model, corpus):
    """Diffusion on natural videos is out; a medical GAN may fall in the uncertain band the operating
    point's headroom reaches into, but stays less likely than not and below real in-scope papers."""
    natural = ("Taming Text-to-Video Diffusion Models for Camera Control",
               "We fine-tune a latent video diffusion model on natural videos of street scenes and "
               "landscapes, adding camera pose conditioning to the denoising transformer.")
    gan = ("CycleGAN-based CT to MRI Translation for Brain Tumour Patients",
           "We train a cycle-consistent generative adversarial network to translate CT scans of brain "
           "tumour patients into MRI, evaluated by radiologists on clinical data.")
    found = classify_texts(model, [natural[0], gan[0]], [natural[1], gan[1]])
    assert not found[0].relevant and found[1].probability < 0.5
    real = verdicts_for(model, corpus, DDPM_FOR_MEDICAL)
    assert max(v.probability for v in found) < min(v.probability for v in real)


def test_classify_title_only_positives_are_not_penalised(model, entries):
    """Title-only list entries pass their own threshold, and adding an abstract to an in-scope
    title does not sink it ('has an abstract' is not a negative feature)."""
    titles = [e.title for e in entries[:60]]
    title_only = classify_texts(model, titles, [None] * len(titles), explain=False)
    assert np.mean([v.relevant for v in title_only]) >= 0.9
    with_abstract = classify_texts(model, ["Denoising diffusion models for low-dose CT reconstruction"],
                                   ["We train a denoising diffusion probabilistic model on low-dose CT scans of "
                                    "patients and use it as a prior for reconstruction of clinical images."])
    assert with_abstract[0].relevant


def test_classify_sections_and_explanations(model, corpus):
    verdict = verdicts_for(model, corpus, ["2605.10629"])[0]
    assert len(verdict.section_probabilities) == 3
    assert verdict.section == next(iter(verdict.section_probabilities))
    assert verdict.explanation["for"] and all(isinstance(t, str) for t in verdict.explanation["for"])
    segmentation = classify_texts(model, ["Diffusion models for brain tumour segmentation in MRI"], [None])[0]
    assert segmentation.section == "Segmentation"


def test_classify_explanations_name_the_same_columns_as_the_full_list(model):
    """The explanation names chosen columns without listing all ~10^5 of them: the names must be
    those of the full list, indicators included, at the start, the end and the part boundaries."""
    names = model.feature_names
    kind = [(str(n).startswith("title:"), str(n).startswith("[")) for n in names]
    widths = [len(names)] + [i for i in range(1, len(names)) if kind[i] != kind[i - 1]]
    columns = sorted({0, len(names) - 1, *widths[1:], *(w - 1 for w in widths[1:]), *range(0, len(names), 997)})
    assert model.column_names(columns) == [str(names[c]) for c in columns]
    assert (model.cue_columns == np.array([str(n).startswith("[") for n in names])).all()
    assert model.cue_columns.sum() == len(INDICATOR_NAMES)


def test_classify_large_batch_details_every_paper_that_can_be_proposed(model, corpus):
    """In a batch too large to detail every paper, each relevant paper (and any near its threshold)
    still gets its section and explanation; only papers far below it go without."""
    from classifier.predict import DETAIL_SHARE, SMALL_BATCH

    papers = [p for p in corpus.values() if p["listing_date"] >= "2026-06-01"][:1500]
    assert len(papers) > SMALL_BATCH
    found = classify_texts(model, [p["title"] for p in papers], [p["abstract"] for p in papers])
    relevant = [v for v in found if v.relevant]
    assert relevant and all(v.section and v.explanation["for"] for v in relevant)
    near = [v for v in found if v.probability >= model.threshold * DETAIL_SHARE * 1.01]
    assert all(v.section for v in near) and len(near) >= len(relevant)
    skipped = [v for v in found if not v.section]
    assert skipped and all(v.probability < model.threshold * DETAIL_SHARE + 1e-4 for v in skipped)


def test_train_is_deterministic_and_needs_positives(entries, corpus):
    lexicon = lexicon_io.load(ROOT / "lexicon.yaml")
    background = [Doc(p["id"], p["title"], p["abstract"]) for p in corpus.values()
                  if "2025-09-10" <= p["listing_date"] <= "2025-09-12"]
    first = train(entries[:80], background, lexicon)
    again = train(entries[:80], list(reversed(background)), lexicon)
    assert again.threshold == first.threshold
    assert again.meta["data_fingerprint"] == first.meta["data_fingerprint"]
    assert np.array_equal(first.estimator.coef_, again.estimator.coef_)
    ids = DWI_TRAPS + DDPM_FOR_MEDICAL
    assert [v.probability for v in verdicts_for(again, corpus, ids)] == \
        [v.probability for v in verdicts_for(first, corpus, ids)]
    with pytest.raises(TrainingError, match="no positives"):
        train([], background, lexicon)


def test_train_a_list_with_one_section_puts_every_paper_there(entries, corpus, tmp_path):
    lexicon = lexicon_io.load(ROOT / "lexicon.yaml")
    background = [Doc(p["id"], p["title"], p["abstract"]) for p in corpus.values()
                  if p["listing_date"].startswith("2025-09-1")]
    one = [Doc(e.id, e.title, e.abstract, "Papers") for e in entries[:40]]
    loaded = model_io.load(model_io.save(train(one, background, lexicon), tmp_path / "m"))
    found = verdicts_for(loaded, corpus, DWI_TRAPS + DDPM_FOR_MEDICAL)
    assert found and {v.section for v in found if v.section} == {"Papers"}
    assert loaded.meta["sections"] == ["Papers"]


def test_train_stock_calibration_and_no_attributes_added_to_estimators(model):
    from sklearn.calibration import CalibratedClassifierCV

    calibrated = model.relevance.named_steps["model"]
    assert isinstance(calibrated, CalibratedClassifierCV) and calibrated.ensemble is False
    assert calibrated.method == "sigmoid" and len(calibrated.calibrated_classifiers_) == 1
    texts = ["Diffusion models for low-dose CT denoising"]
    assert classify_texts(model, texts, [None])[0].probability == \
        pytest.approx(float(model.relevance.predict_proba(texts)[0, 1]), abs=1e-4)
    own = {name for name in vars(model.estimator) if not name.startswith("__")}
    assert not any(name.startswith("_feature") or name.startswith("_cue") for name in own)


def test_model_round_trips_through_plain_arrays(model, corpus, tmp_path):
    model_io.save(model, tmp_path / "m")
    loaded = model_io.load(tmp_path / "m")
    ids = DWI_TRAPS + DDPM_FOR_MEDICAL
    assert [v.probability for v in verdicts_for(loaded, corpus, ids)] == \
        [v.probability for v in verdicts_for(model, corpus, ids)]
    assert loaded.threshold == model.threshold and loaded.meta["lexicon"] == model.meta["lexicon"]


def test_model_from_another_library_version_is_refused(model, tmp_path, bot):
    folder = model_io.save(model, tmp_path / "model")
    meta = json.loads((folder / "meta.json").read_text())
    meta["versions"]["scikit-learn"] = "0.24.2"
    (folder / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="trained with scikit-learn 0.24.2"):
        model_io.load(folder)
    config = write_config(tmp_path)
    result = bot("--config", config, "classify", "2605.10629")
    assert result.exit_code == 2 and "run `bot train`" in result.err and result.err.count("\n") == 1


@pytest.mark.parametrize("edit", ["arrays", "threshold", "lexicon"])
def test_model_tampering_with_arrays_or_metadata_is_refused(model, tmp_path, edit):
    folder = model_io.save(model, tmp_path / "model")
    if edit == "arrays":
        (folder / "model.npz").write_bytes((folder / "model.npz").read_bytes()[:-10] + b"0123456789")
    else:
        meta = json.loads((folder / "meta.json").read_text())
        if edit == "threshold":
            meta["metrics"]["threshold"] = 0.01
        else:
            meta["lexicon"]["method"][0]["phrase"] = "transformer"
        (folder / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="does not match its checksum"):
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


def test_train_command_learns_from_decisions_prints_the_curve_and_keeps_or_replaces(tmp_path, corpus, bot):
    config = write_config(tmp_path, classifier__proposals_per_1000=12)
    with Store(tmp_path / "papers.sqlite") as store:
        store.add(Paper.from_json(p) for p in corpus.values() if p["listing_date"].startswith("2025-09-1"))
        store.add([Paper.from_json(corpus[i]) for i in ("2606.15457", "2603.25977")])
        store.record_verdicts("m", [("2606.15457", True, 0.9, "Image Generation")])
        store.record_decisions([Decision("2606.15457", True, "Segmentation", source="test"),
                                Decision("2603.25977", False, "Image Generation", source="test")])
    first = bot("--config", config, "train", "--offline")
    assert first.exit_code == 0, first.err
    assert "training on 176 list entries" in first.out and "1 accepted, 1 rejected" in first.out
    assert "'accepted': 2" in first.out and "'rejected': 2" in first.out and "section_top3_cv" in first.out
    assert "a budget of 12 proposals per 1,000 papers" in first.out
    chosen = [line for line in first.out.splitlines() if line.endswith("<- chosen")]
    assert len(chosen) == 1 and chosen[0].split()[0] == "12" and "list (titles)" in first.out
    assert "training: 1/5 features" in first.err  # plain progress lines when not on a terminal
    meta = json.loads((tmp_path / "model" / "meta.json").read_text())
    assert {"trained_at", "data_fingerprint", "versions", "metrics", "lexicon", "sha256"} <= set(meta)
    assert meta["metrics"]["budget_per_1000"] == 12 and meta["lexicon"]["source"] == "hand-written"
    second = bot("--config", config, "train", "--offline")
    assert second.exit_code == 0, second.err
    assert "new model                average precision" in second.out and "saved model " in second.out
    assert "kept the saved model" not in second.out  # the same data: not worse, replaced


def test_train_command_with_empty_store_says_what_to_do(tmp_path, bot):
    result = bot("--config", write_config(tmp_path), "train", "--offline")
    assert result.exit_code == 2 and "bot fetch" in result.err


def test_train_command_without_positives_is_one_line_exit_2(tmp_path, corpus, bot):
    empty_list = tmp_path / "README.md"
    empty_list.write_text("# An empty list\n\n## Papers\n\nNothing yet.\n")
    config = write_config(tmp_path)
    with Store(tmp_path / "papers.sqlite") as store:
        store.add(Paper.from_json(p) for p in list(corpus.values())[:50])
    result = bot("--config", config, "train", "--offline", "--list", empty_list)
    assert result.exit_code == 2, result.out + result.err
    assert result.err.startswith("Error: ") and "no list entries" in result.err and result.err.count("\n") == 1
    assert "Traceback" not in result.err


def store_papers_since(tmp_path, corpus, day: str) -> None:
    """The test's paper store: the corpus papers listed on ``day`` or later."""
    with Store(tmp_path / "papers.sqlite") as store:
        store.add(Paper.from_json(p) for p in corpus.values() if p["listing_date"] >= day)


def test_evaluate_command_writes_report_plots_and_sections(tmp_path, corpus, bot):
    config = write_config(tmp_path)
    store_papers_since(tmp_path, corpus, "2026-06-15")
    judgements = tmp_path / "j.csv"
    judgements.write_text("arxiv_id,judgement\n2606.15457,in\n2606.16180,out\n")
    labelled = ["2606.26764,Image Generation", "2606.27935,Image Generation", "2606.28980,Text-to-Image",
                "2606.30012,Super Resolution", "2606.30417,Other Applications",
                "2606.25041,Not A Heading",  # a section the list does not have: always a miss
                "2606.15457,Segmentation"]  # listed before the split: a training paper, not scored
    sections = tmp_path / "sections.csv"
    sections.write_text("arxiv_id,section,note\n" + "".join(f"{line},\n" for line in labelled))
    result = bot("--config", config, "evaluate", "--split", "2026-06-25", "--judgements", judgements,
                 "--sections", sections, "--output", tmp_path / "report")
    assert result.exit_code == 0, result.err
    assert "| keyword rule (lexicon) |" in result.out
    assert "| Segmentation | 26 |" in result.out and "top-3" in result.out
    assert "Section agreement with the hand-labelled test papers (6, read with their abstracts)" in result.out
    assert "| Not A Heading | 1 | 0.00 | 0.00 |" in result.out and "| Image Generation | 2 |" in result.out
    assert "No list entry under a heading is a paper of the test period in the store" in result.out  # ends in 2023
    judged = json.loads((tmp_path / "report" / "report.json").read_text())["sections_judged"]
    hits = [t == p for t, p in zip(judged["truth"], judged["predicted"])]
    assert len(hits) == 6 and judged["top1"] == pytest.approx(sum(hits) / 6) and judged["top1"] <= 5 / 6
    assert judged["top1"] <= judged["top3"] <= 5 / 6
    assert sum(s["examples"] * s["top1"] for s in judged["per_section"].values()) == pytest.approx(sum(hits))
    written = sorted(os.listdir(tmp_path / "report"))
    assert written == ["precision_recall.png", "report.json", "report.md", "section_confusion.png",
                       "section_confusion_judged.png"]


def test_evaluate_command_compares_the_bots_entries_with_the_maintainers_per_section(tmp_path, corpus, bot):
    """Entries of the test period (from --split, before --until): written by the bot into the list without
    them, in their section, against the maintainers' own lines (one as the bot writes it, one with a project
    link the record lacks and an abbreviated author list); the bot never invents a link."""
    config = write_config(tmp_path)
    store_papers_since(tmp_path, corpus, "2026-06-25")
    as_the_bot = ("**CoIn: Comprehensive 2D-3D Inpainting with Gaussian Splatting Guidance** \\\n"
                  "*Hana Kim, Minje Kim, Tae-Kyun Kim* \\\n[29th Jun., 2026] [arXiv, 2026] \\\n"
                  "[[Paper](https://arxiv.org/abs/2606.27584)]\n")
    by_hand = ("**Anatomy-Guided Residual Motion Diffusion for Controllable 4D Cardiac MRI Synthesis** \\\n"
               "*Yiheng Cao et al.* \\\n[26th Jun., 2026] [arXiv, 2026] \\\n[[Paper](https://arxiv.org/abs/2606.26764)] "
               "[[Project](https://example.org/cardiac)]\n")
    after_until = ("**SkelEM: Training-Signal Decoupling of Skeleton and Diffusion for Self-supervised Axial "
                   "Super-Resolution in Volume Microscopy** \\\n*Bohao Chen* \\\n[30th Jun., 2026] \\\n"
                   "[[Paper](https://arxiv.org/abs/2606.30012)]\n")  # listed on --until: not of the test period
    text = SEED_README.read_text().replace("### Segmentation\n\n", f"### Segmentation\n\n{as_the_bot}\n{after_until}\n", 1)
    text = text.replace("### Reconstruction\n\n", f"### Reconstruction\n\n{by_hand}\n", 1)
    readme = tmp_path / "README.md"
    readme.write_text(text)
    result = bot("--config", config, "evaluate", "--split", "2026-06-26", "--until", "2026-06-30", "--list", readme,
                 "--output", tmp_path / "r")
    assert result.exit_code == 0, result.err
    assert "The bot's entries against the maintainers' own lines for the 2 list entries of the test period" in result.out
    entries = json.loads((tmp_path / "r" / "report.json").read_text())["entries"]
    sections = entries["per_section"]
    assert set(sections) == {"Segmentation", "Reconstruction"} and entries["all"]["invented_links"] == 0
    assert sections["Segmentation"]["entries"] == 1 and entries["all"]["entries"] == 2
    assert sections["Segmentation"]["median"] > 0.98 > 0.9 > sections["Reconstruction"]["median"] > 0.5
    assert f"| Reconstruction | 1 | {sections['Reconstruction']['median']:.3f} | 0 |" in result.out


def test_evaluate_command_unreadable_sections_csv_is_one_line_exit_2(tmp_path, corpus, bot):
    config = write_config(tmp_path)
    store_papers_since(tmp_path, corpus, "2026-06-25")
    sections = tmp_path / "sections.csv"
    sections.write_text("id,heading\n2606.26764,Image Generation\n")
    result = bot("--config", config, "evaluate", "--split", "2026-06-28", "--sections", sections)
    assert result.exit_code == 2 and "expected a CSV with columns arxiv_id,section" in result.err
    assert result.err.count("\n") == 1 and "Traceback" not in result.err


@pytest.mark.parametrize("split", ["2020-01-01", "2030-01-01"])
def test_evaluate_command_split_with_no_papers_on_one_side_is_one_line_exit_2(tmp_path, corpus, bot, split):
    config = write_config(tmp_path)
    store_papers_since(tmp_path, corpus, "2026-06-25")
    result = bot("--config", config, "evaluate", "--split", split)
    assert result.exit_code == 2 and result.err.startswith("Error: no papers listed")
    assert result.err.count("\n") == 1 and "Traceback" not in result.err


def test_operating_point_budget_and_target(model):
    """A configured budget is what the background sees; the default rule reaches the target recall."""
    from classifier.operating import Rows, choose
    from classifier.pace import list_pace

    rng = np.random.default_rng(0)
    kinds = np.array(["negative"] * 9000 + ["positive"] * 100 + ["list"] * 50)
    probability = np.concatenate([rng.beta(1, 30, 9000), rng.beta(20, 2, 100), rng.beta(5, 3, 50)])
    rows = Rows(probability, kinds, np.array([False] * 9100 + [True] * 50), np.ones(9150))
    chosen, curve = choose(rows, OperatingRule(budget_per_1000=15))
    assert chosen["budget_per_1000"] == 15 and abs(chosen["proposals_per_1000"] - 15) < 0.5
    pace = list_pace([date(2025, m, 1) for m in range(1, 13) for _ in range(16)], [])  # 12 / 1,000 at K = 3
    default, _ = choose(rows, OperatingRule(target_recall=0.95), pace)
    assert pace.budget_per_1000 / 2 <= default["budget_per_1000"] <= pace.budget_per_1000 * 2
    assert default["recall_weak_positives"] >= 0.95
    assert default["budget_per_1000"] >= 1.1 * 100 / 9100 * 1000 - 0.01  # the headroom over the weak positives
    titles = probability[9100:]
    assert (titles >= default["threshold_title_only"]).mean() >= 0.95


def test_train_calibration_is_what_the_stock_calibrated_classifier_fits():
    """Training builds CalibratedClassifierCV(method="sigmoid", cv=folds, ensemble=False) from the
    out-of-fold scores it computes anyway; if scikit-learn changes how that class calibrates, this fails."""
    from scipy import sparse
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict

    from classifier.folds import GroupFolds
    from classifier.model import calibrated_from_scores

    rng = np.random.RandomState(1)
    X = sparse.random(600, 40, density=0.2, format="csr", random_state=rng)
    y = (X[:, :5].sum(axis=1).A.ravel() + rng.rand(600) > 1.2).astype(int)
    weights, groups = rng.choice([1.0, 2.0, 4.0], 600), rng.randint(0, 300, 600)
    folds = list(GroupFolds(5, shuffle=True, random_state=0).split(X, y, groups))

    def lr():
        return LogisticRegression(C=4.0, solver="liblinear", random_state=0)

    stock = CalibratedClassifierCV(lr(), method="sigmoid", cv=folds, ensemble=False).fit(X, y, sample_weight=weights)
    scores = cross_val_predict(lr(), X, y, cv=folds, method="decision_function", params={"sample_weight": weights})
    ours = calibrated_from_scores(lr().fit(X, y, sample_weight=weights), scores, y, weights)
    theirs, mine = stock.calibrated_classifiers_[0], ours.calibrated_classifiers_[0]
    assert (theirs.calibrators[0].a_, theirs.calibrators[0].b_) == (mine.calibrators[0].a_, mine.calibrators[0].b_)
    assert np.array_equal(theirs.estimator.coef_, mine.estimator.coef_)
    assert np.array_equal(stock.predict_proba(X), ours.predict_proba(X))


def test_train_relevance_model_is_the_stock_calibrated_classifier_on_its_rows(entries, corpus):
    """Training's calibrated model is what CalibratedClassifierCV(method="sigmoid", cv=its folds,
    ensemble=False) fits on the same rows, labels and weights (a learned lexicon: the branch that sets
    hidden positives aside and refits runs too)."""
    from sklearn.calibration import CalibratedClassifierCV

    from classifier.labels import label_arrays
    from classifier.topic import learn
    from classifier.train import _fit_relevance, _folds, _relevance_lr, relevance_rows

    background = [Doc(p["id"], p["title"], p["abstract"]) for p in corpus.values()
                  if "2025-09-10" <= p["listing_date"] <= "2025-09-12"]
    lexicon = learn([(d.title, d.abstract) for d in entries], [(d.title, d.abstract) for d in background]).as_dict()
    fit = _fit_relevance(relevance_rows(entries, background, [], [], lexicon), lexicon)
    assert fit.hidden.any()  # the refit branch ran
    y, weights = label_arrays(fit.table.kinds)
    X = fit.features.transform(fit.table.texts)
    folds = _folds(X, y, np.array(fit.table.groups))
    stock = CalibratedClassifierCV(_relevance_lr(), method="sigmoid", cv=folds, ensemble=False)
    stock.fit(X, y, sample_weight=weights)
    theirs, ours = stock.calibrated_classifiers_[0], fit.calibrated.calibrated_classifiers_[0]
    # the same to the last bits (the matrix rebuilt here may order a row's columns otherwise: rounding)
    assert np.allclose([theirs.calibrators[0].a_, theirs.calibrators[0].b_],
                       [ours.calibrators[0].a_, ours.calibrators[0].b_], rtol=1e-9, atol=0)
    assert np.allclose(theirs.estimator.coef_, ours.estimator.coef_, rtol=1e-9, atol=1e-12)


def test_train_folds_are_the_stock_stratified_group_folds():
    """Training's faster splitter gives scikit-learn's StratifiedGroupKFold folds exactly (many small
    groups, a few large ones, two and three classes, rare positives)."""
    import numpy as np
    from sklearn.model_selection import StratifiedGroupKFold

    from classifier.folds import GroupFolds

    rng = np.random.RandomState(0)
    for trial in range(15):
        n = int(rng.randint(60, 1000))
        y = (rng.rand(n) < rng.choice([0.03, 0.2, 0.5])).astype(int)
        y[:6] = 1
        if trial % 5 == 0:
            y = rng.randint(0, 3, n)
        groups = rng.randint(0, max(12, int(n * rng.choice([0.2, 0.9, 1.0]))), n)
        X = np.zeros((n, 1))
        stock = [test for _, test in StratifiedGroupKFold(5, shuffle=True, random_state=trial).split(X, y, groups)]
        ours = [test for _, test in GroupFolds(5, shuffle=True, random_state=trial).split(X, y, groups)]
        assert [t.tolist() for t in ours] == [t.tolist() for t in stock]


def test_evaluate_command_until_not_after_split_names_both_dates(tmp_path, corpus, bot):
    config = write_config(tmp_path)
    store_papers_since(tmp_path, corpus, "2026-06-25")
    result = bot("--config", config, "evaluate", "--split", "2026-06-28", "--until", "2026-06-01")
    assert result.exit_code == 2 and result.err.count("\n") == 1, result.err
    assert "--until 2026-06-01 is not after --split 2026-06-28" in result.err
