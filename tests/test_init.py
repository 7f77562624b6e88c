"""`bot init` and the GitHub Action it writes a workflow for."""

from __future__ import annotations

import re
import subprocess

import pytest
import yaml
from conftest import ROOT, SEED_README
from github_fake import FakeGitHub
from test_workflows import tool

FIXTURES = ROOT / "tests" / "fixtures" / "lists"


def test_init_from_a_local_list_prints_what_it_found_and_writes_config_and_workflow(bot, tmp_path):
    result = bot("init", "--list", FIXTURES / "mixed-comments.md", "--repo", "octo/list", "--offline",
                 "--output", tmp_path, "--action", "octo/awesome-list-bot@" + "a" * 40)
    assert result.exit_code == 0, result.err
    assert "formats: " in result.out and "block 2" in result.out and "table 2" in result.out
    assert "entries commented out: 3" in result.out and "never closed" in result.out
    config = yaml.safe_load((tmp_path / "config.yaml").read_text())
    assert config["list"]["repo"] == "octo/list" and "lexicon" not in config["classifier"]
    workflow = (tmp_path / ".github" / "workflows" / "awesome-list-bot.yml").read_text()
    assert "uses: octo/awesome-list-bot@" + "a" * 40 in workflow


def test_init_never_overwrites_without_force(bot, tmp_path):
    (tmp_path / "config.yaml").write_text("mine\n")
    result = bot("init", "--list", FIXTURES / "numbered.md", "--offline", "--output", tmp_path)
    assert result.exit_code == 2 and "exists" in result.err
    assert result.out == ""  # refused before the survey (seconds of work, and calls to arXiv online)
    assert (tmp_path / "config.yaml").read_text() == "mine\n"
    assert not (tmp_path / ".github").exists()
    assert bot("init", "--list", FIXTURES / "numbered.md", "--offline", "--output", tmp_path, "--force").exit_code == 0
    assert (tmp_path / "config.yaml").read_text() != "mine\n"


def test_init_never_replaces_a_dangling_config_link_without_force(bot, tmp_path):
    (tmp_path / "config.yaml").symlink_to(tmp_path / "elsewhere" / "config.yaml")  # its target is gone
    result = bot("init", "--list", FIXTURES / "numbered.md", "--offline", "--output", tmp_path)
    assert result.exit_code == 2 and "exists" in result.err and result.out == ""
    assert (tmp_path / "config.yaml").is_symlink() and not (tmp_path / ".github").exists()


def test_init_categories_come_from_the_bundled_papers(bot, tmp_path):
    result = bot("init", "--list", SEED_README, "--repo", "o/l", "--offline", "--output", tmp_path)
    assert result.exit_code == 0
    assert "arXiv categories of the list's papers" in result.out
    categories = yaml.safe_load((tmp_path / "config.yaml").read_text())["arxiv"]["categories"]
    assert categories and all("." in c or c.isalpha() for c in categories)


def test_init_prints_the_topic_it_learned_from_the_list(bot, tmp_path):
    result = bot("init", "--list", SEED_README, "--offline", "--output", tmp_path)
    assert result.exit_code == 0, result.err
    method = [line.split(None, 1)[1].split(";")[0] for line in result.out.splitlines()
              if line.startswith("  method ")]
    domain = next(line for line in result.out.splitlines() if line.startswith("  domain "))
    titles = SEED_README.read_text(encoding="utf-8").lower().replace("-", " ")
    assert "diffusion" in [m.lower() for m in method]  # what every paper of the list uses
    assert all(m.lower() in titles for m in method)
    assert any(word in domain for word in ("medical", "MRI", "CT"))


