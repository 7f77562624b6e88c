"""A lossless model of an awesome list README: headings, entries, everything else.

Runs whenever the bot reads the list (``bot list check``, training, every run).
The document keeps its lines verbatim; entries are parsed *views* over line
ranges, so ``render()`` is byte-identical to the input by construction and an
insertion touches no byte outside the lines it adds.  Lines the parser does
not understand are kept and reported in ``unparsed``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from .errors import ListFormatError

HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
RULE = re.compile(r"^\s*(-{3,}|\*{3,}|_{3,})\s*$")
TITLE_LINE = re.compile(r"^\s*\*\*(?P<title>.+?)\*\*(?P<rest>.*)$")
AUTHORS_LINE = re.compile(r"^\s*\*(?!\*)(?P<authors>.*?)\*(?P<rest>[^*]*)$")
LINK = re.compile(r"\[\[(?P<label>[^\]]+)\]\((?P<url>[^)\s]*)\)\]")
ARXIV_URL = re.compile(
    r"arxiv\.org/(?:abs|pdf)/(?P<id>(?:\d{4}\.\d{4,5})|(?:[a-z\-]+(?:\.[A-Z]{2})?/\d{7}))(?:v\d+)?",
    re.IGNORECASE,
)
SEPARATORS = (" \\", "\\", "<br>", " <br>")
MONTHS = {
    name: number
    for number, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"), ("dec", "december")],
        start=1,
    )
    for name in names
}
DATE_TEXT = re.compile(r"^\s*(\d{1,2})\s*(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?\s*,?\s*(\d{4})\s*$")


def parse_date(text: str | None) -> date | None:
    """'3rd Aug, 2023', '21st Jun., 2023', '4th July. 2023' → date; None if unreadable."""
    if not text:
        return None
    match = DATE_TEXT.match(text)
    if not match:
        return None
    month = MONTHS.get(match.group(2).lower())
    if not month:
        return None
    try:
        return date(int(match.group(3)), month, int(match.group(1)))
    except ValueError:
        return None


def normalize_arxiv_id(text: str) -> str:
    """'arXiv:2401.01234v2' / 'https://arxiv.org/pdf/2401.01234v2.pdf' → '2401.01234'."""
    text = text.strip()
    match = ARXIV_URL.search(text)
    if match:
        return match.group("id")
    text = re.sub(r"^(?:arxiv:|oai:arxiv\.org:)", "", text, flags=re.IGNORECASE)
    text = re.sub(r"\.pdf$", "", text)
    return re.sub(r"v\d+$", "", text)


def normalize_title(title: str) -> str:
    """Fold case, accents, LaTeX, punctuation and whitespace: the key for title matching."""
    text = unicodedata.normalize("NFKD", title)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"\\[a-zA-Z]+", " ", text)  # LaTeX commands
    text = text.lower().replace("_", " ")
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


@dataclass
class Heading:
    level: int
    text: str
    line: int  # 0-based index into lines


@dataclass
class Entry:
    title: str
    authors: list[str]
    date_text: str | None
    venue: str | None
    links: dict[str, str]
    arxiv_id: str | None
    section: str | None
    subsection: str | None
    heading_line: int | None  # the heading the entry sits under
    start: int  # first line (0-based)
    end: int  # one past the last line
    separators: tuple[str, ...] = ()
    warnings: list[str] = field(default_factory=list)

    @property
    def date(self) -> date | None:
        return parse_date(self.date_text)

    @property
    def label(self) -> str | None:
        """The finest heading the entry sits under: what the classifier predicts."""
        return self.subsection or self.section

    @property
    def title_key(self) -> str:
        return normalize_title(self.title)

    def as_json(self) -> dict:
        return {
            "section": self.section,
            "subsection": self.subsection,
            "title": self.title,
            "authors": self.authors,
            "date": self.date.isoformat() if self.date else None,
            "date_text": self.date_text,
            "venue": self.venue,
            "arxiv_id": self.arxiv_id,
            "links": self.links,
            "line": self.start + 1,
            "warnings": self.warnings,
        }


@dataclass
class AwesomeList:
    lines: list[str]
    headings: list[Heading]
    entries: list[Entry]
    unparsed: list[tuple[int, str]]

    def render(self) -> str:
        return "".join(self.lines)

    @property
    def newline(self) -> str:
        endings = Counter(line[len(line.rstrip("\r\n")):] for line in self.lines if line.endswith("\n"))
        return endings.most_common(1)[0][0] if endings else "\n"

    def labels(self) -> list[str]:
        """Section names that hold entries, in document order."""
        seen: dict[str, None] = {}
        for entry in self.entries:
            if entry.label:
                seen.setdefault(entry.label, None)
        return list(seen)

    def heading_for(self, name: str) -> Heading:
        """The heading a section name refers to; ListFormatError if the list has none."""
        for heading in self.headings:
            if heading.text == name and heading.level >= 2:
                return heading
        known = ", ".join(self.labels())
        raise ListFormatError(f"the list has no heading named '{name}'", f"known sections: {known}")

    def arxiv_ids(self) -> set[str]:
        """Every arXiv id linked anywhere in the list (abs or pdf, any version); computed once."""
        if "_ids" not in self.__dict__:
            self._ids = {normalize_arxiv_id(m.group(0)) for line in self.lines for m in ARXIV_URL.finditer(line)}
        return self._ids

    def title_keys(self) -> set[str]:
        if "_titles" not in self.__dict__:
            self._titles = {entry.title_key for entry in self.entries}
        return self._titles

    def contains(self, arxiv_id: str | None, title: str | None) -> bool:
        """Whether the list already has this paper, by arXiv id or by normalised title."""
        if arxiv_id and normalize_arxiv_id(arxiv_id) in self.arxiv_ids():
            return True
        return bool(title) and normalize_title(title) in self.title_keys()


def _strip_separator(text: str) -> tuple[str, str]:
    """Split a line's content from its trailing ' \\' or '<br>' separator."""
    body = text.rstrip()
    for sep in ("<br>", "\\"):
        if body.endswith(sep):
            core = body[: -len(sep)]
            spaced = core.endswith(" ")
            return core.rstrip(), (" " if spaced else "") + sep
    return body, ""


