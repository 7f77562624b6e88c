"""Maintainer scenarios around the rolling pull request (issue 9), each against the loopback
GitHub with real PyGithub.  Each test protects a promise of the README section "Reviewing a bot
pull request, and feedback" (or of issue 9) in a situation an adversarial review raised: a
maintainer's edit, a run racing a maintainer, a GitHub fault or refusal."""

from __future__ import annotations

import re
import threading

import pytest
from conftest import DAYS
from test_publish import BRANCH, block, counts, pull_marker, rejected_in_store

from bot.jobs.run import run
from bot.lists.awesome import parse
from bot.papers.store import Store


def in_background(target):
    thread = threading.Thread(target=target)
    thread.start()
    return thread


# --- who removed an entry --------------------------------------------------------------------------


def test_run_deletion_by_the_tokens_own_account_is_a_rejection(world, github):
    """A deletion by the token's own account is a rejection.  The README recommends a fine-grained
    personal access token: the bot then writes as the maintainer's own account, and the maintainer's
    deletion in the web editor is by that same account; the paper is recorded as rejected and not
    proposed again."""
    serve, config = world
    github.login = "ann"  # the token is Ann's fine-grained PAT; Ann reviews in the web editor
    run(config())
    text = github.file(BRANCH)
    github.commit_file(BRANCH, text.replace(block(text, "2509.13525"), ""), "Not this one", author="ann")
    report = run(config())
    assert report.published.rejected == {"2509.13525": "Reconstruction"}, report.lines()
    run(config())
    assert "2509.13525" not in counts(github.file(BRANCH))  # not proposed again


def test_run_fixing_a_title_and_linking_the_journal_is_not_a_rejection(world, github):
    """'Edit anything else: fix a title, change a link to the journal version' -- both in one commit are
    an edit, not a rejection: neither this store nor, after the merge, a fresh store reading the
    decisions from GitHub records the paper as rejected."""
    serve, config = world
    run(config())
    text = github.file(BRANCH)
    entry = block(text, "2509.13576")
    fixed = entry.replace("https://arxiv.org/abs/2509.13576", "https://doi.org/10.1109/TMI.2025.1") \
                 .replace("Priors-Driven", "Prior-Driven")
    assert fixed != entry and "Prior-Driven" in fixed
    github.commit_file(BRANCH, text.replace(entry, fixed), "Journal version, title as published")
    report = run(config())
    assert report.published.rejected == {}, report.published.rejected
    assert "2509.13576" not in rejected_in_store(config())
    github.merge(1)
    run(config("other"))  # the paper is in the list now: a fresh store must not call it rejected
    assert "2509.13576" not in rejected_in_store(config("other"))


# --- a run that races a maintainer closing or merging the pull request ----------------------------


def test_run_closing_the_pull_request_during_a_run_does_not_revive_it(world, github):
    """'Reject all: close the pull request'.  A run that was adding to the pull request when a maintainer
    closed it does not bring the closed proposals back in a new pull request."""
    serve, config = world
    run(config())
    serve("2025-09-19")
    gate = github.hold("PUT", r"/contents/")  # the run is about to commit the 09-19 papers
    runner = in_background(lambda: run(config()))
    assert gate.arrived.wait(30)
    github.close(1)  # the maintainer rejects them all
    gate.set()
    runner.join(60)
    run(config())
    reopened = github.open_pulls()
    revived = set(DAYS["2025-09-18"]) & set(counts(github.file(BRANCH))) if reopened else set()
    assert not revived, f"a new pull request proposes again what closing #1 rejected: {revived}"


def test_run_merging_the_pull_request_during_a_run_rejects_nothing(world, github):
    """A merge while a run adds to the pull request rejects nothing: nobody removed the papers that run
    added, so none of them is recorded as rejected."""
    serve, config = world
    run(config())
    serve("2025-09-19")
    gate = github.hold("PUT", r"/contents/")
    runner = in_background(lambda: run(config()))
    assert gate.arrived.wait(30)
    github.merge(1)
    gate.set()
    runner.join(60)
    run(config())
    falsely = rejected_in_store(config()) & set(DAYS["2025-09-19"])
    assert not falsely, f"recorded as rejected although nobody removed them: {falsely}"


# --- duplicates ------------------------------------------------------------------------------------

HAND_COPY = ("**ColonCrafter: A Depth Estimation Model for Colonoscopy Videos Using Diffusion Priors** \\\n"
             "*Romain Hardy, et al.* \\\n[16th Sep., 2025] [arXiv, 2025] \\\n"
             "[[Paper](https://arxiv.org/abs/2509.13525v2)]\n\n")