def test_init_says_the_topic_of_a_tiny_list_rests_on_thin_evidence(bot, tmp_path):
    """Four entries: a topic all the same (the likeliest word), a warning that says so, and a budget."""
    result = bot("init", "--list", FIXTURES / "numbered.md", "--offline", "--output", tmp_path)
    assert result.exit_code == 0, result.err
    assert "topic: " in result.out and "not learned" not in result.out
    warnings = [line for line in result.out.splitlines() if line.startswith("warning: thin evidence")]
    assert warnings and all(len(line) < 300 for line in warnings)
    assert float(next(line for line in result.out.splitlines() if line.startswith("budget: ")).split()[1]) > 0


def test_init_from_github_reads_the_list_through_the_api(bot, tmp_path, monkeypatch):
    text = (FIXTURES / "table-unlearning.md").read_text()
    with FakeGitHub(owner="octo", name="papers", text=text, token="t0ken") as fake:
        monkeypatch.setenv("GITHUB_TOKEN", "t0ken")
        result = bot("init", "--repo", "octo/papers", "--api-url", fake.url, "--offline", "--output", tmp_path)
    assert result.exit_code == 0, result.err
    assert "octo/papers@main:README.md: 11 entries in 2 sections (formats: table 11)" in result.out
    assert yaml.safe_load((tmp_path / "config.yaml").read_text())["list"]["path"] == "README.md"


