"""What a paper's arXiv record says beyond its title: code repository, project page, venue.

Pure functions over the abstract and the comment field, used by ``paper.Paper`` (its
``code_url``, ``project_url`` and ``venue``), so that an entry can carry the links and the venue
its neighbours carry.  Only what the record contains is returned, never a guess; a URL is kept
only when it is plain ``http(s)`` with the characters a URL path uses, at most ``MAX_URL`` long
(markdown, HTML, ``javascript:`` or an overlong address is left out, never rendered).

Example::

    code_url("Code is available at https://github.com/me/tool.")   # 'https://github.com/me/tool'
    project_url("Project page: https://me.github.io/tool/")        # 'https://me.github.io/tool/'
    venue_of("Accepted at MICCAI 2025 (oral)")                     # 'MICCAI, 2025'
"""

from __future__ import annotations

import re

MAX_URL = 200
URL = re.compile(r"https?://[A-Za-z0-9.-]+(?::\d{2,5})?(?:/[A-Za-z0-9._~%/+=&?#@!$*,;:-]*)?")
TRAILING = ".,;:!?'\")]}>*_`"
# code hosts: owner/name (a Hugging Face space, model or dataset)
CODE = re.compile(r"^https?://(?:www\.)?(?:github\.com|gitlab\.com|huggingface\.co(?:/spaces|/datasets)?)"
                  r"/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
NOT_REPOSITORY = {"github.com": {"orgs", "topics", "features", "sponsors", "marketplace", "settings", "login"},
                  "huggingface.co": {"papers", "docs", "blog", "models", "collections", "learn", "tasks", "posts",
                                     "organizations", "join", "login", "pricing", "chat"}}
PROJECT_WORDS = re.compile(r"\b(?:project\s+(?:page|website|site|homepage)|home\s*page|website|webpage|"
                           r"demo(?:\s+page)?|page)\b\s*(?:is\s+)?(?:available\s+)?(?:at|:)?\s*$", re.IGNORECASE)
ACCEPTED = re.compile(r"\b(?i:accepted|to\s+appear|appear(?:s|ed)?|published|presented)\b[^.;]*?"
                      r"\b(?i:to|at|by|in|for)\s+(?i:the\s+)?(?P<venue>[A-Z][A-Za-z&-]*(?:\s+(?:[A-Z][A-Za-z&-]*|on|of|and|for|in)){0,6}?)"
                      r"[\s,]*(?:(?P<year>(?:19|20)\d\d)\b|['’](?P<short>\d\d)\b)")
# 'MICCAI 2025 (oral)' alone: an acronym and a year, at most a parenthesis or 'Workshop' after them
LEADING = re.compile(r"^\s*(?P<venue>[A-Z][A-Za-z&-]*[A-Z][A-Za-z&-]*)\s*(?:(?P<year>(?:19|20)\d\d)|['’](?P<short>\d\d))"
                     r"\s*(?i:\((?:oral|poster|spotlight|highlight|main(?: track)?|findings)[^)]*\)|workshops?|oral|poster)?"
                     r"\s*[.;,]?\s*$")
NOT_ACCEPTED = re.compile(r"\b(?:submi(?:tted|ssion)|under\s+review|reject(?:ed)?|resubmi|preprint|thesis|"
                          r"in\s+submission|not\s+accepted)\b", re.IGNORECASE)
NOT_VENUE = {"The", "This", "Our", "We", "Code", "Project", "Paper", "Version", "Preprint", "Accepted", "Under", "PhD",
             "GitHub", "arXiv", "ArXiv",
             "Submitted", "Extended", "Journal", "Conference", "Proceedings", "International", "IEEE", "ACM"}
VENUE_NAMES = {"IEEE Transactions on Medical Imaging": "IEEE TMI", "Medical Image Analysis": "MedIA Journal",
               "MedIA": "MedIA Journal"}


def urls(text: str | None) -> list[str]:
    """The safe http(s) URLs in ``text``, trailing punctuation removed, in order, without repeats."""
    found: list[str] = []
    for match in URL.finditer(text or ""):
        before = (text or "")[max(0, match.start() - 2):match.start()]
        if before.endswith(("](", "=\"", "='")):  # inside markdown or an HTML attribute: not plain text
            continue
        url = match.group(0).rstrip(TRAILING)
        while url.endswith(")") and url.count("(") < url.count(")"):
            url = url[:-1].rstrip(TRAILING)
        if len(url) <= MAX_URL and url not in found and "\\" not in url:
            found.append(url)
    return found


def _repository(url: str) -> str | None:
    match = CODE.match(url)
    if not match:
        return None
    host_and_path = match.group(0).split("://", 1)[1].removeprefix("www.")
    host, owner = host_and_path.split("/")[:2]
    if owner.lower() in NOT_REPOSITORY.get(host, set()):
        return None
    repository = match.group(0).removesuffix(".git")
    return repository if not repository.endswith((".", "-")) else repository.rstrip(".-")


def code_url(abstract: str | None, comment: str | None = None) -> str | None:
    """The first code repository named in the comment or abstract (GitHub, GitLab, Hugging Face)."""
    for url in urls(f"{comment or ''}\n{abstract or ''}"):
        repository = _repository(url)
        if repository:
            return repository
    return None


def project_url(abstract: str | None, comment: str | None = None) -> str | None:
    """A project page: a URL that the text calls a project page, website or homepage, or a
    ``*.github.io`` page; never a code repository or an arXiv address."""
    text = f"{comment or ''}\n{abstract or ''}"
    for match in URL.finditer(text):
        url = urls(match.group(0))
        if not url or _repository(url[0]) or "arxiv.org" in url[0]:
            continue
        said = PROJECT_WORDS.search(text[max(0, match.start() - 40):match.start()])
        if said or re.match(r"https?://[A-Za-z0-9-]+\.github\.io(?:/|$)", url[0]):
            if url[0] in urls(text):
                return url[0]
    return None


def venue_of(comment: str | None) -> str | None:
    """'MICCAI, 2025' from 'Accepted to/at/by MICCAI 2025', 'MICCAI 2025 (oral)' or 'CVPR'25'; a
    workshop says so ('MICCAI Workshop, 2025').  None when the comment names no venue and year."""
    text = " ".join((comment or "").split())
    if NOT_ACCEPTED.search(text):
        return None
    match = ACCEPTED.search(text) or LEADING.match(text)
    if not match:
        return None
    words = match.group("venue").split()
    while words and words[-1] in ("Workshop", "Workshops", "Conference", "Proceedings"):
        words.pop()
    name = " ".join(words)
    if not name or name in NOT_VENUE or len(name) > 60:
        return None
    year = match.group("year") or f"20{match.group('short')}"
    workshop = " Workshop" if re.search(r"\bworkshops?\b", text, re.IGNORECASE) else ""
    return f"{VENUE_NAMES.get(name, name)}{workshop}, {year}"
