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
            assert re.fullmatch(r"[\w.-]+/[\w.-]+(?:/[\w.-]+)*@[0-9a-f]{40}", use), f"{path.name}: {use} is not pinned"
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


def jobs():
    """(workflow file, workflow, job name, job) for every job."""
    for path in FILES:
        workflow = load(path.name)
        for name, job in workflow["jobs"].items():
            yield path.name, workflow, name, job


def shell_of(workflow: dict, job: dict, step: dict) -> str | None:
    return (step.get("shell") or job.get("defaults", {}).get("run", {}).get("shell")
            or workflow.get("defaults", {}).get("run", {}).get("shell"))


def pipes(script: str) -> bool:
    code = "\n".join(line.split(" #")[0] for line in script.splitlines() if not line.strip().startswith("#"))
    return re.search(r"(?<!\|)\|(?!\|)", code) is not None


def test_workflows_piped_run_steps_fail_when_any_command_in_the_pipe_fails():
    piped = 0
    for name, workflow, job_name, job in jobs():
        for step in job.get("steps", []):
            script = step.get("run", "")
            if not pipes(script):
                continue
            piped += 1
            # GitHub runs an explicitly named `bash` as `bash --noprofile --norc -eo pipefail {0}`; the
            # default shell (none named) is `bash -e {0}`, where `bot train | tee x` succeeds when bot fails
            assert shell_of(workflow, job, step) == "bash" or re.search(r"set -\w*o pipefail|set -o pipefail", script), \
                f"{name}: job {job_name}: step {step.get('name')!r} pipes output without pipefail"
    assert piped >= 2  # retrain's `bot train | tee`, the dry run's `| tee`


def write_token(workflow: dict, job: dict) -> bool:
    permissions = job.get("permissions", workflow.get("permissions", "write-all"))  # GitHub's default may write
    if isinstance(permissions, str):
        return permissions != "read-all"
    return "write" in permissions.values()


def test_workflows_jobs_with_a_write_token_install_only_pinned_hash_checked_packages():
    checked = 0
    for name, workflow, job_name, job in jobs():
        if not write_token(workflow, job):
            continue
        for step in job.get("steps", []):
            for line in step.get("run", "").splitlines():
                if "pip install" not in line:
                    continue
                checked += 1
                hashed = re.search(r"--require-hashes\b.*-r\s+requirements/\S+\.txt", line)
                project_only = re.search(r"--no-deps\b", line) and re.search(r"--no-build-isolation\b", line)
                assert hashed or project_only, f"{name}: job {job_name} installs unpinned packages: {line.strip()}"
    assert checked >= 2


def test_workflow_bot_dry_run_uploads_the_preview_as_an_artifact():
    bot = load("bot.yml")
    found = False
    for job in bot["jobs"].values():
        steps = job.get("steps", [])
        runs = [i for i, s in enumerate(steps) if "bot run --dry-run" in s.get("run", "")]
        if not runs:
            continue
        found = True
        output = re.search(r"--output\s+(\S+)", steps[runs[0]]["run"]).group(1)
        uploads = [s for s in steps[runs[0] + 1:] if s.get("uses", "").startswith("actions/upload-artifact@")]
        assert uploads, "the dry run's preview is not uploaded"
        assert uploads[0]["with"]["path"].rstrip("/") == output.rstrip("/")
        assert uploads[0]["with"].get("if-no-files-found") == "error"
        assert "cancelled()" in uploads[0].get("if", "") or "always()" in uploads[0].get("if", "")  # also after a problem
        assert "dry_run" in job.get("if", "")
        assert all(v != "write" for v in job["permissions"].values())  # a preview needs no write token
    assert found


def test_workflows_bot_and_retrain_have_their_own_concurrency_groups():
    groups = {name: load(name)["concurrency"] for name in ("bot.yml", "retrain.yml")}
    assert groups["bot.yml"]["group"] and groups["retrain.yml"]["group"]
    assert groups["bot.yml"]["group"] != groups["retrain.yml"]["group"]
    assert all(g["cancel-in-progress"] == "false" for g in groups.values())


def test_workflows_bot_token_is_read_only_in_a_job_with_a_deployment_environment():
    users = 0
    for name, workflow, job_name, job in jobs():
        assert "BOT_TOKEN" not in yaml.safe_dump(workflow.get("env", {})), f"{name}: workflow-wide BOT_TOKEN"
        if "secrets.BOT_TOKEN" in yaml.safe_dump(job):
            users += 1
            assert job.get("environment"), f"{name}: job {job_name} reads secrets.BOT_TOKEN without an environment"
    assert users == 1


def test_requirements_pin_every_runtime_dependency_with_hashes():
    import tomllib

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    text = (ROOT / "requirements" / "bot.txt").read_text()
    pinned: dict[str, tuple[str, list[str]]] = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", text.replace("\\\n", " ")):
        head = re.match(r"([A-Za-z0-9_.-]+)==(\S+)", block)
        if head:
            pinned[canonicalize_name(head.group(1))] = (head.group(2), re.findall(r"--hash=sha256:([0-9a-f]{64})", block))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    wanted = project["project"]["dependencies"] + project["build-system"]["requires"]  # installed without isolation
    for line in wanted:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{name} is not pinned in requirements/bot.txt"
        assert requirement.specifier.contains(pinned[name][0], prereleases=True), f"{name}=={pinned[name][0]} breaks {line}"
    for name, (version, hashes) in pinned.items():
        assert hashes, f"{name}=={version} has no hash"


def test_workflows_dry_run_restores_the_state_but_never_saves_it():
    """A dry run must not replace the store and model the real runs restore (it may train offline)."""
    preview = load("bot.yml")["jobs"]["preview"]
    uses = [step.get("uses", "").split("@")[0] for step in preview["steps"]]
    assert "actions/cache/restore" in uses and "actions/cache" not in uses
