"""The decision record: what maintainers did with one paper the bot proposed, and where that was read.

One record through every step that learns from people: the publisher reads decisions from GitHub (or
the local folder), ``bot run`` caches them in the store, training labels papers by them, and
``bot backtest`` makes them up from its truth.

Example: Decision("2509.13576", accepted=True, section="Denoising", source="merged pull request").kind == "accepted"
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Decision:
    """Accepted (in the list now) or rejected (deleted, or its pull request closed)."""

    id: str
    accepted: bool
    section: str | None = None  # accepted: where maintainers left it; rejected: where the bot had proposed it
    title: str | None = None
    source: str = "pull request"  # where it was read: a merged or closed pull request, the open one, a backtest

    @property
    def kind(self) -> str:
        return "accepted" if self.accepted else "rejected"
