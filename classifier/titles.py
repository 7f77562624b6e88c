"""One key for a paper's title, shared by the classifier and the list reader (``bot.lists``): the same
paper under two spellings of its title gets one key.  Imports nothing heavy.

Example: title_key("Diffusion Models for \\textit{MRI}: A Survey") == "diffusion models for mri a survey"
"""

from __future__ import annotations

import re
import unicodedata


def title_key(title: str) -> str:
    """Fold case, accents, LaTeX commands, punctuation and whitespace."""
    text = unicodedata.normalize("NFKD", title)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"\\[a-zA-Z]+", " ", text).lower().replace("_", " ")
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())
