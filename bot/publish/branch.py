"""The rolling pull request on GitHub: read the branch as people left it, add the bot's change on top.

Runs at the end of ``bot run`` (and for ``--dry-run`` with a token, without
writing).  Every GitHub call goes through ``github.GitHubRepo``; what to
change is decided by ``rolling.plan`` from what was read.  The rules:

- The branch head is never rebuilt, reverted or force-pushed: the bot commits
  its change on top, conditional on the file it read.
- When the base moved, nothing happens while the pull request merges cleanly;
  if the bot's new entries would touch lines the base changed, it first merges
  the base in (GitHub's *Update branch*); if that conflicts, it comments once
  and adds nothing until people resolve it (taking back its own copy of a paper
  a maintainer listed on the base first, which may be the conflict itself).
- A paper is rejected only when a person removed it: a commit that is not
  exactly one of the bot's removed its lines, or the branch was rewritten
  without the commit that added it.
- Feedback is read only from pull requests of the bot's branch in this
  repository whose marker the bot wrote (by the token's account or a bot
  account, or backed by the bot's own commits in that pull request).

Example::

    GitHubPublisher(config, token).publish(proposals, model="abc123").action   # 'opened'
"""

from __future__ import annotations

import logging
import random
import time
from collections import Counter
from dataclasses import dataclass, replace

from bot.base.errors import PublishError
from bot.lists.awesome import AwesomeList, parse
from bot.propose.commits import MERGE_BASE, START_AFRESH, TRAILER, bot_added, commit_message, is_bot_commit
from bot.propose.proposals import (
    Feedback,
    Marker,
    Proposal,
    pull_request_body,
    read_marker,
    with_maintainers_text,
)
from bot.propose.rolling import (
    Branch,
    Plan,
    plan,
    resolve_merge,
    would_conflict,
)
from bot.publish.github import Commit, GitHubRepo, Pull
from bot.publish.github_errors import Conflict
from bot.publish.history import History
from bot.publish.targets import Published

log = logging.getLogger(__name__)
CONFLICT_TAG = "<!-- awesome-list-bot conflict {since} -->"


@dataclass
class _Reading:
    """One consistent reading of the base, the branch and the open pull request."""

    base_sha: str
    base_text: str
    pull: Pull | None = None
    head_sha: str | None = None
    head_text: str | None = None
    blob: str | None = None
    commits: list[Commit] | None = None  # on the branch, not on the base; oldest first
    behind: int = 0  # commits of the base that the branch does not have
    merge_base: str | None = None
    marker: Marker | None = None
    files: list[str] | None = None  # the files the branch changed since it met the base
    base: AwesomeList | None = None  # base_text parsed (once a reading: passed along, never changed)
    head: AwesomeList | None = None  # head_text parsed
    branch: Branch | None = None  # the branch worked out from this reading, once


