"""The GitHub Actions workflows: schema-valid, zizmor-clean, and shaped as the guide says."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
FILES = sorted(WORKFLOWS.glob("*.yml"))
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[dev]'")
    return found


def load(name: str) -> dict:
    return yaml.load((WORKFLOWS / name).read_text(), Loader=yaml.BaseLoader)  # keeps "on" a string key


def test_workflows_exist():
    assert [f.name for f in FILES] == ["bot.yml", "ci.yml", "retrain.yml"]


def test_workflows_validate_against_github_schema():
    result = subprocess.run([tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *map(str, FILES)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflows_pass_zizmor_offline():
    result = subprocess.run([tool("zizmor"), "--offline", str(WORKFLOWS)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout


def test_workflows_pin_actions_to_full_shas_and_never_interpolate_into_scripts():
    for path in FILES:
        text = path.read_text()
        for use in re.findall(r"uses:\s*(\S+)", text):
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", use), f"{path.name}: {use} is not pinned"
        for job in load(path.name)["jobs"].values():
            for step in job.get("steps", []):
                assert "${{" not in step.get("run", ""), f"{path.name}: expression inside a run script"


def test_workflow_bot_schedule_permissions_and_concurrency():
    bot = load("bot.yml")
    assert bot["on"]["schedule"][0]["cron"] == "30 1 * * 2-6"
    assert set(bot["on"]["workflow_dispatch"]["inputs"]) == {"dry_run", "since"}
    assert bot["permissions"] == {} and bot["concurrency"]["cancel-in-progress"] == "false"
    job = bot["jobs"]["run"]
    assert job["permissions"] == {"contents": "write", "pull-requests": "write"} and "timeout-minutes" in job
    assert any("actions/cache" in s.get("uses", "") for s in job["steps"])
    assert "actions/workflows/bot.yml/enable" in bot["jobs"]["keep-alive"]["steps"][0]["run"]


def test_workflow_ci_runs_the_readme_test_command():
    command = ".venv/bin/python -m pytest"
    assert command in (ROOT / "README.md").read_text()
    assert command in (ROOT / ".ci" / "run").read_text()
    assert command in load("ci.yml")["jobs"]["test"]["steps"][-1]["run"]


def test_workflow_retrain_on_list_change_shows_metrics():
    retrain = load("retrain.yml")
    assert retrain["on"]["push"]["paths"] == ["README.md"]
    steps = " ".join(s.get("run", "") for s in retrain["jobs"]["retrain"]["steps"])
    assert "bot train" in steps and "bot evaluate" in steps and "GITHUB_STEP_SUMMARY" in steps
