"""`bot init`: read a list, say what the bot found in it, and write a config and a workflow for it.

Runs once, when a maintainer sets the bot up for a list (from a local README or
from GitHub).  Reading and summarising are pure functions; ``write_files`` is
the only step that touches disk, and it never overwrites a file unless told.
The workflow ``uses:`` this project's GitHub Action at a commit SHA (see
``action_ref``: ``--action``, the checkout, what pip recorded, a placeholder).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import yaml

from bot import __version__
from bot.base.checks import branch_name, http_url, repo_path
from bot.base.errors import InputError
from bot.base.files import atomic_write, read_list_text, writable_folder
from bot.lists.awesome import AwesomeList, parse, require_entries
from bot.papers.paper import read_jsonl

TEMPLATES = Path(__file__).parents[1] / "templates"  # bot/templates
ACTION_REPOSITORY = "awesome-list-bot/awesome-list-bot"
PLACEHOLDER_SHA = "0" * 40
DEFAULT_CATEGORIES = ["cs.CV", "cs.LG"]


@dataclass
class Survey:
    """What `bot init` found in a list."""

    source: str
    document: AwesomeList
    categories: Counter = field(default_factory=Counter)
    categories_source: str = "not known: the defaults"
    topic: object = None  # classifier.lexicon.Lexicon learned from the list, or None
    topic_problem: str = ""  # why no topic was learned
    pace: object = None  # classifier.pace.Pace: the list's pace and the budget it implies

    def lines(self) -> list[str]:
        doc = self.document
        shapes = ", ".join(f"{shape} {n}" for shape, n in doc.shapes().most_common()) or "none"
        out = [f"{self.source}: {len(doc.entries)} entries in {len(doc.labels())} sections (formats: {shapes})"]
        for label in doc.labels():
            out.append(f"  {label:<40} {sum(1 for e in doc.entries if e.label == label):>4}")
        without = sum(1 for e in doc.entries if not e.arxiv_id)
        out.append(f"entries without an arXiv id: {without}")
        out.append(f"entries commented out: {len(doc.commented)}")
        out.append(f"lines not read as entries: {len(doc.unparsed)}")
        out += [f"  line {n}: {line[:70]}" for n, line in doc.unparsed[:10]]
        out += [f"warning: {w}" for w in doc.warnings]
        known = sum(self.categories.values())
        if known:
            top = ", ".join(f"{c} {n}" for c, n in self.categories.most_common(8))
            out.append(f"arXiv categories of the list's papers ({self.categories_source}): {top}")
        else:
            out.append("arXiv categories of the list's papers: not known (using " + ", ".join(DEFAULT_CATEGORIES) + ")")
        if self.pace is not None:
            out.append(f"budget: {self.pace.budget_per_1000:g} proposals per 1,000 feed papers, from the list's pace "
                       f"({self.pace.evidence})")
            if self.pace.thin:
                out.append(f"warning: thin evidence for the budget: {self.pace.thin}")
        if self.topic is not None:
            from classifier.lexicon import describe

            out += describe(self.topic)
            out.append("  (`bot train` learns it again from the list and its papers, and writes it beside the model)")
        else:
            out.append(f"topic: not learned ({self.topic_problem})")
        return out

    def chosen_categories(self, cover: float = 0.8, most: int = 5) -> list[str]:
        """The main categories: the fewest that hold ``cover`` of the papers (at most ``most``)."""
        if not self.categories:
            return list(DEFAULT_CATEGORIES)
        total, chosen, seen = sum(self.categories.values()), [], 0
        for name, count in self.categories.most_common(most):
            chosen.append(name)
            seen += count
            if seen >= cover * total:
                break
        return chosen


def check_repo(repo: str) -> None:
    """``owner/name`` as GitHub spells repositories, else a one-line error (exit 2)."""
    if not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", repo or ""):
        raise InputError(f"--repo {repo!r} is not owner/name", "e.g. --repo octocat/awesome-papers")


def check_values(**given: str | None) -> None:
    """--branch, --path and --api-url as the config will check them, else a one-line error (exit 2).

    Example: check_values(branch="dev #2", path=None, api_url="https://api.github.com")  # InputError
    """
    checks = {"branch": branch_name, "path": repo_path, "api_url": http_url}
    for name, value in given.items():
        if value is not None:
            try:
                checks[name](value)
            except ValueError as exc:
                option = "--" + name.replace("_", "-")
                raise InputError(f"{option} {value!r} {exc}", f"pass another {option}") from None


def yaml_scalar(value: str | None) -> str:
    """A value as a YAML scalar that reads back as exactly ``value`` (a double-quoted JSON string: a
    '#', ': ' or control character inside cannot end it or start a comment); None is null."""
    return "null" if value is None else json.dumps(value)  # ASCII escapes: DEL, NEL read back exactly


def comment_text(value: str) -> str:
    """Text for a YAML comment line: control characters and line breaks become spaces."""
    return re.sub(r"[\x00-\x1f\x7f\u0085\u2028\u2029]", " ", value)


def read_local(path: Path, branch: str | None, list_file: str | None, folder: Path) -> tuple[str, str, str, str]:
    """(text, branch, path in the repository, local copy relative to ``folder``) of a list read from disk.

    Example: read_local(Path("README.md"), None, None, Path(".")) -> (text, "main", "README.md", "README.md")
    """
    text = read_list_text(path)
    if list_file is None:
        try:
            repo_path(path.name)
        except ValueError as exc:
            raise InputError(f"the list's file name {path.name!r} {exc}", "pass --path with its path in the repository") from None
    try:
        local_copy = os.path.relpath(path.resolve(), folder.resolve())
    except ValueError:
        local_copy = str(path.resolve())
    return text, branch or "main", list_file or path.name, local_copy


def read_from_github(repo: str, path: str | None, branch: str | None, api_url: str, token: str | None) -> tuple[str, str, str]:
    """(text, branch, path) of a list on GitHub (a token is optional for a public repository)."""
    from bot.publish.github import GitHubRepo

    check_repo(repo)
    github = GitHubRepo(api_url, repo, token, retries=2, pause=1.0)
    branch, path = branch or github.default_branch, path or "README.md"
    found = github.file(branch, path)
    if found is None:
        raise InputError(f"{repo} has no {path} on {branch}", "check --path and --branch")
    return found[0], branch, path


def categories(document: AwesomeList, papers: list, api=None, sample: int = 30) -> tuple[Counter, str]:
    """The primary arXiv categories of the list's papers: from the local ``papers``, else the arXiv API."""
    ids = {e.arxiv_id for e in document.entries if e.arxiv_id}
    found = {paper.id: paper.categories[0] for paper in papers if paper.id in ids and paper.categories}
    source = f"{len(found)} of {len(ids)} papers found locally"
    if api is not None and len(found) < min(len(ids), sample):
        missing = sorted(ids - set(found))[:sample]
        try:
            for paper in api.by_ids(missing):
                if paper.categories:
                    found[paper.id] = paper.categories[0]
            source = f"{len(found)} of {len(ids)} papers, a sample looked up on arXiv"
        except Exception as exc:  # noqa: BLE001  (any failure of the lookup leaves the local answer)
            source += f"; arXiv lookup failed: {str(exc)[:80]}"
    return Counter(found.values()), source