def test_run_a_maintainers_copy_on_the_branch_leaves_each_id_once(world, github):
    """'Every arXiv id appears at most once.'  A maintainer adds a paper by hand on the bot's branch
    (in the section they think right) without noticing the bot proposed it elsewhere: the next run
    succeeds and leaves the id once in the README."""
    serve, config = world
    run(config())
    text = github.file(BRANCH)
    github.commit_file(BRANCH, text.replace("### Denoising\n\n", "### Denoising\n\n" + HAND_COPY, 1), "Add by hand")
    report = run(config())
    assert not report.failed, report.lines()
    assert counts(github.file(BRANCH))["2509.13525"] == 1, "the id is twice in the README"


def test_run_a_conflict_caused_by_its_own_copy_is_resolved_by_removing_it(world, github):
    """A maintainer lists a proposed paper on main, at the place the bot chose, with a fix of their
    own: the pull request conflicts only because of the bot's copy, which the bot promises to remove.
    The bot removes its copy, which resolves the conflict: the maintainer's entry stays, the pull
    request is updated and mergeable again, and nobody has to resolve it by hand."""
    serve, config = world
    run(config())
    text = github.file(BRANCH)
    mine = block(text, "2509.13576").replace("Sparse-View CT**", "Sparse-View CT (IEEE TMI)**")
    main = github.file("main")
    anchor = text.index(block(text, "2509.13576"))
    following = text[anchor + len(block(text, "2509.13576")):][:200]  # the entry the bot placed it above
    at = main.index(following)
    github.commit_file("main", main[:at] + mine + main[at:], "Add the TMI version")
    assert not github.mergeable(github.pulls[0])
    report = run(config())
    assert counts(github.file(BRANCH))["2509.13576"] == 1, "the bot's copy is gone, the maintainer's stays"
    assert report.published.action == "updated", report.lines()
    assert github.mergeable(github.pulls[0]), "still conflicting: the bot kept its own copy"


# --- memory on GitHub ------------------------------------------------------------------------------


def test_run_a_new_token_account_remembers_earlier_decisions(world, github):
    """'A runner with an empty paper store makes the same decisions.'  The secret is replaced by
    another maintainer's token (a PAT expired, the maintainer left, or the list moved to an App):
    the pull requests the bot opened before are still the bot's, with the same branch and marker."""
    serve, config = world
    run(config())
    text = github.file(BRANCH)
    github.commit_file(BRANCH, text.replace(block(text, "2509.13525"), ""), "Not this one")
    run(config())
    assert [r.id for r in pull_marker(github).rejected] == ["2509.13525"]
    github.merge(1)
    github.login = "list-bot-2"  # the new secret's account
    report = run(config("other"))  # and a fresh store (the actions cache was lost too)
    assert "2509.13525" not in {p.id for p in report.proposed}, "a rejected paper is proposed again"
    assert "2509.13525" in rejected_in_store(config("other"))


# --- conflicts and comments ------------------------------------------------------------------------


def conflicted(github, config):
    run(config())
    old = "Latent Diffusion Models via Hard Data Consistency**"
    github.commit_file(BRANCH, github.file(BRANCH).replace(old, old[:-2] + " (ICLR 2024)**"), "Fix venue")
    github.commit_file("main", github.file("main").replace(old, old[:-2] + " [ICLR]**"), "Fix venue too")
    assert not github.mergeable(github.pulls[0])


def bot_comments(github) -> list[dict]:
    return [c for c in github.comments if c["user"]["login"] == github.login]


def test_run_conflict_comment_cannot_be_silenced_by_a_stranger(world, github):
    """Anyone can comment on a public pull request: a stranger's comment carrying the bot's hidden
    conflict tag does not stop the bot from telling the maintainers about the conflict (only the
    bot's own comments count as having said so)."""
    serve, config = world
    conflicted(github, config)
    tag = f"<!-- awesome-list-bot conflict {github.branches[BRANCH]} -->"
    github.comments.append({"id": 99, "body": f"Nice list! {tag}", "user": {"login": "mallory", "id": 7, "type": "User"},
                            "number": 1, "url": f"{github.url}/repos/owner/list/issues/comments/99",
                            "html_url": "https://github.test/pull/1#c99"})
    report = run(config())
    assert report.published.action == "conflict"
    assert len(bot_comments(github)) == 1, "the bot never said that the pull request conflicts"


def test_run_conflict_is_commented_once_not_on_every_push(world, github):
    """'If that merge conflicts, the bot ... says so once in a comment.'  A maintainer keeps
    reviewing on the branch (other entries) before resolving the conflict."""
    serve, config = world
    conflicted(github, config)
    run(config())
    for old, new in [("a collection", "a curated collection"), ("curated", "carefully curated"),
                     ("awesome articles", "articles")]:
        github.commit_file(BRANCH, github.file(BRANCH).replace(old, new, 1), "Review the intro")
        run(config())
    assert len(bot_comments(github)) == 1, [c["body"][:60] for c in bot_comments(github)]


