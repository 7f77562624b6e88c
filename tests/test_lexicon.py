"""Lexicons as data: every term's examples, the phrase syntax, validation errors, and the matching rules."""

from __future__ import annotations

import pytest
from conftest import ROOT

from classifier import lexicon as lexicon_io
from classifier.errors import LexiconError
from classifier.features import paper_text
from classifier.labels import weak_labels
from classifier.matching import Matcher, role_counts

LEXICON_FILES = [ROOT / "lexicon.yaml", *sorted((ROOT / "bench").glob("*lexicon*.yaml"))]
TERMS = [(path, role, index, term.phrase) for path in LEXICON_FILES
         for role, index, term in lexicon_io.load(path).terms()]


@pytest.mark.parametrize("path,role,index,phrase", TERMS,
                         ids=[f"{p.stem}:{r}:{ph}" for p, r, _, ph in TERMS])
def test_lexicon_term_matches_and_rejects_its_examples(path, role, index, phrase):
    matcher = Matcher(lexicon_io.load(path))
    assert matcher.example_failures(role, index) == []


def test_lexicon_bundled_terms_have_examples():
    lexicon = lexicon_io.load(ROOT / "lexicon.yaml")
    assert all(term.matches for _, _, term in lexicon.terms())
    assert sum(len(term.rejects) for _, _, term in lexicon.terms()) >= 10


def lex(**method_term) -> lexicon_io.Lexicon:
    return lexicon_io.from_dict({"method": [{"phrase": "diffusion", **method_term}],
                                 "domain": [{"phrase": "MRI"}, {"phrase": "PET"}, {"phrase": "brain"}]})


def counts(lexicon, title, abstract=""):
    return tuple(int(c) for c in role_counts([paper_text(title, abstract)], lexicon)[0])


def test_lexicon_acronyms_are_case_sensitive_and_words_are_not():
    lexicon = lex()
    assert counts(lexicon, "Diffusion for PET and MRI") == (1, 0, 2, 0, 0, 0)
    assert counts(lexicon, "DIFFUSION for pet owners and mri") == (1, 0, 0, 0, 0, 0)
    assert counts(lexicon, "Diffusion in the BRAIN-X benchmark") == (1, 0, 0, 0, 0, 0)  # a name in capitals


def test_lexicon_one_confounder_drives_exclusion_and_the_feature():
    lexicon = lex(confounders=["diffusion MRI", "DWI"])
    # excluded inside the look-alike, counted as a confounder, and the bare word elsewhere is ambiguous
    assert counts(lexicon, "Diffusion MRI of the brain", "The diffusion signal.") == (0, 0, 2, 0, 1, 0)
    # a specific variant is not ambiguous
    lexicon = lex(variants=["diffusion model"], suffixes=["s"], confounders=["diffusion MRI"])
    assert counts(lexicon, "Diffusion models for diffusion MRI") == (1, 0, 1, 0, 1, 0)
    assert counts(lexicon, "DWI and diffusion models")[4] == 0  # not a confounder of this lexicon


def test_lexicon_neighbours_and_suffixes():
    lexicon = lex(not_preceded_by=["thermal"], not_followed_by=["time", "coefficient*"], suffixes=["s"])
    assert counts(lexicon, "thermal diffusion, diffusion time, diffusion coefficients") == (0, 0, 0, 0, 0, 0)
    assert counts(lexicon, "thermal-diffusion and diffusions") == (1, 0, 0, 0, 0, 0)


def test_lexicon_without_domain_labels_by_the_method():
    lexicon = lexicon_io.from_dict({"method": [{"phrase": "spiking neural network", "suffixes": ["s"]}]})
    labels = weak_labels([paper_text("Spiking neural networks for audio"), paper_text("A CNN for audio"),
                          paper_text("Audio", "We compare with a spiking neural network once.")], lexicon.as_dict())
    assert labels == ["positive", "negative", "weak-negative"]


@pytest.mark.parametrize("raw,message", [
    ({"method": [{"phrase": "diffusion(?!mri)"}]}, "is not a phrase"),
    ({"method": [{"phrase": "diffusion", "synonyms": ["x"]}]}, "unknown key 'synonyms'"),
    ({"method": [{"variants": ["x"]}]}, "method\\[0\\].phrase: missing"),
    ({"method": [], "domain": [{"phrase": "MRI"}]}, "no 'method' terms"),
    ({"method": [{"phrase": "diffusion", "suffixes": ["s?"]}]}, "not a word ending"),
    ({"methods": []}, "unknown key 'methods'"),
])
def test_lexicon_errors_name_the_term(raw, message):
    with pytest.raises(LexiconError, match=message) as info:
        lexicon_io.from_dict(raw, "my-lexicon.yaml")
    assert "my-lexicon.yaml" in str(info.value) and "\n" not in info.value.one_line()


def test_lexicon_round_trips_through_yaml(tmp_path):
    bundled = lexicon_io.load(ROOT / "lexicon.yaml")
    path = tmp_path / "copy.yaml"
    path.write_text(lexicon_io.dump(bundled))
    assert lexicon_io.load(path) == bundled


def test_train_command_config_naming_a_missing_or_broken_lexicon_is_one_line(tmp_path, bot):
    from arxiv_fixtures import write_config

    missing = write_config(tmp_path, classifier__lexicon=str(tmp_path / "nowhere.yaml"))
    result = bot("--config", missing, "train", "--offline")
    assert result.exit_code == 2 and "nowhere.yaml not found" in result.err and result.err.count("\n") == 1
    broken = tmp_path / "broken.yaml"
    broken.write_text("method:\n  - phrase: '(?<!heat )diffusion'\n")
    result = bot("--config", write_config(tmp_path, classifier__lexicon=str(broken)), "train", "--offline")
    assert result.exit_code == 2 and "broken.yaml: method[0].phrase" in result.err
    undated = tmp_path / "undated.yaml"
    undated.write_text("method:\n  - phrase: diffusion\n    examples: [2025-13-01]\n")
    result = bot("--config", write_config(tmp_path, classifier__lexicon=str(undated)), "train", "--offline")
    assert result.exit_code == 2 and "undated.yaml: bad YAML at line 3: 2025-13-01 is no date" in result.err
    assert result.err.count("\n") == 1


def test_config_inline_lexicon_is_refused_with_a_pointer_to_the_file(tmp_path):
    from bot.base.config import load_config
    from bot.base.errors import ConfigError

    text = (ROOT / "config.yaml").read_text().replace("  lexicon: lexicon.yaml", "  lexicon:\n    method: [x]")
    (tmp_path / "config.yaml").write_text(text)
    with pytest.raises(ConfigError, match="'classifier.lexicon': names a lexicon YAML file"):
        load_config(tmp_path / "config.yaml")
