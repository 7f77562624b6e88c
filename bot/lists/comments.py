"""HTML comments in a list: which lines GitHub hides.

Used by the list model (``awesome``) before it looks for headings and entries:
text inside ``<!-- ... -->`` is not shown on GitHub, so headings and entries
there are not live, and nothing may be inserted there.  An unclosed ``<!--``
hides everything after it.
"""

from __future__ import annotations

import re

FENCE = re.compile(r"^\s*(```|~~~)")  # code blocks: a '<!--' there is text, not a comment


def comment_view(lines: list[str]) -> tuple[list[str], list[bool], int | None]:
    """Each line with the text inside HTML comments blanked (line endings kept), whether each line
    starts inside a comment, and the line of an unclosed '<!--' (None if all are closed)."""
    masked, starts_inside = [], []
    inside, in_code, opened = False, False, None
    for index, raw in enumerate(lines):
        line = raw.rstrip("\r\n")
        ending = raw[len(line):]
        starts_inside.append(inside)
        if not inside and FENCE.match(line):
            in_code = not in_code
        if in_code:
            masked.append(raw)
            continue
        out, pos = [], 0
        while pos < len(line):
            if inside:
                close = line.find("-->", pos)
                if close < 0:
                    out.append(" " * (len(line) - pos))
                    break
                out.append(" " * (close + 3 - pos))
                pos, inside = close + 3, False
            else:
                start = line.find("<!--", pos)
                if start < 0:
                    out.append(line[pos:])
                    break
                out.append(line[pos:start] + "    ")
                pos, inside, opened = start + 4, True, index
        masked.append("".join(out) + ending)
    return masked, starts_inside, opened if inside else None
