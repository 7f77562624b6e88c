"""The bot's commit messages: what a commit of the bot's looks like, and its ``Proposed-papers:``
trailer, from which the branch itself tells which entries are the bot's (even when the pull request's
description is stale or a person removed its marker).  Used by the publishers and the history reader.

Example: bot_added([commit_message(result)]) == result.added
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.propose.rolling import Plan

TRAILER = "Generated-by: awesome-list-bot"
PROPOSED = "Proposed-papers:"
START_AFRESH = "Start afresh from "
MERGE_BASE = "Merge {base} into the bot's branch, its entries beside the new ones"
BOT_COMMIT = re.compile(r"(?:Add \d+ papers? from arXiv(?:; remove [^\n]*)?|Remove [^\n]*|Start afresh from [^\n]*"
                        r"|Merge [^\n]* into the bot's branch[^\n]*)\n\n"
                        r"(?:Proposed-papers:[ \w./-]*\n\n)?Generated-by: awesome-list-bot\n?")


def commit_message(result: Plan) -> str:
    """What the bot's commit does, with trailers: ``Proposed-papers`` names the papers it added,
    so the branch itself tells which entries are the bot's even when the description is stale."""
    parts = []
    if result.added:
        parts.append(f"Add {len(result.added)} paper{'s' if len(result.added) != 1 else ''} from arXiv")
    if result.removed:
        parts.append(f"remove the bot's copy of {', '.join(result.removed)} (a maintainer listed it)")
    subject = "; ".join(parts)
    subject = subject[:1].upper() + subject[1:]
    papers = f"{PROPOSED} {' '.join(result.added)}\n\n" if result.added else ""
    return f"{subject}\n\n{papers}{TRAILER}"


def is_bot_commit(message: str) -> bool:
    """Whether a commit message is exactly one the bot writes (a squash that merely keeps the
    bot's message among others is a person's commit)."""
    return BOT_COMMIT.fullmatch(message.strip() + "\n") is not None


def bot_added(messages: list[str]) -> list[str]:
    """The ids the bot's own commits (messages oldest first) say they added since the branch last
    started afresh."""
    found: list[str] = []
    for message in messages:
        if not is_bot_commit(message):
            continue
        if message.startswith(START_AFRESH):
            found = []
        for line in message.splitlines():
            if line.startswith(PROPOSED):
                found += line.removeprefix(PROPOSED).split()
    return list(dict.fromkeys(found))
