"""Entries written as a block of lines under a bold title (the bundled list's format).

    **Title** \\
    *Author One, Author Two* \\
    [3rd Aug., 2023] [arXiv, 2023] \\
    [[Paper](https://arxiv.org/abs/2308.02062)] [[Github](https://github.com/x/y)]

Used by the list model; ``parse_block`` reads the fields (with warnings for
what is missing or odd) and cuts the block into pieces (see ``inline``) so a
new entry can be written like it.  Variants: ``<br>`` instead of ``\\``, an
emoji before the title, link lines such as ``[[CVPR 2023](url)]``.
"""

from __future__ import annotations

import re

from bot.lists.inline import Piece, tokenize
from bot.lists.listfields import parse_date, split_authors

TITLE_LINE = re.compile(r"^(?P<lead>[ \t]*(?:[\u2600-\u27BF\U0001F000-\U0001FAFF\uFE0F][ \t]*)*)\*\*(?P<title>(?!\[).+?)(?<!\\)\*\*(?P<rest>.*)$")
AUTHORS_LINE = re.compile(r"^\s*\*(?!\*)(?P<authors>.*?)\*(?P<rest>[^*]*)$")
LINK = re.compile(r"\[\[(?P<label>[^\]]+)\]\((?P<url>[^)\s]*)\)\]|\[\[(?P<label2>[^\]]+)\]\]\((?P<url2>[^)\s]*)\)")
DATE_LINE = re.compile(r"^(?P<a>\s*\[)(?P<date>[^\]]*)(?:(?P<b>\]\s*\[)(?P<venue>[^\]]*))?(?P<c>\]?)(?P<rest>.*)$")


def strip_separator(text: str) -> tuple[str, str]:
    """Split a line's content from its trailing ' \\' or '<br>' separator."""
    body = text.rstrip()
    for sep in ("<br>", "\\"):
        if body.endswith(sep):
            core = body[: -len(sep)]
            spaced = core.endswith(" ")
            return core.rstrip(), (" " if spaced else "") + sep
    return body, ""


def _ending(raw: str) -> tuple[str, str]:
    line = raw.rstrip("\r\n")
    return line, raw[len(line):]


def _date_line(content: str, stripped: str, fields: dict, warnings: list[str]) -> list[Piece]:
    """The pieces of a ``[date] [venue]`` line; its date and venue go into ``fields``."""
    parts = re.findall(r"\[([^\]]*)(\]|$)", stripped)
    if any(closer == "" for _, closer in parts):
        warnings.append("unclosed bracket on date line")
    fields["date_text"] = parts[0][0].strip() if parts else None
    fields["venue"] = parts[1][0].strip() if len(parts) > 1 else None
    match = DATE_LINE.match(content)
    pieces = [Piece("lit", match.group("a")), Piece("date", match.group("date"))]
    if match.group("b") is not None:
        pieces += [Piece("lit", match.group("b")), Piece("venue", match.group("venue"))]
    return pieces + [Piece("lit", match.group("c")), Piece("text" if match.group("rest").strip() else "lit",
                                                             match.group("rest"))]


def _missing(fields: dict) -> list[str]:
    """Warnings for the lines a block entry lacks (or a date it cannot read)."""
    warnings = [] if fields["authors"] else ["no authors line"]
    if fields["date_text"] is None:
        warnings.append("no date line")
    elif parse_date(fields["date_text"]) is None:
        warnings.append(f"unreadable date {fields['date_text']!r}")
    return warnings + ([] if fields["links"] else ["no links"])


def parse_block(block: list[str]) -> tuple[dict, list[str], tuple[str, ...], list[Piece]]:
    """Fields, warnings, line separators and pieces of the lines of one block entry."""
    warnings: list[str] = []
    separators: list[str] = []
    fields: dict = {"title": "", "authors": [], "date_text": None, "venue": None, "links": {}}
    line, newline = _ending(block[0])
    title_match = TITLE_LINE.match(line)
    fields["title"] = " ".join(title_match.group("title").split())
    rest = title_match.group("rest")
    content, sep = strip_separator(rest)
    separators.append(sep)
    lead = title_match.group("lead")
    indent = lead[:len(lead) - len(lead.lstrip())]
    pieces = [Piece("lit", indent), Piece("text", lead[len(indent):]),  # a rating emoji is the maintainer's
              Piece("lit", "**"), Piece("title", title_match.group("title")),
              Piece("lit", "**")]
    if content.strip():
        pieces.append(Piece("text", content))
    pieces.append(Piece("lit", rest[len(content):] + newline))
    for raw in block[1:]:
        line, newline = _ending(raw)
        content, sep = strip_separator(line)
        stripped = content.strip()
        tail = Piece("lit", line[len(content):] + newline)
        if stripped.startswith("[["):
            found = False
            for link in LINK.finditer(stripped):
                first = link.group("label") is not None
                label, url = (link.group("label"), link.group("url")) if first else (link.group("label2"), link.group("url2"))
                fields["links"].setdefault(label, url)
                found = True
            if not found:
                warnings.append("links line without [[label](url)] links")
            pieces += tokenize(content) + [tail]
        elif stripped.startswith("[") and fields["date_text"] is None:
            separators.append(sep)
            pieces += _date_line(content, stripped, fields, warnings) + [tail]
        elif AUTHORS_LINE.match(content) and not fields["authors"]:
            separators.append(sep)
            match = AUTHORS_LINE.match(content)
            fields["authors"] = split_authors(match.group("authors"))
            start = content.index("*")
            pieces += [Piece("lit", content[:start + 1]), Piece("authors", match.group("authors")),
                       Piece("lit", "*" + match.group("rest")), tail]
        else:
            warnings.append(f"line not understood in entry: {stripped[:60]!r}")
            pieces += [Piece("text", content), tail]
    warnings += _missing(fields)
    for piece in pieces:
        if piece.kind == "link" and piece.role == "other" and re.search(r"arxiv|paper", piece.label, re.I):
            piece.role = "paper"
    return fields, warnings, tuple(separators), [p for p in pieces if p.text]