# --- faults and stuck runs -------------------------------------------------------------------------


def test_run_label_reads_failing_are_one_line(world, github, bot):
    """GitHub GETs that keep failing with 5xx end in one line naming the cause, not a traceback:
    also the label look-up when the pull request is opened."""
    serve, config = world
    github.fail("GET", r"/labels/", 502, times=1000)
    try:
        result = bot("--config", config().source, "run")
    except Exception as exc:  # noqa: BLE001 - the point: nothing may escape the command
        raise AssertionError(f"bot run raised {type(exc).__name__}: {str(exc)[:200]}") from None
    assert result.exit_code == 1 and "Traceback" not in result.err, result.err[-500:]


def test_run_labels_a_pull_request_whose_first_labelling_failed(world, github):
    """A run that stopped after opening the pull request but before labelling it: the next
    run finishes the job (the pull request carries the configured labels)."""
    serve, config = world
    github.fail("POST", r"/issues/1/labels", 502, times=1000)
    first = run(config())
    assert first.failed and len(github.open_pulls()) == 1
    github.failures.clear()
    report = run(config())
    assert not report.failed, report.lines()
    assert github.pulls[0]["labels"] == list(config().github.labels), "the pull request is never labelled"


def test_run_an_odd_line_in_the_list_does_not_crash_the_run(world, github, bot):
    """A maintainer's placeholder entry whose bold title is only punctuation ('**...**') is read as the
    list's entry, and the run ends normally (exit 0, no traceback), never in an uncaught exception on
    every run."""
    serve, config = world
    odd = "- **...** — To be announced. [arXiv](https://arxiv.org/abs/2509.00002)\n\n"
    github.commit_file("main", github.file("main").replace("### Denoising\n\n", "### Denoising\n\n" + odd, 1))
    try:
        result = bot("--config", config().source, "run")
    except Exception as exc:  # noqa: BLE001
        raise AssertionError(f"bot run raised {type(exc).__name__} {str(exc)[:200]}") from None
    assert result.exit_code == 0 and "Traceback" not in result.err, result.err[-500:]
    assert "2509.00002" in parse(github.file("main")).arxiv_ids()  # the placeholder is read as the list's entry


def test_run_a_title_of_dashes_skips_only_that_paper():
    """'One bad paper never blocks the rest': on a numbered list a paper titled '---' (written as
    '1. **---** — ...') is skipped on its own, listed in `failed`, and the other paper is added.
    Once, the parser raised StopIteration on that line and the whole plan died."""
    from datetime import date
    from pathlib import Path

    from bot.propose.proposals import Proposal
    from bot.propose.rolling import Branch, plan

    text = (Path(__file__).parent / "fixtures" / "lists" / "numbered.md").read_text(encoding="utf-8")
    section = parse(text).entries[0].label
    papers = [Proposal("2509.11111", "---", section, 0.9, authors=["Ann Author"], date=date(2025, 9, 18)),
              Proposal("2509.22222", "A Diffusion Model for Whole-Slide Images", section, 0.9,
                       authors=["Bo Author"], date=date(2025, 9, 18))]
    try:
        result = plan(Branch(text, text), papers, limit=25)
    except Exception as exc:  # noqa: BLE001
        raise AssertionError(f"plan raised {type(exc).__name__}") from None
    assert result.added == ["2509.22222"] and "2509.11111" in result.failed


def test_run_a_one_word_title_is_proposed_in_every_list_format():
    """Real arXiv titles of one word ('TextArena', 'MotionSwap', 'Shap-MeD' are in the shared data) are
    proposed in every list format under tests/fixtures/lists: the entry the bot writes reads back.
    Once, in bullet and table lists it did not, and such papers were never proposed."""
    from datetime import date
    from pathlib import Path

    from bot.propose.proposals import Proposal
    from bot.propose.rolling import Branch, plan

    lost = []
    for path in sorted((Path(__file__).parent / "fixtures" / "lists").glob("*.md")):
        if path.name == "SOURCES.md":
            continue
        text = path.read_text(encoding="utf-8")
        section = next(e.label for e in parse(text).entries if e.label)
        result = plan(Branch(text, text), [Proposal("2509.11111", "TextArena", section, 0.9, authors=["Ann Author"],
                                                    date=date(2025, 9, 18))], limit=25)
        if result.added != ["2509.11111"]:
            lost.append(path.name)
    assert not lost, f"a one-word title cannot be proposed in: {lost}"


# --- dry runs ----------------------------------------------------------------------------------------


