"""`bot run` end to end: real feeds over loopback, the real classifier, real PyGithub against a
loopback GitHub, and the offline modes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from arxiv_fixtures import Reply, day_listing, rss20
from conftest import DAYS, ROOT, SEED_README, TOKEN

from bot.jobs.run import run
from bot.lists.awesome import parse
from bot.papers.store import Store
from bot.propose.proposals import START, read_marker


def branch_ids(github) -> set[str]:
    return parse(github.file("bot/new-papers")).arxiv_ids() - parse(github.file("main")).arxiv_ids()


def test_run_opens_first_pull_request(world, github, capsys):
    serve, config = world
    report = run(config())
    assert not report.failed, report.lines()
    assert report.published.action == "opened" and len(github.open_pulls()) == 1
    pull = github.open_pulls()[0]
    assert branch_ids(github) == set(DAYS["2025-09-18"])
    assert read_marker(pull["body"]).ids() == set(DAYS["2025-09-18"])
    assert "| 1 | [" in pull["body"] and "How to give feedback" in pull["body"]
    assert pull["labels"] == ["new-papers", "bot"] and set(github.labels) == {"new-papers", "bot"}
    assert github.file("main") == SEED_README.read_text()  # the base is untouched
    head = parse(github.file("bot/new-papers"))
    assert head.render() == github.file("bot/new-papers")
    assert head.unparsed == parse(SEED_README.read_text()).unparsed  # nothing new not understood (the seed's prose links stay reported)
    assert any(e.arxiv_id == "2509.13576" and e.label == "Reconstruction" for e in head.entries)


def test_run_second_day_adds_to_open_pull_request(world, github):
    serve, config = world
    run(config())
    serve("2025-09-19")
    report = run(config())
    assert report.published.action == "updated" and len(github.pulls) == 1
    assert branch_ids(github) == set(DAYS["2025-09-18"] + DAYS["2025-09-19"])
    assert read_marker(github.pulls[0]["body"]).ids() == branch_ids(github)


def test_run_nothing_new_changes_nothing(world, github):
    serve, config = world
    run(config())
    commits, head = len(github.commits), github.branches["bot/new-papers"]
    github.requests.clear()
    report = run(config())
    assert report.published.action == "unchanged" and report.proposed == []
    assert len(github.commits) == commits and github.branches["bot/new-papers"] == head
    assert not [r for r in github.requests if r[0] in ("POST", "PUT", "PATCH")]


def test_run_merged_pull_request_teaches_accepted_and_rejected(world, github):
    serve, config = world
    run(config())
    text = github.file("bot/new-papers")
    document = parse(text)
    deleted = next(e for e in document.entries if e.arxiv_id == "2509.13525")
    lines = document.lines[:deleted.start] + document.lines[deleted.end + 1:]
    edited = "".join(lines)
    moved = parse(edited)
    entry = next(e for e in moved.entries if e.arxiv_id == "2509.13576")
    block = "".join(moved.lines[entry.start:entry.end + 1])
    edited = edited.replace(block, "")
    heading = "### Denoising\n\n"
    edited = edited.replace(heading, heading + block, 1)
    github.commit_file("bot/new-papers", edited, "Maintainer review")
    github.merge(1)
    serve("2025-09-19")
    cfg = config()
    report = run(cfg)
    assert not report.failed
    with Store(cfg.store.path) as store:
        assert store.decisions("rejected")["2509.13525"].section == deleted.label  # the section it was proposed in
        assert store.decisions("accepted")["2509.13576"].section == "Denoising"  # where the maintainer moved it
    assert len(github.open_pulls()) == 1 and github.open_pulls()[0]["number"] == 2
    assert "2509.13525" not in branch_ids(github)


def test_run_closed_pull_request_rejects_all_even_on_a_fresh_runner(world, github, tmp_path):
    serve, config = world
    run(config())
    github.close(1)
    fresh = config("other")  # an ephemeral CI runner: empty store, same GitHub
    report = run(fresh)
    assert report.proposed == [] and report.skipped["rejected before"] == 2
    assert len(github.open_pulls()) == 0
    with Store(fresh.store.path) as store:
        assert set(store.decisions("rejected")) == set(DAYS["2025-09-18"])


def test_run_502_after_success_does_not_duplicate(world, github):
    serve, config = world
    github.fail("POST", r"/pulls$", 502, after=True)
    github.fail("PUT", r"/contents/", 502, after=True)
    report = run(config())
    assert not report.failed, report.lines()
    assert len(github.pulls) == 1 and set(github.branches) == {"main", "bot/new-papers"}
    assert branch_ids(github) == set(DAYS["2025-09-18"])
    bot_commits = [c for c in github.history(github.branches["bot/new-papers"])
                   if "awesome-list-bot" in github.commits[c]["message"]]
    assert len(bot_commits) == 1


def test_run_secondary_rate_limit_is_waited_out(world, github):
    serve, config = world
    github.fail("POST", r"/pulls$", 403, headers={"Retry-After": "1"}, message="You have exceeded a secondary rate limit")
    report = run(config())
    assert not report.failed and len(github.pulls) == 1


def test_run_forbidden_stops_with_one_clear_line_then_rerun_repairs(world, github, bot, capsys):
    serve, config = world
    github.fail("POST", r"/pulls$", 403, times=1, message="Resource not accessible by integration")
    cfg = config()
    result = bot("--config", cfg.source, "run")
    assert result.exit_code == 1
    assert "pull_requests: write" in result.err and TOKEN not in result.out + result.err
    assert len(github.pulls) == 0 and "bot/new-papers" in github.branches  # half done
    report = run(config())
    assert report.published.action == "opened" and len(github.pulls) == 1
    assert branch_ids(github) == set(DAYS["2025-09-18"])


def test_run_hostile_title_in_pull_request_body(world, github, feeds):
    serve, config = world
    listing = day_listing("2025-09-18", "cs.CV")
    hostile = "**[click](javascript:alert(1))** @octocat fixes #1 <img src=x onerror=alert(1)> | <!--"
    listing = [(dict(p, title=hostile + " " + p["title"]) if p["id"] == "2509.13576" else p, k) for p, k in listing]
    feeds.routes["/rss/cs.CV"] = Reply(body=rss20("cs.CV", "2025-09-18", listing))
    run(config())
    body = github.pulls[0]["body"]
    visible = body.split("<!-- awesome-list-bot ")[0]
    assert "<img" not in body and "@octocat" not in body and "#1 " not in body
    assert "](javascript:" not in visible and "\\*\\*\\[click\\]" in visible
    assert body.startswith(START + "\n")  # where the bot's part begins (people may write above it)
    assert body.replace(START, "", 1).count("<!--") == 1 and body.rstrip().endswith("-->")  # and its marker
    assert read_marker(body).ids() == set(DAYS["2025-09-18"])
    head = parse(github.file("bot/new-papers"))
    assert head.unparsed == parse(SEED_README.read_text()).unparsed  # the seed's prose links, nothing new
    assert all(not e.warnings for e in head.entries if e.arxiv_id == "2509.13576")


def test_run_dry_run_writes_preview_and_publishes_nothing(world, github, tmp_path):
    serve, config = world
    report = run(config(), dry_run=True, output=tmp_path / "preview")
    assert github.pulls == [] and set(github.branches) == {"main"}
    readme = (tmp_path / "preview" / "README.md").read_text()
    assert parse(readme).arxiv_ids() - parse(SEED_README.read_text()).arxiv_ids() == set(DAYS["2025-09-18"])
    assert "How to give feedback" in (tmp_path / "preview" / "pull-request.md").read_text()
    assert any("dry run" in n for n in report.notes)


def test_run_local_publisher_without_token(world, tmp_path, monkeypatch, bot):
    serve, config = world
    monkeypatch.delenv("TEST_GH_TOKEN")
    cfg = config()
    result = bot("--config", cfg.source, "run")
    assert result.exit_code == 0, result.err
    assert "published: written" in result.out and "proposed: 2" in result.out
    out = cfg.output.path
    assert parse((out / "README.md").read_text()).arxiv_ids() >= set(DAYS["2025-09-18"])
    serve("2025-09-19")
    again = bot("--config", cfg.source, "run")
    assert "proposed: 2" in again.out
    assert parse((out / "README.md").read_text()).arxiv_ids() >= set(DAYS["2025-09-18"] + DAYS["2025-09-19"])


def test_run_demo_config_runs_offline(tmp_path, monkeypatch, bot):
    demo = tmp_path / "demo"
    shutil.copytree(ROOT / "demo", demo)
    shutil.copy(ROOT / "config.yaml", tmp_path / "config.yaml")
    shutil.copy(ROOT / "lexicon.yaml", tmp_path / "lexicon.yaml")  # the config names it
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    result = bot("--config", demo / "config.yaml", "run")
    assert result.exit_code == 0, result.err
    assert "papers announced: 204" in result.out and "proposed: 2 (Reconstruction 2)" in result.out
    assert (tmp_path / "out" / "demo" / "pull-request.md").exists()


def test_list_check_reads_the_list_from_github_when_no_local_copy(world, github, bot, tmp_path):
    serve, config = world
    cfg = config()
    text = Path(cfg.source).read_text().replace(f"local_copy: {SEED_README}", "local_copy: null")
    (tmp_path / "github-config.yaml").write_text(text)
    result = bot("--config", tmp_path / "github-config.yaml", "list", "check")
    assert result.exit_code == 0, result.err
    assert "owner/list@main:README.md: 176 entries" in result.out


def test_run_judges_each_paper_once_a_new_model_fills_its_budget_with_new_papers(world, github, demo_model,
                                                                               tmp_path):
    """A retrained model does not re-judge the lookback window: the papers the model in use judged out
    stay out (else a new model's first run proposes the month's papers at once)."""
    import copy

    from classifier import model as model_io

    serve, config = world
    run(config())
    first = branch_ids(github)
    everything = copy.deepcopy(demo_model.model)  # a model that calls every paper relevant
    everything.meta["metrics"]["threshold"] = everything.meta["metrics"]["threshold_title_only"] = 0.0
    folder = model_io.save(everything, tmp_path / "everything")
    cfg = config()
    cfg.classifier.model_path = folder
    report = run(cfg)
    assert report.classified == 0 and branch_ids(github) == first  # nothing re-judged, nothing more proposed
    serve("2025-09-19")
    report = run(cfg)
    day18 = {paper["id"] for paper, _ in day_listing("2025-09-18", "cs.CV")}
    assert report.classified > 0 and branch_ids(github) - first  # the new day's papers: judged by the new model
    assert not (branch_ids(github) - first) & day18


@pytest.mark.parametrize("args", [["--dry-run"], ["--publisher", "local"]])
def test_run_output_inside_a_file_is_one_line_exit_2_before_any_work(world, tmp_path, bot, args):
    serve, config = world
    cfg = config()
    (tmp_path / "afile").write_text("x")
    result = bot("--config", cfg.source, "run", *args, "--output", tmp_path / "afile" / "sub")
    assert result.exit_code == 2 and result.err.count("\n") == 1, result.err
    assert f"--output {tmp_path / 'afile' / 'sub'} is inside {tmp_path / 'afile'}, which is a file" in result.err
    assert "papers announced" not in result.out  # nothing was fetched or classified
    assert not Path(cfg.store.path).exists()


def test_evaluate_output_inside_a_file_is_one_line_exit_2_before_any_work(world, tmp_path, bot):
    serve, config = world
    cfg = config()
    (tmp_path / "afile").write_text("x")
    result = bot("--config", cfg.source, "evaluate", "--split", "2025-09-18", "--output", tmp_path / "afile" / "sub")
    assert result.exit_code == 2 and result.err.count("\n") == 1 and "which is a file" in result.err, result.err


@pytest.mark.parametrize("where", ["the list's own folder", "a link to nothing"])
def test_run_output_that_would_overwrite_the_list_or_leads_nowhere_is_refused_before_any_work(world, tmp_path, bot,
                                                                                              where):
    serve, config = world
    cfg = config()
    own = tmp_path / "mylist"
    own.mkdir()
    (own / "README.md").write_bytes(SEED_README.read_bytes())
    source = Path(cfg.source)
    source.write_text(source.read_text().replace(f"local_copy: {SEED_README}", f"local_copy: {own / 'README.md'}"))
    out = own
    if where == "a link to nothing":
        (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
        out = tmp_path / "dangling" / "sub"  # under it, too
    for args in (["--dry-run"], ["--publisher", "local"]):
        result = bot("--config", source, "run", *args, "--output", out)
        assert result.exit_code == 2 and result.err.count("\n") == 1, result.err
        assert ("holds the list itself" if where == "the list's own folder" else "a link to nothing") in result.err
    assert (own / "README.md").read_bytes() == SEED_README.read_bytes()
    assert not Path(cfg.store.path).exists()  # nothing fetched


def test_run_unreadable_local_copy_is_named_before_any_work(world, feeds, tmp_path, monkeypatch, bot):
    """A list.local_copy that is not UTF-8, not there or not set (and no token): one line naming the
    key, exit 2, and nothing fetched or made first (not even the store)."""
    serve, config = world
    monkeypatch.delenv("TEST_GH_TOKEN")
    bad = tmp_path / "latin1.md"
    bad.write_bytes("# Liste\n\n- [Réseaux](https://arxiv.org/abs/2509.01234)\n".encode("latin-1"))
    for path, says in ((bad, f"cannot read list.local_copy {bad}"), (tmp_path / "missing.md", "cannot read list"),
                       ("null", "list.local_copy is not set")):
        cfg = config()
        Path(cfg.source).write_text(Path(cfg.source).read_text().replace(f"local_copy: {SEED_README}",
                                                                         f"local_copy: {path}"))
        feeds.requests.clear()
        result = bot("--config", cfg.source, "run")
        assert result.exit_code == 2, result.out + result.err
        assert result.err.startswith(f"Error: {says}") and len(result.err.strip().splitlines()) == 1, result.err
        assert feeds.requests == [] and not Path(cfg.store.path).exists()  # stopped before any work


def test_run_github_failing_at_the_start_still_fetches_the_days_papers(world, github, bot):
    """GitHub down when the run begins: the day's papers are fetched and stored all the same, and
    the failure is the run's one problem line (exit 1), not an error that stops it first."""
    serve, config = world
    cfg = config()
    github.fail("GET", r"^/repos/owner/list$", 503, times=1000)
    result = bot("--config", cfg.source, "run")
    assert result.exit_code == 1, result.out + result.err
    assert "feed cs.CV:" in result.out and "new (ok)" in result.out
    assert "problem: GitHub" in result.out + result.err and "503" in result.out + result.err
    from bot.papers.store import Store
    with Store(cfg.store.path) as store:
        assert store.count() > 0


def test_run_publisher_github_without_a_token_stops_before_any_work(world, feeds, monkeypatch, bot):
    serve, config = world
    monkeypatch.delenv("TEST_GH_TOKEN")
    cfg = config()
    result = bot("--config", cfg.source, "run", "--publisher", "github")
    assert result.exit_code == 2 and result.err.startswith("Error: no GitHub token in $TEST_GH_TOKEN"), result.err
    assert feeds.requests == [] and not Path(cfg.store.path).exists()


@pytest.mark.parametrize("name", ["README.md", "pull-request.md", ".awesome-list-bot"])
def test_run_local_output_whose_file_is_a_folder_is_refused_before_any_work(world, feeds, tmp_path, monkeypatch, bot,
                                                                           name):
    """Each file the local proposal writes (the record too) is checked before any work: one line, exit 2."""
    serve, config = world
    monkeypatch.delenv("TEST_GH_TOKEN")
    cfg = config()
    (tmp_path / "out" / name).mkdir(parents=True)
    result = bot("--config", cfg.source, "run", "--output", tmp_path / "out")
    assert result.exit_code == 2 and result.err.count("\n") == 1 and name in result.err, result.err
    assert feeds.requests == []