def test_init_generated_workflow_and_action_pass_schema_and_zizmor(bot, tmp_path):
    assert bot("init", "--list", FIXTURES / "bullets-lowlevel.md", "--repo", "o/l", "--offline",
               "--output", tmp_path).exit_code == 0
    workflow = tmp_path / ".github" / "workflows" / "awesome-list-bot.yml"
    for schema, path in (("vendor.github-workflows", workflow), ("vendor.github-actions", ROOT / "action.yml")):
        result = subprocess.run([tool("check-jsonschema"), "--builtin-schema", schema, str(path)],
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
    for path in (workflow.parent, ROOT / "action.yml"):
        result = subprocess.run([tool("zizmor"), "--offline", str(path)], capture_output=True, text=True)
        assert result.returncode == 0 and "No findings" in result.stdout, result.stdout + result.stderr


def test_action_is_composite_pinned_and_never_interpolates_into_scripts():
    action = yaml.load((ROOT / "action.yml").read_text(), Loader=yaml.BaseLoader)
    assert action["runs"]["using"] == "composite" and set(action["inputs"]) >= {"config", "dry-run", "token"}
    for step in action["runs"]["steps"]:
        assert "${{" not in step.get("run", "")
        if "uses" in step:
            assert len(step["uses"].split("@")[1]) == 40


@pytest.mark.parametrize("url, repository", [
    ("https://github.com/octo/awesome-list-bot", "octo/awesome-list-bot"),
    ("https://github.com/octo/awesome-list-bot.git", "octo/awesome-list-bot"),
    ("git@github.com:octo/awesome-list-bot.git", "octo/awesome-list-bot"),
    ("https://gitlab.com/octo/awesome-list-bot", None),
    ("/home/me/awesome-list-bot", None),
])
def test_init_names_the_action_after_the_github_repository_the_bot_came_from(url, repository):
    from bot.jobs.init import _github_repository

    assert _github_repository(url) == repository


def test_init_writes_a_config_that_reads_back_as_given(bot, tmp_path):
    """A '#', ': ' or control character in a branch, path or heading cannot end a value or start a comment."""
    from bot.base.config import load_config

    listing = tmp_path / "README #2.md"
    text = (FIXTURES / "numbered.md").read_text().replace("\n## ", "\n## Odd: #1 \x07", 1)
    listing.write_text(text)
    out = tmp_path / "out"
    result = bot("init", "--list", listing, "--repo", "me/list", "--branch", "dev#2", "--offline", "--output", out)
    assert result.exit_code == 0, result.err
    raw = yaml.safe_load((out / "config.yaml").read_text())
    assert (raw["list"]["branch"], raw["list"]["path"]) == ("dev#2", "README #2.md")
    config = load_config(out / "config.yaml")
    assert (config.list.repo, config.list.branch, config.list.path) == ("me/list", "dev#2", "README #2.md")
    assert "\x07" not in (out / "config.yaml").read_text()


@pytest.mark.parametrize("repo", ["me/list: x", "me/list #2", "no-slash", "a/b/c"])
def test_init_refuses_a_repo_that_is_not_owner_name_and_writes_nothing(bot, tmp_path, repo):
    result = bot("init", "--list", FIXTURES / "numbered.md", "--repo", repo, "--offline", "--output", tmp_path)
    assert result.exit_code == 2 and "is not owner/name" in result.err and len(result.err.strip().splitlines()) <= 2
    assert not (tmp_path / "config.yaml").exists() and not (tmp_path / ".github").exists()


@pytest.mark.parametrize("option, value, message", [
    ("--branch", "dev #2", "is not a branch name git accepts"),
    ("--branch", "dev\nx", "is not a branch name git accepts"),
    ("--branch", "a..b", "is not a branch name git accepts"),
    ("--branch", "foo/.bar", "is not a branch name git accepts"),
    ("--branch", "a/b.lock/c", "is not a branch name git accepts"),
    ("--branch", "HEAD", "is not a branch name git accepts"),
    ("--path", "../../etc/passwd", "is not a path inside the repository"),
    ("--path", "/README.md", "is not a path inside the repository"),
    ("--api-url", "api.github.com", "is not an http(s) URL"),
    ("--action", "not an action", "is not OWNER/REPO@SHA"),
])
def test_init_bad_value_is_one_line_exit_2_and_writes_nothing(bot, tmp_path, option, value, message):
    result = bot("init", "--list", FIXTURES / "numbered.md", "--repo", "me/list", option, value, "--offline",
                 "--output", tmp_path)
    assert result.exit_code == 2 and message in result.err and len(result.err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == [] and result.out == ""  # refused before reading or printing anything


@pytest.mark.parametrize("blocker", ["output-is-inside-a-file", "github-is-a-file", "workflows-is-a-file",
                                     "config-is-a-folder", "github-is-a-link-to-nothing"])
def test_init_output_that_cannot_hold_the_files_is_one_line_exit_2_and_writes_nothing(bot, tmp_path, blocker):
    out = tmp_path / "out"
    out.mkdir()
    if blocker == "output-is-inside-a-file":
        (out / "file").write_text("x")
        out, named = out / "file" / "sub", out / "file"
    elif blocker == "github-is-a-file":
        (out / ".github").write_text("x")
        named = out / ".github"
    elif blocker == "workflows-is-a-file":
        (out / ".github").mkdir()
        (out / ".github" / "workflows").write_text("x")
        named = out / ".github" / "workflows"
    elif blocker == "github-is-a-link-to-nothing":
        (out / ".github").symlink_to(tmp_path / "nowhere")
        named = out / ".github"
    else:
        (out / "config.yaml").mkdir()
        named = out / "config.yaml"
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    result = bot("init", "--list", FIXTURES / "numbered.md", "--repo", "me/list", "--offline", "--output", out, "--force")
    assert result.exit_code == 2 and len(result.err.strip().splitlines()) == 1, result.err
    assert result.err.startswith("Error: ") and f"{named}" in result.err  # what is in the way, named
    assert re.search(rf"{re.escape(str(named))}(:| is|,)[^/]* (a file|a folder|a link to nothing)", result.err), result.err
    assert result.out == ""  # refused before the survey
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_init_list_file_name_that_is_no_repository_path_asks_for_path(bot, tmp_path):
    listing = tmp_path / "a\\b.md"
    listing.write_text((FIXTURES / "numbered.md").read_text())
    result = bot("init", "--list", listing, "--repo", "me/list", "--offline", "--output", tmp_path / "out")
    assert result.exit_code == 2 and "pass --path" in result.err and not (tmp_path / "out").exists()
    fixed = bot("init", "--list", listing, "--repo", "me/list", "--path", "README.md", "--offline", "--output",
                tmp_path / "out")
    assert fixed.exit_code == 0, fixed.err