def test_run_dry_run_leaves_the_local_proposal_alone(world, monkeypatch):
    """Without a token the folder is the pull request.  `bot run --dry-run` 'publishes nothing': it
    leaves the folder's README.md and pull-request.md as they were (its preview goes elsewhere), so
    the next real run proposes the new papers."""
    serve, config = world
    monkeypatch.delenv("TEST_GH_TOKEN")
    cfg = config()
    run(cfg)
    folder = cfg.output.path
    before = {name: (folder / name).read_text() for name in ("README.md", "pull-request.md")}
    serve("2025-09-19")
    run(cfg, dry_run=True)
    after = {name: (folder / name).read_text() for name in ("README.md", "pull-request.md")}
    assert counts(after["README.md"]) == counts(before["README.md"]), "the dry run added to the local proposal"
    report = run(cfg)
    assert {p.id for p in report.proposed} == set(DAYS["2025-09-19"]), report.lines()


def test_run_a_squash_that_keeps_the_bots_message_still_counts_a_deletion(world, github):
    """A maintainer squashes the branch locally (`git rebase -i`, whose default message joins the
    squashed messages, trailers included), dropping one entry, and force-pushes: the squashed commit
    is a person's even though its message carries the bot's trailer, so the dropped paper is a
    rejection."""
    serve, config = world
    run(config())
    text = github.file(BRANCH)
    bot_message = next(github.commits[c]["message"] for c in github.history(github.branches[BRANCH])
                       if "Generated-by: awesome-list-bot" in github.commits[c]["message"])
    with github.lock:
        main = github.branches["main"]
        files = {**github.commits[main]["files"], github.path: text.replace(block(text, "2509.13525"), "")}
        github.branches[BRANCH] = github._commit(main, files, f"Review\n\n# This is a combination of 2 commits.\n"
                                                              f"{bot_message}", "maintainer")
    report = run(config())
    assert report.published.rejected == {"2509.13525": "Reconstruction"}, report.lines()


def test_run_remembers_decisions_after_the_default_branch_changes(world, github):
    """The list's default branch is renamed (master -> main, main -> trunk: GitHub retargets open
    pull requests, closed ones keep the old base) and list.branch follows.  The bot's closed pull
    requests still hold its decisions: the same branch, the same repository, its marker."""
    serve, config = world
    run(config())
    text = github.file(BRANCH)
    github.commit_file(BRANCH, text.replace(block(text, "2509.13525"), ""), "Not this one")
    run(config())
    github.merge(1)
    with github.lock:
        github.branches["trunk"] = github.branches["main"]  # the new default branch
    cfg = config("other")  # a fresh store too
    cfg.list.branch = "trunk"
    report = run(cfg)
    assert "2509.13525" not in {p.id for p in report.proposed}, "a rejected paper is proposed again"


def test_run_removes_its_copy_when_a_maintainer_pastes_the_same_line_just_below():
    """A maintainer copies the bot's line verbatim into main, one entry lower in the same section
    (a loose bullet list).  The bot takes back its own copy, so merging the pull request lists the
    paper once.  (Which copy is the bot's is decided by aligning the head with the version where the
    branch and the base last met, as the publisher passes it.)"""
    import subprocess
    import tempfile
    from datetime import date
    from pathlib import Path

    from bot.propose.proposals import Marker, Proposal
    from bot.propose.rolling import Branch, plan

    text = (Path(__file__).parent / "fixtures" / "lists" / "bullets-lowlevel.md").read_text(encoding="utf-8")
    papers = [Proposal(i, f"A Diffusion Model Number {i}", "Image Restoration", 0.9, authors=["Ann Author", "Bo Author"],
                       date=date(2025, 9, day)) for i, day in (("2509.11111", 18), ("2509.22222", 17))]
    first = plan(Branch(text, text), papers, limit=25)
    line = block(first.text, "2509.11111")  # the bot's line and the blank line after it
    second = [e for e in parse(text).entries if e.label == "Image Restoration"][1]
    lines = parse(text).lines
    main = "".join(lines[:second.start]) + line + "".join(lines[second.start:])
    marker = Marker([Proposal(p.id, p.title, p.section) for p in first.proposals])
    result = plan(Branch(main, first.text, marker, first.added, ancestor_text=text), [], limit=25)
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for name, body in (("branch", result.text), ("ancestor", text), ("main", main)):
            Path(folder, name).write_text(body, encoding="utf-8")
            paths.append(str(Path(folder, name)))
        merged = subprocess.run(["git", "merge-file", "-p", "-q", *paths], capture_output=True, text=True)
    assert merged.returncode == 0
    assert counts(merged.stdout)["2509.11111"] == 1, f"merging lists it twice (removed: {result.removed})"


