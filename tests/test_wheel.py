"""The installed package: the built wheel works from any folder (its own file, so the slowest test of
the suite runs beside the others: the test workers share files, not tests)."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from conftest import ROOT, SEED_README


@pytest.mark.wheel
def test_wheel_installs_outside_the_checkout_and_runs_a_dry_run(tmp_path):
    """Costs ~30 s: builds the wheel, installs it (without dependencies, which come from this venv's
    site-packages) into a fresh venv in a temporary folder, then there: `bot --version`, `bot init`
    on a list, `bot train --offline` (learning the topic) and `bot run --dry-run` on recorded feeds."""
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q",
                    "-w", str(wheels)], check=True, cwd=tmp_path)
    wheel = next(wheels.glob("awesome_list_bot-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)  # this pip installs
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")  # dependencies only
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", str(wheel)],
                   check=True)
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_TOKEN", "BOT_CONFIG", "PYTHONPATH")}
    bot = venv / "bin" / "bot"
    version = subprocess.run([str(bot), "--version"], capture_output=True, text=True, cwd=work, env=env)
    assert version.returncode == 0 and "version" in version.stdout
    where = subprocess.run([str(python), "-c", "import bot, bot.base.config as c; print(bot.__file__); "
                            "print(c.BUNDLED_BACKGROUND.is_file())"], capture_output=True, text=True, cwd=work, env=env)
    assert where.stdout.split()[0].startswith(str(venv)) and where.stdout.split()[1] == "True"
    (work / "README.md").write_text(SEED_README.read_text())
    init = subprocess.run([str(bot), "init", "--list", "README.md", "--repo", "o/l", "--offline", "--output", "."],
                          capture_output=True, text=True, cwd=work, env=env, timeout=120)
    assert init.returncode == 0 and (work / "config.yaml").is_file(), init.stdout + init.stderr
    # the generated config, unedited; only the feeds are pointed at the recorded day (no network here)
    (work / "offline.yaml").write_text(f"extends: config.yaml\narxiv:\n  categories: [cs.CV, eess.IV, cs.LG]\n"
                                       f"  rss_url: file:{ROOT / 'demo' / 'rss'}/{{category}}.xml\n")
    for args in (["train", "--offline"], ["run", "--dry-run"]):
        done = subprocess.run([str(bot), "--config", "offline.yaml", *args], capture_output=True, text=True,
                              cwd=work, env=env, timeout=600)
        assert done.returncode == 0, f"bot {' '.join(args)}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
    assert (work / "data" / "model" / "learned-lexicon.yaml").is_file()  # no lexicon was written by hand
    preview = work / "out" / "dry-run"
    assert (preview / "README.md").is_file() and (preview / "pull-request.md").is_file()