class GitHubPublisher:
    """The rolling pull request on GitHub (see the module docstring)."""

    online = True

    def __init__(self, config, token: str):
        self.config, self.gh = config, GitHubRepo.from_config(config, token)
        self.base, self.branch, self.path = config.list.branch, config.github.branch, config.list.path
        self.pause = config.github.backoff
        self._base: tuple[str, str, AwesomeList] | None = None  # the base's SHA, list and list parsed
        self.history = History(self.gh, self.branch, self.path)
        self._state: _Reading | None = None  # the last reading, used once by the next publish

    # --- reading -------------------------------------------------------------------------------

    def _list_at(self, ref: str) -> tuple[str, str]:
        found = self.gh.file(ref, self.path)
        if found is None:
            raise PublishError(f"{self.path} is not on {ref[:12]} in {self.config.list.repo}",
                               "check list.path and list.branch")
        return found

    def _base_sha(self) -> str:
        sha = self.gh.branch_sha(self.base)
        if sha is None:
            raise PublishError(f"{self.config.list.repo} has no branch {self.base}", "check list.branch")
        return sha

    def _base_at(self, sha: str) -> tuple[str, str, AwesomeList]:
        """The base at ``sha`` (read and parsed once: a commit's file never changes)."""
        if self._base is None or self._base[0] != sha:
            text = self._list_at(sha)[0]
            self._base = (sha, text, parse(text))
        return self._base

    def _known_base(self) -> tuple[str, str, AwesomeList]:
        """The base as this run last read it (read now if it has not been)."""
        return self._base if self._base is not None else self._base_at(self._base_sha())

    def base_text(self) -> str:
        """The list on the base branch, as read."""
        return self._known_base()[1]

    def base_list(self) -> AwesomeList:
        """The list on the base branch, parsed."""
        return self._known_base()[2]

    def _read(self) -> _Reading:
        """One consistent reading, just before writing: first the description, then the branch.  Nothing
        read earlier in the run is reused here but the base's list at an unchanged SHA (a commit's file
        never changes): classifying (or training) takes minutes, and the description, unlike the file,
        cannot be written conditionally on what was read."""
        pulls = self.gh.pulls(self.branch, "open")
        pull = next((p for p in pulls if p.base == self.base), pulls[0] if pulls else None)
        base_sha, base_text, base = self._base_at(self._base_sha())
        if pull is None:
            self._state = _Reading(base_sha, base_text, base=base)
            return self._state
        head_sha = self.gh.branch_sha(self.branch) or pull.head_sha
        head_text, blob = self._list_at(head_sha)
        found = (read_marker(pull.body) if self.history.ours(pull) else None) or Marker()
        comparison = self.gh.compare(base_sha, head_sha)
        self._state = _Reading(base_sha, base_text, pull, head_sha, head_text, blob, comparison.commits,
                               comparison.behind, comparison.merge_base, found, comparison.files, base,
                               base if head_text == base_text else parse(head_text))
        self.history.remember(base_sha, base)
        self.history.remember(head_sha, self._state.head)
        return self._state

    def _removed_by_people(self, state: _Reading, missing: set[str], added: list[str]) -> tuple[set[str], dict]:
        """Of the missing ids, those whose lines a commit that is not the bot's removed, and those
        the marker proposed whose adding commit is gone from the branch (a person rewrote it); and,
        apart, those a person *rewrote in place* (id -> the new entry's title: a journal version's
        title and DOI over the arXiv entry is the same paper, not a rejection)."""
        removed = {i for i in missing if i in state.marker.ids() and i not in added}
        by_people, edited = self.history.people_edits(state.commits, missing)
        return ((removed | by_people) & missing) - set(edited), edited

    def _entries_as_the_bot_wrote_them(self, state: _Reading, added: list[str]) -> dict[str, str]:
        """For papers on the branch more than once: the entry as the bot's commit wrote it."""
        twice = {i for i, n in Counter(e.arxiv_id for e in state.head.entries).items() if n > 1 and i in added}
        copies: dict[str, str] = {}
        for commit in state.commits:
            if not twice - set(copies):
                break
            written = set(bot_added([commit.message])) & twice
            document = self.history.list_at(commit.sha) if written else None
            if document is not None:
                copies.update({e.arxiv_id: "".join(document.lines[e.start:e.end])
                               for e in document.entries if e.arxiv_id in written})
        return copies

    def _branch(self, state: _Reading) -> Branch:
        """The branch as this reading shows it (worked out once a reading)."""
        if state.branch is not None:
            return state.branch
        added = bot_added([c.message for c in state.commits])
        missing = (set(added) | state.marker.ids()) - state.head.arxiv_ids() - state.marker.rejected_ids()
        ancestor = self.gh.file(state.merge_base, self.path) if state.merge_base else None
        removed, edited = self._removed_by_people(state, missing, added) if missing else (set(), {})
        state.branch = Branch(state.base_text, state.head_text, state.marker, added, removed,
                              ancestor[0] if ancestor else None, self._entries_as_the_bot_wrote_them(state, added),
                              edited, state.head, state.base)
        return state.branch

    def feedback(self) -> Feedback:
        """Decisions from every closed pull request of the bot, then the open one's rejections."""
        return self.history.feedback(self.base_list(), self.gh.pulls(self.branch, "open"))

    def open_proposals(self) -> set[str]:
        state = self._read()
        if state.pull is None:
            return set()
        branch = self._branch(state)
        return (set(branch.bot_added) | state.marker.ids()) & state.head.arxiv_ids()

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
                log.warning("GitHub: %s; reading the pull request again", exc)
                time.sleep(self.pause * attempt * random.uniform(0.5, 1.5))
        raise PublishError("the bot's branch kept changing while this run wrote to it", "run again later")

    def _body(self, result: Plan, model: str, labelled: bool) -> str:
        return pull_request_body(result.proposals, result.rejected, model, self.config.github.pr_template, labelled)

    def _once(self, proposals, model, write: bool) -> tuple[Published, str, str]:
        # the reading `open_proposals` made is good for one attempt: every write is conditional on it
        state, self._state = (self._state, None) if self._state is not None else (self._read(), None)
        if state.pull is None:
            return self._open(state, proposals, model, write)
        pull, branch = state.pull, self._branch(state)
        result = plan(branch, proposals, self.config.github.max_entries)
        if state.behind and (self.gh.mergeable(pull.number) is False or self._would_conflict(state, branch, result)):
            if write and result.removed:  # its own copy may be the conflict: take it back first
                self._commit(state, plan(branch, [], self.config.github.max_entries))
                raise Conflict("took back the bot's copies of papers listed on the base")
            if write and self.gh.update_branch(pull, state.head_sha):  # as GitHub's Update branch does
                self._wait_for_head_change(state.head_sha)
                raise Conflict(f"merged {self.base} into the branch")
            merged = self._resolved(state, branch) if write else None
            if merged is not None:  # only the bot's own entries were in the way: merge, keeping both sides
                self.gh.merge_with(self.branch, state.head_sha, state.base_sha, self.path, merged,
                                   f"{MERGE_BASE.format(base=self.base)}\n\n{TRAILER}")
                raise Conflict(f"merged {self.base} into the branch, the bot's entries beside its new ones")
            if write or self.gh.mergeable(pull.number) is False:
                return self._conflict(state, branch, proposals, write)
            result.notes.append(f"{self.base} moved: a real run merges it into the branch before adding")
        label = not state.marker.labelled and bool(self.config.github.labels)  # labelling once, never again
        body = with_maintainers_text(pull.body, self._body(result, model, labelled=True))
        done = Published("updated", pull.html_url, result)
        if result.text == state.head_text and read_marker(body) == read_marker(pull.body):
            done.action = "unchanged"
            return done, result.text, body
        if write:
            expected = self._commit(state, result) if result.text != state.head_text else state.head_sha
            if expected is not None and self.gh.branch_sha(self.branch) != expected:
                raise Conflict("the branch moved while this run wrote to it")  # describe what is there now
            if label:  # a run stopped between opening the pull request and labelling it
                self._label(pull, result)
            self.gh.edit_body(pull, body)
            if expected is not None and self.gh.branch_sha(self.branch) != expected:
                raise Conflict("the branch moved while this run described it")
        return done, result.text, body

    def _label(self, pull, result: Plan) -> None:
        """Label once; a refusal is a warning of the run (the marker says labelled: not asked again)."""
        refused = self.gh.label(pull, self.config.github.labels)
        if refused:
            result.notes.append(f"warning: the pull request is published without labels ({refused}); "
                                "remove github.labels from the config, or let the token manage labels")

    def _commit(self, state: _Reading, result: Plan) -> str | None:
        return self.gh.commit_file(self.branch, self.path, result.text, state.blob, commit_message(result))

    def _resolved(self, state: _Reading, branch: Branch) -> str | None:
        """The merge of the base into the branch when its conflicts are only the bot's own entries
        beside entries people added on the base (and the branch changed no other file)."""
        if branch.ancestor_text is None or set(state.files or []) - {self.path}:
            return None
        ours = (set(branch.bot_added) | state.marker.ids()) - state.marker.rejected_ids()
        return resolve_merge(branch.ancestor_text, state.base_text, branch.head, ours)

    def _would_conflict(self, state: _Reading, branch: Branch, result: Plan) -> bool:
        """Whether the new entries would touch lines the base changed since the branch met it."""
        return bool(result.added) and branch.ancestor_text is not None and \
            would_conflict(branch.ancestor_text, state.base_text, result.text)

    def _wait_for_head_change(self, old: str, tries: int = 10) -> None:
        for attempt in range(tries):  # GitHub merges in the background
            if self.gh.branch_sha(self.branch) != old:
                return
            time.sleep(self.pause * (attempt + 1) / 4)

    def _conflict(self, state: _Reading, branch: Branch, proposals, write: bool):
        """The pull request conflicts with its base even after merging: leave it as it is, and say
        so once per conflict (until the bot commits again), in a comment of the bot's own."""
        result = plan(branch, [], self.config.github.max_entries)
        pull = state.pull
        note = (f"pull request #{pull.number} conflicts with {self.base}: nothing added until a maintainer "
                f"resolves the conflict (Resolve conflicts on GitHub, or merge {self.base} into {self.branch})")
        if write:
            last = next((c.sha for c in reversed(state.commits) if is_bot_commit(c.message)), "start")
            tag = CONFLICT_TAG.format(since=last)
            login = self.gh.login()
            said = [c for c in self.gh.comments(pull) if tag in c.body and (c.author_is_bot or c.author == login)]
            if not said:
                self.gh.comment(pull, f"This pull request conflicts with `{self.base}` and GitHub cannot merge "
                                      f"`{self.base}` into it automatically. The bot will add no new papers until "
                                      f"the conflict is resolved; it never undoes your commits.\n\n{tag}")
        held = replace(result, added=[], notes=[note], failed={}, over_limit=0)
        done = Published("conflict", pull.html_url, held, waiting=len([p for p in proposals if p.id not in state.marker.ids()]))
        return done, state.head_text, pull.body

    def _open(self, state: _Reading, proposals, model, write: bool) -> tuple[Published, str, str]:
        """No open pull request: start one from the base, or adopt what a stopped run left."""
        existing = self.gh.branch_sha(self.branch)
        head, added, afresh = state.base_sha, [], False
        if existing not in (None, state.base_sha):
            commits = self.gh.compare(state.base_sha, existing).commits
            after_closed = self._after_closed(existing)
            if after_closed is not None and all((is_bot_commit(c.message) for c in after_closed)):
                afresh = True  # the branch of a closed pull request (plus a late run's commits): start afresh
            elif after_closed is None and all((is_bot_commit(c.message) for c in commits)):
                head, added = existing, bot_added([c.message for c in commits])  # a run stopped before opening
            else:
                raise PublishError(f"branch {self.branch} has commits by people and no open pull request",
                                   "open a pull request from it, merge or delete it, or set github.branch")
        head_text, blob = self._list_at(head)
        result = plan(Branch(state.base_text, head_text, Marker(), added, base=state.base), proposals,
                      self.config.github.max_entries)
        body = self._body(result, model, labelled=False)
        if not result.proposals:
            return Published("unchanged", f"{self.config.list.repo} (no open pull request)", result), head_text, body
        if not write:
            return Published("opened", f"{self.config.list.repo} (a new pull request)", result), result.text, body
        if existing is None:
            self.gh.create_branch(self.branch, state.base_sha)
        elif afresh:  # a merge whose content is the base: no force-push, the old commits stay
            head = self.gh.merge_as(self.branch, existing, state.base_sha, f"{START_AFRESH}{self.base}\n\n{TRAILER}")
            blob = self._list_at(head)[1]
        if result.text != head_text:
            self.gh.commit_file(self.branch, self.path, result.text, blob, commit_message(result))
        pull = self.gh.create_pull(self.base, self.branch, self.config.github.pr_title, body)
        if self.config.github.labels:
            self._label(pull, result)
            body = self._body(result, model, labelled=True)
            self.gh.edit_body(pull, body)
        return Published("opened", pull.html_url, result), result.text, body

    def _after_closed(self, existing: str) -> list[Commit] | None:
        """The commits on the branch after the head of the newest closed pull request of the bot
        that it contains, or None when it contains none."""
        for pull in sorted(self.gh.pulls(self.branch, "closed"), key=lambda p: -p.number):
            comparison = self.gh.compare(pull.head_sha, existing)
            if comparison.behind == 0:
                return comparison.commits
        return None