def test_run_taking_back_its_copy_and_adding_a_paper_in_one_run_is_not_refused():
    """A maintainer lists the bot's first proposal on main, lower in the same section of a loose bullet
    list, and the same run has a new paper for that section: one plan takes back the bot's copy and
    adds the new paper (one line of the bot's removed, one added), and the safety check accepts it.
    Once, the check read difflib's alignment as an altered line and refused the whole publish ('this
    is a bug') on every run while the new paper was a candidate."""
    from datetime import date
    from pathlib import Path

    from bot.propose.proposals import Marker, Proposal
    from bot.propose.rolling import Branch, plan

    text = (Path(__file__).parent / "fixtures" / "lists" / "bullets-lowlevel.md").read_text(encoding="utf-8")

    def paper(paper_id, day):
        return Proposal(paper_id, f"A Diffusion Model Number {paper_id}", "Image Restoration", 0.9,
                        authors=["Ann Author", "Bo Author"], date=day)

    first = plan(Branch(text, text), [paper("2509.11111", date(2025, 9, 18)), paper("2509.22222", date(2025, 9, 17))], 25)
    top = next(e for e in parse(first.text).entries if e.arxiv_id in ("2509.11111", "2509.22222"))
    second = [e for e in parse(text).entries if e.label == "Image Restoration"][1]
    lines = parse(text).lines
    main = "".join(lines[:second.start]) + first.text.splitlines(True)[top.start] + "\n" + "".join(lines[second.start:])
    marker = Marker([Proposal(p.id, p.title, p.section) for p in first.proposals])
    try:
        result = plan(Branch(main, first.text, marker, first.added), [paper("2509.33333", date(2025, 8, 20))], 25)
    except Exception as exc:  # noqa: BLE001
        raise AssertionError(f"plan refused: {exc}") from None
    assert result.removed == [top.arxiv_id] and result.added == ["2509.33333"]


def test_run_never_force_pushes_over_a_maintainers_commit(world, github):
    """'never force-pushes': starting afresh after a closed pull request, the bot moves the branch only
    by a fast-forward (force=False), so a maintainer's commit pushed in between stays in the
    branch's history.  Once, the bot moved the branch with force=True after checking its head, and
    such a commit was thrown away."""
    serve, config = world
    run(config())
    github.close(1)
    serve("2025-09-19")
    gate = github.hold("PATCH", r"/git/refs/heads/")
    runner = in_background(lambda: run(config()))
    assert gate.arrived.wait(30)
    mine = github.commit_file(BRANCH, github.file(BRANCH).replace("This is a collection", "This is a curated collection"),
                              "Keep working on the closed proposal")
    gate.set()
    runner.join(60)
    assert mine in github.history(github.branches[BRANCH]), "the maintainer's commit is gone from the branch"


def test_run_finds_its_pull_request_after_it_is_retargeted(world, github):
    """A maintainer retargets the bot's pull request to another base branch: the bot still finds it (it
    looks for its branch's open pull requests into any base), the run ends without problems and no
    second pull request is opened.  Once, it looked into list.branch only, got GitHub's 'already
    exists' six times and reported 'the branch kept changing ... run again later' on every run."""
    serve, config = world
    run(config())
    with github.lock:
        github.branches["develop"] = github.branches["main"]
        github.pulls[0]["base"] = "develop"
    serve("2025-09-19")
    report = run(config())
    assert not any("kept changing" in p for p in report.problems), report.problems
    assert not report.failed and not report.problems, report.problems
    assert len(github.open_pulls()) == 1 and github.pulls[0]["base"] == "develop"  # no second pull request


def test_run_dry_run_against_github_trains_like_the_real_run(world, github, feeds, tmp_path):
    """'--dry-run: do everything but publish.'  With no saved model, a dry run against GitHub trains
    like the real run: it asks the arXiv API for the abstracts of the list's entries as often as the
    real run does.  Once, it did not ask (the dry-run wrapper was not taken for a GitHub publisher)
    and trained another model."""
    serve, config = world

    def asked(cfg, **options):
        cfg.arxiv.api_url = feeds.url + "/api/query"
        cfg.classifier.model_path = tmp_path / f"model-{len(feeds.requests)}"
        before = len([r for r in feeds.requests if r[1] == "/api/query"])
        run(cfg, **options)
        return len([r for r in feeds.requests if r[1] == "/api/query"]) - before

    real = asked(config())
    dry = asked(config("other"), dry_run=True)
    assert real > 0 and dry == real, f"real run asked the API {real} time(s), the dry run {dry}"


def test_run_local_rejections_survive_a_deleted_readme_copy(world, monkeypatch):
    """Local publisher: pull-request.md holds the decisions.  A maintainer deletes only the folder's
    README.md (to start the proposal over): the next run starts it again from the list and keeps
    the rejections, so a rejected paper is not proposed again."""
    serve, config = world
    monkeypatch.delenv("TEST_GH_TOKEN")
    cfg = config()
    run(cfg)
    folder = cfg.output.path
    text = (folder / "README.md").read_text()
    (folder / "README.md").write_text(text.replace(block(text, "2509.13525"), ""))
    run(cfg)
    (folder / "README.md").unlink()
    run(cfg)
    report = run(cfg)
    assert "2509.13525" not in counts((folder / "README.md").read_text()), report.lines()


