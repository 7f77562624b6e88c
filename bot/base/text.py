"""Untrusted text (titles and authors from arXiv) made inert before it reaches Markdown.

Used by every renderer: list entries (``render``, ``by_example``) and the pull
request's description (``proposals``).
"""

from __future__ import annotations

import re

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
ZWSP = "&#8203;"


def markdown_text(text: str) -> str:
    """Make untrusted text inert inside Markdown, HTML and table cells, on one line.

    Markdown and HTML punctuation is backslash-escaped (``|`` too, so a title
    cannot split a table row), ``&`` becomes ``&amp;``, ``@user`` and ``#123``
    get a zero-width space so GitHub neither pings nor links, and URLs lose
    their autolink.  The text still reads the same.

    Example: markdown_text("a | b <!-- c") == "a \\\\| b &lt;\\\\!-- c"
    """
    text = _CONTROL.sub(" ", text)
    text = " ".join(text.split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = re.sub(r"@(?=[A-Za-z0-9_-])", "@" + ZWSP, text)
    text = re.sub(r"\\#(?=[0-9A-Za-z])", "\\#" + ZWSP, text)
    text = re.sub(r"(?i)\b(https?|ftp|javascript|data|vbscript):", lambda m: m.group(1) + ZWSP + ":", text)
    text = re.sub(r"(?i)\bwww\.", "www" + ZWSP + ".", text)
    return text