def _github_repository(url: str) -> str | None:
    """owner/name of a GitHub URL (https, ssh or git@), else None."""
    match = re.search(r"github\.com[:/]([\w.-]+/[\w.-]+?)(?:\.git)?/?$", url.strip())
    return match.group(1) if match else None


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=Path(__file__).parent, capture_output=True, text=True,
                              timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def _installed_from() -> tuple[str | None, str]:
    """(owner/name, commit) pip recorded when the bot was installed from a git URL (PEP 610), else (None, "")."""
    import json
    from importlib import metadata

    try:
        direct = json.loads(metadata.distribution("awesome-list-bot").read_text("direct_url.json") or "{}")
    except (metadata.PackageNotFoundError, ValueError):
        return None, ""
    return _github_repository(direct.get("url", "")), direct.get("vcs_info", {}).get("commit_id", "")


def action_ref(given: str | None) -> tuple[str, str]:
    """(repository, commit SHA) of the GitHub Action the workflow uses.

    In order: ``--action OWNER/REPO@SHA``; the git checkout the bot runs from
    (its ``origin`` on GitHub and its HEAD); what pip recorded when the bot was
    installed from ``git+https://github.com/OWNER/REPO@SHA``; else a placeholder
    (an all-zero SHA) that the user sees in the workflow.

    Example: action_ref("octo/awesome-list-bot@" + "a" * 40)
    """
    if given:
        match = re.fullmatch(r"([\w.-]+/[\w.-]+)@([0-9a-f]{40})", given)
        if not match:
            raise InputError(f"--action {given!r} is not OWNER/REPO@SHA", "use a full 40-character commit SHA")
        return match.group(1), match.group(2)
    sha, repository = _git("rev-parse", "HEAD"), _github_repository(_git("remote", "get-url", "origin"))
    if not re.fullmatch(r"[0-9a-f]{40}", sha):
        repository, sha = _installed_from()
    return repository or ACTION_REPOSITORY, sha if re.fullmatch(r"[0-9a-f]{40}", sha or "") else PLACEHOLDER_SHA