@pytest.mark.parametrize("method,pattern,status", [("POST", r"/labels$", 403), ("POST", r"/issues/1/labels", 422)])
def test_run_labels_refused_publish_with_one_warning(world, github, method, pattern, status):
    """Labels are optional: a token that may not create labels (403), or a label GitHub will not add
    (422), leaves the pull request published and described, with one warning line, exit 0, on every run."""
    serve, config = world
    github.fail(method, pattern, status, times=1000)
    report = run(config())
    assert not report.failed, report.lines()
    warnings = [line for line in report.lines() if "without labels" in line]
    assert len(warnings) == 1 and f"HTTP {status}" in warnings[0]
    pull = github.open_pulls()[0]
    assert pull_marker(github).ids() == set(DAYS["2025-09-18"]) and "| 1 | [" in pull["body"]
    serve("2025-09-19")
    again = run(config())
    assert not again.failed and not [line for line in again.lines() if "without labels" in line]
    assert pull_marker(github).ids() == set(DAYS["2025-09-18"] + DAYS["2025-09-19"])  # the table follows the diff


def test_run_conflict_comment_landed_before_a_502_is_not_written_twice(world, github):
    """GitHub stores the comment, then answers 502: the retry first looks, and finds it."""
    serve, config = world
    conflicted(github, config)
    github.fail("POST", r"/issues/1/comments", 502, after=True)
    run(config())
    assert len(bot_comments(github)) == 1, [c["body"][:60] for c in bot_comments(github)]


@pytest.mark.parametrize("method,pattern,status,message,says", [
    ("PUT", r"/contents/", 409, "Repository rule violations found\n\nChanges must be made through a pull request.",
     "Settings > Rules"),
    ("POST", r"/git/refs$", 422, "Reference update failed", "Settings > Rules"),
    ("POST", r"/pulls$", 403, "GitHub Actions is not permitted to create or approve pull requests.",
     "Allow GitHub Actions to create and approve pull requests"),
])
def test_run_repository_rules_are_named_not_retried(world, github, bot, method, pattern, status, message, says):
    """A repository rule or setting is not a race: one line that names it and the setting to change,
    no retries, exit 1 (a GitHub refusal), never 'the branch kept changing'."""
    serve, config = world
    github.fail(method, pattern, status, times=1000, message=message)
    result = bot("--config", config().source, "run")
    assert result.exit_code == 1 and "kept changing" not in result.err + result.out
    assert says in result.err + result.out, result.err[-600:]
    assert "proposed: 0 (2 chosen, not published: see the problem below" in result.out, result.out
    tries = [r for r in github.requests if r[0] == method and re.search(pattern, r[1])]
    assert len(tries) == 1, tries


def test_run_serves_a_list_over_one_megabyte(world, github):
    """Over 1 MB GitHub's contents API sends no content ('encoding': 'none'): the list is read through
    its git blob, and the run proposes as for any list."""
    serve, config = world
    big = github.file("main") + "\n<!-- archive\n" + "".join(f"note {n}: " + "an old note about a paper. " * 20 + "\n"
                                                        for n in range(2_000)) + "-->\n"
    assert len(big.encode()) > 1_000_000
    github.commit_file("main", big, "A long archive")
    report = run(config())
    assert not report.failed, report.lines()
    assert {p.id for p in report.proposed} == set(DAYS["2025-09-18"])
    head = github.file(BRANCH)
    assert head.startswith(github.file("main")[:1000]) and head.endswith("-->\n") and len(head) > len(big)
    assert any("/git/blobs/" in path for _, path, *_ in github.requests)  # read through the blob


def test_run_journal_version_rewrite_is_the_same_paper_not_a_rejection(world, github):
    """A maintainer replaces a proposed entry's title and arXiv link with the published version's title
    and DOI, in place: the paper stays proposed (then accepted on merge), never a rejection."""
    serve, config = world
    run(config())
    text = github.file(BRANCH)
    old = block(text, "2509.13525")
    entry = parse(text).find("2509.13525", None)
    new = old.replace(entry.title, "Published Journal Version Of The Same Study With Another Title")
    new = re.sub(r"https://arxiv\.org/abs/2509\.13525\S*?\)", "https://doi.org/10.5555/journal.2025.1)", new)
    assert new != old and "2509.13525" not in new
    github.commit_file(BRANCH, text.replace(old, new), "Journal version")
    report = run(config())
    assert not report.failed, report.lines()
    assert "2509.13525" not in {r.id for r in pull_marker(github).rejected}
    assert "2509.13525" not in rejected_in_store(config())
    assert "Published Journal Version" in github.file(BRANCH)  # the maintainer's edit stays
    github.merge(1)
    run(config("other"))  # a fresh store reads the decisions back from GitHub
    assert "2509.13525" not in rejected_in_store(config("other")), "the rewritten paper became a negative example"


