"""Publishing: the rolling pull request on GitHub, a folder standing in for it, or a dry run.

Runs at the end of ``bot run``.  Every publisher offers the same four calls,
so ``run`` never asks which one it has: ``base_list()`` (the list now, parsed),
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

    publisher = make_publisher(config, "local", Path("out/dry-run"), dry_run=True)
    publisher.publish(proposals, model="abc123").action   # 'dry run'
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bot.base.errors import PublishError
from bot.base.files import atomic_write
from bot.lists.awesome import AwesomeList, parse
from bot.propose.proposals import (Feedback, Marker, Proposal, marker, pull_request_body, read_marker,
                                   with_maintainers_text)
from bot.propose.rolling import Branch, Plan, deleted, plan


@dataclass
class Published:
    """What a publish did: the action, where, and the change it made to the pull request (``plan``)."""

    action: str  # opened, updated, unchanged, written, conflict, dry run
    where: str
    plan: Plan
    waiting: int = 0  # proposals held back: the pull request conflicts with its base

    @property
    def added(self) -> list[str]:
        return self.plan.added

    @property
    def rejected(self) -> dict[str, str | None]:
        """Papers deleted by maintainers, found this run: id -> the section the bot had proposed."""
        return self.plan.newly_rejected

    @property
    def proposals(self) -> list[Proposal]:
        """The pull request's proposals after this run."""
        return self.plan.proposals

    @property
    def notes(self) -> list[str]:
        return self.plan.notes

    @property
    def failed(self) -> dict[str, str]:
        """Papers that could not be added: id -> why."""
        return self.plan.failed

    @property
    def over_limit(self) -> int:
        """Proposals left for a later run: the pull request is full."""
        return self.plan.over_limit


class Publisher(Protocol):
    online: bool  # whether it reads from GitHub (then training may ask arXiv for abstracts too)

    def base_list(self) -> AwesomeList: ...
    def open_proposals(self) -> set[str]: ...
    def feedback(self) -> Feedback: ...
    def publish(self, proposals: list[Proposal], model: str) -> Published: ...
    def preview(self, proposals: list[Proposal], model: str) -> tuple[Published, str, str]: ...


RECORD = ".awesome-list-bot"  # in a local proposal's folder: the marker the bot last wrote


class LocalPublisher:
    """A folder standing in for the pull request: README.md (the list with the proposals) and
    pull-request.md (the description and its marker).  While they exist they are the open
    proposal; every edit in the folder is a maintainer's (deleting an entry rejects it).  The bot
    also keeps the marker it last wrote in ``RECORD``, as GitHub keeps commits: a description
    rewritten by hand (its marker gone) forgets nothing."""

    online = False

    def __init__(self, folder: Path, list_text: str, limit: int = 25, template: Path | None = None):
        self.folder, self.list_text, self.limit, self.template = Path(folder), list_text, limit, template
        self._base: AwesomeList | None = None
        self._last: tuple[tuple[str | None, ...], Branch] | None = None  # the folder's texts as last read

    def base_list(self) -> AwesomeList:
        if self._base is None:
            self._base = parse(self.list_text)
        return self._base

    def _texts(self) -> tuple[str | None, ...]:
        return tuple(_read(self.folder / name) for name in ("pull-request.md", "README.md", RECORD))

    def _branch(self) -> Branch:
        """The folder as it is now (worked out again only when its files changed): the marker of
        pull-request.md, or the one the bot last wrote when people removed it from there."""
        texts = self._texts()
        if self._last is None or self._last[0] != texts:
            found = read_marker(texts[0]) or read_marker(texts[2]) or Marker()
            if texts[1] is None:  # the proposed list is gone: start it again, remembering what was rejected
                branch = Branch(self.list_text, self.list_text, Marker([], found.rejected), base=self.base_list())
            else:
                branch = Branch(self.list_text, texts[1], found, [], found.ids(), base=self.base_list())
            self._last = (texts, branch)
        return self._last[1]

    def open_proposals(self) -> set[str]:
        branch = self._branch()
        return branch.marker.ids() & branch.head.arxiv_ids()

    def feedback(self) -> Feedback:
        """Rejected: the papers deleted from the folder's README, read as the planner reads a branch (a paper
        whose link a maintainer changed, to the journal version say, is found by its title: still proposed)."""
        branch = self._branch()
        gone = deleted(branch)
        return Feedback.rejecting({**{r.id: r.section for r in branch.marker.rejected}, **gone},
                                  "deleted from the local proposal")

    def preview(self, proposals: list[Proposal], model: str) -> tuple[Published, str, str]:
        return self._preview(proposals, model)[0]

    def _preview(self, proposals, model) -> tuple[tuple[Published, str, str], tuple[str | None, ...]]:
        """The change, and the folder's texts (pull-request.md, README.md, the record) of the one reading
        it rests on."""
        branch = self._branch()
        texts = self._last[0]
        result = plan(branch, proposals, self.limit)
        body = with_maintainers_text(texts[0],  # a note people wrote there stays
                                     pull_request_body(result.proposals, result.rejected, model, self.template))
        return (Published("written", str(self.folder), result), result.text, body), texts

    def publish(self, proposals: list[Proposal], model: str) -> Published:
        """Write the change; planned again when a person edited the folder while it was planned (their
        edit is read, never written over), and one ``problem:`` line when the folder refuses a write."""
        for _ in range(5):
            (published, text, body), texts = self._preview(proposals, model)
            record = marker(published.plan.proposals, published.plan.rejected) + "\n"  # any template
            if texts[1] is not None and text == texts[1] and read_marker(texts[0]) == read_marker(body) \
                    and texts[2] == record:
                published.action = "unchanged"
                return published
            if self._texts() != texts:
                continue  # edited meanwhile: plan on what is there now
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                for name, content in (("README.md", text), ("pull-request.md", body), (RECORD, record)):
                    atomic_write(self.folder / name, content.encode("utf-8"))
            except OSError as exc:
                raise PublishError(f"cannot write the local proposal in {self.folder}: {exc.strerror or exc}",
                                   "free the disk or fix the folder; the next run writes it again") from None
            return published
        raise PublishError(f"the local proposal in {self.folder} kept changing while this run wrote it", "run again")


def _read(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8")  # as written: CRLF stays CRLF
    except OSError:
        return None


class DryRunPublisher:
    """Reads like the publisher it wraps; writes the would-be README and description to a folder."""

    def __init__(self, source, folder: Path):
        self.source, self.folder = source, Path(folder)
        self.online = source.online

    def base_list(self) -> AwesomeList:
        return self.source.base_list()

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


