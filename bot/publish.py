"""Publishing: the rolling pull request on GitHub, a folder standing in for it, or a dry run.

Runs at the end of ``bot run``.  Every publisher offers the same four calls,
so ``run`` never asks which one it has: ``base_text()`` (the list now),
``open_proposals()`` (ids in the open proposal), ``feedback()`` (what
maintainers accepted and rejected, read from the publisher itself: the store
is only a cache) and ``publish(proposals, model)``; ``preview`` computes the
same result without writing, for ``--dry-run``.

The GitHub publisher applies the bot's change (``rolling.plan``) on top of the
branch head as it is, never rebuilding it and never force-pushing over a
human commit.  When the base moved and the pull request conflicts, it merges
the base into the branch as GitHub's *Update branch* does; if that conflicts
too it comments once and adds nothing until a human resolves it.

Example::

    publisher = make_publisher(config, kind=None, output=Path("out"), dry_run=True)
    publisher.publish(proposals, model="abc123").action   # 'dry run'
"""

from __future__ import annotations

import logging
import random
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from .awesome import parse
from .errors import PublishError
from .github import Commit, Conflict, GitHubRepo, Pull
from .proposals import Feedback, Marker, Proposal, feedback, pull_request_body, read_marker
from .rolling import Branch, Plan, plan, would_conflict
from .store import atomic_write

log = logging.getLogger(__name__)
PROPOSED = re.compile(r"^Proposed-papers:\s*(.*)$", re.MULTILINE)
CONFLICT_NOTE = "<!-- awesome-list-bot conflict {head} -->"


@dataclass
class Published:
    action: str  # opened, updated, unchanged, written, conflict, dry run
    where: str
    added: list[str] = field(default_factory=list)
    rejected: dict[str, str | None] = field(default_factory=dict)  # deleted by maintainers, found this run
    proposals: list[Proposal] = field(default_factory=list)  # in the proposal after this run
    notes: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # papers that could not be added: id -> why
    over_limit: int = 0


class Publisher(Protocol):
    def base_text(self) -> str: ...
    def open_proposals(self) -> set[str]: ...
    def feedback(self) -> Feedback: ...
    def publish(self, proposals: list[Proposal], model: str) -> Published: ...
    def preview(self, proposals: list[Proposal], model: str) -> tuple[Published, str, str]: ...


def _published(action: str, where: str, result: Plan) -> Published:
    return Published(action, where, result.added, result.newly_rejected, result.proposals, result.notes,
                     result.failed, result.over_limit)


def commit_message(result: Plan) -> str:
    """Says what the commit does; its trailers name the papers, so the branch itself tells
    which entries the bot added even when a pull request description is stale."""
    parts = []
    if result.added:
        parts.append(f"Add {len(result.added)} paper{'s' if len(result.added) != 1 else ''} from arXiv")
    if result.removed:
        parts.append(f"remove the bot's copy of {', '.join(result.removed)} (a maintainer listed it)")
    trailers = f"Proposed-papers: {' '.join(result.added)}" if result.added else ""
    return "; ".join(parts)[:1].upper() + "; ".join(parts)[1:] + (f"\n\n{trailers}" if trailers else "")


def bot_added(commits: list[Commit]) -> list[str]:
    """The ids the bot's own commits say they added, oldest first."""
    found: list[str] = []
    for commit in commits:
        if commit.by_bot:
            for line in PROPOSED.findall(commit.message):
                found += line.split()
    return list(dict.fromkeys(found))


