"""Maintainers' promises, held by `bot run` against a loopback GitHub (real PyGithub):
their commits are never undone, the bot's memory lives on GitHub, nothing is lost,
duplicated or falsely rejected under races and faults, one bad paper blocks nothing."""

from __future__ import annotations

import difflib
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from arxiv_fixtures import Reply, day_listing, rss20
from conftest import DAYS, ROOT, SEED_README, TOKEN

from bot.jobs.run import run
from bot.lists.awesome import parse
from bot.papers.store import Store
from bot.propose.proposals import Marker, Proposal, marker, read_marker
from bot.propose.rolling import Branch, plan

BRANCH = "bot/new-papers"
HAND_ENTRY = ("**A Paper Added By Hand** \\\n*Ann Maintainer* \\\n[1st Sep., 2025] [arXiv, 2025] \\\n"
              "[[Paper](https://arxiv.org/abs/2509.00001)]\n\n")


def counts(text: str) -> Counter:
    return Counter(e.arxiv_id for e in parse(text).entries if e.arxiv_id)


def bot_ids(github) -> set[str]:
    return set(counts(github.file(BRANCH))) - set(counts(github.file("main")))


def block(text: str, arxiv_id: str) -> str:
    document = parse(text)
    entry = next(e for e in document.entries if e.arxiv_id == arxiv_id)
    return "".join(document.lines[entry.start:entry.end + 1])


def only_insertions(before: str, after: str) -> bool:
    matcher = difflib.SequenceMatcher(None, before.splitlines(True), after.splitlines(True), autojunk=False)
    return all(tag in ("equal", "insert") for tag, *_ in matcher.get_opcodes())


def pull_marker(github, number: int = 1) -> Marker:
    return read_marker(github.pulls[number - 1]["body"])


def rejected_in_store(config) -> set[str]:
    with Store(config.store.path) as store:
        return set(store.decisions("rejected"))


def test_run_never_undoes_maintainer_commits_on_its_branch(world, github):
    serve, config = world
    run(config())
    first = github.file(BRANCH)
    order = [e.arxiv_id for e in parse(first).entries if e.arxiv_id in DAYS["2025-09-18"]]
    edited = first.replace("This is a collection of awesome articles", "This is a curated collection of articles")
    edited = edited.replace("Latent Diffusion Models via Hard Data Consistency**",
                            "Latent Diffusion Models via Hard Data Consistency (ICLR 2024)**")
    edited = edited.replace("### Denoising\n\n", "### Denoising\n\n" + HAND_ENTRY, 1)
    mine = github.commit_file(BRANCH, edited, "Maintainer review")
    github.requests.clear()
    report = run(config())  # nothing new: nothing is written
    assert not report.failed, report.lines()
    assert github.branches[BRANCH] == mine and github.file(BRANCH) == edited
    assert not [r for r in github.requests if r[0] in ("PUT", "POST")]
    serve("2025-09-19")
    report = run(config())  # new papers: added on top of the maintainer's commit
    assert not report.failed, report.lines()
    head = github.file(BRANCH)
    assert mine in github.history(github.branches[BRANCH])
    assert only_insertions(edited, head)
    assert set(DAYS["2025-09-19"]) <= set(counts(head))
    assert [e.arxiv_id for e in parse(head).entries if e.arxiv_id in DAYS["2025-09-18"]] == order
    assert "2509.00001" not in read_marker(github.pulls[0]["body"]).ids()  # the hand-added paper is not the bot's


def test_run_base_moved_far_from_the_proposals_needs_no_merge(world, github):
    serve, config = world
    run(config())
    edited = github.file(BRANCH).replace("This is a collection", "This is a curated collection")
    mine = github.commit_file(BRANCH, edited, "Maintainer review")
    github.commit_file("main", github.file("main").replace("## Updates\n", "## Updates\n- A new release\n"))
    serve("2025-09-19")
    report = run(config())
    assert not report.failed, report.lines()
    head_sha = github.branches[BRANCH]
    assert mine in github.history(head_sha)
    assert not any(len(github.commits[c]["parents"]) == 2 for c in github.history(head_sha))  # no merge needed
    github.merge(1)
    merged = github.file("main")
    assert "- A new release" in merged and "This is a curated collection" in merged
    found = counts(merged)
    assert all(found[i] == 1 for i in DAYS["2025-09-18"] + DAYS["2025-09-19"])


