"""Shared fixtures: paths to the real data beside the checkout, and an in-process `bot` runner."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

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
    from bot.cli import main

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


@pytest.fixture
def seed_text() -> str:
    return SEED_README.read_text(encoding="utf-8")
