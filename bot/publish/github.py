"""Every GitHub call the bot makes, in one place (PyGithub).

Used by the GitHub publisher (``publish_github``) and by the commands that
read the list from GitHub.  Reads return plain records (``Pull``, ``Commit``),
writes that could undo someone else's are conditional on what was read (a file
update carries the blob SHA it replaces, a branch moves only by fast-forward,
a new branch or pull request fails if one exists) and raise :class:`Conflict`
when someone else got there first, so the caller re-reads and merges.  Reads
and idempotent writes (a description, labels, a conditional merge) are
retried; a write that is not idempotent (a commit, a new branch, pull request
or comment) is repeated after a 5xx or a lost connection only when
``landed()`` says the first attempt did not take effect.  Refusals
(401/403/404/422) become one :class:`PublishError` line that names what the
token lacks; the token itself never appears in any message.

Example::

    repo = GitHubRepo.from_config(config, token)
    text, blob = repo.file("main")
"""

from __future__ import annotations

import base64
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from itertools import islice

import requests
from github import Auth, Github, GithubException, UnknownObjectException

from bot.base.errors import PublishError
from bot.papers.http import mount_deadline
from bot.publish.github_errors import (
    Conflict,
    Refused,
    message_of,
    network_problem,
    refused,
    repository_rule,
    retry_after,
)

log = logging.getLogger(__name__)
LABEL_COLOR = "0e8a16"


@dataclass
class Pull:
    number: int
    body: str
    head_sha: str
    head_repo: str | None  # owner/name the head branch lives in (a fork's name for a fork)
    author: str
    author_is_bot: bool  # GitHub says the author is a bot account (an App, github-actions)
    merged: bool
    html_url: str
    labels: list[str]
    base: str = ""
    raw: object = None  # the PyGithub object, for writes


@dataclass
class Commit:
    sha: str
    parents: list[str]
    message: str
    author: str | None
    date: datetime | None = None  # the committer's date, when the listing said it


@dataclass
class Comment:
    author: str
    author_is_bot: bool
    body: str


@dataclass
class Comparison:
    commits: list[Commit]  # on the head, not on the base; oldest first
    behind: int  # commits of the base that the head has not
    merge_base: str | None
    files: list[str]  # the files the head changed since the merge base


