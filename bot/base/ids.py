"""arXiv identifiers, one grammar for every source: new style ``2401.01234`` (four digits after the
dot until 2014), old style ``archive[.SUBJECT-CLASS]/YYMMNNN`` such as ``hep-ex/0307015`` or
``math.AG/0601001``; read from links, ``arXiv:`` mentions and feed ids, always without version.

Example: normalize_arxiv_id("https://arxiv.org/pdf/2401.01234v2.pdf") == "2401.01234"
"""

from __future__ import annotations

import re

ID = r"\d{4}\.\d{4,5}|[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/\d{7}"
ARXIV_ID = re.compile(rf"(?:{ID})")
ARXIV_URL = re.compile(rf"(?:arxiv\.org/(?:abs|pdf|html)/|doi\.org/10\.48550/arxiv\.)(?P<id>{ID})(?:v\d+)?", re.IGNORECASE)
ARXIV_TEXT = re.compile(r"\barXiv:\s?(?P<id>\d{4}\.\d{4,5})(?:v\d+)?", re.IGNORECASE)


def is_arxiv_id(text: object) -> bool:
    """Whether ``text`` is an arXiv identifier without version ('2401.01234', 'hep-ex/0307015')."""
    return isinstance(text, str) and ARXIV_ID.fullmatch(text) is not None


def normalize_arxiv_id(text: str) -> str:
    """'arXiv:2401.01234v2' / 'https://arxiv.org/pdf/2401.01234v2.pdf' → '2401.01234'."""
    text = text.strip()
    match = ARXIV_URL.search(text)
    if match:
        return match.group("id")
    text = re.sub(r"^(?:arxiv:\s?|oai:arxiv\.org:)", "", text, flags=re.IGNORECASE)
    text = re.sub(r"\.pdf$", "", text)
    return re.sub(r"v\d+$", "", text)


def arxiv_ids_in(text: str) -> list[str]:
    """Every arXiv id in a piece of text, from links (abs, pdf, html) and 'arXiv:NNNN.NNNNN' mentions."""
    found = [(m.start(), m.group("id")) for m in ARXIV_URL.finditer(text)]
    found += [(m.start(), m.group("id")) for m in ARXIV_TEXT.finditer(text)]
    return [normalize_arxiv_id(i) for _, i in sorted(found)]
