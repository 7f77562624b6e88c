"""The backtest's report: figures from the per-paper records, Markdown, JSON, plots, files.

Runs at the end of `bot backtest`.  Every figure of ``report.json``'s ``window`` and ``modes`` is a
count over ``decisions.jsonl`` (one record per paper of the window per mode), so anyone can
recompute it: ``figures`` is the only arithmetic.  A record counts in the ISO week of its ``day``:
the day the paper was proposed, or its listing day when it was not.

- *papers read*: papers announced (the bot read them all);
- *proposed*, *accepted*, *rejected* (out of scope, or nobody judged it), *borderline* (rejected
  but not counted as wrong);
- *truth papers*: papers of the truth in the window that the list did not have at the start
  (accepted + missed); *missed*: those never proposed;
- *recall* = accepted / truth papers; *precision* = accepted / (accepted + rejected);
- *proposals per 1,000* = proposed / papers read x 1000; *work saved* = 1 - proposed / papers
  read (the share of papers a maintainer never had to look at);
- *work saved at 95% recall* (WSS@95, as ASReview reports it): the papers ranked by their ``margin`` (the
  log-odds above the threshold of the model that judged them, the first day they were candidates: models
  retrained on other data have other scales, their thresholds make them comparable), the share a reader of
  that ranking never reads before 95% of the truth papers are found, minus 0.05;
- *recall so far* (per week): the truth papers accepted by the end of the week / truth papers of the window;
- *section agreement*: accepted papers whose truth has a section, placed by the bot in that section.

Example::

    written = write(result, Path("out/backtest"))
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from pathlib import Path

from bot.base.errors import InputError
from bot.base.files import writable_folder
from bot.jobs.backtest import Backtest

MEASURES = [("papers_read", "papers read", "{:d}"), ("proposed", "proposed", "{:d}"), ("accepted", "accepted", "{:d}"),
            ("rejected", "rejected", "{:d}"), ("borderline", "borderline (rejected, not counted)", "{:d}"),
            ("unjudged_proposals", "proposals nobody judged (counted as rejected)", "{:d}"),
            ("truth_papers", "truth papers in the window", "{:d}"), ("missed", "truth papers missed", "{:d}"),
            ("recall", "recall of the truth", "{:.3f}"), ("precision", "precision", "{:.3f}"),
            ("proposals_per_1000", "proposals per 1,000 papers", "{:.2f}"),
            ("work_saved", "work saved (papers never read)", "{:.4f}"),
            ("wss_95", "work saved at 95% recall (WSS@95)", "{:.4f}"),
            ("section_agreement", "section agreement of accepted papers", "{:.3f}"),
            ("sections_compared", "accepted papers with a truth section", "{:d}")]


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def counts(records: list[dict]) -> dict:
    """The figures of a set of records (one mode; all of it or one week)."""
    verdicts = [r["verdict"] for r in records]
    proposed = sum(1 for r in records if r["proposed"])
    accepted, rejected, missed = verdicts.count("accepted"), verdicts.count("rejected"), verdicts.count("missed")
    compared = [r for r in records if r["verdict"] == "accepted" and r["truth_section"]]
    return {
        "papers_read": len(records), "proposed": proposed, "accepted": accepted, "rejected": rejected,
        "borderline": verdicts.count("borderline"),
        "unjudged_proposals": sum(1 for r in records if r["proposed"] and r["truth"] is None),
        "truth_papers": accepted + missed, "missed": missed,
        "recall": _ratio(accepted, accepted + missed), "precision": _ratio(accepted, accepted + rejected),
        "proposals_per_1000": _ratio(proposed * 1000, len(records)),
        "work_saved": _ratio(len(records) - proposed, len(records)),
        "wss_95": wss(records, 0.95),
        "section_agreement": _ratio(sum(1 for r in compared if r["section"] == r["truth_section"]), len(compared)),
        "sections_compared": len(compared),
    }


def wss(records: list[dict], recall: float) -> float | None:
    """Work saved over sampling at ``recall`` (see the module docstring); None without truth papers."""
    truth = sum(1 for r in records if r["verdict"] in ("accepted", "missed"))
    if not truth:
        return None
    needed, found = -(-truth * recall // 1), 0  # ceil: the truth papers to find
    ranked = sorted(records, key=lambda r: (-r["margin"], r["day"], r["id"]))
    for read, r in enumerate(ranked, 1):
        found += r["verdict"] in ("accepted", "missed")
        if found >= needed:
            return round((len(records) - read) / len(records) - (1 - recall), 4)
    return None


def figures(records: list[dict]) -> dict:
    """{'totals': counts of every record, 'weeks': [{'week': ..., counts of its records, recall so far}]}."""
    weeks = sorted({r["week"] for r in records})
    totals = counts(records)
    rows, accepted = [], 0
    for week in weeks:
        row = counts([r for r in records if r["week"] == week])
        accepted += row["accepted"]
        rows.append({"week": week, **row, "recall_so_far": _ratio(accepted, totals["truth_papers"])})
    return {"totals": totals, "weeks": rows}


def report(result: Backtest) -> dict:
    """report.json: the window, the truth, the settings, each mode's figures and trainings."""
    any_mode = next(iter(result.modes.values()))
    in_window = sum(1 for r in any_mode.records if r["verdict"] in ("accepted", "missed"))
    return {
        "window": {"since": result.since, "until": result.until, "days": len(result.days), "papers": result.papers,
                   "weeks": sorted({r["week"] for r in any_mode.records})},
        "list": {"source": result.list_source, "entries": result.list_entries},
        "truth": {"kind": result.truth.kind, "source": result.truth.source, "papers_added": result.truth_size,
                  "in_window": in_window},
        "settings": {**result.settings, "lexicon": result.lexicon},
        "modes": {mode: figures(replay.records) for mode, replay in result.modes.items()},
        "trainings": {mode: [{k: v for k, v in vars(t).items() if k not in ("mode", "seconds")}
                             for t in replay.trainings] for mode, replay in result.modes.items()},
    }