class GitHubRepo:
    """One repository, reached with one token."""

    def __init__(self, api_url: str, repo: str, token: str | None, *, retries: int = 4, timeout: float = 30,
                 pause: float = 2.0, deadline: float = 180.0):
        self.name, self.pause, self.attempts = repo, pause, retries + 1
        auth = Auth.Token(token) if token else None  # None: anonymous reads of a public repository
        # one retry layer: ``call`` (PyGithub's own is off: it cannot tell whether a failed write landed,
        # nor retry a body cut off mid-transfer)
        self.github = Github(base_url=api_url.rstrip("/"), auth=auth, timeout=int(timeout), retry=None,
                             seconds_between_requests=None, seconds_between_writes=None)
        _with_deadline(self.github, deadline)
        self.repo = self.call(lambda: self.github.get_repo(repo), f"read repository {repo}")
        self.owner = self.repo.owner.login
        self.default_branch = self.repo.default_branch
        self._login: str | None | bool = False
        self._files: dict[str, tuple[str, str]] = {}

    @classmethod
    def from_config(cls, config, token: str | None, repo: str | None = None) -> "GitHubRepo":
        gh = config.github
        return cls(gh.api_url, repo or config.list.repo, token, retries=gh.retries, timeout=gh.timeout,
                   pause=gh.backoff, deadline=gh.deadline)

    # --- requests ------------------------------------------------------------------------------

    def call(self, action: Callable, what: str, landed: Callable | None = None,
             conflict: Callable[[GithubException], bool] | None = None):
        """Run one request.  5xx, timeouts, cut-off bodies and rate limits are retried, but a
        write is only repeated after ``landed()`` said that the failed attempt did not take
        effect (``landed`` returns the result of the write, or None).  ``conflict(exc)`` says
        which refusals mean 'someone else got there first' (raised as Conflict)."""
        attempts = self.attempts
        for attempt in range(attempts):
            try:
                return action()
            except GithubException as exc:
                rule = repository_rule(exc, what)
                if rule is not None:
                    raise rule from None
                if conflict is not None and conflict(exc):
                    raise Conflict(f"{what}: HTTP {exc.status} {message_of(exc)}".strip()) from None
                wait = retry_after(exc) if exc.status in (403, 429) else None
                if exc.status < 500 and wait is None:
                    raise refused(exc, what, self.name) from None
                problem = f"HTTP {exc.status}"
            except (requests.RequestException, OSError) as exc:
                wait, problem = None, network_problem(exc)
            if attempt == attempts - 1:
                raise PublishError(f"GitHub failed to {what}: {problem} after {attempts} attempt{'s' if attempts > 1 else ''}",
                                   "GitHub may be down; the next run picks up where this one stopped")
            delay = min(wait if wait is not None else self.pause * 2 ** attempt, 300)
            log.warning("GitHub: %s failed (%s); retrying in %.1fs", what, problem, delay)
            time.sleep(delay)
            if landed is not None:
                result = landed()
                if result is not None:
                    return result

    # --- reads ---------------------------------------------------------------------------------

    def login(self) -> str | None:
        """The token's account name, or None when the token cannot say (an App installation token)."""
        if self._login is False:
            try:
                self._login = self.github.get_user().login
            except GithubException:
                self._login = None
            except (requests.RequestException, OSError) as exc:
                raise PublishError(f"GitHub failed to read the token's account: {network_problem(exc)}") from None
        return self._login

    def file(self, ref: str, path: str) -> tuple[str, str] | None:
        """(text, blob SHA) of a file at a branch or commit; None when the file is not there.
        Files at a commit SHA never change, so they are read once."""
        if ref in self._files:
            return self._files[ref]

        def read():
            try:
                return self.repo.get_contents(path, ref=ref)
            except UnknownObjectException:
                return None

        content = self.call(read, f"read {path} at {ref[:12]}")
        if content is None:
            return None
        if content.encoding == "base64":
            raw = content.decoded_content
        else:  # over 1 MB the contents API sends no content ("encoding": "none"): the git blob has it
            blob = self.call(lambda: self.repo.get_git_blob(content.sha), f"read {path} at {ref[:12]} (over 1 MB)")
            raw = base64.b64decode(blob.content) if blob.encoding == "base64" else (blob.content or "").encode()
        try:
            found = raw.decode("utf-8"), content.sha
        except UnicodeDecodeError:
            raise PublishError(f"{path} at {ref[:12]} is not UTF-8 text", "save the list as UTF-8") from None
        if re.fullmatch(r"[0-9a-f]{40}", ref):
            self._files[ref] = found
        return found

    def commits_before(self, branch: str, path: str, until: datetime, limit: int = 1) -> list[Commit]:
        """The newest commits of ``branch`` that changed ``path``, dated before ``until`` (GitHub's
        list-commits with ``path`` and ``until``), newest first; at most ``limit``."""
        def read():
            found = self.repo.get_commits(sha=branch, path=path, until=until.astimezone(timezone.utc))
            return [Commit(c.sha, [p.sha for p in c.parents], c.commit.message or "",
                           c.author.login if c.author is not None else None, c.commit.committer.date)
                    for c in islice(found, limit)]

        return self.call(read, f"list the commits of {path} on {branch} before {until:%Y-%m-%d %H:%M} UTC")

    def file_as_of(self, branch: str, path: str, until: datetime) -> tuple[str, Commit] | None:
        """(text, commit) of ``path`` as it was on ``branch`` before ``until``; None when no commit
        before then had it."""
        commits = self.commits_before(branch, path, until)
        found = self.file(commits[0].sha, path) if commits else None
        return (found[0], commits[0]) if found else None

    def branch_sha(self, name: str) -> str | None:
        def read():
            try:
                return self.repo.get_git_ref(f"heads/{name}").object.sha
            except UnknownObjectException:
                return None

        return self.call(read, f"read branch {name}")

    def _pull(self, raw) -> Pull:
        head_repo = raw.head.repo.full_name if raw.head.repo is not None else None
        user = raw.user
        return Pull(number=raw.number, body=raw.body or "", head_sha=raw.head.sha, head_repo=head_repo,
                    author=user.login if user else "", author_is_bot=bool(user and user.type == "Bot"),
                    merged=raw.merged_at is not None, html_url=raw.html_url,
                    labels=[label.name for label in raw.labels], base=raw.base.ref, raw=raw)

    def pulls(self, branch: str, state: str, base: str | None = None) -> list[Pull]:
        """Pull requests from ``branch`` of this repository (never a fork's), into ``base`` or any branch."""
        options = {"state": state, "head": f"{self.owner}:{branch}", **({"base": base} if base else {})}
        found = self.call(lambda: list(self.repo.get_pulls(**options)), f"list {state} pull requests")
        return [p for p in map(self._pull, found) if p.head_repo == self.repo.full_name]

    def pull_commits(self, pull: Pull) -> list[Commit]:
        found = self.call(lambda: list(pull.raw.get_commits()), f"list the commits of #{pull.number}")
        return [_commit(c) for c in found]

    def mergeable(self, number: int, tries: int = 4) -> bool | None:
        """Whether GitHub can merge the pull request (it computes this in the background:
        None while it does not know yet)."""
        for attempt in range(tries):
            raw = self.call(lambda: self.repo.get_pull(number), f"read pull request #{number}")
            if raw.mergeable is not None:
                return bool(raw.mergeable)
            time.sleep(self.pause * (attempt + 1) / 2)
        return None

    def compare(self, base: str, head: str) -> Comparison:
        """What ``head`` has that ``base`` has not, and the other way round."""
        comparison = self.call(lambda: self.repo.compare(base, head), f"compare {base[:12]}...{head[:12]}")
        found = self.call(lambda: list(comparison.commits), "list the branch's commits")
        commits = [_commit(c) for c in found]
        merge_base = comparison.merge_base_commit.sha if comparison.merge_base_commit is not None else None
        return Comparison(commits, comparison.behind_by, merge_base, [f.filename for f in comparison.files])

    def comments(self, pull: Pull) -> list[Comment]:
        found = self.call(lambda: list(pull.raw.get_issue_comments()), f"read the comments of #{pull.number}")
        return [Comment(c.user.login if c.user else "", bool(c.user and c.user.type == "Bot"), c.body or "")
                for c in found]

    # --- conditional writes --------------------------------------------------------------------

    def create_branch(self, name: str, sha: str) -> None:
        """Create a branch; Conflict if it exists already."""
        self.call(lambda: self.repo.create_git_ref(f"refs/heads/{name}", sha), f"create branch {name}",
                  lambda: True if self.branch_sha(name) == sha else None,
                  conflict=lambda e: e.status == 422)

    def merge_as(self, name: str, head: str, other: str, message: str) -> str:
        """Move branch ``name`` from ``head`` to a new merge commit of ``head`` and ``other`` whose
        content is ``other``'s: a fast-forward, so it fails (Conflict) if the branch moved, and
        every earlier commit stays in its history."""
        tree = self.call(lambda: self.repo.get_git_commit(other).tree, f"read commit {other[:12]}")
        parents = [self.call(lambda: self.repo.get_git_commit(sha), f"read commit {sha[:12]}") for sha in (head, other)]
        commit = self.call(lambda: self.repo.create_git_commit(message, tree, parents), "create a commit")
        ref = self.call(lambda: self.repo.get_git_ref(f"heads/{name}"), f"read branch {name}")
        self.call(lambda: ref.edit(commit.sha, force=False), f"move branch {name}",
                  lambda: True if self.branch_sha(name) == commit.sha else None,
                  conflict=lambda e: e.status == 422)
        return commit.sha

    def merge_with(self, name: str, head: str, other: str, path: str, text: str, message: str) -> str:
        """Move branch ``name`` from ``head`` to a new merge commit of ``head`` and ``other`` whose
        files are ``other``'s with ``path`` holding ``text`` (a merge whose only conflicts the caller
        resolved in that file): a fast-forward, so it fails (Conflict) if the branch moved."""
        from github import InputGitTreeElement

        theirs = self.call(lambda: self.repo.get_git_commit(other), f"read commit {other[:12]}")
        element = InputGitTreeElement(path, "100644", "blob", content=text)
        tree = self.call(lambda: self.repo.create_git_tree([element], theirs.tree), "create a tree")
        ours = self.call(lambda: self.repo.get_git_commit(head), f"read commit {head[:12]}")
        commit = self.call(lambda: self.repo.create_git_commit(message, tree, [ours, theirs]), "create a commit")
        ref = self.call(lambda: self.repo.get_git_ref(f"heads/{name}"), f"read branch {name}")
        self.call(lambda: ref.edit(commit.sha, force=False), f"move branch {name}",
                  lambda: True if self.branch_sha(name) == commit.sha else None,
                  conflict=lambda e: e.status == 422)
        return commit.sha

    def commit_file(self, branch: str, path: str, text: str, blob: str, message: str) -> str | None:
        """Replace the file on a branch if it still is the blob that was read; Conflict if not.
        Returns the new commit's SHA (None when only a later read showed that the write landed)."""
        def landed():
            current = self.file(branch, path)
            return True if current is not None and current[0] == text else None

        def stale(exc: GithubException) -> bool:  # the file is no longer the blob that was read
            return exc.status == 409 or (exc.status == 422 and "sha" in message_of(exc).lower())

        done = self.call(lambda: self.repo.update_file(path, message, text, blob, branch=branch),
                         f"commit {path} to {branch}", landed, conflict=stale)
        return done["commit"].sha if isinstance(done, dict) else None

    def create_pull(self, base: str, branch: str, title: str, body: str) -> Pull:
        """Open a pull request; Conflict if one is open for the branch already."""
        def landed():
            found = self.pulls(branch, "open", base)
            return found[0].raw if found else None

        raw = self.call(lambda: self.repo.create_pull(base=base, head=branch, title=title, body=body),
                        "open the pull request", landed,
                        conflict=lambda e: e.status == 422 and "already exists" in message_of(e))
        return self._pull(raw)

    def edit_body(self, pull: Pull, body: str) -> None:
        self.call(lambda: pull.raw.edit(body=body), f"update pull request #{pull.number}")

    def comment(self, pull: Pull, body: str) -> None:
        self.call(lambda: pull.raw.create_issue_comment(body), f"comment on pull request #{pull.number}",
                  lambda: True if any(c.body == body for c in self.comments(pull)) else None)

    def update_branch(self, pull: Pull, head_sha: str) -> bool:
        """GitHub's 'Update branch': merge the base into the pull request's head, keeping every
        commit.  False when that merge conflicts; Conflict when the head moved meanwhile."""
        def update():
            try:
                return pull.raw.update_branch(expected_head_sha=head_sha)
            except GithubException as exc:
                if exc.status == 422 and "conflict" in message_of(exc).lower():
                    return False
                raise

        return self.call(update, f"update the branch of pull request #{pull.number}",
                         conflict=lambda e: e.status == 422 and "expected head sha" in message_of(e).lower())

    def label(self, pull: Pull, labels: list[str]) -> str | None:
        """Put ``labels`` on the pull request (creating missing ones).  Labels are optional: when GitHub
        refuses them (a token that may not create labels, a name it does not accept) this returns the
        refusal as one line instead of failing the run; a GitHub that is down still fails it."""
        try:
            self._label(pull, labels)
        except Refused as exc:
            if exc.status not in (403, 404, 422):  # a bad token (401) is no label problem
                raise
            return exc.one_line()
        return None

    def _label(self, pull: Pull, labels: list[str]) -> None:
        def exists(name: str) -> bool:
            try:
                self.repo.get_label(name)
                return True
            except UnknownObjectException:
                return False

        for name in labels:
            if not self.call(lambda: exists(name), f"read label {name}"):
                try:
                    self.call(lambda: self.repo.create_label(name, LABEL_COLOR), f"create label {name}",
                              lambda: True if exists(name) else None, conflict=lambda e: e.status == 422)
                except Conflict:
                    pass  # created meanwhile by another run
        if labels:
            self.call(lambda: pull.raw.add_to_labels(*labels), "label the pull request")


def _commit(raw) -> Commit:
    return Commit(raw.sha, [p.sha for p in raw.parents], raw.commit.message or "",
                  raw.author.login if raw.author is not None else None)


def _with_deadline(github: Github, seconds: float) -> None:
    """Give every request of this client an overall deadline (``bot.papers.http.DeadlineAdapter``), so a
    server that drips bytes cannot hold a run.  PyGithub builds its ``requests`` session inside its
    connection class and offers no per-client hook (``Requester.injectConnectionClasses`` is global
    and turns connection reuse off), so the client's own connection class is subclassed."""
    requester = getattr(github, "_Github__requester", None)
    base = getattr(requester, "_Requester__connectionClass", None)
    if base is None:  # another PyGithub: keep its per-read timeout (the tests would show it)
        log.warning("PyGithub's connection class not found: GitHub requests have no overall deadline")
        return

    class WithDeadline(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            mount_deadline(self.session, seconds)

    requester._Requester__connectionClass = WithDeadline


