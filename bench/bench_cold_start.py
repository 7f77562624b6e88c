"""Benchmark: a cold `bot classify <id>` in a fresh process, beside the anchor (importing the parts of
scikit-learn the classifier is built from), measured side by side on this machine.

Target: the cold classify within 1.25x of the anchor (ratio of the medians).  The runs alternate
(anchor, classify, help, anchor, ...) so that the machine's changing speed falls on all of them
alike; the median of the per-round ratios (each classify against the anchor runs around it) is
shown beside it, as a check.  Needs the demo model: `bot --config demo/config.yaml run` once trains
it into data/demo/model (this script does that when the model is missing).

The processes run in this environment as it is.  When PYTHONDONTWRITEBYTECODE is set (as in some
sandboxes), the bot's own modules are compiled from source in every process while scikit-learn's
come with the bytecode pip wrote: the table says so.  --bytecode adds the setting of an installed
bot: a bytecode cache for both (in a temporary folder, PYTHONPYCACHEPREFIX, filled by an untimed
run, so nothing is written into the checkout).

Prints a Markdown table: the anchor, `bot classify`, their ratio against the target (met/MISSED)
and `bot --help` (the command line's own start-up).

Run: python bench/bench_cold_start.py   (about 50 s; --runs N: rounds, default 15; --bytecode:
both settings, twice as long, e.g. with --runs 8)
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "demo" / "config.yaml"
PAPER = "2509.13576"  # in the demo's paper store: classified without the network
TARGET = 1.25
PYTHON = sys.executable
SCRIPT = Path(PYTHON).with_name("bot")  # the installed entry point, as users start it
BOT = [str(SCRIPT)] if SCRIPT.exists() else [PYTHON, "-m", "bot"]
COMMANDS = {"anchor": [PYTHON, "-c", "import sklearn.linear_model, sklearn.feature_extraction.text"],
            "classify": BOT + ["--config", str(CONFIG), "classify", PAPER],
            "help": BOT + ["--help"]}


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - started


def ensure_model() -> None:
    if not (ROOT / "data" / "demo" / "model" / "model.npz").exists():
        print("training the demo model first (bot run) ...", file=sys.stderr)
        subprocess.run(BOT + ["--config", str(CONFIG), "run"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def settings(bytecode: bool, cache: str) -> dict[str, dict[str, str]]:
    """The environments to measure in, by name."""
    found = {"this environment" + (" (PYTHONDONTWRITEBYTECODE: the bot compiled from source)"
                                   if os.environ.get("PYTHONDONTWRITEBYTECODE") else ""): dict(os.environ)}
    if bytecode:
        installed = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        found["as installed (bytecode cache for all)"] = {**installed, "PYTHONPYCACHEPREFIX": cache}
    return found


def measure(runs: int, environments: dict[str, dict[str, str]]) -> dict[tuple[str, str], list[float]]:
    """Times of each (setting, command), the rounds alternating between them."""
    order = [(setting, name) for setting in environments for name in COMMANDS]
    for setting, name in order:  # untimed: fills a bytecode cache, warms the page cache
        timed(COMMANDS[name], environments[setting])
    times: dict[tuple[str, str], list[float]] = {key: [] for key in order}
    for _ in range(runs):
        for setting, name in order:
            times[setting, name].append(timed(COMMANDS[name], environments[setting]))
    return times


def rows(setting: str, times: dict[tuple[str, str], list[float]]) -> list[str]:
    anchor, classify, shown = times[setting, "anchor"], times[setting, "classify"], times[setting, "help"]
    ratio = statistics.median(classify) / statistics.median(anchor)
    around = [a if i + 1 == len(anchor) else (a + anchor[i + 1]) / 2 for i, a in enumerate(anchor)]
    paired = statistics.median(c / a for c, a in zip(classify, around))

    def row(what: str, found: list[float]) -> str:
        return f"| {what} | {statistics.median(found):.2f} | {min(found):.2f} .. {max(found):.2f} | | |"

    return [f"| **{setting}** | | | | |",
            row("anchor: `python -c \"import sklearn.linear_model, sklearn.feature_extraction.text\"`", anchor),
            row(f"`bot classify {PAPER}` (demo config)", classify),
            (f"| ratio classify / anchor (median of rounds: {paired:.2f}x) | **{ratio:.2f}x** | | <= {TARGET}x | "
             f"{'met' if ratio <= TARGET else 'MISSED'} |"),
            row("`bot --help`", shown)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="rounds of the three commands (default 15)")
    parser.add_argument("--bytecode", action="store_true", help="also measure with a bytecode cache for both")
    options = parser.parse_args()
    ensure_model()
    cache = tempfile.mkdtemp(prefix="bot-bench-pycache-")
    try:
        environments = settings(options.bytecode, cache)
        times = measure(options.runs, environments)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    print(f"cold start, medians of {options.runs} alternating rounds ({sys.platform}, Python "
          f"{sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f})\n")
    print("| what | median (s) | range (s) | target | result |\n|---|---|---|---|---|")
    for setting in environments:
        print("\n".join(rows(setting, times)))


if __name__ == "__main__":
    main()
