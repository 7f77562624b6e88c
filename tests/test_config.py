"""Configuration loading: the real config validates, bad ones fail in one line with exit code 2."""

from pathlib import Path

import pytest

from bot.config import load_config
from bot.errors import ConfigError
from conftest import ROOT

GOOD = (ROOT / "config.yaml").read_text()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    return path


def test_config_repo_file_is_valid_and_paths_resolve_against_its_folder():
    config = load_config(ROOT / "config.yaml")
    assert config.list.repo == "amirhossein-kz/Awesome-Diffusion-Models-in-Medical-Imaging"
    assert config.arxiv.categories == ["cs.CV", "eess.IV", "physics.med-ph", "cs.LG"]
    assert config.store.path == ROOT / "data" / "papers.sqlite"
    assert config.classifier.model_path == ROOT / "data" / "model"


def test_config_relative_paths_follow_the_config_file(tmp_path):
    config = load_config(write(tmp_path, GOOD))
    assert config.store.path == tmp_path / "data" / "papers.sqlite"


@pytest.mark.parametrize("text,message", [
    (GOOD.replace("github:", "gihtub:"), "unknown key 'gihtub'"),
    (GOOD.replace("  retries: 3 ", "  retries: many "), "'arxiv.retries'"),
    (GOOD.replace("  model_path: data/model", "  model_pth: data/model"), "classifier"),
    (GOOD.replace("{category}", "{cat}"), "'arxiv.rss_url'"),
    (GOOD.replace("list:\n", "list:\n  repo_typo: x\n"), "unknown key 'list.repo_typo'"),
    ("list: [unclosed\n", "bad YAML at line 2"),
    ("just a string", "expected a mapping"),
])
def test_config_errors_name_the_key(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")) as info:
        load_config(write(tmp_path, text))
    assert "\n" not in info.value.one_line()


def test_config_missing_required_key(tmp_path):
    text = GOOD.replace("store:\n  path: data/papers.sqlite", "")
    with pytest.raises(ConfigError, match="missing required key 'store'"):
        load_config(write(tmp_path, text))


@pytest.mark.parametrize("name,text", [
    ("missing", None), ("bad-yaml", "list: {repo: [\n"), ("unknown-key", GOOD + "\nextra: 1\n"),
    ("wrong-type", GOOD.replace("categories: [cs.CV, eess.IV, physics.med-ph, cs.LG]", "categories: 7")),
])
def test_cli_config_errors_exit_2_with_one_line(bot, tmp_path, name, text):
    path = tmp_path / f"{name}.yaml"
    if text is not None:
        path.write_text(text)
    result = bot("--config", path, "list", "check")
    assert result.exit_code == 2
    assert result.err.startswith("Error: ") and result.err.count("\n") == 1
    assert str(path.name) in result.err


def test_config_extends_keeps_each_path_relative_to_its_own_file(tmp_path):
    (tmp_path / "child").mkdir()
    (tmp_path / "base.yaml").write_text(GOOD)
    (tmp_path / "child" / "config.yaml").write_text("extends: ../base.yaml\nstore:\n  path: mine.sqlite\n")
    config = load_config(tmp_path / "child" / "config.yaml")
    assert config.store.path == tmp_path / "child" / "mine.sqlite"  # set here: relative to the child
    assert config.classifier.model_path == tmp_path / "data" / "model"  # inherited: relative to the base
    assert config.classifier.background == [ROOT / "bot" / "data" / "background.jsonl.gz"]  # bundled default
    assert config.list.repo == "amirhossein-kz/Awesome-Diffusion-Models-in-Medical-Imaging"


def test_config_extends_missing_file_is_one_line_error(tmp_path):
    path = write(tmp_path, "extends: nowhere.yaml\n")
    with pytest.raises(ConfigError, match="'extends' names .*nowhere.yaml, which is missing"):
        load_config(path)
