"""Which papers a person *rewrote* rather than removed: an arXiv entry replaced by the same paper's
published version (its title, maybe fixed, and a DOI), in place or moved to another section in the
same edit.  Pure functions over parsed lists; used by the GitHub history (``bot.publish.history``)
to tell a maintainer's edit from a rejection, commit by commit.

The same paper: nearly the same title (the closest one wins, and it must be closer than any other
entry the list already had), the same authors where both entries name them, and not another part
or edition of a series (titles that differ in a number: 'Part I' / 'Part II').  At the same place
a new title is allowed (a journal may retitle), but not new authors.

Example: rewritten_in_place(parse(before), parse(after), {"2509.13525"}) == {"2509.13525": "Title"}
"""

from __future__ import annotations

import difflib

from bot.lists.awesome import AwesomeList, Entry
from bot.lists.listfields import has_authors, numbered_apart, same_authors, title_closeness

SAME_TITLE = 0.9  # difflib ratio of the normalised titles
SAME_TITLE_UNSIGNED = 0.97  # ... when neither entry names its authors: a fixed word, not another topic


def rewritten_in_place(before: AwesomeList, after: AwesomeList, gone: set[str]) -> dict[str, str]:
    """Of the papers ``gone`` from ``before``, those whose entry a person replaced by another entry
    that names no arXiv paper of its own, of the same paper: id -> that entry's title.  Either at the
    same place, in the same section, or -- moved in the same edit -- anywhere else."""
    found: dict[str, str] = {}
    if not gone:
        return found
    matcher = difflib.SequenceMatcher(None, before.lines, after.lines, autojunk=False)
    listed = before.arxiv_ids()
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "replace":
            continue
        old = [e for e in before.entries if e.arxiv_id in gone and i1 <= e.start < i2]
        new = [e for e in after.entries if j1 <= e.start < j2 and (not e.arxiv_id or e.arxiv_id not in listed)
               and not before.contains(e.arxiv_id, e.title)]
        if len(old) == len(new):  # entry for entry, in order
            found.update({o.arxiv_id: n.title for o, n in zip(old, new) if o.label == n.label
                          and same_authors(o.authors, n.authors) and not numbered_apart(o.title, n.title)})
    return found | _moved(before, after, gone - set(found))


def _moved(before: AwesomeList, after: AwesomeList, gone: set[str]) -> dict[str, str]:
    """The gone papers whose entry this edit wrote elsewhere under the same paper's title."""
    if not gone:
        return {}
    text = "".join(before.lines)
    olds = [e for e in before.entries if e.arxiv_id in gone]
    others = [e for e in before.entries if e.arxiv_id not in gone]
    fresh = [e for e in after.entries if not e.arxiv_id and "".join(after.lines[e.start:e.end]) not in text]
    pairs = []
    for new in fresh:
        alike = [(score, old) for old in olds
                 if (score := title_closeness(old.title_key, new.title_key, _needed(old, new)))
                 and same_authors(old.authors, new.authors) and not numbered_apart(old.title, new.title)]
        if alike:  # and no entry the list had is as close: that one was edited
            floor = min(score for score, _ in alike)
            nearest_other = max((title_closeness(new.title_key, o.title_key, floor) for o in others), default=0.0)
            pairs += [(score, old, new) for score, old in alike if score > nearest_other]
    found: dict[str, str] = {}
    taken: set[int] = set()
    for _, old, new in sorted(pairs, key=lambda pair: -pair[0]):  # the closest first, one to one
        if old.arxiv_id not in found and new.start not in taken:
            found[old.arxiv_id] = new.title
            taken.add(new.start)
    return found


def _needed(a: Entry, b: Entry) -> float:
    """How alike two titles must be to be one paper's: stricter when no authors can be compared."""
    return SAME_TITLE if has_authors(a.authors) and has_authors(b.authors) else SAME_TITLE_UNSIGNED
