"""Benchmark: does retraining from maintainers' decisions make the bot better?  `bot backtest` on
several real lists, weekly retraining against never retraining.

Anchor (the issue *Feedback makes the bot better*): on every list, weekly retraining has higher
precision than never retraining, at recall no lower than never's minus 0.02, and proposes no more
papers per 1,000 over the window.

Lists, all replayed from the shared corpus (../shared/data/arxiv/papers.jsonl.gz, imported once into
a scratch store):

- the bundled list (demo/list-README.md, the repository's config and hand lexicon), Sep-Dec 2025,
  truth bench/judgements-2025.csv (unjudged proposals count as rejected);
- real lists of the multi-list benchmark (bench/lists/, see SOURCES.md): the list at its cut date,
  truth = the same list at its end commit (`--truth`), the topic learned from the list as `bot init`
  sets it up, a window of ``WEEKS`` ISO weeks from the day after the cut.  ``HELD_OUT`` lists were not
  looked at while the retraining rule was designed; they are reported apart.

Each backtest runs in this process through the library call `bot backtest` makes (bot/backtest.py).
Run: python bench/bench_feedback.py   (about 20-30 minutes; --list SLUG: only that list, repeatable;
--weeks N: another window length)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.base.config import load_config  # noqa: E402
from bot.jobs import report as backtest_report  # noqa: E402
from bot.jobs.backtest import backtest, truth_from_judgements, truth_from_list  # noqa: E402
from bot.base.files import read_list_text  # noqa: E402
from bot.lists.awesome import parse  # noqa: E402
from bot.papers.store import Store  # noqa: E402

PAPERS = ROOT.parent / "shared" / "data" / "arxiv" / "papers.jsonl.gz"
LISTS = ROOT / "bench" / "lists"
WEEKS = 16
TUNING = ["mamba-vision", "radiology-report-generation", "rl-reasoning-mllm", "token-reduction"]
HELD_OUT = ["3d-scene-generation", "incremental-learning"]  # as in bench_lists.py
RECALL_SLACK = 0.02


def scratch_config(folder: Path, list_path: Path, lexicon: str | None) -> Path:
    data = yaml.safe_load((ROOT / "config.yaml").read_text())
    data["list"]["local_copy"] = str(list_path)
    data["store"]["path"] = str(folder / "papers.sqlite")
    data["classifier"]["model_path"] = str(folder / "model")
    data["classifier"]["lexicon"] = lexicon
    data["output"] = {"path": str(folder / "out")}
    path = folder / f"config-{list_path.parent.name}.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def run(name: str, config_path: Path, list_path: Path, truth, since: str, until: str, output: Path | None) -> dict:
    started = time.perf_counter()
    config = load_config(config_path)
    with Store(config.store.path) as store:
        result = backtest(config, store, parse(read_list_text(list_path)), truth, date.fromisoformat(since),
                          date.fromisoformat(until), retrain="weekly", list_source=str(list_path))
    data = backtest_report.write(result, output / name)[0] if output else backtest_report.report(result)
    used = sum(t["used"] for t in data["trainings"]["weekly"][1:])
    return {"name": name, "since": since, "until": until, "truth": data["truth"]["in_window"],
            "never": data["modes"]["never"]["totals"], "weekly": data["modes"]["weekly"]["totals"],
            "replaced": f"{used}/{len(data['trainings']['weekly']) - 1}", "seconds": time.perf_counter() - started,
            "trainings": data["trainings"]["weekly"]}


def verdict(row: dict) -> tuple[bool, bool, bool]:
    never, weekly = row["never"], row["weekly"]
    precision = (weekly["precision"] or 0) > (never["precision"] or 0)
    recall = (weekly["recall"] or 0) >= (never["recall"] or 0) - RECALL_SLACK
    rate = weekly["proposals_per_1000"] <= never["proposals_per_1000"]
    return precision, recall, rate


def show(value, pattern="{:.3f}") -> str:
    return "-" if value is None else pattern.format(value)


def table(rows: list[dict], title: str) -> None:
    print(f"\n### {title}\n")
    print("| list | window | truth in window | precision never / weekly | recall never / weekly | "
          "per 1,000 never / weekly | WSS@95 never / weekly | retrained models used | target | seconds |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---|---:|")
    for row in rows:
        n, w = row["never"], row["weekly"]
        checks = verdict(row)
        missed = [what for what, ok in zip(("precision", "recall", "per 1,000"), checks) if not ok]
        print(f"| {row['name']} | {row['since']} .. {row['until']} | {row['truth']} | "
              f"{show(n['precision'])} / {show(w['precision'])} | {show(n['recall'])} / {show(w['recall'])} | "
              f"{n['proposals_per_1000']:.2f} / {w['proposals_per_1000']:.2f} | "
              f"{show(n['wss_95'], '{:.4f}')} / {show(w['wss_95'], '{:.4f}')} | {row['replaced']} | "
              f"{'met' if not missed else 'MISSED: ' + ', '.join(missed)} | {row['seconds']:.0f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="append", help="only this list (bundled, or a slug of bench/lists)")
    parser.add_argument("--weeks", type=int, default=WEEKS, help="window length of the real lists, in weeks")
    parser.add_argument("--json", help="also write the rows to this JSON file")
    parser.add_argument("--output", type=Path, help="also write each backtest's report into this folder")
    args = parser.parse_args()
    specs = {s["slug"]: s for s in json.loads((LISTS / "lists.json").read_text())}
    wanted = args.list or ["bundled", *TUNING, *HELD_OUT]
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        bundled = scratch_config(folder, ROOT / "demo" / "list-README.md", str(ROOT / "lexicon.yaml"))
        subprocess.run([sys.executable, "-m", "bot", "--config", str(bundled), "fetch", "--from-file", str(PAPERS)],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print(f"weekly retraining against never retraining (`bot backtest --retrain weekly`); lists replayed over "
              f"{args.weeks} weeks from their cut date", flush=True)
        for name in wanted:
            if name == "bundled":
                rows.append(run("bundled (judgements)", bundled, ROOT / "demo" / "list-README.md",
                                truth_from_judgements(ROOT / "bench" / "judgements-2025.csv"),
                                "2025-09-01", "2025-12-31", args.output))
                continue
            spec, where = specs[name], LISTS / name
            since = date.fromisoformat(spec["cut_date"]) + timedelta(days=1)
            until = min(since + timedelta(weeks=args.weeks) - timedelta(days=1), date.fromisoformat(spec["end_date"]))
            truth = truth_from_list((where / "after.md").read_text(encoding="utf-8"), f"{name} at {spec['end_date']}")
            rows.append(run(name, scratch_config(folder, where / "before.md", None), where / "before.md", truth,
                            since.isoformat(), until.isoformat(), args.output))
            print(f"  {name}: {rows[-1]['seconds']:.0f} s", file=sys.stderr, flush=True)
    tuning = [r for r in rows if not any(r["name"] == h for h in HELD_OUT)]
    held = [r for r in rows if any(r["name"] == h for h in HELD_OUT)]
    if tuning:
        table(tuning, "Lists the rule was designed on")
    if held:
        table(held, "Held-out lists (not looked at while designing)")
    met = sum(all(verdict(r)) for r in rows)
    print(f"\ntarget met on {met} of {len(rows)} lists")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