def render_files(survey: Survey, repo: str, branch: str, path: str, local_copy: str, action: tuple[str, str]) -> dict[str, str]:
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), keep_trailing_newline=True,
                                     undefined=jinja2.StrictUndefined, autoescape=False)
    environment.filters.update(yaml=yaml_scalar, comment=comment_text)
    counts = Counter(e.label for e in survey.document.entries)
    config = environment.get_template("config.yaml.j2").render(
        repo=repo, branch=branch, path=path, local_copy=local_copy,
        sections=[(label, counts[label]) for label in survey.document.labels()],
        categories=survey.chosen_categories(), categories_source=survey.categories_source)
    workflow = environment.get_template("workflow.yml.j2").render(
        action_repo=action[0], action_sha=action[1], version=__version__, config_path="config.yaml")
    written = yaml.safe_load(config)["list"]
    if [written["repo"], written["branch"], written["path"], written["local_copy"]] != [repo, branch, path, local_copy]:
        raise InputError("the config would not read back as given (a bug: please report it)",
                         f"repo {repo!r}, branch {branch!r}, path {path!r}")
    return dict(zip(FILES, (config, workflow)))


FILES = ("config.yaml", ".github/workflows/awesome-list-bot.yml")  # what `bot init` writes into --output


def check_targets(folder: Path, names=FILES, force: bool = False) -> None:
    """Stop before any work when the files could not be written: a place that cannot hold them
    (``writable_folder``), or an existing file (unless ``force``).

    Example: check_targets(Path("."), force=False)  # raises InputError when config.yaml exists
    """
    targets = [folder / name for name in names]
    writable_folder(folder, "--output", tuple(names))
    existing = [p for p in targets if p.exists() or p.is_symlink()]  # a dangling link is a file too
    if existing and not force:
        raise InputError(f"{existing[0]} exists", "use --force to overwrite, or --output another folder")


def write_files(folder: Path, files: dict[str, str], force: bool) -> list[Path]:
    """Write every file, or none (``check_targets`` first: it is checked again, the folder may have changed).

    Example: write_files(Path("."), {"config.yaml": text}, force=False) -> [Path("config.yaml")]
    """
    check_targets(folder, files, force)
    targets = {folder / name: text for name, text in files.items()}
    try:
        for target, text in targets.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(target, text.encode("utf-8"))
    except OSError as exc:
        raise InputError(f"cannot write {exc.filename or folder}: {exc.strerror or exc}",
                         "pass another --output") from None
    return list(targets)


def learned_topic(document: AwesomeList, papers: list):
    """(lexicon, problem): the topic learned from the list's entries against the local ``papers``.

    Entries are read by title, with their abstracts when a store holds the paper;
    the same learning `bot train` does when the config names no lexicon.
    """
    from classifier.errors import ClassifierError
    from classifier.topic import learn

    if not papers:
        return None, "no background papers to learn against"
    abstracts = {paper.id: paper.abstract for paper in papers}
    listed = {e.arxiv_id for e in document.entries if e.arxiv_id}
    entries = [(e.title, abstracts.get(e.arxiv_id, "")) for e in document.entries if e.title]
    try:
        return learn(entries, [(p.title, p.abstract) for p in papers if p.id not in listed]), ""
    except ClassifierError as exc:
        return None, str(exc)


def survey(text: str, source: str, stores: list[Path], api=None) -> Survey:
    """What the list holds: formats, sections, unread lines, categories of its papers, its topic.

    Example: survey(Path("README.md").read_text(), "README.md", [BUNDLED_BACKGROUND]).lines()
    """
    document = parse(text)
    require_entries(document, source)
    papers = [paper for path in stores if Path(path).is_file() for paper in read_jsonl(path)]  # read once
    found, where = categories(document, papers, api)
    topic, problem = learned_topic(document, papers)
    from classifier.pace import entry_month, list_pace

    # the feed's own rate is not known yet (the bundled papers are a sample): the stated default
    pace = list_pace([entry_month(e.arxiv_id, e.date) for e in document.entries])
    return Survey(source, document, found, where, topic, problem, pace)


def token() -> str | None:
    """$GITHUB_TOKEN, checked like the bot's own token (optional: public lists need none)."""
    from bot.base.secrets import token_from

    return token_from("GITHUB_TOKEN")