def _show(value, fmt: str) -> str:
    return "-" if value is None else fmt.format(value)


def summary(data: dict) -> list[str]:
    """The totals of every mode side by side (Markdown), with the change that retraining made."""
    modes = list(data["modes"])
    header = "| measure | " + " | ".join(f"retrain {m}" for m in modes) + (" | change |" if len(modes) > 1 else " |")
    lines = [header, "|---|" + "---:|" * (len(modes) + (len(modes) > 1))]
    for key, name, fmt in MEASURES:
        values = [data["modes"][m]["totals"][key] for m in modes]
        row = f"| {name} | " + " | ".join(_show(v, fmt) for v in values) + " |"
        if len(modes) > 1:
            a, b = values[0], values[-1]
            change = "-" if a is None or b is None else fmt.replace("{:", "{:+").format(b - a)
            row += f" {change} |"
        lines.append(row)
    return lines


def markdown(data: dict, seconds: float | None = None, trainings: dict | None = None) -> str:
    window, truth, settings = data["window"], data["truth"], data["settings"]
    modes = list(data["modes"])
    lines = [f"# Backtest {window['since']} .. {window['until']}", "",
             f"Replayed {window['days']} announcement days ({window['papers']} papers, "
             f"{len(window['weeks'])} ISO weeks) "
             f"from the list {data['list']['source']} ({data['list']['entries']} entries).  Truth: {truth['kind']} "
             f"{truth['source']}: {truth['in_window']} papers in the window that the list lacked "
             f"({truth['papers_added']} in all).  Retraining: {settings['retrain']} (background: the "
             f"{settings['background_sample']} papers listed most recently before each training day; lexicon "
             f"{settings['lexicon']}); at most {settings['max_entries']} proposals a day, candidates from the last "
             f"{settings['lookback_days']} days.", ""]
    if truth["kind"] == "judgements":
        lines += ["Proposals nobody judged count as rejected (out of scope); borderline papers are rejected "
                  "but not counted against precision.", ""]
    lines += summary(data) + [""]
    lines += ["## Per week", "", "Each cell: " + " / ".join(f"retrain {m}" for m in modes) + ".", "",
              "| week | papers read | proposed | accepted | rejected | borderline | missed | precision "
              "| recall so far | sections agree |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    weeks = {m: {w["week"]: w for w in data["modes"][m]["weeks"]} for m in modes}
    for week in window["weeks"]:
        rows = [weeks[m].get(week, {}) for m in modes]

        def cell(key, fmt="{:d}"):
            return " / ".join(_show(r.get(key), fmt) for r in rows)

        agree = " / ".join(f"{_show(r.get('section_agreement'), '{:.2f}')} ({r.get('sections_compared', 0)})"
                           for r in rows)
        lines.append(f"| {week} | {rows[0].get('papers_read', 0)} | {cell('proposed')} | {cell('accepted')} | "
                     f"{cell('rejected')} | {cell('borderline')} | {cell('missed')} | {cell('precision', '{:.2f}')} | "
                     f"{cell('recall_so_far', '{:.2f}')} | {agree} |")
    lines += ["", "## Trainings", "", "A retrained model is used only when `bot train`'s keep-or-replace rule "
              "accepts it against the model in use.", "",
              "| mode | day | model | used | why | entries | rejected | threshold | budget / 1000 | background (until) "
              "| seconds |", "|---|---|---|---|---|---:|---:|---:|---:|---:|---:|"]
    for mode, rows in (trainings or {}).items():
        for t in rows:
            lines.append(f"| {mode} | {t.day} | {t.model} | {'yes' if t.used else 'no'} | {t.reason} | {t.entries} | "
                         f"{t.rejected} | {_show(t.threshold, '{:.3f}')} | {_show(t.budget_per_1000, '{:.1f}')} | "
                         f"{t.background} ({t.background_until}) | {t.seconds:.1f} |")
    if seconds is not None:
        lines += ["", f"Run time: {seconds:.0f} s."]
    lines += ["", "Figures: see `decisions.jsonl` (one record per paper and mode); a paper counts in the week of its "
                  "`day` (the day it was proposed, else its listing day).  Plots: `recall_by_proposals.png`, "
                  "`precision_by_week.png`.", ""]
    return "\n".join(lines)


REPORT_FILES = ("report.json", "report.md", "decisions.jsonl", "recall_by_proposals.png", "precision_by_week.png")


def check_folder(folder: Path, modes: list[str]) -> None:
    """Before a replay: the report can be written there (a folder, or one that can be made, whose report
    files are not folders), else a one-line error (exit 2) and nothing replayed or written."""
    writable_folder(folder, "--output", REPORT_FILES + tuple(f"list-{mode}.md" for mode in modes))


def _plots(data: dict, records: dict[str, list[dict]]) -> dict[str, bytes]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = {}
    fig, ax = plt.subplots(figsize=(6, 4))
    for mode, rows in records.items():
        proposed = sorted((r for r in rows if r["proposed"]), key=lambda r: (r["day"], -r["probability"], r["id"]))
        truth = data["modes"][mode]["totals"]["truth_papers"] or 1
        found, curve = 0, [0.0]
        for r in proposed:
            found += r["verdict"] == "accepted"
            curve.append(found / truth)
        ax.plot(range(len(curve)), curve, label=f"retrain {mode}")
    ax.set_xlabel("papers proposed (cumulative)")
    written["recall_by_proposals.png"] = _save(plt, fig, ax, "recall of the truth (cumulative)")
    fig, ax = plt.subplots(figsize=(7, 4))
    weeks = data["window"]["weeks"]
    for mode in records:
        by_week = {w["week"]: w["precision"] for w in data["modes"][mode]["weeks"]}
        ax.plot(range(len(weeks)), [by_week.get(w) if by_week.get(w) is not None else float("nan") for w in weeks],
                marker="o", label=f"retrain {mode}")
    ax.set_xticks(range(len(weeks)), weeks, rotation=60, fontsize=7)
    written["precision_by_week.png"] = _save(plt, fig, ax, "precision of the week's proposals")
    return written


def _save(plt, fig, ax, ylabel: str) -> bytes:
    """Finish a plot of a share (0..1, one line per mode) as PNG bytes."""
    ax.set_ylabel(ylabel)
    ax.set_ylim(0, 1.02)
    ax.legend()
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    return buffer.getvalue()


def write(result: Backtest, folder: Path, seconds: float | None = None) -> tuple[dict, list[Path]]:
    """Write report.json, report.md, decisions.jsonl, the list at the end of each mode and the plots: all
    of them or none (each is written beside its place first, then they are moved into place together)."""
    folder = Path(folder)
    check_folder(folder, list(result.modes))
    data = report(result)
    records = {mode: replay.records for mode, replay in result.modes.items()}
    trainings = {mode: replay.trainings for mode, replay in result.modes.items()}
    lines = [json.dumps(r, ensure_ascii=False, sort_keys=True) for rows in records.values() for r in rows]
    files = {"report.json": (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode("utf-8"),
             "report.md": markdown(data, seconds, trainings).encode("utf-8"),
             "decisions.jsonl": ("\n".join(lines) + "\n").encode("utf-8"),
             **{f"list-{mode}.md": replay.final_text.encode("utf-8") for mode, replay in result.modes.items()},
             **_plots(data, records)}
    folder.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[Path, Path]] = []
    umask = os.umask(0)
    os.umask(umask)
    try:
        for name, content in files.items():
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
            staged.append((Path(temporary), folder / name))
            with os.fdopen(handle, "wb") as out:
                out.write(content)
                out.flush()
                os.fsync(out.fileno())
                os.fchmod(out.fileno(), 0o666 & ~umask)  # as a file written the usual way (mkstemp: 0600)
    except OSError as exc:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        raise InputError(f"cannot write the report into {folder}: {exc.strerror or exc}",
                         "give another --output") from None
    for temporary, target in staged:
        os.replace(temporary, target)
    return data, [target for _, target in staged]