def test_run_keeps_the_maintainers_text_in_the_description(world, github):
    """A note a maintainer writes above or below the bot's table, or right under it (inside the bot's part
    of the description), survives the runs that add papers."""
    serve, config = world
    run(config())
    pull = github.pulls[0]
    under = "Under the table: #2 needs a second look.\n\nAnd a second paragraph."
    pull["body"] = ("Reviewer note: check the MRI ones first.\n\n" + pull["body"] + "\n\nSigned: the maintainers\n"
                    ).replace("\n<details>", f"\n{under}\n<details>", 1)
    serve("2025-09-19")
    report = run(config())
    assert report.published.action == "updated"
    body = github.pulls[0]["body"]
    assert body.startswith("Reviewer note: check the MRI ones first.") and body.rstrip().endswith("Signed: the maintainers")
    assert body.count(under) == 1 and body.index("| 4 |") < body.index(under) < body.index("<details>")
    assert run(config()).published.action == "unchanged" and github.pulls[0]["body"] == body
    assert pull_marker(github).ids() == set(DAYS["2025-09-18"] + DAYS["2025-09-19"])
    assert body.count("| # | paper |") == 1  # one table, the bot's, updated


BRONCHO = ("**BronchoCrafter: A Depth Estimation Model for Bronchoscopy Videos Using Diffusion Priors** \\\n"
           "*Zoe Other, Yan Else* \\\n[3rd Mar., 2025] [IEEE TMI, 2025] \\\n"
           "[[Paper](https://doi.org/10.1109/TMI.2025.77)]\n\n")  # another paper, a title 0.91 like ColonCrafter's


@pytest.mark.parametrize("edit", ["deleted beside another paper's new entry", "deleted, then restored"])
def test_run_merged_without_its_marker_tells_a_deletion_from_an_edit(world, github, edit):
    """Without the marker a fresh store reads the commits: ColonCrafter deleted while another paper of
    a near title is added under Denoising stays rejected; deleted and restored in a second commit
    (a slip undone) is accepted."""
    serve, config = world
    run(config())
    text = github.file(BRANCH)
    gone = text.replace(block(text, "2509.13525"), "")
    if edit == "deleted, then restored":
        github.commit_file(BRANCH, gone, "Oops")
        github.commit_file(BRANCH, text, "Undo oops")
    else:
        added = gone.replace("### Denoising\n", "### Denoising\n\n" + BRONCHO.rstrip("\n") + "\n", 1)
        github.commit_file(BRANCH, added, "Not ColonCrafter; BronchoCrafter (TMI) instead")
    github.pulls[0]["body"] = "Thanks!"
    github.merge(1)
    serve("2025-09-19")
    report = run(config("other"))
    assert not report.failed, report.lines()
    with Store(config("other").store.path) as store:
        accepted, rejected = store.decisions("accepted"), store.decisions("rejected")
    if edit == "deleted, then restored":
        assert "2509.13525" in accepted and "2509.13525" not in rejected
    else:
        assert "2509.13525" in rejected and "2509.13525" not in accepted, accepted.get("2509.13525")


def test_run_deletion_beside_another_papers_near_title_is_a_rejection(world, github):
    """The marker kept: ColonCrafter deleted while another paper of a near title (other authors) is
    added under Denoising is a rejection at once, is not proposed again, and stays one after the merge,
    for this store and for a fresh one."""
    serve, config = world
    run(config())
    text = github.file(BRANCH)
    github.commit_file(BRANCH, text.replace(block(text, "2509.13525"), "").replace(
        "### Denoising\n", "### Denoising\n\n" + BRONCHO.rstrip("\n") + "\n", 1), "BronchoCrafter (TMI) instead")
    report = run(config())
    assert "2509.13525" in report.published.rejected, report.lines()
    github.merge(1)
    serve("2025-09-19")
    for store in ("store", "other"):
        report = run(config(store))
        assert not report.failed and "2509.13525" not in {p.id for p in report.proposed}, report.lines()
        assert "2509.13525" in rejected_in_store(config(store))


