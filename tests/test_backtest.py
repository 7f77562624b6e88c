"""`bot backtest` on real papers of the shared corpus: a small list, a later version of it that we
construct (the truth), hand judgements, the repository's history on a loopback GitHub, and bad input.
Every figure of report.json is recomputed here from decisions.jsonl, with this file's own counting."""

from __future__ import annotations

import csv
import json
import math
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from arxiv_fixtures import load_papers, write_config
from conftest import ROOT, SEED_README, TOKEN

from bot.base.config import load_config
from bot.jobs.backtest import backtest, truth_from_judgements, truth_from_list
from bot.jobs.report import write
from bot.lists.awesome import parse
from bot.papers.paper import Paper
from bot.papers.store import Store
from bot.propose.proposals import Proposal
from bot.propose.rolling import Branch, plan, remove_entries

JUDGEMENTS = ROOT / "bench" / "judgements-2025.csv"
SINCE, UNTIL = date(2025, 9, 15), date(2025, 9, 26)  # two ISO weeks (2025-W38, W39)
TRUTH_SECTIONS = ["Segmentation", "Image Generation", "Reconstruction"]


def judged() -> dict[str, str]:
    with open(JUDGEMENTS, newline="") as handle:
        return {r["arxiv_id"]: r["judgement"] for r in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A store with the real papers listed 2025-09-08 .. 2025-09-26 (a week before the window: the
    background of the first model), a config, and a small list: every fourth entry of the bundled one."""
    folder = tmp_path_factory.mktemp("backtest")
    config = load_config(write_config(folder))
    with Store(config.store.path) as store:
        store.add(Paper.from_json(p) for p in load_papers() if "2025-09-08" <= p["listing_date"] <= "2025-09-26")
    seed = parse(SEED_README.read_text())
    small = remove_entries(seed, [e for i, e in enumerate(seed.entries) if i % 4], set())
    (folder / "small.md").write_text(small)
    return folder, config, small


def later_version(small: str, store: Store) -> tuple[str, dict]:
    """The truth: the small list plus judged in-scope papers of the window (one of them written
    without an arXiv link, as lists do for a journal version), a paper nobody would call in scope,
    and one paper listed before the window."""
    verdicts = judged()
    window = {p.id: p for p in store.papers(SINCE.isoformat(), UNTIL.isoformat())}
    inscope = sorted(i for i, j in verdicts.items() if j == "in" and i in window)[:6]
    before = next(p for p in store.papers("2025-09-08", "2025-09-12") if verdicts.get(p.id) == "in")
    offtopic = next(p for i, p in sorted(window.items()) if i not in verdicts
                    and "diffusion" not in (p.title + p.abstract).lower() and "medical" not in p.abstract.lower())
    chosen = [window[i] for i in inscope] + [offtopic, before]
    sections = {p.id: TRUTH_SECTIONS[k % len(TRUTH_SECTIONS)] for k, p in enumerate(chosen)}
    text = plan(Branch(small, small), [Proposal(p.id, p.title, sections[p.id], authors=p.authors, date=p.date)
                                       for p in chosen], limit=len(chosen)).text
    no_id = window[inscope[0]]
    assert text.count(f"arxiv.org/abs/{no_id.id}") == 1
    text = text.replace(f"https://arxiv.org/abs/{no_id.id}", "https://doi.org/10.5555/journal-version")
    assert parse(text).find(None, no_id.title).arxiv_id is None
    return text, {"inscope": inscope, "no_id": no_id.id, "offtopic": offtopic.id, "before": before.id,
                  "sections": sections}


@pytest.fixture(scope="module")
def truth_run(world, demo_model, tmp_path_factory):
    """One weekly backtest of the small list against the constructed truth: the session's model to
    start from, one retraining (on the decisions of the first week)."""
    folder, config, small = world
    with Store(config.store.path) as store:
        truth_text, chosen = later_version(small, store)
        result = backtest(config, store, parse(small), truth_from_list(truth_text, "later.md"), SINCE, UNTIL,
                          retrain="weekly", sample=800, list_source="small.md", start_model=demo_model.model)
    out = tmp_path_factory.mktemp("report")
    write(result, out)
    return result, out, chosen


def records_of(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / "decisions.jsonl").read_text().splitlines()]


def recount(rows: list[dict]) -> dict:
    """The figures of the README's definitions, counted from scratch."""
    proposed = [r for r in rows if r["proposed"]]
    by = Counter(r["verdict"] for r in rows)
    compared = [r for r in proposed if r["verdict"] == "accepted" and r["truth_section"]]
    truth = by["accepted"] + by["missed"]
    return {"papers_read": len(rows), "proposed": len(proposed), "accepted": by["accepted"],
            "rejected": by["rejected"], "borderline": by["borderline"],
            "unjudged_proposals": sum(r["truth"] is None for r in proposed), "truth_papers": truth,
            "missed": by["missed"],
            "recall": by["accepted"] / truth if truth else None,
            "precision": (by["accepted"] / (by["accepted"] + by["rejected"])
                          if by["accepted"] + by["rejected"] else None),
            "proposals_per_1000": len(proposed) / len(rows) * 1000, "work_saved": 1 - len(proposed) / len(rows),
            "section_agreement": (sum(r["section"] == r["truth_section"] for r in compared) / len(compared)
                                  if compared else None),
            "sections_compared": len(compared), "wss_95": wss95(rows)}


def wss95(rows: list[dict]) -> float | None:
    """Work saved over sampling at 95% recall, counted from scratch: read the papers from the highest
    margin over the threshold down until 95% of the truth papers are found."""
    truth = sum(r["verdict"] in ("accepted", "missed") for r in rows)
    if not truth:
        return None
    found = 0
    for read, r in enumerate(sorted(rows, key=lambda r: -r["margin"]), 1):
        found += r["verdict"] in ("accepted", "missed")
        if found >= math.ceil(0.95 * truth):
            return (len(rows) - read) / len(rows) - 0.05


def assert_recomputed(report: dict, rows: list[dict]) -> None:
    for mode, figures in report["modes"].items():
        mine = [r for r in rows if r["mode"] == mode]
        assert figures["totals"] == pytest.approx(recount(mine), abs=1e-4)
        weeks = sorted({r["week"] for r in mine})
        assert [w["week"] for w in figures["weeks"]] == weeks == report["window"]["weeks"]
        accepted = 0
        for week in figures["weeks"]:
            expected = recount([r for r in mine if r["week"] == week["week"]])
            accepted += expected["accepted"]
            expected["recall_so_far"] = accepted / figures["totals"]["truth_papers"]
            assert {k: v for k, v in week.items() if k != "week"} == pytest.approx(expected, abs=1e-4)
        assert figures["weeks"][-1]["recall_so_far"] == pytest.approx(figures["totals"]["recall"], abs=1e-4)
        assert report["window"]["papers"] == len(mine)
        assert report["truth"]["in_window"] == sum(r["verdict"] in ("accepted", "missed") for r in mine)


def test_backtest_later_list_truth_figures_recompute_from_decisions(truth_run, world):
    result, out, chosen = truth_run
    report, rows = json.loads((out / "report.json").read_text()), records_of(out)
    assert set(report["modes"]) == {"never", "weekly"}
    assert_recomputed(report, rows)
    with Store(world[1].store.path) as store:
        window = {p.id for p in store.papers(SINCE.isoformat(), UNTIL.isoformat())}
    for mode in report["modes"]:
        assert sorted(r["id"] for r in rows if r["mode"] == mode) == sorted(window)  # one record per paper
    totals = report["modes"]["weekly"]["totals"]
    assert totals["accepted"] >= 3 and totals["proposed"] > totals["accepted"]  # found some, rejected some
    assert report["truth"]["papers_added"] == report["truth"]["in_window"] + 1  # one truth paper is before the window
    shown = {m: report["modes"][m]["totals"]["precision"] for m in ("never", "weekly")}
    assert f"| precision | {shown['never']:.3f} | {shown['weekly']:.3f} |" in (out / "report.md").read_text()
    for name in ("recall_by_proposals.png", "precision_by_week.png"):
        assert (out / name).read_bytes().startswith(b"\x89PNG")


def test_backtest_accepted_papers_join_the_list_in_the_truths_section(truth_run):
    result, out, chosen = truth_run
    rows = records_of(out)
    for mode, replay in result.modes.items():
        final = parse((out / f"list-{mode}.md").read_text())
        accepted = {r["id"]: r for r in rows if r["mode"] == mode and r["verdict"] == "accepted"}
        rejected = {r["id"] for r in rows if r["mode"] == mode and r["verdict"] in ("rejected", "borderline")}
        assert accepted and final.render() == replay.final_text
        for paper_id, record in accepted.items():
            entry = final.find(paper_id, None)
            assert entry is not None and entry.label == chosen["sections"][paper_id] == record["truth_section"]
        assert not rejected & final.arxiv_ids()
        titled = next(r for r in rows if r["mode"] == mode and r["id"] == chosen["no_id"])
        assert titled["truth"] == "in" and titled["truth_section"] == chosen["sections"][chosen["no_id"]]
        offtopic = next(r for r in rows if r["mode"] == mode and r["id"] == chosen["offtopic"])
        assert (offtopic["verdict"], offtopic["reason"]) == ("missed", "below the threshold")


def test_backtest_weekly_retrains_on_decisions_without_leakage(truth_run):
    result, out, _ = truth_run
    never, weekly = result.modes["never"], result.modes["weekly"]
    assert [t.model for t in never.trainings] == ["start"]
    assert [(t.day, t.model) for t in weekly.trainings] == [("2025-09-15", "start"), ("2025-09-22", "2025-W39")]
    for training in weekly.trainings:
        assert training.background_until < training.day and training.background == 800
    retrained = weekly.trainings[1]
    before = [r for r in weekly.records if r["day"] < retrained.day and r["proposed"]]
    assert retrained.rejected == sum(r["verdict"] != "accepted" for r in before) > 0
    assert retrained.entries == 44 + sum(r["verdict"] == "accepted" for r in before) and retrained.accepted == 0
    # the decisions of the first week are the start model's in both modes (a paper the first model left
    # may be proposed later, by the retrained one, from the lookback window: then its day is that day)
    first_week = [(r["id"], r["verdict"]) for r in weekly.records if r["proposed"] and r["day"] < retrained.day]
    assert first_week == [(r["id"], r["verdict"]) for r in never.records if r["proposed"] and r["day"] < retrained.day]
    assert first_week and all(r["model"] == "start" for r in weekly.records if r["day"] < retrained.day)
    models = {r["model"] for r in weekly.records if r["proposed"] and r["day"] >= retrained.day}
    assert models <= {"2025-W39" if retrained.used else "start"}


def test_backtest_judgements_borderline_and_unjudged(world, demo_model, tmp_path):
    """Judgements as the truth (the bundled list, the session's model to start from: no training)."""
    folder, config, _ = world
    truth = truth_from_judgements(JUDGEMENTS)
    outs = []
    for run in range(2):
        with Store(config.store.path) as store:
            result = backtest(config, store, parse(SEED_README.read_text()), truth, SINCE, date(2025, 9, 19), retrain="never",
                              start_model=demo_model.model, list_source="seed")
        outs.append(tmp_path / str(run))
        write(result, outs[-1])
    assert (outs[0] / "report.json").read_bytes() == (outs[1] / "report.json").read_bytes()  # deterministic
    assert (outs[0] / "decisions.jsonl").read_bytes() == (outs[1] / "decisions.jsonl").read_bytes()
    report, rows = json.loads((outs[0] / "report.json").read_text()), records_of(outs[0])
    assert_recomputed(report, rows)
    verdicts, listed = judged(), {r["id"] for r in rows}
    seed = parse(SEED_README.read_text())
    assert report["truth"]["in_window"] == sum(1 for i, j in verdicts.items()
                                                if j == "in" and i in listed and not seed.contains(i, None))
    proposed = [r for r in rows if r["proposed"]]
    expected = {"in": "accepted", "out": "rejected", "borderline": "borderline", None: "rejected"}
    assert proposed and all(r["verdict"] == expected[verdicts.get(r["id"])] for r in proposed)
    totals = report["modes"]["never"]["totals"]
    assert totals["precision"] == pytest.approx(totals["accepted"] / (totals["proposed"] - totals["borderline"]),
                                                abs=1e-4)
    assert "Proposals nobody judged count as rejected" in (outs[0] / "report.md").read_text()


def test_backtest_command_writes_the_report(bot, world, tmp_path):
    folder, config, _ = world
    out = tmp_path / "out"
    result = bot("--config", folder / "config.yaml", "backtest", "--since", "2025-09-15", "--until", "2025-09-19",
                 "--list", folder / "small.md", "--judgements", JUDGEMENTS, "--retrain", "never",
                 "--background-sample", "600", "--output", out)
    assert result.exit_code == 0, result.err
    assert "| recall of the truth |" in result.out and f"wrote {out / 'report.json'}" in result.out
    assert sorted(p.name for p in out.iterdir()) == ["decisions.jsonl", "list-never.md", "precision_by_week.png",
                                                     "recall_by_proposals.png", "report.json", "report.md"]
    report = json.loads((out / "report.json").read_text())
    assert list(report["modes"]) == ["never"] and report["settings"]["background_sample"] == 600
    assert report["list"] == {"source": str(folder / "small.md"), "entries": 44}
    assert_recomputed(report, records_of(out))


@pytest.mark.parametrize("args, message", [
    (["--since", "2025-09-20", "--until", "2025-09-15", "--judgements", JUDGEMENTS], "is after --until"),
    (["--since", "2025-09-15", "--until", "2025-09-19"], "give the truth"),
    (["--since", "2025-09-15", "--until", "2025-09-19", "--judgements", JUDGEMENTS, "--truth", SEED_README],
     "give the truth"),
    (["--since", "2025-09-15", "--until", "2025-09-19", "--truth", "/nonexistent/later.md"], "cannot read the truth"),
    (["--since", "2025-09-15", "--until", "2025-09-19", "--judgements", SEED_README], "lack the columns"),
    (["--since", "2025-09-15", "--until", "2025-09-19", "--judgements", "/nonexistent/j.csv"],
     "cannot read judgements"),
    (["--since", "2024-01-01", "--until", "2024-01-31", "--judgements", JUDGEMENTS], "has no paper listed"),
    (["--since", "2025-9-1", "--until", "2025-09-19", "--judgements", JUDGEMENTS], "is not a date"),
    (["--since", "2025-09-15", "--until", "2025-09-19", "--repo", "owner/list", "--list", SEED_README],
     "leave out --list"),
])
def test_backtest_bad_input_is_one_line_exit_2(bot, world, args, message):
    result = bot("--config", world[0] / "config.yaml", "backtest", *args)
    assert result.exit_code == 2 and result.err.startswith("Error: ") and message in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_backtest_bad_judgement_value_names_the_line(bot, world, tmp_path):
    path = tmp_path / "j.csv"
    path.write_text("arxiv_id,judgement\n2509.00001,in\n2509.00002,maybe\n")
    result = bot("--config", world[0] / "config.yaml", "backtest", "--since", "2025-09-15", "--until", "2025-09-19",
                 "--judgements", path)
    assert result.exit_code == 2 and f"{path}:3: judgement 'maybe'" in result.err


def test_backtest_without_a_store_says_how_to_fill_it(bot, tmp_path):
    config = write_config(tmp_path)
    result = bot("--config", config, "backtest", "--since", "2025-09-15", "--until", "2025-09-19",
                 "--judgements", JUDGEMENTS)
    assert result.exit_code == 2 and "no paper store" in result.err and "bot fetch --from-file" in result.err
    assert not (tmp_path / "papers.sqlite").exists()  # nothing created


def test_backtest_repo_reads_the_list_before_since_and_at_until(bot, world, tmp_path, monkeypatch):
    """--repo: the list as it was before --since (the start) and at the end of --until (the truth),
    from the repository's history on a loopback GitHub (list-commits with path and until)."""
    from github_fake import FakeGitHub

    folder, _, small = world
    with Store(folder / "papers.sqlite") as store:
        truth_text, chosen = later_version(small, store)
        late = next(p for p in store.papers("2025-09-19", "2025-09-19") if p.id not in chosen["inscope"])
    after = plan(Branch(truth_text, truth_text), [Proposal(late.id, late.title, "Segmentation", authors=late.authors,
                                                           date=late.date)], 1).text
    with FakeGitHub(text="# An older list\n", token=TOKEN) as github:
        github.commits[github.branches["main"]]["date"] = "2025-08-01T00:00:00Z"
        start_sha = github.commit_file("main", small, date="2025-09-10T09:00:00Z")
        truth_sha = github.commit_file("main", truth_text, date="2025-09-19T18:00:00Z")
        github.commit_file("main", after, date="2025-09-20T08:00:00Z")  # after --until: not the truth
        monkeypatch.setenv("TEST_GH_TOKEN", TOKEN)
        config = write_config(tmp_path, github__api_url=github.url, github__token_env="TEST_GH_TOKEN",
                              store__path=str(folder / "papers.sqlite"), list__local_copy=None)
        out = tmp_path / "out"
        result = bot("--config", config, "backtest", "--repo", "owner/list", "--since", "2025-09-15",
                     "--until", "2025-09-19", "--retrain", "never", "--background-sample", "600", "--output", out)
        listings = [path for method, path in github.requests if method == "GET" and path.endswith("/commits")]
    assert result.exit_code == 0, result.err
    assert len(listings) == 2
    report = json.loads((out / "report.json").read_text())
    assert report["list"]["source"].startswith(f"owner/list@{start_sha[:12]}:README.md (main, 2025-09-10")
    assert report["truth"]["source"].startswith(f"owner/list@{truth_sha[:12]}:README.md")
    assert report["list"]["entries"] == 44
    rows = records_of(out)
    assert next(r for r in rows if r["id"] == late.id)["truth"] == "out"  # added after --until
    listed = {r["id"] for r in rows}
    assert report["truth"]["in_window"] == sum(i in listed for i in chosen["inscope"] + [chosen["offtopic"]])
    assert_recomputed(report, rows)


def test_backtest_repo_without_history_before_since_is_exit_2(bot, tmp_path, world, monkeypatch):
    from github_fake import FakeGitHub

    with FakeGitHub(text=SEED_README.read_text(), token=TOKEN) as github:  # its only commit: 2025-09-20
        monkeypatch.setenv("TEST_GH_TOKEN", TOKEN)
        config = write_config(tmp_path, github__api_url=github.url, github__token_env="TEST_GH_TOKEN",
                              store__path=str(world[0] / "papers.sqlite"))
        result = bot("--config", config, "backtest", "--repo", "owner/list", "--since", "2025-09-15",
                     "--until", "2025-09-19")
    assert result.exit_code == 2 and "no commit of README.md on main before 2025-09-15 00:00 UTC" in result.err


def test_backtest_margin_is_over_the_threshold_of_the_model_that_judged(truth_run):
    """WSS@95 ranks papers by their margin over the threshold of the model that judged them: models of
    different weeks have different scales.  A proposed paper was over it, a paper below it was not."""
    _, out, _ = truth_run
    rows = records_of(out)
    assert all(r["margin"] >= -1e-3 for r in rows if r["proposed"])
    assert all(r["margin"] < 1e-3 for r in rows if r["reason"] == "below the threshold")
    assert any(r["margin"] > 0 for r in rows) and any(r["margin"] < 0 for r in rows)


@pytest.mark.parametrize("where", ["under a file", "report.md is a folder"])
def test_backtest_output_that_cannot_hold_the_report_stops_before_the_replay(bot, world, tmp_path, where):
    """The output place is checked before hours of replay, and the report is written all or nothing."""
    folder, _, small = world
    (tmp_path / "small.md").write_text(small)
    config = write_config(tmp_path, store__path=str(folder / "papers.sqlite"))
    if where == "under a file":
        (tmp_path / "afile").write_text("x")
        out = tmp_path / "afile" / "report"
    else:
        out = tmp_path / "out"
        (out / "report.md").mkdir(parents=True)
    result = bot("--config", config, "backtest", "--list", tmp_path / "small.md", "--judgements", JUDGEMENTS,
                 "--since", "2025-09-15", "--until", "2025-09-19", "--retrain", "never", "--output", out)
    assert result.exit_code == 2 and len(result.err.strip().splitlines()) <= 2, result.err
    assert "backtest: " not in result.err  # no replay was started (no progress line)
    assert not (tmp_path / "out" / "report.json").exists() and (tmp_path / "afile").read_text() == "x" \
        if where == "under a file" else not (out / "report.json").exists()


def test_backtest_report_is_written_all_or_nothing(truth_run, tmp_path):
    from bot.base.errors import InputError
    from bot.jobs.report import write as write_report

    result, _, _ = truth_run
    (tmp_path / "decisions.jsonl").mkdir()  # a report file that is a folder
    with pytest.raises(InputError):
        write_report(result, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["decisions.jsonl"]  # nothing written, no leftovers


@pytest.mark.parametrize("content, message", [(b"\xff\xfe# list\n", "cannot read list"), (b"# A list\n\nno entry\n", "no entry read")])
def test_backtest_list_not_utf8_or_without_entries_is_one_line_exit_2_before_the_replay(bot, world, tmp_path,
                                                                                      content, message):
    listing, out = tmp_path / "list.md", tmp_path / "out"
    listing.write_bytes(content)
    result = bot("--config", world[0] / "config.yaml", "backtest", "--since", "2025-09-15", "--until", "2025-09-19",
                 "--judgements", JUDGEMENTS, "--list", listing, "--output", out)
    assert result.exit_code == 2 and result.err.startswith("Error: ") and message in result.err
    assert len(result.err.strip().splitlines()) == 1 and "training" not in result.err and not out.exists()
