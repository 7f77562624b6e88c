"""Configuration loading: the real config validates, bad ones fail in one line with exit code 2."""

import re
from pathlib import Path

import pytest
from conftest import ROOT

from bot.base.config import BUNDLED_BACKGROUND, load_config
from bot.base.errors import ConfigError

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
    (GOOD + "\n# 2025-02-30 in a comment is no value\nserve: {skip: [2026-02-30]}\n",  # the line of the value
     r"bad YAML at line \d+: 2026-02-30 is no date"),
    (GOOD.replace("  branch: main ", "  branch: 'dev 2' "), "'list.branch': is not a branch name git accepts"),
    (GOOD.replace("  branch: bot/new-papers ", "  branch: bot/../x "), "'github.branch'"),
    (GOOD.replace("  path: README.md ", "  path: ../README.md "), "'list.path': is not a path inside"),
    (GOOD.replace("  api_url: https://api.github.com", "  api_url: api.github.com"), "'github.api_url'"),
    (GOOD.replace("  api_url: https://export.arxiv.org/api/query", "  api_url: ftp://x"), "'arxiv.api_url'"),
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


def one_line_cli_error(bot, path, *command):
    result = bot("--config", path, *command)
    assert result.exit_code == 2, result.err
    assert result.err.startswith("Error: ") and result.err.count("\n") == 1 and "Traceback" not in result.err
    return result.err


def test_config_not_utf8_is_one_line_naming_the_file(bot, tmp_path):
    path = tmp_path / "config.yaml"
    path.write_bytes(GOOD.replace("# Configuration", "# Configuraci\xf3n").encode("latin-1"))
    err = one_line_cli_error(bot, path, "list", "check")
    assert f"{path}: not UTF-8 text (byte 0xf3 on line 1)" in err and "save the file as UTF-8" in err


def test_config_extended_file_with_bad_yaml_or_bad_bytes_is_named(bot, tmp_path):
    (tmp_path / "base.yaml").write_text("list: {repo: [\n")
    child = write(tmp_path, "extends: base.yaml\n")
    assert f"{tmp_path / 'base.yaml'}: bad YAML at line 2" in one_line_cli_error(bot, child, "list", "check")
    (tmp_path / "base.yaml").write_bytes(b"list:\n  repo: caf\xe9/list\n")
    assert "base.yaml: not UTF-8 text (byte 0xe9 on line 2)" in one_line_cli_error(bot, child, "list", "check")


def test_config_extends_chain_follows_every_file_with_paths_relative_to_each(tmp_path):
    for folder in ("a", "b", "c"):
        (tmp_path / folder).mkdir()
    (tmp_path / "a" / "root.yaml").write_text(GOOD)
    (tmp_path / "b" / "middle.yaml").write_text(
        "extends: ../a/root.yaml\nclassifier:\n  model_path: models/m\n  target_recall: 0.9\n")
    (tmp_path / "c" / "leaf.yaml").write_text("extends: ../b/middle.yaml\nstore:\n  path: leaf.sqlite\n")
    config = load_config(tmp_path / "c" / "leaf.yaml")
    assert config.store.path == tmp_path / "c" / "leaf.sqlite"
    assert config.classifier.model_path == tmp_path / "b" / "models" / "m"  # the middle file's own path
    assert config.classifier.target_recall == 0.9  # the middle file was read, not ignored
    assert config.list.local_copy == tmp_path / "a" / "demo" / "list-README.md"
    assert config.classifier.background == [BUNDLED_BACKGROUND]  # the default: the papers installed with the bot


@pytest.mark.parametrize("files", [
    {"config.yaml": "extends: config.yaml\n"},
    {"config.yaml": "extends: one.yaml\n", "one.yaml": "extends: two.yaml\n", "two.yaml": "extends: one.yaml\n"},
], ids=["itself", "two-files"])
def test_config_extends_cycle_is_one_line(bot, tmp_path, files):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    err = one_line_cli_error(bot, tmp_path / "config.yaml", "list", "check")
    assert "'extends' makes a cycle" in err


@pytest.mark.parametrize("url,message", [
    ("https://rss.arxiv.org/rss/{category}/{day}", "unknown placeholder {day}: only {category} is known"),
    ("https://rss.arxiv.org/{0}/{category}", "unknown placeholder {0}"),
    ("https://rss.arxiv.org/rss/{category", "malformed placeholder"),
    ("https://rss.arxiv.org/rss/cs.CV", "must contain '{category}'"),
])
def test_config_rss_url_placeholders_are_checked_at_load(tmp_path, url, message):
    with pytest.raises(ConfigError, match="'arxiv.rss_url': " + ".*" + re.escape(message)):
        load_config(write(tmp_path, GOOD.replace("https://rss.arxiv.org/rss/{category}", url)))


@pytest.mark.parametrize("old,new,message", [
    ("timezone: UTC", "timezone: Mars/Olympus_Mons", "'schedule.timezone': unknown time zone"),
    ("timezone: UTC", "timezone: ../../etc/passwd", "'schedule.timezone': unknown time zone"),
    ('cron: "30 1 * * 2-6"', 'cron: "30 25 * * 2-6"', "'schedule.cron': error validating expression '25'"),
    ('cron: "30 1 * * 2-6"', 'cron: "30 1 * * funday"', "'schedule.cron': day of week 'funday' is not 0-7"),
    ('cron: "30 1 * * 2-6"', 'cron: "daily"', "'schedule.cron': expected 5 fields"),
])
def test_serve_bad_schedule_fails_in_one_line_before_starting(bot, tmp_path, old, new, message):
    path = write(tmp_path, GOOD.replace(old, new))
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(path)
    assert message in one_line_cli_error(bot, path, "serve", "--max-runs", "1")
