"""Benchmark: wall time and peak memory of a full offline `bot run` on a real day.

Uses the bundled demo (demo/config.yaml: the recorded arXiv listing of
2025-09-18 for cs.CV, eess.IV and cs.LG, 204 papers; the bundled list; the local
publisher).  The model is trained once beforehand (reported separately); then
each measured run starts a fresh process on an empty paper store and output
folder: start-up, reading three feeds, storing, classifying, rendering and
writing the README and pull-request description.  Target: < 5 s and < 300 MB.

Run: python bench/bench_run.py
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOT = [sys.executable, "-m", "bot"]


def timed(args: list[str], cwd: Path) -> tuple[float, float, str]:
    """(wall seconds, peak RSS in MB, stdout) of one child process."""
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_TOKEN"}
    started = time.perf_counter()
    child = subprocess.Popen(args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True)
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"bot run failed:\n{out}")
    return wall, usage.ru_maxrss / 1024, out


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        shutil.copytree(ROOT / "demo", work / "demo")
        shutil.copy(ROOT / "config.yaml", work / "config.yaml")
        shutil.copy(ROOT / "lexicon.yaml", work / "lexicon.yaml")  # the config names it
        config = str(work / "demo" / "config.yaml")
        train_wall, train_rss, _ = timed(BOT + ["--config", config, "train", "--offline"], ROOT)
        runs = []
        for _ in range(3):
            shutil.rmtree(work / "data" / "demo" / "papers.sqlite", ignore_errors=True)
            for leftover in (work / "data" / "demo").glob("papers.sqlite*"):
                leftover.unlink()
            shutil.rmtree(work / "out", ignore_errors=True)
            runs.append(timed(BOT + ["--config", config, "run"], ROOT))
    wall = statistics.median(r[0] for r in runs)
    rss = max(r[1] for r in runs)
    print("| measure | value | target |\n|---|---:|---|")
    print(f"| training the demo model once (list + 7,845 bundled papers) | {train_wall:.1f} s, {train_rss:.0f} MB | - |")
    print(f"| full offline `bot run` on 2025-09-18 (204 papers), median of 3 | {wall:.2f} s | < 5 s: "
          f"{'met' if wall < 5 else 'MISSED'} |")
    print(f"| peak memory of that run (max RSS) | {rss:.0f} MB | < 300 MB: {'met' if rss < 300 else 'MISSED'} |")
    print("\nlast run's summary:\n" + runs[-1][2])


if __name__ == "__main__":
    main()
