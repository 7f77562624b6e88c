"""Entries written as table rows: ``| 2025.03 | [Title](url) | CVPR 2025 | [code](url) |``.

Used by the list model.  A table is a header row, a delimiter row and body
rows; each column gets a role from its header (title, authors, date, year,
venue, code, link, number, other) or, failing that, from its cells.  A body
row is an entry when it has a title.  Each cell is cut into pieces (see
``inline``) tagged with its column, so a new row can be written with the same
columns, padding and link labels, and unknown columns left the way the list
leaves unknown values.
"""

from __future__ import annotations

import re

from bot.lists.inline import LineEntry, Piece, analyse, fields, is_empty_value, tokenize
from bot.lists.listfields import date_parts, looks_like_venue, title_like

DELIMITER = re.compile(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$")
ROLES = [
    ("number", r"#|no\.?|n°|id|idx|index|num"),
    ("authors", r"authors?|writers?"),
    ("date", r"dates?|time|month|published|release|pub\.? ?date|arxiv ?date|date ?\(.*\)|submitted"),
    ("year", r"years?"),
    ("venue", r"venues?|conf(erence)?s?\.?|journals?|publications?|pub\.?|source|venue ?/ ?\w+|conf\.? ?/ ?journal|where"),
    ("code", r"codes?|github|repo(sitory)?(@github)?|implementation|code ?link|official code"),
    ("acronym", r"acronyms?|abbr\.?|abbreviations?|short ?names?|nick ?names?"),
    ("link", r"arxiv|pdf|links?|urls?|paper ?link|download"),
    ("title", r"titles?|papers?|names?|paper ?(title|name)|methods?|articles?|works?|models?|papers? ?&? ?codes?"),
]


def is_row(line: str) -> bool:
    return "|" in line and not DELIMITER.match(line)


def split_cells(line: str) -> list[tuple[int, int]]:
    """(start, end) of each cell's text between unescaped pipes (outside `code` spans)."""
    bounds, in_code, index = [], False, 0
    while index < len(line):
        char = line[index]
        if char == "\\":
            index += 2
            continue
        if char == "`":
            in_code = not in_code
        elif char == "|" and not in_code:
            bounds.append(index)
        index += 1
    stripped = line.strip()
    cells = []
    edges = [-1] + bounds + [len(line)]
    for left, right in zip(edges, edges[1:]):
        cells.append((left + 1, right))
    if stripped.startswith("|"):
        cells = cells[1:]
    if stripped.endswith("|") and not stripped.endswith("\\|"):
        cells = cells[:-1]
    return cells


def header_roles(header: str) -> list[str]:
    roles = []
    for start, end in split_cells(header):
        name = re.sub(r"[*_`]|[^\x00-\u2e7f]", "", header[start:end]).strip().lower()
        role = next((r for r, pattern in ROLES if re.fullmatch(pattern, name)), "other")
        roles.append(role)
    return roles


def _cell_pieces(text: str, role: str, index: int) -> list[Piece]:
    """The pieces of one cell: padding as literals, the content by the column's role."""
    content = text.strip()
    if not content:
        return [Piece("lit", text, column=role, cell=index)]
    left = text[:text.index(content)]
    right = text[len(left) + len(content):]
    if is_empty_value(content) and role != "title":
        inner = [Piece("empty", content)]
    elif role in ("date", "year") and date_parts(content.strip("*_`")):
        inner = _wrapped(content, "date")
    elif role == "venue":
        inner = _wrapped(content, "venue")
    elif role == "authors":
        inner = _wrapped(content, "authors")
    elif role == "acronym" and not any(p.kind == "link" for p in tokenize(content)):
        inner = _wrapped(content, "acronym")
    elif role == "number" and re.fullmatch(r"\d+", content):
        inner = [Piece("number", content)]
    elif role in ("code", "link", "title"):
        inner = tokenize(content)
        if role == "title":
            found = analyse(inner)
            inner = found.pieces if found else [Piece("title", content)] if not any(
                p.kind == "link" for p in inner) else inner
    else:
        inner = [Piece("text", content)] if not any(p.kind == "link" for p in tokenize(content)) else tokenize(content)
    for piece in inner:
        piece.column, piece.cell = role, index
    return [p for p in [Piece("lit", left, column=role, cell=index), *inner,
                        Piece("lit", right, column=role, cell=index)] if p.text]


def _wrapped(content: str, kind: str) -> list[Piece]:
    core = content.strip("*_`")
    start = content.index(core) if core else 0
    return [p for p in (Piece("lit", content[:start]), Piece(kind, core), Piece("lit", content[start + len(core):]))
            if p.text]


def infer_roles(roles: list[str], rows: list[str]) -> list[str]:
    """Columns the header did not name: a column of title links is the title, dates are dates, ..."""
    roles = list(roles)
    titles = [i for i, role in enumerate(roles) if role == "title"]
    if len(titles) > 1:  # 'Model | Paper': the column of title links is the title, a name column its acronym
        def linked(column: int) -> int:
            cells = [split_cells(row) for row in rows]
            return sum(any(p.kind == "link" and title_like(p.label) for p in tokenize(row[c[column][0]:c[column][1]]))
                       for row, c in zip(rows, cells) if column < len(c))
        best = max(titles, key=lambda column: (linked(column), -column))
        roles = ["acronym" if column in titles and column != best else role for column, role in enumerate(roles)]
    for column, role in enumerate(roles):
        if role != "other" and not (role == "link" and "title" not in roles):
            continue
        values = []
        for row in rows:
            cells = split_cells(row)
            if column < len(cells):
                values.append(row[cells[column][0]:cells[column][1]].strip())
        values = [v for v in values if v and not is_empty_value(v)]
        if not values:
            continue
        links = [tokenize(v) for v in values]
        if "title" not in roles and sum(any(p.kind == "link" and title_like(p.label) for p in ps) for ps in links) \
                > len(values) / 2:
            roles[column] = "title"
        elif role == "other" and all(date_parts(v.strip("*_`")) for v in values):
            roles[column] = "date"
        elif role == "other" and sum(looks_like_venue(v.strip("*_`")) for v in values) > len(values) * 0.7:
            roles[column] = "venue"
    return roles


def parse_row(line: str, roles: list[str]) -> LineEntry | None:
    """The entry of one body row (raw line without its line ending), or None if it has no title."""
    pieces: list[Piece] = []
    pos = 0
    for index, (start, end) in enumerate(split_cells(line)):
        if start > pos:
            pieces.append(Piece("lit", line[pos:start]))
        role = roles[index] if index < len(roles) else "other"
        pieces += _cell_pieces(line[start:end], role, index)
        pos = end
    if pos < len(line):
        pieces.append(Piece("lit", line[pos:]))
    titles = [p for p in pieces if p.kind == "title" or p.role == "title"]
    if not titles:
        return None
    title = titles[0].label if titles[0].kind == "link" else titles[0].text
    return LineEntry(pieces, " ".join(re.sub(r"[*_`]{2,}", "", title).split()), fields(pieces))