class LocalPublisher:
    """A folder standing in for the pull request: README.md (the list with the proposals) and
    pull-request.md (the description and its marker).  While they exist they are the open
    proposal; every edit in the folder is a maintainer's (deleting an entry rejects it)."""

    def __init__(self, folder: Path, list_text: str, limit: int = 25, template: Path | None = None):
        self.folder, self.list_text, self.limit, self.template = Path(folder), list_text, limit, template

    def base_text(self) -> str:
        return self.list_text

    def _branch(self) -> Branch:
        try:
            body = (self.folder / "pull-request.md").read_text(encoding="utf-8")
            head = (self.folder / "README.md").read_text(encoding="utf-8")
        except OSError:
            return Branch(self.list_text, self.list_text)
        found = read_marker(body) or Marker()
        return Branch(self.list_text, head, found, [], found.ids())

    def open_proposals(self) -> set[str]:
        branch = self._branch()
        return branch.marker.ids() & parse(branch.head_text).arxiv_ids()

    def feedback(self) -> Feedback:
        branch = self._branch()
        present = parse(branch.head_text).arxiv_ids()
        return Feedback({}, {**{r["id"]: r.get("section") for r in branch.marker.rejected},
                             **{p["id"]: p.get("section") for p in branch.marker.proposals if p["id"] not in present}})

    def preview(self, proposals: list[Proposal], model: str) -> tuple[Published, str, str]:
        branch = self._branch()
        result = plan(branch, proposals, self.limit)
        body = pull_request_body(result.proposals, result.rejected, model, self.template)
        return _published("written", str(self.folder), result), result.text, body

    def publish(self, proposals: list[Proposal], model: str) -> Published:
        published, text, body = self.preview(proposals, model)
        exists = (self.folder / "README.md").exists()
        old = read_marker(_read(self.folder / "pull-request.md"))
        if exists and text == _read(self.folder / "README.md") and old == read_marker(body):
            published.action = "unchanged"
            return published
        self.folder.mkdir(parents=True, exist_ok=True)
        atomic_write(self.folder / "README.md", text.encode("utf-8"))
        atomic_write(self.folder / "pull-request.md", body.encode("utf-8"))
        return published


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None


class DryRunPublisher:
    """Reads like the publisher it wraps; writes the would-be README and description to a folder."""

    def __init__(self, source, folder: Path):
        self.source, self.folder = source, Path(folder)

    def base_text(self) -> str:
        return self.source.base_text()

    def open_proposals(self) -> set[str]:
        return self.source.open_proposals()

    def feedback(self) -> Feedback:
        return self.source.feedback()

    def preview(self, proposals: list[Proposal], model: str) -> tuple[Published, str, str]:
        return self.source.preview(proposals, model)

    def publish(self, proposals: list[Proposal], model: str) -> Published:
        published, text, body = self.source.preview(proposals, model)
        self.folder.mkdir(parents=True, exist_ok=True)
        atomic_write(self.folder / "README.md", text.encode("utf-8"))
        atomic_write(self.folder / "pull-request.md", body.encode("utf-8"))
        published.notes.append(f"dry run: wrote {self.folder / 'README.md'} and {self.folder / 'pull-request.md'}")
        published.action, published.where = "dry run", str(self.folder)
        return published


@dataclass
class _State:
    """One consistent reading of the base, the branch and the open pull request."""

    base_sha: str
    base_text: str
    pull: Pull | None
    head_sha: str | None
    head_text: str | None
    blob: str | None
    commits: list[Commit]
    behind: int  # commits of the base that the branch does not have
    merge_base: str | None
    marker: Marker