def test_run_description_whose_marker_a_maintainer_deleted_keeps_one_table(world, github):
    """A maintainer deletes only the hidden marker from the description (and writes a note below it):
    the next run writes its table in place of its old one, not a second table above or below it, and
    the note stays."""
    serve, config = world
    run(config())
    pull = github.pulls[0]
    pull["body"] = re.sub(r"<!-- awesome-list-bot \{.*?\} -->", "", pull["body"], flags=re.S) + "\n\nSigned: us\n"
    assert pull_marker(github) is None
    serve("2025-09-19")
    report = run(config())
    assert report.published.action == "updated", report.lines()
    body = github.pulls[0]["body"]
    assert body.count("| # | paper |") == 1, body
    assert body.rstrip().endswith("Signed: us")
    assert pull_marker(github).ids() == set(DAYS["2025-09-18"] + DAYS["2025-09-19"])


def test_run_decisions_survive_a_description_tidied_of_its_marker(world, github):
    """A maintainer deletes a paper, tidies the description (the hidden marker goes with it) and closes
    the pull request: the bot's commits and the maintainer's deletion still say what happened, so no
    paper of it is proposed again, and a fresh store knows them as rejected."""
    serve, config = world
    run(config())
    text = github.file(BRANCH)
    github.commit_file(BRANCH, text.replace(block(text, "2509.13525"), ""), "Not this one")
    github.pulls[0]["body"] = "Closing: not for this list."
    github.pulls[0]["state"] = "closed"
    serve("2025-09-19")
    report = run(config("other"))  # a fresh store: only GitHub can tell
    assert not report.failed, report.lines()
    again = {p.id for p in report.proposed} & set(DAYS["2025-09-18"])
    assert not again, f"proposed again: {again}"
    assert set(DAYS["2025-09-18"]) <= rejected_in_store(config("other"))


def test_run_merged_without_its_marker_keeps_relinked_and_moved_papers_accepted(world, github):
    """A maintainer links one paper's journal version in place, and moves another to a different
    section linking its journal version in the same commit; tidies the description (the hidden marker
    goes with it) and merges.  A fresh store, reading only GitHub, learns both as accepted, in the
    section they are in now, and proposes neither again."""
    serve, config = world
    run(config())
    text = github.file(BRANCH)
    kept, moved = block(text, "2509.13576"), block(text, "2509.13525")
    text = text.replace(kept, kept.replace("https://arxiv.org/abs/2509.13576", "https://doi.org/10.1109/TMI.2025.1"))
    text = text.replace(moved, "")
    relinked = moved.replace("https://arxiv.org/abs/2509.13525", "https://doi.org/10.1109/TMI.2025.2")
    assert relinked != moved and "### Denoising\n" in text
    text = text.replace("### Denoising\n", "### Denoising\n\n" + relinked.rstrip("\n") + "\n", 1)
    github.commit_file(BRANCH, text, "Journal versions; this one is denoising")
    github.pulls[0]["body"] = "Thanks!"
    github.merge(1)
    serve("2025-09-19")
    report = run(config("other"))  # a fresh store: only GitHub can tell
    assert not report.failed, report.lines()
    assert not set(DAYS["2025-09-18"]) & rejected_in_store(config("other"))
    assert not {p.id for p in report.proposed} & set(DAYS["2025-09-18"])
    with Store(config("other").store.path) as store:
        accepted = store.decisions("accepted")
    assert set(DAYS["2025-09-18"]) <= set(accepted)
    assert accepted["2509.13525"].section == "Denoising", accepted


def _while_classifying(monkeypatch, act) -> None:
    """``act()`` runs when the next run has read GitHub's decisions and is classifying (minutes, on a
    real run that retrains): a maintainer's moment to act on the pull request."""
    from bot.jobs import run as run_module

    classify = run_module.classify_candidates

    def acting(*args, **kwargs):
        act()
        return classify(*args, **kwargs)

    monkeypatch.setattr(run_module, "classify_candidates", acting)


def test_run_keeps_a_note_written_while_it_classifies(world, github, monkeypatch):
    """The description is read again just before it is written: a note a maintainer adds while the run
    classifies survives (once, the run wrote back the description it had read at its start)."""
    serve, config = world
    run(config())
    _while_classifying(monkeypatch, lambda: github.pulls[0].update(body="Reviewer note: MRI first.\n\n"
                                                                   + github.pulls[0]["body"]))
    serve("2025-09-19")
    report = run(config())
    assert report.published.action == "updated", report.lines()
    assert github.pulls[0]["body"].startswith("Reviewer note: MRI first.")


def test_run_opens_a_new_pull_request_when_the_open_one_is_merged_while_it_classifies(world, github, monkeypatch):
    """A merge while the run classifies: the day's papers go into a new pull request in the same run (once,
    they were committed to the merged branch and waited a day)."""
    serve, config = world
    run(config())
    _while_classifying(monkeypatch, lambda: github.merge(1))
    serve("2025-09-19")
    report = run(config())
    assert report.published.action == "opened", report.lines()
    assert [p["number"] for p in github.open_pulls()] == [2]
    assert report.published.added and set(report.published.added) <= pull_marker(github, 2).ids()
