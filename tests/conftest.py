"""Shared fixtures: paths to the real data beside the checkout, and an in-process `bot` runner."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

# one BLAS thread per process: the test workers already keep both cores busy, and numpy's default
# (a thread per core in every worker and every `bot` it starts) spends a sixth of the suite's CPU
# time on threads waiting for each other.  Set before numpy is imported; inherited by subprocesses.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
SEED_README = SHARED / "list" / "README-seed.md"
SEED_ENTRIES = SHARED / "list" / "entries-seed.jsonl"
PAPERS = SHARED / "arxiv" / "papers.jsonl.gz"
FEEDS = SHARED / "feeds"


@dataclass
class Result:
    exit_code: int
    out: str
    err: str


@pytest.fixture
def bot(capsys, monkeypatch):
    """Run the `bot` entry point in-process: bot("list", "check") -> Result."""
    from bot.cli.main import main

    def run(*args: str) -> Result:
        monkeypatch.setattr(sys, "argv", ["bot", *map(str, args)])
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@dataclass
class Trained:
    folder: Path  # the saved model (model.npz + meta.json)
    model: object  # the same model, in memory


def shared_folder(tmp_path_factory) -> Path:
    """A folder of this test session that every xdist worker sees (its own base folder without xdist)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def demo_model(tmp_path_factory) -> Trained:
    """The demo's classifier, trained once per test session (by the first worker that needs it, the
    others wait and load it) and shared by every test that needs a model: the bundled list (titles)
    against the bundled background (7,845 real papers), with the bundled lexicon and the repository's
    config (target recall 0.98)."""
    import fcntl

    from classifier import model as model_io

    shared = shared_folder(tmp_path_factory)
    with open(shared / "demo-model.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        saved = shared / "demo-model"
        if not (shared / "demo-model.done").is_file():
            folder = model_io.save(_train_demo_model(), saved)
            (shared / "demo-model.done").write_text(str(folder))
    folder = Path((shared / "demo-model.done").read_text())
    return Trained(folder, model_io.load(folder))


def _train_demo_model():
    from bot.base.config import load_config
    from bot.lists.awesome import parse
    from bot.papers.paper import read_jsonl
    from classifier import lexicon
    from classifier.operating import OperatingRule
    from classifier.train import Doc, train

    config = load_config(ROOT / "config.yaml")
    document = parse(SEED_README.read_text())
    entries = [Doc(e.arxiv_id or e.title_key, e.title, "", e.label) for e in document.entries]
    background = [Doc(p.id, p.title, p.abstract, feed=False)  # a sample, as `bot train` reads it
                  for p in read_jsonl(ROOT / "bot" / "data" / "background.jsonl.gz")]
    return train(entries, background, lexicon.load(config.classifier.lexicon),
                 rule=OperatingRule(config.classifier.target_recall))


@pytest.fixture
def seed_text() -> str:
    return SEED_README.read_text(encoding="utf-8")


NEEDS_NO_SHARED_DATA = {"test_workflows.py", "test_readme.py", "test_config.py"}


# the files that take longest (seconds of one worker, 2026-12-07), handed to the workers first: a file's
# tests run on one worker, and a long file handed out last would run alone at the end
SLOWEST_FIRST = ["test_wheel.py", "test_attack.py", "test_init.py", "test_publish.py", "test_classifier.py",
                 "test_feedback.py", "test_run.py", "test_topic.py", "test_serve.py"]


def pytest_configure(config):
    """.ci/run sets REQUIRE_SHARED_DATA=1: there a missing ../shared/data stops the run at once, with
    one line (before the test workers start: an exit inside a worker is an internal error)."""
    if not SHARED.is_dir() and os.environ.get("REQUIRE_SHARED_DATA"):
        pytest.exit(f"{SHARED} is missing: the tests replay real data from it", returncode=1)


def pytest_collection_modifyitems(config, items):
    """The slowest files first (the order of the rest kept; `--no-loadscope-reorder` in pyproject.toml
    keeps xdist from sorting the files by their number of tests instead).  Without ../shared/data
    beside the checkout (e.g. on GitHub's CI), the tests that replay real data are skipped."""
    rank = {name: i for i, name in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))
    if SHARED.is_dir():
        return
    skip = pytest.mark.skip(reason=f"needs the real data in {SHARED}")
    for item in items:
        if item.path.name not in NEEDS_NO_SHARED_DATA:
            item.add_marker(skip)


# --- a world of loopback arXiv feeds and a loopback GitHub, for `bot run` ------------------

TOKEN = "ghp_test_token_never_printed_1234"
DAYS = {"2025-09-18": ["2509.13525", "2509.13576"], "2025-09-19": ["2509.14566", "2509.14780"],
        "2025-09-22": ["2509.16019"]}


@pytest.fixture(scope="session")
def model_folder(demo_model):
    """The demo's classifier (bundled list + bundled background), trained once per session."""
    return demo_model.folder


@pytest.fixture
def feeds():
    from arxiv_fixtures import Loopback

    with Loopback() as server:
        yield server


@pytest.fixture
def github():
    from github_fake import FakeGitHub

    with FakeGitHub(text=SEED_README.read_text(), token=TOKEN) as fake:
        yield fake


@pytest.fixture
def world(tmp_path, model_folder, feeds, github, monkeypatch):
    """A config wired to the loopback feeds and GitHub; `serve(day)` switches the feed's day."""
    from arxiv_fixtures import Reply, day_listing, rss20, write_config

    from bot.base.config import load_config

    monkeypatch.setenv("TEST_GH_TOKEN", TOKEN)

    def serve(day):
        feeds.routes["/rss/cs.CV"] = Reply(body=rss20("cs.CV", day, day_listing(day, "cs.CV")))

    def config(store="store"):
        path = write_config(tmp_path / store if store != "store" else tmp_path,
                            arxiv__rss_url=feeds.url + "/rss/{category}", arxiv__categories=["cs.CV"],
                            list__repo="owner/list", github__api_url=github.url, github__token_env="TEST_GH_TOKEN",
                            github__backoff=0.05, github__retries=2, classifier__model_path=str(model_folder))
        return load_config(path)

    (tmp_path / "other").mkdir()
    serve("2025-09-18")
    return serve, config