def _parse_entry(block: list[str]) -> tuple[dict, list[str], tuple[str, ...]]:
    """Parse the lines of one entry into fields, warnings and line separators."""
    warnings: list[str] = []
    separators: list[str] = []
    fields: dict = {"title": "", "authors": [], "date_text": None, "venue": None, "links": {}}
    title_match = TITLE_LINE.match(block[0].rstrip("\r\n"))
    fields["title"] = " ".join(title_match.group("title").split())
    separators.append(_strip_separator(title_match.group("rest"))[1])
    for raw in block[1:]:
        line = raw.rstrip("\r\n")
        content, sep = _strip_separator(line)
        stripped = content.strip()
        if stripped.startswith("[["):
            for link in LINK.finditer(stripped):
                fields["links"][link.group("label")] = link.group("url")
            if not LINK.search(stripped):
                warnings.append("links line without [[label](url)] links")
        elif stripped.startswith("[") and fields["date_text"] is None:
            separators.append(sep)
            parts = re.findall(r"\[([^\]]*)(\]|$)", stripped)
            if any(closer == "" for _, closer in parts):
                warnings.append("unclosed bracket on date line")
            fields["date_text"] = parts[0][0].strip() if parts else None
            fields["venue"] = parts[1][0].strip() if len(parts) > 1 else None
        elif AUTHORS_LINE.match(content) and not fields["authors"]:
            separators.append(sep)
            inner = AUTHORS_LINE.match(content).group("authors")
            names = re.split(r",\s*(?:and\s+)?|\s+and\s+", inner)
            fields["authors"] = [n.strip() for n in names if n.strip() and n.strip() != "and"]
        else:
            warnings.append(f"line not understood in entry: {stripped[:60]!r}")
    if not fields["authors"]:
        warnings.append("no authors line")
    if fields["date_text"] is None:
        warnings.append("no date line")
    elif parse_date(fields["date_text"]) is None:
        warnings.append(f"unreadable date {fields['date_text']!r}")
    if not fields["links"]:
        warnings.append("no links")
    return fields, warnings, tuple(separators)


def parse(text: str) -> AwesomeList:
    """Parse a README into headings, entries and the lines not understood."""
    lines = text.splitlines(keepends=True)
    headings: list[Heading] = []
    entries: list[Entry] = []
    unparsed: list[tuple[int, str]] = []
    context: dict[int, Heading] = {}
    in_code = False
    index = 0
    while index < len(lines):
        line = lines[index].rstrip("\r\n")
        if line.lstrip().startswith("```"):
            in_code = not in_code
            index += 1
            continue
        heading = None if in_code else HEADING.match(line)
        if heading:
            level = len(heading.group(1))
            found = Heading(level, heading.group(2), index)
            headings.append(found)
            context = {lvl: h for lvl, h in context.items() if lvl < level}
            context[level] = found
            index += 1
            continue
        if not in_code and TITLE_LINE.match(line) and context:
            end = index + 1
            while end < len(lines) and lines[end].strip() and not HEADING.match(lines[end]) \
                    and not RULE.match(lines[end]) and not TITLE_LINE.match(lines[end]):
                end += 1
            fields, warnings, separators = _parse_entry(lines[index:end])
            section, subsection, under = _place(context)
            ids = [normalize_arxiv_id(url) for url in fields["links"].values() if ARXIV_URL.search(url)]
            entries.append(Entry(**fields, arxiv_id=ids[0] if ids else None, section=section,
                                 subsection=subsection, heading_line=under, start=index, end=end,
                                 separators=separators, warnings=warnings))
            index = end
            continue
        if entries and line.strip() and not RULE.match(line) and not in_code:
            unparsed.append((index + 1, line))
        index += 1
    return AwesomeList(lines, headings, entries, unparsed)


def _place(context: dict[int, Heading]) -> tuple[str | None, str | None, int | None]:
    """Section and subsection names for an entry under the current headings."""
    levels = sorted(level for level in context if level >= 2)
    if not levels:
        return None, None, None
    deepest = context[levels[-1]]
    if len(levels) >= 3:  # ## Papers / ### Image Restoration / #### Inpainting
        return context[levels[-2]].text, deepest.text, deepest.line
    return deepest.text, None, deepest.line
