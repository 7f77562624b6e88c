"""Benchmark: run time of `bot backtest` over a 20-week window of the shared corpus, with and without
retraining, against its anchor ("a 20-week window finishes in a few minutes on 2 cores").

Imports ../shared/data/arxiv/papers.jsonl.gz (63,823 real papers) into a scratch store with
`bot fetch --from-file` (timed apart), then runs, each in a fresh process, `bot backtest
--retrain never` (one replay, one training) and `bot backtest --retrain weekly` (the weekly replay
with a training at the start of every ISO week, plus the `never` baseline beside it) of the
bundled list with the repository's config (hand-written lexicon, 4,000 background papers per
training; truth: bench/judgements-2025.csv, which only changes what is accepted) on two windows:

- *20 weeks*: 2025-05-19 .. 2025-10-05, the 20 ISO weeks with the most papers in the corpus
  (29,305: no 20-week window of this corpus holds the ~40,000 papers the anchor assumed);
- *40,000 papers*: 2025-04-07 .. 2025-11-16, 32 weeks, the anchor's size of window.

Target: a few minutes on 2 cores, read as under 5 minutes (300 s) of run time per run.  The machine
may be shared: the load average (1/5/15 min) before and after each run is printed beside its run
time, and so is its CPU time (user + system, the process and its children), which other processes
on the machine do not inflate.

Run: python bench/bench_backtest.py   (15-30 minutes; --window 20w or --window 40k: one window;
--retrain never or weekly: one mode)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PAPERS = ROOT.parent / "shared" / "data" / "arxiv" / "papers.jsonl.gz"
JUDGEMENTS = ROOT / "bench" / "judgements-2025.csv"
WINDOWS = {"20w": ("2025-05-19", "2025-10-05"), "40k": ("2025-04-07", "2025-11-16")}
RETRAIN = ["never", "weekly"]
TARGET = 300.0  # seconds
BOT = [sys.executable, "-m", "bot"]


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def timed(args: list[str]) -> tuple[float, float, float, str]:
    """(wall seconds, CPU seconds (user + system), peak RSS in MB, stdout) of one child process."""
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_TOKEN"}
    started = time.perf_counter()
    child = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    if status != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{out}")
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out


def config(folder: Path) -> Path:
    """The repository's config, with the store, model and output in a scratch folder."""
    data = yaml.safe_load((ROOT / "config.yaml").read_text())
    data["list"]["local_copy"] = str(ROOT / "demo" / "list-README.md")
    data["store"]["path"] = str(folder / "papers.sqlite")
    data["classifier"]["model_path"] = str(folder / "model")
    data["classifier"]["lexicon"] = str(ROOT / data["classifier"]["lexicon"])
    data["output"] = {"path": str(folder / "out")}
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def show(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def training_seconds(report_md: str) -> tuple[int, float]:
    """(trainings, their seconds) from report.md's table; the first model, shared by the modes, once."""
    seen = {}
    for line in report_md.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 11 and cells[0] in RETRAIN and re.fullmatch(r"\d{4}-\d\d-\d\d", cells[1]):
            seen[(cells[1], cells[2])] = float(cells[-1])
    return len(seen), sum(seen.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--window", choices=sorted(WINDOWS), action="append", help="run only this window")
    parser.add_argument("--retrain", choices=RETRAIN, action="append", help="run only this mode")
    args = parser.parse_args()
    reports = {}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        path = str(config(folder))
        imported, _, _, _ = timed(BOT + ["--config", path, "fetch", "--from-file", str(PAPERS)])
        print(f"importing the corpus (63,823 papers) with `bot fetch --from-file`: {imported:.1f} s; "
              f"{os.cpu_count()} cores\n")
        print("| window | weeks | papers | retrain | trainings | of which training | run time | CPU time | "
              "peak memory | load before / after | target < 300 s |")
        print("|---|---:|---:|---|---:|---:|---:|---:|---:|---|---|", flush=True)
        for name in args.window or list(WINDOWS):
            since, until = WINDOWS[name]
            for retrain in args.retrain or RETRAIN:
                out = folder / f"{name}-{retrain}"
                before = load()
                wall, cpu, rss, _ = timed(BOT + ["--config", path, "backtest", "--since", since, "--until", until,
                                            "--judgements", str(JUDGEMENTS), "--retrain", retrain,
                                            "--output", str(out)])
                report = reports[name, retrain] = json.loads((out / "report.json").read_text())
                trainings, seconds = training_seconds((out / "report.md").read_text())
                window = report["window"]
                print(f"| {since} .. {until} | {len(window['weeks'])} | {window['papers']:,} | {retrain} | "
                      f"{trainings} | {seconds:.0f} s | {wall:.0f} s | {cpu:.0f} s | {rss:.0f} MB | "
                      f"{before} / {load()} | {'met' if wall < TARGET else 'MISSED'} |", flush=True)
    for (name, retrain), report in reports.items():
        if retrain == "never" and (name, "weekly") in reports:  # the weekly report has the never mode too
            continue
        print(f"\n{WINDOWS[name][0]} .. {WINDOWS[name][1]}, --retrain {retrain}: truth "
              f"{report['truth']['in_window']} judged in-scope papers in the window (judgements cover Sep-Dec "
              f"2025 only; unjudged proposals counted as rejected)\n")
        print("| retrain | proposed | accepted | rejected | borderline | missed | recall | precision | "
              "proposals / 1000 | work saved |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for mode, figures in report["modes"].items():
            t = figures["totals"]
            print(f"| {mode} | {t['proposed']} | {t['accepted']} | {t['rejected']} | {t['borderline']} | "
                  f"{t['missed']} | {show(t['recall'])} | {show(t['precision'])} | {t['proposals_per_1000']:.2f} | "
                  f"{t['work_saved']:.4f} |")


if __name__ == "__main__":
    main()