def test_run_base_moved_where_the_bot_adds_merges_the_base_in_first(world, github):
    serve, config = world
    run(config())
    branch_edit = github.commit_file(BRANCH, github.file(BRANCH).replace("This is a collection", "This is a curated collection"))
    serve("2025-09-19")
    # what the bot would add on 09-19, and where: a maintainer adds a paper by hand right there on main
    # (in a section the pull request has not touched yet, so the pull request itself does not conflict)
    from bot.jobs.run import run as dry
    preview = dry(config("other"), dry_run=True)
    day1_section = {e.label for e in parse(github.file(BRANCH)).entries if e.arxiv_id in DAYS["2025-09-18"]}
    section = next(p.section for p in preview.proposed if p.section not in day1_section)
    main = github.file("main").replace(f"### {section}\n\n", f"### {section}\n\n" + HAND_ENTRY, 1)
    github.commit_file("main", main, "Add a paper by hand")
    report = run(config())
    assert not report.failed, report.lines()
    head_sha = github.branches[BRANCH]
    merges = [c for c in github.history(head_sha) if len(github.commits[c]["parents"]) == 2]
    assert len(merges) == 1 and github.branches["main"] in github.commits[merges[0]]["parents"]
    assert branch_edit in github.history(head_sha)
    assert github.mergeable(github.pulls[0])
    found = counts(github.file(BRANCH))
    assert found["2509.00001"] == 1 and all(found[i] == 1 for i in DAYS["2025-09-19"])
    github.merge(1)
    assert counts(github.file("main"))["2509.00001"] == 1


def test_run_conflict_is_left_to_people_and_reported_once(world, github):
    serve, config = world
    run(config())
    old = "Latent Diffusion Models via Hard Data Consistency**"
    github.commit_file(BRANCH, github.file(BRANCH).replace(old, old[:-2] + " (ICLR 2024)**"), "Fix venue")
    github.commit_file("main", github.file("main").replace(old, old[:-2] + " [ICLR]**"), "Fix venue too")
    assert not github.mergeable(github.pulls[0])
    head = github.branches[BRANCH]
    serve("2025-09-19")
    report = run(config())
    assert report.published.action == "conflict" and any("conflicts" in n for n in report.notes)
    assert github.branches[BRANCH] == head and report.proposed == []
    assert len(github.comments) == 1 and "conflict" in github.comments[0]["body"]
    run(config())
    assert len(github.comments) == 1 and github.branches[BRANCH] == head
    # a maintainer resolves the conflict by merging main into the branch
    resolved = github.file(BRANCH).replace(" (ICLR 2024)**", " [ICLR 2024]**")
    with github.lock:
        files = {**github.commits[head]["files"], github.path: resolved}
        github.branches[BRANCH] = github._commit(head, files, "Merge main", "maintainer", github.branches["main"])
    report = run(config())
    assert report.published.action == "updated" and {p.id for p in report.proposed} == set(DAYS["2025-09-19"])
    assert "[ICLR 2024]" in github.file(BRANCH)


def test_run_resolves_a_conflict_of_only_its_own_entries_keeping_both(world, github):
    serve, config = world
    run(config())  # the 09-18 papers at the top of Reconstruction
    github.commit_file("main", github.file("main").replace("### Reconstruction\n\n", "### Reconstruction\n\n" + HAND_ENTRY, 1),
                       "Add a paper by hand")  # a maintainer adds one at the same place on main
    assert not github.mergeable(github.pulls[0])
    head = github.branches[BRANCH]
    serve("2025-09-19")
    report = run(config())
    assert not report.failed and report.published.action == "updated", report.lines()
    assert head in github.history(github.branches[BRANCH]) and github.mergeable(github.pulls[0])
    found = counts(github.file(BRANCH))
    assert found["2509.00001"] == 1 and all(found[i] == 1 for i in DAYS["2025-09-18"] + DAYS["2025-09-19"])
    assert not github.comments
    github.merge(1)
    assert all(counts(github.file("main"))[i] == 1 for i in ["2509.00001"] + DAYS["2025-09-18"] + DAYS["2025-09-19"])


def test_run_merges_the_base_when_github_says_unmergeable(world, github):
    serve, config = world
    run(config())
    github.commit_file("main", github.file("main").replace("## Updates\n", "## Updates\n- A new release\n"))
    github.mergeable_override = False  # GitHub's answer before it recomputed
    serve("2025-09-19")
    report = run(config())
    assert not report.failed, report.lines()
    assert "- A new release" in github.file(BRANCH)  # the base was merged in, as 'Update branch' does
    assert set(DAYS["2025-09-19"]) <= set(counts(github.file(BRANCH)))


