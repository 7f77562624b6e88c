"""Publishing: one rolling pull request on GitHub (PyGithub), or files on disk.

Runs at the end of ``bot run``.  The GitHub publisher keeps a single bot pull
request on ``github.branch``: it opens it, adds new entries to it while it is
open, re-applies its entries onto the current list when the base branch moved,
keeps maintainers' edits (deleted entries are reported as rejected, moved ones
stay where they were put) and never force-pushes over a human commit.  Only
idempotent requests are retried blindly; before repeating a write it looks
whether the first attempt landed.  The local publisher writes the edited
README and the pull-request description into a folder.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import requests
from github import Auth, Github, GithubException, GithubRetry, UnknownObjectException

from .awesome import AwesomeList, parse
from .errors import PublishError
from .proposals import Proposal, feedback, pull_request_body, read_marker
from .render import insert_entries
from .store import atomic_write

log = logging.getLogger(__name__)
TRAILER = "Generated-by: awesome-list-bot"
LABEL_COLOR = "0e8a16"


class Conflict(Exception):
    """Someone else (another run, a maintainer) changed the branch or opened the PR meanwhile."""


@dataclass
class Published:
    action: str  # opened, updated, unchanged, written
    where: str
    added: list[str] = field(default_factory=list)
    rejected: dict[str, str | None] = field(default_factory=dict)  # deleted from the open PR by maintainers
    proposals: list[Proposal] = field(default_factory=list)


def entry_blocks(document: AwesomeList, ids: set[str]) -> dict[str, tuple[str, str]]:
    """id -> (section label, the entry's lines verbatim) for entries with those arXiv ids."""
    return {e.arxiv_id: (e.label, "".join(document.lines[e.start:e.end]))
            for e in document.entries if e.arxiv_id in ids}


def strip_entries(document: AwesomeList, ids: set[str]) -> str:
    """The README without the given entries (and the blank line that followed each)."""
    lines = list(document.lines)
    for entry in sorted((e for e in document.entries if e.arxiv_id in ids), key=lambda e: -e.start):
        end = entry.end + (1 if entry.end < len(lines) and not lines[entry.end].strip() else 0)
        del lines[entry.start:end]
    return "".join(lines)


def reapply(base_text: str, head: AwesomeList, kept_ids: set[str], new: list[Proposal]) -> str:
    """The current list plus the kept entries (as edited and placed in the head) plus new ones."""
    text = base_text
    for paper_id, (section, block) in entry_blocks(head, kept_ids).items():
        document = parse(text)
        heading = document.heading_for(section)
        first = next((e for e in document.entries if e.heading_line == heading.line), None)
        lines = list(document.lines)
        at = first.start if first else heading.line + 2
        lines[at:at] = [block, document.newline]
        text = "".join(lines)
    return insert_entries(text, new) if new else text


def check_list(text: str, expected_ids: set[str]) -> None:
    """Refuse to publish a README that does not parse back with every proposed entry."""
    document = parse(text)
    if document.render() != text or not expected_ids <= document.arxiv_ids():
        missing = sorted(expected_ids - document.arxiv_ids())
        raise PublishError(f"refusing to publish a damaged README (missing entries: {missing[:5]})")


@dataclass
class Rolled:
    text: str
    proposals: list[Proposal]
    added: list[str]
    rejected: dict[str, str | None]


def roll(base_text: str, head_text: str, previously: list[dict], new: list[Proposal], proposals: list[Proposal],
         limit: int) -> Rolled:
    """Add new entries to an open proposal (the README on its branch, as maintainers left it).

    Entries the bot proposed earlier and that are gone from the head were deleted by a maintainer
    (rejected); the others are kept where they are now.  When the head is no longer 'the base plus
    the kept entries' (the base moved), the kept entries are re-applied onto the current base."""
    head = parse(head_text)
    present = head.arxiv_ids()
    rejected = {p["id"]: p.get("section") for p in previously if p["id"] not in present}
    kept_ids = {p["id"] for p in previously if p["id"] in present}
    new = [n for n in new if n.id not in present][:max(0, limit - len(kept_ids))]
    sections = {e.arxiv_id: e.label for e in head.entries if e.arxiv_id in kept_ids}
    kept = [Proposal(p.id, p.title, sections[p.id], p.probability, p.terms, p.alternatives)
            for p in _known(previously, proposals, kept_ids)]
    new_ids = {n.id for n in new}
    if strip_entries(head, kept_ids) == base_text:
        text = insert_entries(head_text, new) if new else head_text
    else:
        text = reapply(base_text, head, kept_ids, new)
    check_list(text, kept_ids | new_ids)
    return Rolled(text, kept + [p for p in proposals if p.id in new_ids], [n.id for n in new], rejected)


class LocalPublisher:
    """A local stand-in for the pull request: README.md (the edited list) and pull-request.md
    in a folder.  While they exist they are the open proposal, and new papers are added to them."""

    def __init__(self, folder: Path, list_text: str, limit: int = 25):
        self.folder, self.list_text, self.limit = Path(folder), list_text, limit

    def base_text(self) -> str:
        return self.list_text

    def _open(self) -> tuple[str, list[dict]] | None:
        try:
            body = (self.folder / "pull-request.md").read_text(encoding="utf-8")
            head = (self.folder / "README.md").read_text(encoding="utf-8")
        except OSError:
            return None
        previously = read_marker(body)
        return (head, previously) if previously is not None else None

    def open_proposals(self) -> set[str]:
        found = self._open()
        return {p["id"] for p in found[1]} if found else set()

    def publish(self, new: list[Proposal], proposals: list[Proposal], model: str, template=None) -> Published:
        head, previously = self._open() or (self.list_text, [])
        rolled = roll(self.list_text, head, previously, new, proposals, self.limit)
        if rolled.text == head and not rolled.rejected and (self.folder / "README.md").exists():
            return Published("unchanged", str(self.folder), [], {}, rolled.proposals)
        self.folder.mkdir(parents=True, exist_ok=True)
        for name, content in (("README.md", rolled.text),
                              ("pull-request.md", pull_request_body(rolled.proposals, model, template))):
            atomic_write(self.folder / name, content.encode("utf-8"))
        return Published("written", str(self.folder), rolled.added, rolled.rejected, rolled.proposals)


class GitHubPublisher:
    def __init__(self, config, token: str, *, pause: float = 2.0):
        gh = config.github
        self.config, self.pause = config, pause
        retry = GithubRetry(total=gh.retries, allowed_methods={"GET", "HEAD"}, backoff_factor=pause / 4,
                            max_rate_limit_wait=300)
        self.github = Github(base_url=gh.api_url.rstrip("/"), auth=Auth.Token(token), timeout=int(gh.timeout),
                             retry=retry, seconds_between_requests=None, seconds_between_writes=None)
        self.base, self.branch, self.path = config.list.branch, gh.branch, config.list.path
        self.repo = self._call(lambda: self.github.get_repo(config.list.repo), f"read repository {config.list.repo}")
        self.owner = self.repo.owner.login

    # --- requests --------------------------------------------------------------------------

    def _refused(self, exc: GithubException, what: str) -> PublishError:
        message = (exc.data or {}).get("message", "") if isinstance(exc.data, dict) else str(exc.data)
        hints = {401: "the token is missing, expired or wrong",
                 403: "the token lacks permission (it needs contents: write and pull_requests: write)",
                 404: f"check list.repo and list.branch, and that the token can see {self.config.list.repo}"}
        return PublishError(f"GitHub refused to {what}: HTTP {exc.status} {message}".strip(),
                            hints.get(exc.status, "see the GitHub API documentation"))

    @staticmethod
    def _retry_after(exc: GithubException) -> float | None:
        headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
        if headers.get("retry-after", "").isdigit():
            return float(headers["retry-after"])
        if headers.get("x-ratelimit-remaining") == "0" and headers.get("x-ratelimit-reset", "").isdigit():
            return max(0.0, float(headers["x-ratelimit-reset"]) - time.time())
        message = str((exc.data or {}).get("message", "")) if isinstance(exc.data, dict) else ""
        return 60.0 if exc.status == 403 and "rate limit" in message.lower() else None

    def _call(self, action: Callable, what: str, landed: Callable | None = None, attempts: int = 4,
              conflicts: bool = False):
        """Run one request.  5xx, timeouts and rate limits are retried, but a write is only
        repeated after ``landed()`` confirmed that the failed attempt did not take effect.
        With ``conflicts``, a 409/422 raises Conflict (someone else got there first)."""
        for attempt in range(attempts):
            try:
                return action()
            except GithubException as exc:
                wait = self._retry_after(exc) if exc.status in (403, 429) else None
                if exc.status in (409, 422) and conflicts:
                    raise Conflict(f"{what}: HTTP {exc.status}") from None
                if exc.status < 500 and wait is None:
                    raise self._refused(exc, what) from None
                problem = f"HTTP {exc.status}"
            except (requests.ConnectionError, requests.Timeout) as exc:
                wait, problem = None, type(exc).__name__
            if attempt == attempts - 1:
                raise PublishError(f"GitHub failed to {what}: {problem} after {attempts} attempts",
                                   "GitHub may be down; the next run repairs a half-done update")
            delay = min(wait if wait is not None else self.pause * 2 ** attempt, 300)
            log.warning("GitHub: %s failed (%s); retrying in %.1fs", what, problem, delay)
            time.sleep(delay)
            if landed is not None:
                result = landed()
                if result is not None:
                    return result

    def _file(self, ref: str):
        content = self._call(lambda: self.repo.get_contents(self.path, ref=ref), f"read {self.path} on {ref}")
        return content.decoded_content.decode("utf-8"), content.sha

    def _open_pull(self):
        pulls = self._call(lambda: list(self.repo.get_pulls(state="open", head=f"{self.owner}:{self.branch}",
                                                            base=self.base)), "list pull requests")
        return pulls[0] if pulls else None

    def _branch_sha(self, name: str) -> str | None:
        try:
            return self.repo.get_git_ref(f"heads/{name}").object.sha
        except UnknownObjectException:
            return None
        except GithubException as exc:
            raise self._refused(exc, f"read branch {name}") from None

    def _closed_pull_head(self, sha: str) -> bool:
        pulls = self._call(lambda: list(self.repo.get_pulls(state="closed", head=f"{self.owner}:{self.branch}",
                                                            base=self.base)), "list closed pull requests")
        return any(p.head.sha == sha for p in pulls)

    def _human_commits(self, base_sha: str, head: str) -> int:
        comparison = self._call(lambda: self.repo.compare(base_sha, head), f"compare {self.base}...{head}")
        return sum(1 for c in comparison.commits if TRAILER not in (c.commit.message or ""))

    def _commit(self, text: str, sha: str, message: str) -> None:
        def landed():
            current, _ = self._file(self.branch)
            return True if current == text else None

        self._call(lambda: self.repo.update_file(self.path, f"{message}\n\n{TRAILER}", text, sha, branch=self.branch),
                   f"commit {self.path} to {self.branch}", landed, conflicts=True)

    # --- the rolling pull request ----------------------------------------------------------

    def base_text(self) -> str:
        return self._file(self.base)[0]

    def open_proposals(self) -> set[str]:
        pull = self._open_pull()
        return {p["id"] for p in read_marker(pull.body) or []} if pull else set()

    def closed_feedback(self, current_list: AwesomeList) -> tuple[dict, dict]:
        """(accepted, rejected) from every closed pull request of the bot."""
        accepted: dict[str, str | None] = {}
        rejected: dict[str, str | None] = {}
        pulls = self._call(lambda: list(self.repo.get_pulls(state="closed", base=self.base)), "list closed pulls")
        for pull in sorted(pulls, key=lambda p: p.number):
            proposed = read_marker(pull.body)
            if proposed is None:
                continue
            result = feedback(proposed, bool(pull.merged), current_list)
            for paper_id, section in result.accepted.items():
                accepted[paper_id] = section
                rejected.pop(paper_id, None)
            for paper_id, section in result.rejected.items():
                if paper_id not in accepted:
                    rejected[paper_id] = section
        return accepted, rejected

    def publish(self, new: list[Proposal], proposals: list[Proposal], model: str, template=None) -> Published:
        """Open the bot's pull request, or add to it; repeated when another run got in the way."""
        for attempt in range(4):
            try:
                return self._publish_once(new, proposals, model, template)
            except Conflict as exc:
                log.warning("GitHub: %s; someone else changed the pull request, looking again", exc)
                time.sleep(self.pause * attempt)
        raise PublishError("the bot's branch kept changing under this run", "run again later")

    def _publish_once(self, new, proposals, model, template) -> Published:
        gh = self.config.github
        base_sha = self._call(lambda: self.repo.get_branch(self.base).commit.sha, f"read branch {self.base}")
        base_text, _ = self._file(self.base)
        pull = self._open_pull()
        if pull is None:
            return self._open(new, proposals, model, template, base_sha, base_text)
        head_text, head_sha = self._file(self.branch)
        rolled = roll(base_text, head_text, read_marker(pull.body) or [], new, proposals, gh.max_entries)
        if rolled.text != head_text:
            self._commit(rolled.text, head_sha, f"Add {len(rolled.added)} paper(s) from arXiv" if rolled.added
                         else f"Re-apply proposals onto {self.base}")
        body = pull_request_body(rolled.proposals, model, template)
        if rolled.text == head_text and _same_marker(pull.body, body):
            return Published("unchanged", pull.html_url, [], rolled.rejected, rolled.proposals)
        self._call(lambda: pull.edit(body=body), f"update pull request #{pull.number}")
        return Published("updated", pull.html_url, rolled.added, rolled.rejected, rolled.proposals)

    def _open(self, new, proposals, model, template, base_sha, base_text) -> Published:
        gh = self.config.github
        existing = self._branch_sha(self.branch)
        previously: list[dict] = []
        if existing is not None and existing != base_sha:
            if self._closed_pull_head(existing):
                # the branch of a merged or closed pull request: its history is kept there; start afresh
                ref = self.repo.get_git_ref(f"heads/{self.branch}")
                self._call(lambda: ref.edit(base_sha, force=True), f"reset branch {self.branch}")
                existing = base_sha
            elif self._human_commits(base_sha, existing):
                raise PublishError(f"branch {self.branch} has commits by people and no open pull request",
                                   "merge or delete that branch, or set github.branch to another name")
            else:  # bot commits only: a run that stopped before opening the pull request; adopt them
                head_text, _ = self._file(self.branch)
                previously = adopted(parse(base_text), parse(head_text))
        if not new and not previously:
            return Published("unchanged", f"{self.config.list.repo} (no open pull request)")
        if existing is None:
            self._call(lambda: self.repo.create_git_ref(f"refs/heads/{self.branch}", base_sha),
                       f"create branch {self.branch}", lambda: self._branch_sha(self.branch), conflicts=True)
        head_text, head_sha = self._file(self.branch)
        rolled = roll(base_text, head_text, previously, new, proposals, gh.max_entries)
        if rolled.text != head_text:
            self._commit(rolled.text, head_sha, f"Add {len(rolled.added)} paper(s) from arXiv")
        body = pull_request_body(rolled.proposals, model, template)
        pull = self._call(lambda: self.repo.create_pull(base=self.base, head=self.branch, title=gh.pr_title,
                                                        body=body), "open the pull request", self._open_pull,
                          conflicts=True)
        self._label(pull)
        return Published("opened", pull.html_url, rolled.added, rolled.rejected, rolled.proposals)

    def _label(self, pull) -> None:
        for name in self.config.github.labels:
            try:
                self.repo.get_label(name)
            except UnknownObjectException:
                self._call(lambda: self.repo.create_label(name, LABEL_COLOR), f"create label {name}",
                           lambda: self.repo.get_label(name))
        if self.config.github.labels:
            self._call(lambda: pull.add_to_labels(*self.config.github.labels), "label the pull request")


def adopted(base: AwesomeList, head: AwesomeList) -> list[dict]:
    """The entries a branch adds to the list, as marker records (for a branch left by a stopped run)."""
    listed = base.arxiv_ids()
    return [{"id": e.arxiv_id, "section": e.label, "title": e.title, "probability": 0.0}
            for e in head.entries if e.arxiv_id and e.arxiv_id not in listed]


def _known(previously: list[dict], proposals: list[Proposal], ids: set[str]) -> list[Proposal]:
    """Proposals for ids already in the pull request (details from this run when known)."""
    fresh = {p.id: p for p in proposals}
    return [fresh.get(p["id"]) or Proposal(p["id"], p["title"], p.get("section") or "", p["probability"])
            for p in previously if p["id"] in ids]


def _same_marker(old_body: str | None, new_body: str) -> bool:
    return read_marker(old_body) == read_marker(new_body)