class GitHubPublisher:
    """The rolling pull request on GitHub (see the module docstring)."""

    def __init__(self, config, token: str):
        self.config, self.gh = config, GitHubRepo.from_config(config, token)
        self.base, self.branch, self.path = config.list.branch, config.github.branch, config.list.path
        self.pause = config.github.backoff
        self._base: tuple[str, str] | None = None

    # --- reading -------------------------------------------------------------------------------

    def _ours(self, pull: Pull) -> bool:
        """A pull request the bot opened (its branch, in this repository, by the token's account
        or a bot account): only these are read for feedback."""
        login = self.gh.login()
        return pull.author == login if login else pull.author_is_bot

    def _list_at(self, ref: str) -> tuple[str, str]:
        found = self.gh.file(ref, self.path)
        if found is None:
            raise PublishError(f"{self.path} is not on {ref[:12]} in {self.config.list.repo}",
                               "check list.path and list.branch")
        return found

    def base_text(self) -> str:
        if self._base is None:
            sha = self.gh.branch_sha(self.base)
            if sha is None:
                raise PublishError(f"{self.config.list.repo} has no branch {self.base}", "check list.branch")
            self._base = (sha, self._list_at(sha)[0])
        return self._base[1]

    def _read(self) -> _State:
        pulls = self.gh.pulls(self.branch, self.base, "open")  # first the description, then the branch
        pull = pulls[0] if pulls else None
        base_sha = self.gh.branch_sha(self.base)
        if base_sha is None:
            raise PublishError(f"{self.config.list.repo} has no branch {self.base}", "check list.branch")
        base_text = self._list_at(base_sha)[0]
        self._base = (base_sha, base_text)
        if pull is None:
            return _State(base_sha, base_text, None, None, None, None, [], 0, None, Marker())
        head_sha = self.gh.branch_sha(self.branch) or pull.head_sha
        head_text, blob = self._list_at(head_sha)
        found = (read_marker(pull.body) if self._ours(pull) else None) or Marker()
        comparison = self.gh.compare(base_sha, head_sha)
        return _State(base_sha, base_text, pull, head_sha, head_text, blob, comparison.commits, comparison.behind,
                      comparison.merge_base, found)

    def _removed_by_people(self, state: _State, missing: set[str], added: list[str]) -> set[str]:
        """Of the missing ids, those whose lines a commit by someone other than the bot removed,
        and those whose adding commit is gone from the branch's history (a person rewrote it)."""
        removed = {i for i in missing if i in state.marker.ids() and i not in added}
        login = self.gh.login()
        for commit in state.commits:
            if not missing - removed:
                break
            if commit.by_bot or (login and commit.author == login) or not commit.parents:
                continue
            before, after = self.gh.file(commit.parents[0], self.path), self.gh.file(commit.sha, self.path)
            if before is not None:
                removed |= parse(before[0]).arxiv_ids() - (parse(after[0]).arxiv_ids() if after else set())
        return removed & missing

    def _branch(self, state: _State) -> Branch:
        added = bot_added(state.commits)
        present = parse(state.head_text).arxiv_ids()
        missing = (set(added) | state.marker.ids()) - present - {r["id"] for r in state.marker.rejected}
        return Branch(state.base_text, state.head_text, state.marker, added,
                      self._removed_by_people(state, missing, added) if missing else set())

    def open_proposals(self) -> set[str]:
        state = self._read()
        if state.pull is None:
            return set()
        branch = self._branch(state)
        return (set(branch.bot_added) | state.marker.ids()) & parse(state.head_text).arxiv_ids()

    def feedback(self) -> Feedback:
        """Decisions from every closed pull request the bot opened, then the open one's rejections."""
        current = parse(self.base_text())
        result = Feedback()
        closed = [p for p in self.gh.pulls(self.branch, self.base, "closed") if self._ours(p)]
        for pull in sorted(closed, key=lambda p: p.number):
            found = read_marker(pull.body)
            if found is not None:
                result.add(feedback(found, pull.merged, current))
        for pull in self.gh.pulls(self.branch, self.base, "open"):
            found = read_marker(pull.body) if self._ours(pull) else None
            if found is not None:
                result.add(Feedback({}, {r["id"]: r.get("section") for r in found.rejected}))
        return result

    # --- writing -------------------------------------------------------------------------------

    def preview(self, proposals: list[Proposal], model: str) -> tuple[Published, str, str]:
        return self._attempts(proposals, model, write=False)

    def publish(self, proposals: list[Proposal], model: str) -> Published:
        return self._attempts(proposals, model, write=True)[0]

    def _attempts(self, proposals, model, write: bool):
        for attempt in range(6):
            try:
                return self._once(proposals, model, write)
            except Conflict as exc:
                log.warning("GitHub: %s; someone else changed the pull request, reading it again", exc)
                time.sleep(self.pause * attempt * random.uniform(0.5, 1.5))
        raise PublishError("the bot's branch kept changing while this run wrote to it", "run again later")

    def _once(self, proposals, model, write: bool) -> tuple[Published, str, str]:
        state = self._read()
        if state.pull is None:
            return self._open(state, proposals, model, write)
        pull = state.pull
        branch = self._branch(state)
        result = plan(branch, proposals, self.config.github.max_entries)
        if state.behind and (self.gh.mergeable(pull.number) is False or self._added_would_conflict(state, result)):
            # bring the base in first, as GitHub's Update branch does (every commit is kept), so that
            # the new entries are added to the list as it is now; if that conflicts, wait for people
            if write and self.gh.update_branch(pull, state.head_sha):
                self._wait_for_head_change(state.head_sha)
                raise Conflict(f"merged {self.base} into the branch")  # read everything again
            if write or self.gh.mergeable(pull.number) is False:
                return self._conflict(state, branch, proposals, model, write)
            result.notes.append(f"{self.base} moved: a real run merges it into the branch before adding")
        body = pull_request_body(result.proposals, result.rejected, model, self.config.github.pr_template)
        published = _published("updated", pull.html_url, result)
        if result.text == state.head_text and read_marker(body) == read_marker(pull.body):
            published.action = "unchanged"
            return published, result.text, body
        if write:
            expected = state.head_sha
            if result.text != state.head_text:
                expected = self.gh.commit_file(self.branch, self.path, result.text, state.blob, commit_message(result))
            if expected is not None and self.gh.branch_sha(self.branch) != expected:
                raise Conflict("the branch moved while this run wrote to it")  # describe what is there now
            self.gh.edit_body(pull, body)
            if expected is not None and self.gh.branch_sha(self.branch) != expected:
                raise Conflict("the branch moved while this run described it")
        return published, result.text, body

    def _added_would_conflict(self, state: _State, result: Plan) -> bool:
        if not result.added or state.merge_base is None:
            return False
        ancestor = self.gh.file(state.merge_base, self.path)
        return would_conflict(ancestor[0] if ancestor else "", state.base_text, result.text)

    def _wait_for_head_change(self, old: str, tries: int = 10) -> None:
        for attempt in range(tries):  # GitHub merges in the background
            if self.gh.branch_sha(self.branch) != old:
                return
            time.sleep(self.pause * (attempt + 1) / 4)

    def _conflict(self, state: _State, branch: Branch, proposals, model, write: bool):
        """The pull request conflicts with its base even after merging: leave it as it is."""
        result = plan(branch, [], self.config.github.max_entries)
        pull = state.pull
        note = (f"pull request #{pull.number} conflicts with {self.base}: nothing added until a maintainer "
                f"resolves the conflict (Resolve conflicts on GitHub, or merge {self.base} into {self.branch})")
        if write:
            tag = CONFLICT_NOTE.format(head=state.head_sha)  # once, until the branch changes
            if not any(tag in c for c in self.gh.comments(pull)):
                self.gh.comment(pull, f"This pull request conflicts with `{self.base}` and GitHub cannot merge "
                                      f"`{self.base}` into it automatically. The bot will add no new papers until "
                                      f"the conflict is resolved; it never undoes your commits.\n\n{tag}")
        published = Published("conflict", pull.html_url, [], result.newly_rejected, result.proposals,
                              [note], {}, len(proposals))
        return published, state.head_text, pull.body

    def _open(self, state: _State, proposals, model, write: bool) -> tuple[Published, str, str]:
        """No open pull request: start one from the base, or adopt what a stopped run left."""
        existing = self.gh.branch_sha(self.branch)
        head, added = state.base_sha, []
        if existing not in (None, state.base_sha):
            closed = [p for p in self.gh.pulls(self.branch, self.base, "closed") if p.head_sha == existing]
            commits = self.gh.compare(state.base_sha, existing).commits
            if closed:
                pass  # the branch of a merged or closed pull request: start afresh from the base
            elif all(c.by_bot for c in commits):
                head, added = existing, bot_added(commits)  # a run stopped before opening the pull request
            else:
                raise PublishError(f"branch {self.branch} has commits by people and no open pull request",
                                   f"open a pull request from it, merge or delete it, or set github.branch")
        head_text, blob = self._list_at(head)
        result = plan(Branch(state.base_text, head_text, Marker(), added), proposals, self.config.github.max_entries)
        body = pull_request_body(result.proposals, result.rejected, model, self.config.github.pr_template)
        if not result.proposals:
            return _published("unchanged", f"{self.config.list.repo} (no open pull request)", result), head_text, body
        if write:
            if existing is None:
                self.gh.create_branch(self.branch, state.base_sha)
            elif head != existing:
                self.gh.reset_branch(self.branch, state.base_sha, expected=existing)
            if result.text != head_text:
                self.gh.commit_file(self.branch, self.path, result.text, blob, commit_message(result))
            pull = self.gh.create_pull(self.base, self.branch, self.config.github.pr_title, body)
            self.gh.label(pull, self.config.github.labels)
            return _published("opened", pull.html_url, result), result.text, body
        return _published("opened", f"{self.config.list.repo} (a new pull request)", result), result.text, body