def test_run_two_runners_interleaved_lose_nothing_and_reject_nothing(world, github):
    serve, config = world
    run(config())
    serve("2025-09-19")
    gate = github.hold("GET", r"/compare/")  # runner B stops after reading the branch
    reports = {}
    runner_b = threading.Thread(target=lambda: reports.setdefault("b", run(config("other"))))
    runner_b.start()
    assert gate.arrived.wait(30)
    reports["a"] = run(config())  # runner A commits and describes in the meantime
    gate.set()
    runner_b.join(60)
    assert not reports["a"].failed and not reports["b"].failed, [r.lines() for r in reports.values()]
    found = counts(github.file(BRANCH))
    assert all(found[i] == 1 for i in DAYS["2025-09-18"] + DAYS["2025-09-19"])
    assert pull_marker(github).ids() == bot_ids(github) and pull_marker(github).rejected == []
    assert not rejected_in_store(config()) and not rejected_in_store(config("other"))


def test_run_two_runs_at_once_give_one_pull_request(world, github):
    serve, config = world
    results = []
    threads = [threading.Thread(target=lambda c=c: results.append(run(c))) for c in (config(), config("other"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(results) == 2 and not any(r.failed for r in results), [r.lines() for r in results]
    assert len(github.pulls) == 1
    found = counts(github.file(BRANCH))
    assert all(found[i] == 1 for i in DAYS["2025-09-18"])


def test_run_removes_its_own_copy_when_a_maintainer_lists_the_paper_on_main(world, github):
    serve, config = world
    run(config())
    copy = block(github.file(BRANCH), "2509.13576")
    github.commit_file("main", github.file("main").replace("### Denoising\n\n", "### Denoising\n\n" + copy, 1))
    report = run(config())
    assert not report.failed, report.lines()
    assert counts(github.file(BRANCH))["2509.13576"] == 0 and "2509.13576" not in pull_marker(github).ids()
    assert "2509.13576" not in pull_marker(github).ids() | {r.id for r in pull_marker(github).rejected}
    github.merge(1)
    found = counts(github.file("main"))
    assert found["2509.13576"] == 1 and found["2509.13525"] == 1
    assert "2509.13576" not in rejected_in_store(config())


def test_run_removes_the_duplicate_after_a_maintainer_merged_main_into_the_branch(world, github):
    serve, config = world
    run(config())
    copy = block(github.file(BRANCH), "2509.13525")
    github.commit_file("main", github.file("main").replace("### Segmentation\n\n", "### Segmentation\n\n" + copy, 1))
    head, main = github.branches[BRANCH], github.branches["main"]
    merged = github.three_way(github.merge_base(head, main), head, main)
    with github.lock:
        files = {**github.commits[head]["files"], github.path: merged}
        github.branches[BRANCH] = github._commit(head, files, "Merge main", "maintainer", main)
    assert counts(github.file(BRANCH))["2509.13525"] == 2
    run(config())
    text = github.file(BRANCH)
    assert counts(text)["2509.13525"] == 1
    assert block(text, "2509.13525") in github.file("main")  # the maintainer's copy, where they put it


def test_run_ignores_markers_it_did_not_write(world, github):
    serve, config = world
    poisoned = marker([], [Proposal(i, "", "Reconstruction") for i in DAYS["2025-09-18"]])
    fork = github.open_pull(BRANCH, f"Nice list!\n\n{poisoned}", "mallory", fork="mallory/list")
    other = github.open_pull("feature", f"Some change\n\n{poisoned}", "someone")
    for pull in (fork, other):
        github.close(pull["number"])
    report = run(config())
    assert {p.id for p in report.proposed} == set(DAYS["2025-09-18"])
    assert not rejected_in_store(config())


def test_run_remembers_deletions_on_github_with_a_fresh_store(world, github):
    serve, config = world
    run(config())
    github.commit_file(BRANCH, github.file(BRANCH).replace(block(github.file(BRANCH), "2509.13525"), ""), "Not this one")
    report = run(config())
    assert report.published.rejected == {"2509.13525": "Reconstruction"}
    assert [r.id for r in pull_marker(github).rejected] == ["2509.13525"]
    fresh = config("other")  # a lost actions cache: empty store, same GitHub, same feed day
    report = run(fresh)
    assert "2509.13525" not in set(counts(github.file(BRANCH)))
    assert report.skipped["rejected before"] == 1 and "2509.13525" in rejected_in_store(fresh)
    github.merge(1)
    for path in fresh.store.path.parent.glob(fresh.store.path.name + "*"):
        path.unlink()
    report = run(config("other"))  # after the merge: still remembered
    assert report.proposed == [] and "2509.13525" in rejected_in_store(config("other"))
    assert counts(github.file("main"))["2509.13576"] == 1


def test_run_parses_each_text_of_the_list_once(world, github, monkeypatch):
    """A run parses the base, the branch and the commits it reads once each and passes them along:
    no text of the list is parsed twice in one run, with a pull request to open or to update."""
    from bot.lists import awesome

    serve, config = world
    parsed: Counter = Counter()
    real = awesome.comment_view  # called once per parse, with the text's lines
    monkeypatch.setattr(awesome, "comment_view", lambda lines: (parsed.update(["".join(lines)]), real(lines))[1])
    assert run(config()).published.action == "opened"
    assert parsed and max(parsed.values()) == 1
    text = github.file(BRANCH)
    github.commit_file(BRANCH, text.replace(block(text, "2509.13525"), ""), "Not this one")
    serve("2025-09-19")
    parsed.clear()
    report = run(config())  # a deletion to read from the commits, new papers to add
    assert report.published.rejected == {"2509.13525": "Reconstruction"} and report.proposed
    assert max(parsed.values()) == 1, sorted(parsed.values())


def test_run_a_force_push_by_a_maintainer_is_respected(world, github):
    serve, config = world
    run(config())
    text = github.file(BRANCH)
    cleaned = text.replace(block(text, "2509.13525"), "")  # squashed and force-pushed without one paper
    with github.lock:
        main = github.branches["main"]
        files = {**github.commits[main]["files"], github.path: cleaned}
        github.branches[BRANCH] = github._commit(main, files, "Squashed review", "maintainer")
    report = run(config())
    assert report.published.rejected == {"2509.13525": "Reconstruction"}
    assert github.file(BRANCH) == cleaned and pull_marker(github).ids() == {"2509.13576"}


def test_run_an_entry_whose_link_a_maintainer_changed_stays_proposed(world, github):
    serve, config = world
    run(config())
    text = github.file(BRANCH)
    edited = text.replace("https://arxiv.org/abs/2509.13576", "https://doi.org/10.1000/journal.2025.1")
    github.commit_file(BRANCH, edited, "Link the journal version")
    report = run(config())
    assert not report.failed and report.published.rejected == {}
    assert github.file(BRANCH) == edited and "2509.13576" in pull_marker(github).ids()


def test_run_a_stale_description_never_drops_entries(world, github):
    serve, config = world
    run(config())
    serve("2025-09-19")
    github.fail("PATCH", r"/pulls/1$", 403, message="Resource not accessible by integration")
    report = run(config())
    assert report.failed and set(DAYS["2025-09-19"]) <= set(counts(github.file(BRANCH)))
    assert not set(DAYS["2025-09-19"]) & pull_marker(github).ids()  # the description is stale
    edited = github.file(BRANCH).replace(block(github.file(BRANCH), DAYS["2025-09-19"][0]),
                                         block(github.file(BRANCH), DAYS["2025-09-19"][0]).replace("** ", " (corrected)** ", 1))
    mine = github.commit_file(BRANCH, edited, "Maintainer fix")
    for _ in range(2):
        report = run(config())
        assert not report.failed, report.lines()
        assert mine in github.history(github.branches[BRANCH]) and github.file(BRANCH) == edited
    assert pull_marker(github).ids() == set(DAYS["2025-09-18"] + DAYS["2025-09-19"])
    assert not rejected_in_store(config())


def test_run_follows_a_section_renamed_on_main(world, github):
    serve, config = world
    github.commit_file("main", github.file("main").replace("### Reconstruction\n", "### Image Reconstruction\n"))
    report = run(config())
    assert not report.failed, report.lines()
    head = parse(github.file(BRANCH))
    assert {e.label for e in head.entries if e.arxiv_id in DAYS["2025-09-18"]} == {"Image Reconstruction"}
    assert any("Image Reconstruction" in n for n in report.notes)


def test_run_one_bad_paper_blocks_nothing(world, github, feeds):
    serve, config = world
    listing = [(dict(p, title="Diffusion MRI reconstruction " * 120) if p["id"] == "2509.13576" else p, k)
               for p, k in day_listing("2025-09-18", "cs.CV")]
    feeds.routes["/rss/cs.CV"] = Reply(body=rss20("cs.CV", "2025-09-18", listing))
    github.commit_file("main", github.file("main").replace("### Reconstruction\n", "### Xyzzy\n"))
    report = run(config())
    problems = [p for p in report.problems if "2509.13576" in p or "2509.13525" in p]
    assert problems and report.published.action in ("opened", "unchanged")
    assert all("skipped" in p for p in problems)
    report = run(config())  # the next run does not stumble on them again
    assert not report.failed, report.lines()


def test_run_never_writes_inside_an_html_comment(world, github):
    serve, config = world
    main = github.file("main")
    start = main.index("### Reconstruction\n")
    end = main.index("### Image Generation\n")
    hidden = main[:start] + "<!--\n" + main[start:end] + "-->\n" + main[end:]  # a commented-out section
    github.commit_file("main", hidden, "Hide a section for now")
    report = run(config())
    text = github.file(BRANCH)
    comments = [(m.start(), m.end()) for m in __import__("re").finditer(r"<!--.*?-->", text, __import__("re").S)]
    for paper_id in DAYS["2025-09-18"]:
        at = text.find(f"arxiv.org/abs/{paper_id}")
        assert at != -1 and not any(a <= at < b for a, b in comments), f"{paper_id} missing or inside a comment"
        assert any(paper_id in note and "is not in the list" in note for note in report.notes), report.notes
    github.commit_file("main", hidden[:hidden.rindex("-->\n")] + hidden[hidden.rindex("-->\n") + 4:],
                       "Unclosed by mistake")  # an unclosed '<!--' hides everything after it on GitHub
    report = run(config("other"))
    assert "Traceback" not in "\n".join(report.lines())


def test_run_description_stays_within_githubs_limit():
    from datetime import date

    from bot.propose.proposals import MAX_BODY, Proposal, pull_request_body

    proposals = [Proposal(f"2509.{i:05d}", "A very long title about diffusion " * 20, "Reconstruction", 0.9,
                          ["diffusion", "mri"] * 5, ["Denoising", "Segmentation"], date=date(2025, 9, 18))
                 for i in range(300)]
    rejected = [Proposal(f"2508.{i:05d}", "t" * 300, "Image Generation") for i in range(400)]
    body = pull_request_body(proposals, rejected, "model")
    found = read_marker(body)
    assert len(body) <= MAX_BODY
    assert found.ids() == {p.id for p in proposals} and len(found.rejected) == 400


def test_run_local_folder_is_the_proposal(world, tmp_path, monkeypatch):
    serve, config = world
    monkeypatch.delenv("TEST_GH_TOKEN")
    cfg = config()
    report = run(cfg)
    folder = cfg.output.path
    assert {p.id for p in report.proposed} == set(DAYS["2025-09-18"])
    shutil.rmtree(folder)  # the stand-in for the pull request is gone: nothing was decided
    report = run(cfg)
    assert {p.id for p in report.proposed} == set(DAYS["2025-09-18"])
    text = (folder / "README.md").read_text()
    (folder / "README.md").write_text(text.replace(block(text, "2509.13525"), ""))  # the maintainer deletes one
    report = run(cfg)
    assert report.published.rejected == {"2509.13525": "Reconstruction"}
    assert "2509.13525" not in counts((folder / "README.md").read_text())
    assert [r.id for r in read_marker((folder / "pull-request.md").read_text()).rejected] == ["2509.13525"]


def test_run_local_keeps_what_people_write_in_the_description(world, monkeypatch):
    """Words a maintainer writes in the local proposal's pull-request.md (above the bot's part, right
    under its table, below it) stay, run after run, as on GitHub."""
    serve, config = world
    monkeypatch.delenv("TEST_GH_TOKEN")
    cfg = config()
    run(cfg)
    description = cfg.output.path / "pull-request.md"
    notes = ("Reviewed the first two. -- the maintainer", "Under the table: both look right.", "P.S. below")
    description.write_text(f"{notes[0]}\n\n" + description.read_text().replace(
        "\n<details>", f"\n{notes[1]}\n<details>", 1) + f"\n{notes[2]}\n")
    serve("2025-09-19")
    report = run(cfg)
    assert {p.id for p in report.proposed} == set(DAYS["2025-09-19"])
    text = description.read_text()
    assert text.startswith(notes[0]) and text.rstrip().endswith(notes[2]) and text.count(notes[1]) == 1
    assert read_marker(text).ids() == set(DAYS["2025-09-18"] + DAYS["2025-09-19"])
    assert run(cfg).published.action == "unchanged" and description.read_text() == text


@pytest.mark.parametrize("edit", ["rewritten after a deletion", "rewritten with a deletion", "rewritten, README gone"])
def test_run_local_description_rewritten_by_hand_forgets_nothing(world, monkeypatch, edit):
    """pull-request.md rewritten by a maintainer (its marker gone): the folder's record of the last marker
    keeps what the bot proposed and what people deleted, before, with or after the rewrite, also when
    README.md is deleted too; their words stay."""
    serve, config = world
    monkeypatch.delenv("TEST_GH_TOKEN")
    cfg = config()
    assert {p.id for p in run(cfg).proposed} == set(DAYS["2025-09-18"])
    readme, description = cfg.output.path / "README.md", cfg.output.path / "pull-request.md"
    readme.write_text(readme.read_text().replace(block(readme.read_text(), "2509.13576"), ""))
    if edit != "rewritten with a deletion":
        assert run(cfg).published.rejected == {"2509.13576": "Reconstruction"}
    description.write_text("Reviewed, looks good. -- the maintainer\n")
    if edit == "rewritten, README gone":
        readme.unlink()
    report = run(cfg)
    assert "2509.13576" not in counts(readme.read_text()) and "2509.13576" not in {p.id for p in report.proposed}
    assert description.read_text().startswith("Reviewed, looks good.")
    assert [r.id for r in read_marker(description.read_text()).rejected] == ["2509.13576"]
    assert run(cfg).published.action == "unchanged"


def test_run_local_description_rewritten_takes_no_maintainers_entry_for_the_bots(world, monkeypatch):
    """With the marker gone from pull-request.md, entries a maintainer added or relinked in the folder's
    README stay theirs: never in the bot's table, never taken back, never a rejection when deleted."""
    serve, config = world
    monkeypatch.delenv("TEST_GH_TOKEN")
    cfg = config()
    run(cfg)
    readme, description = cfg.output.path / "README.md", cfg.output.path / "pull-request.md"
    text = readme.read_text()
    listed = parse(text).entries[3]  # an entry of the list: its arXiv link fixed by the maintainer
    edited = text.replace(f"arxiv.org/abs/{listed.arxiv_id}", "arxiv.org/abs/2509.09999")
    readme.write_text(edited)
    description.write_text("Reviewed. -- the maintainer\n")
    for _ in range(2):
        report = run(cfg)
        assert readme.read_text() == edited and not report.published.plan.removed
        assert read_marker(description.read_text()).ids() == set(DAYS["2025-09-18"])
    readme.write_text(edited.replace(block(edited, "2509.09999"), ""))
    assert run(cfg).published.rejected == {}


def test_run_proposes_papers_first_imported_from_a_file(world, github, tmp_path, bot):
    import gzip
    import json

    serve, config = world
    cfg = config()
    dump = tmp_path / "day.jsonl.gz"
    with gzip.open(dump, "wt") as handle:
        for paper, _ in day_listing("2025-09-18", "cs.CV"):
            handle.write(json.dumps(paper) + "\n")
    assert bot("--config", cfg.source, "fetch", "--from-file", dump).exit_code == 0
    report = run(cfg)
    assert {p.id for p in report.proposed} == set(DAYS["2025-09-18"])


def test_run_killed_at_random_points_recovers(world, github, tmp_path):
    """kill -9 while a run talks to GitHub (after its k-th request, k random), several times a day;
    then one clean run: one pull request, every paper once, nothing falsely rejected."""
    serve, config = world
    cfg = config()
    environment = {**os.environ, "TEST_GH_TOKEN": TOKEN, "PYTHONPATH": str(ROOT)}
    rng = random.Random(7)
    for day in ("2025-09-18", "2025-09-19"):
        serve(day)
        for _ in range(2):
            seen, stop_after = len(github.requests), rng.randint(1, 18)
            process = subprocess.Popen([sys.executable, "-m", "bot", "--config", str(cfg.source), "run"],
                                       env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 60
            while process.poll() is None and len(github.requests) - seen < stop_after and time.monotonic() < deadline:
                time.sleep(0.002)
            process.send_signal(signal.SIGKILL)
            process.wait()
    report = run(config())
    assert not report.failed, report.lines()
    assert len(github.open_pulls()) == 1
    found = counts(github.file(BRANCH))
    assert all(found[i] == 1 for i in DAYS["2025-09-18"] + DAYS["2025-09-19"])
    assert pull_marker(github).ids() == bot_ids(github) and pull_marker(github).rejected == []
    assert parse(github.file(BRANCH)).render() == github.file(BRANCH)
    assert github.file("main") == SEED_README.read_text()
    assert not rejected_in_store(cfg)


def test_run_github_failing_every_time_is_one_line(world, github, bot):
    serve, config = world
    github.fail("GET", r"/pulls$", 502, times=1000)
    result = bot("--config", config().source, "run")
    assert result.exit_code == 1 and "Traceback" not in result.err
    problems = [line for line in result.err.splitlines() if "GitHub" in line]
    assert problems and "HTTP 502" in problems[0] and TOKEN not in result.out + result.err


def test_run_github_dripping_bytes_is_cut_at_the_deadline(world, github, bot, tmp_path):
    import yaml

    serve, config = world
    cfg = config()
    raw = yaml.safe_load(cfg.source.read_text())
    raw["github"].update(deadline=0.6, timeout=1, retries=0, backoff=0.01)
    cfg.source.write_text(yaml.safe_dump(raw))
    github.drips.append({"method": "GET", "pattern": r"/repos/owner/list$", "interval": 0.15})
    result = bot("--config", cfg.source, "run")
    assert result.exit_code == 1 and "Traceback" not in result.err
    assert "DeadlineExceeded after 1 attempt " in result.err, result.err[-500:]  # github.retries: 0, the deadline named


def test_run_local_list_with_crlf_line_endings_changes_only_the_added_lines(world, tmp_path, monkeypatch):
    """A list written with CRLF (Windows) line endings: the proposal keeps them, and taking the bot's
    entries out again gives the maintainers' file byte for byte."""
    from bot.base.config import load_config

    serve, config = world
    monkeypatch.delenv("TEST_GH_TOKEN")
    crlf = tmp_path / "crlf.md"
    crlf.write_bytes(SEED_README.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    source = Path(config().source)
    source.write_text(source.read_text().replace(f"local_copy: {SEED_README}", f"local_copy: {crlf}"))
    cfg = load_config(source)
    assert cfg.list.local_copy == crlf
    report = run(cfg)
    assert {p.id for p in report.proposed} == set(DAYS["2025-09-18"])
    written = (cfg.output.path / "README.md").read_bytes()
    assert written.count(b"\n") == written.count(b"\r\n")  # every line ends as the maintainers' do
    removed = [line for line in difflib.ndiff(crlf.read_bytes().decode().splitlines(True),
                                              written.decode().splitlines(True)) if line.startswith("- ")]
    assert not removed  # no line of theirs changed


def test_run_local_entry_relinked_to_the_journal_version_is_not_a_rejection(world, monkeypatch):
    """A maintainer points a proposed entry at the journal version (the README: "change a link ...
    keeps your commits"): still proposed, never recorded as rejected."""
    serve, config = world
    monkeypatch.delenv("TEST_GH_TOKEN")
    cfg = config()
    run(cfg)
    readme = cfg.output.path / "README.md"
    readme.write_text(readme.read_text().replace("https://arxiv.org/abs/2509.13576", "https://doi.org/10.1109/TMI.1"))
    report = run(cfg)
    assert report.published.rejected == {}
    with Store(cfg.store.path) as store:
        assert "2509.13576" not in store.decisions()
    assert "https://doi.org/10.1109/TMI.1" in readme.read_text()


def test_run_local_two_alike_titles_one_relinked_one_deleted_rejects_only_the_deleted(tmp_path):
    """Part I and Part II of a paper are proposed; the maintainer points Part I at its journal version
    and deletes Part II: Part II is rejected, Part I still proposed (one entry stands for one paper)."""
    from datetime import date

    from bot.publish.targets import LocalPublisher

    base = SEED_README.read_text()
    title = "Diffusion Priors for Sparse-View CT Reconstruction: Part {}"
    papers = [Proposal("2509.00001", title.format("I, Theory"), "Reconstruction", authors=["A. One"],
                       date=date(2025, 9, 1)),
              Proposal("2509.00002", title.format("II, Practice"), "Reconstruction", authors=["B. Two"],
                       date=date(2025, 9, 1))]
    LocalPublisher(tmp_path, base).publish(papers, "m")
    readme = tmp_path / "README.md"
    text = readme.read_text().replace(block(readme.read_text(), "2509.00002"), "")
    readme.write_text(text.replace("https://arxiv.org/abs/2509.00001", "https://doi.org/10.1109/TMI.2"))
    assert LocalPublisher(tmp_path, base).feedback().rejected == {"2509.00002": "Reconstruction"}


def _parts() -> list[Proposal]:
    from datetime import date

    title = "Diffusion Priors for Sparse-View CT Reconstruction: Part {}"
    return [Proposal("2509.00001", title.format("I"), "Reconstruction", authors=["A. One"], date=date(2025, 9, 1)),
            Proposal("2509.00002", title.format("II"), "Reconstruction", authors=["B. Two"], date=date(2025, 9, 1))]


@pytest.mark.parametrize("order", [[0, 1], [1, 0]])
def test_run_github_two_alike_titles_one_relinked_one_deleted_rejects_only_the_deleted(order):
    """The same on the bot's branch (the planner, as `bot run` calls it with what the branch's commits
    say), whatever the order of the proposals: Part I, relinked and with a word of its title fixed by a
    maintainer, stays proposed and first in the table; Part II, whose lines a person removed, is rejected."""
    base, papers = SEED_README.read_text(), [_parts()[i] for i in order]
    first = plan(Branch(base, base), papers, 25)
    head = first.text.replace(block(first.text, "2509.00002"), "")
    head = head.replace("https://arxiv.org/abs/2509.00001", "https://doi.org/10.1109/TMI.2")
    head = head.replace("Diffusion Priors for Sparse-View CT Reconstruction: Part I", "Diffusion Prior for Sparse-View CT "
                        "Reconstruction: Part I")
    ids = [p.id for p in papers]
    again = plan(Branch(base, head, Marker(first.proposals), ids, {"2509.00002"}), [], 25)
    assert again.newly_rejected == {"2509.00002": "Reconstruction"}
    assert [p.id for p in again.proposals] == ["2509.00001"] and "https://doi.org/10.1109/TMI.2" in again.text


def test_run_github_an_entry_commented_out_does_not_take_the_kept_papers_entry():
    """Part I commented out by a maintainer, Part II relinked with a word of its title fixed: Part II
    stays proposed, Part I (removed by a person) is rejected."""
    base, papers = SEED_README.read_text(), _parts()
    first = plan(Branch(base, base), papers, 25)
    part_one = block(first.text, "2509.00001")
    head = first.text.replace(part_one, "<!--\n" + part_one + "-->\n")
    head = head.replace("https://arxiv.org/abs/2509.00002", "https://doi.org/10.1109/TMI.3")
    head = head.replace("Diffusion Priors for Sparse-View CT Reconstruction: Part II", "Diffusion Prior for Sparse-View "
                        "CT Reconstruction: Part II")
    again = plan(Branch(base, head, Marker(first.proposals), [p.id for p in papers], {"2509.00001"}), [], 25)
    assert [p.id for p in again.proposals] == ["2509.00002"]
    assert again.newly_rejected == {"2509.00001": "Reconstruction"}


@pytest.mark.parametrize("note", ["A plain note.", "My summary:\n\n| paper | verdict |\n|---|---|\n| #1 | keep |\n\nThanks.",
                                  "<details><summary>Mine</summary>\n\nDetails of my own.\n</details>\n\nAfter them."])
def test_publish_description_keeps_a_note_under_the_table_whole(note):
    """A maintainer's note between the bot's table and its feedback section stays whole (its own table
    or details block too), once, run after run."""
    from bot.propose.proposals import pull_request_body, with_maintainers_text

    first = pull_request_body([Proposal("2509.00001", "A Paper", "S", 0.9)], [], "m1")
    edited = first.replace("\n<details><summary>How to give feedback", f"\n{note}\n\n<details><summary>How to give feedback")
    new = pull_request_body([Proposal("2509.00001", "A Paper", "S", 0.9), Proposal("2509.00002", "B Paper", "S", 0.8)],
                            [], "m2")
    kept = with_maintainers_text(edited, new)
    assert kept.count(note) == 1 and kept.index("| 2 |") < kept.index(note) < kept.index("How to give feedback")
    assert with_maintainers_text(kept, new) == kept


def test_run_local_deletion_saved_while_the_run_plans_is_kept_and_read(world, monkeypatch):
    """A maintainer saves a deletion in the local proposal while a run is planning its change: the run
    plans again on the folder as it is (no conditional writes on files: it checks before writing), so
    the deletion stays and is read as a rejection."""
    import bot.publish.targets as targets

    serve, config = world
    monkeypatch.delenv("TEST_GH_TOKEN")
    cfg = config()
    run(cfg)
    readme = cfg.output.path / "README.md"
    serve("2025-09-19")
    real = targets.plan

    def maintainer_saves_meanwhile(*args, **kwargs):
        planned = real(*args, **kwargs)
        if "2509.13525" in counts(readme.read_text()):
            readme.write_text(readme.read_text().replace(block(readme.read_text(), "2509.13525"), ""))
        return planned

    monkeypatch.setattr(targets, "plan", maintainer_saves_meanwhile)
    report = run(cfg)
    assert "2509.13525" not in counts(readme.read_text())
    assert report.published.rejected == {"2509.13525": "Reconstruction"}
    assert {p.id for p in report.proposed} == set(DAYS["2025-09-19"])


def test_run_local_folder_refusing_a_write_is_one_problem_line(world, monkeypatch, bot):
    """A full disk while the local proposal is written: one `problem:` line naming the folder, exit 1,
    no traceback."""
    import errno

    import bot.publish.targets as targets

    serve, config = world
    monkeypatch.delenv("TEST_GH_TOKEN")
    cfg = config()

    def full(path, data):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(targets, "atomic_write", full)
    result = bot("--config", cfg.source, "run")
    assert result.exit_code == 1 and "Traceback" not in result.err + result.out
    assert f"problem: cannot write the local proposal in {cfg.output.path}: No space left on device" in \
        result.out + result.err, result.out + result.err
