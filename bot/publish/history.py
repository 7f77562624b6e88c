"""What people did with the bot's pull requests, read from GitHub: which pull requests carry a marker
the bot wrote, the papers a person's commit removed or rewrote, and the decisions of every closed pull
request (from its marker, or from its commits when a person removed the marker).  GitHub is the truth;
the store only caches what this says.  Used by the GitHub publisher.

Example: History(repo, "awesome-list-bot/new-papers", "README.md").feedback(parse(base_text)).accepted
"""

from __future__ import annotations

from bot.lists.awesome import AwesomeList, parse
from bot.propose.commits import bot_added, is_bot_commit
from bot.propose.proposals import Feedback, Marker, Proposal, feedback, read_marker
from bot.propose.rewrites import rewritten_in_place
from bot.publish.github import Commit, GitHubRepo, Pull


class History:
    """The bot's pull requests on one branch of one repository, and the commits in them."""

    def __init__(self, gh: GitHubRepo, branch: str, path: str):
        self.gh, self.branch, self.path = gh, branch, path
        self._trusted: dict[int, bool] = {}
        self._lists: dict[str, AwesomeList | None] = {}  # by commit SHA: a commit's file never changes

    def remember(self, sha: str, document: AwesomeList) -> None:
        """The list in a commit, read and parsed already by the caller."""
        self._lists[sha] = document

    def list_at(self, sha: str) -> AwesomeList | None:
        """The list as it is in a commit, parsed once; None when the file is not there."""
        if sha not in self._lists:
            found = self.gh.file(sha, self.path)
            self._lists[sha] = parse(found[0]) if found else None
        return self._lists[sha]

    def ours(self, pull: Pull) -> bool:
        """Whether the bot wrote this pull request's marker: it opened it (the token's account, or
        a bot account), or every paper of the marker was added by the bot's commits in it (the
        token changed hands).  Only the bot's branch in this repository is ever read."""
        if pull.number not in self._trusted:
            login = self.gh.login()
            found = read_marker(pull.body)
            if found is None:
                trusted = False
            elif pull.author_is_bot or (login and pull.author == login):
                trusted = True
            else:
                added = set(bot_added([c.message for c in self.gh.pull_commits(pull)]))
                trusted = bool(found.ids()) and found.ids() | found.rejected_ids() <= added
            self._trusted[pull.number] = trusted
        return self._trusted[pull.number]

    def people_edits(self, commits: list[Commit], wanted: set[str]) -> tuple[set[str], dict[str, str]]:
        """Of the ``wanted`` ids, those a commit that is not the bot's removed, and those it rewrote in
        place (id -> the new entry's title); reading stops once every wanted id is accounted for."""
        removed: set[str] = set()
        edited: dict[str, str] = {}
        for commit in commits:
            if not wanted - removed - set(edited):
                break
            if is_bot_commit(commit.message) or not commit.parents:
                continue
            old, new = self.list_at(commit.parents[0]), self.list_at(commit.sha)
            if old is not None:
                gone = (old.arxiv_ids() - (new.arxiv_ids() if new else set())) & wanted
                rewritten = rewritten_in_place(old, new, gone) if new else {}
                edited.update(rewritten)
                removed |= gone - set(rewritten)
        return removed - set(edited), edited

    def feedback(self, current: AwesomeList, open_pulls: list[Pull]) -> Feedback:
        """Decisions from every closed pull request of the bot (into any base: the default branch
        may have been renamed), then the open ones' rejections (``open_pulls``, as just listed)."""
        result = Feedback()
        for pull in sorted(self.gh.pulls(self.branch, "closed"), key=lambda p: p.number):
            found = read_marker(pull.body) if self.ours(pull) else None
            if found is None and read_marker(pull.body) is None:  # a person removed or broke the marker
                found = self._from_commits(pull)
            if found is not None:
                result.add(feedback(self._as_merged(pull, found, current), pull.merged, current))
        for pull in open_pulls:
            found = read_marker(pull.body) if self.ours(pull) else None
            if found is not None:
                result.add(Feedback.rejecting({r.id: r.section for r in found.rejected}, "deleted from the open pull request"))
        return result

    def _from_commits(self, pull: Pull) -> Marker | None:
        """A closed pull request's marker read again from what people cannot tidy away: the papers the
        bot's commits in it added (their ``Proposed-papers:`` trailers) and, of those, the ones a
        person's commit in it removed (rejected).  None when no commit of the bot's is in it."""
        commits = self.gh.pull_commits(pull)
        added = list(dict.fromkeys(bot_added([c.message for c in commits if is_bot_commit(c.message)])))
        if not added:
            return None
        removed, edited = self.people_edits(commits, set(added))
        document = self.list_at(pull.head_sha)
        entries = {e.arxiv_id: e for e in document.entries if e.arxiv_id} if document else {}
        removed -= set(entries)  # back by the end: moved in two commits, or a deletion reverted
        proposals = [Proposal(i, entries[i].title if i in entries else edited.get(i, ""),
                              entries[i].label if i in entries else None) for i in added if i not in removed]
        rejected = [Proposal(i, "", None) for i in added if i in removed]
        return Marker(proposals, rejected)

    def _as_merged(self, pull: Pull, found: Marker, current) -> Marker:
        """A merged pull request's marker without the papers that were not in it when it was merged
        (a run that added them as it was being merged): those were never decided."""
        if not pull.merged:
            return found
        absent = [p for p in found.proposals if current.find(p.id, p.title, found.ids(), p.authors) is None
                  and not current.contains(p.id, p.title)]
        if not absent:
            return found
        merged = set(bot_added([c.message for c in self.gh.pull_commits(pull)]))  # what the merge brought
        return Marker([p for p in found.proposals if p not in absent or p.id in merged], found.rejected,
                      found.labelled)
