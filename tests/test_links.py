"""Complete entries: the code repository, project page and venue a paper's arXiv record names
(bot/links.py), written the way the section's entries write them (Star badges, Website badges,
code links), never invented and never from a hostile record."""

from __future__ import annotations

import re
from datetime import date

import pytest
from conftest import ROOT

from bot.lists.awesome import parse
from bot.papers.links import code_url, project_url, urls, venue_of
from bot.papers.paper import Paper
from bot.propose.proposals import Proposal
from bot.propose.render import render_entry

LISTS = ROOT / "bench" / "lists"


@pytest.mark.parametrize("abstract,comment,expected", [
    ("Code is available at https://github.com/me/tool.", None, "https://github.com/me/tool"),
    ("Our code (https://github.com/me/tool.git).", None, "https://github.com/me/tool"),
    ("Models: https://huggingface.co/datasets/org/data-set, more.", None, "https://huggingface.co/datasets/org/data-set"),
    ("Nothing here.", "Code: https://gitlab.com/group/project;", "https://gitlab.com/group/project"),
    ("See https://github.com/orgs/foo for our group.", None, None),
    ("[our code](https://github.com/evil/x)", None, None),  # markdown inside a record is not a link the bot copies
    ('<a href="https://github.com/evil/x">code</a>', None, None),
    ("javascript:alert(1)//github.com/a/b", None, None),
    ("https://github.com/" + "a" * 2000 + "/b", None, None),
])
def test_classify_reads_the_code_repository_of_a_record(abstract, comment, expected):
    assert code_url(abstract, comment) == expected


def test_classify_reads_a_project_page_and_never_a_repository_or_arxiv():
    assert project_url("Project page: https://me.github.io/tool/.", None) == "https://me.github.io/tool/"
    assert project_url("Visit our website at https://tool.example.org", None) == "https://tool.example.org"
    assert project_url("Code: https://github.com/me/tool and https://arxiv.org/abs/2501.00001", None) is None
    assert project_url("We compare with https://example.org/baseline", None) is None  # not called a page
    assert all(len(u) <= 200 and u.startswith("http") for u in urls("x https://a.org/" + "b" * 500 + " y"))


@pytest.mark.parametrize("comment,expected", [
    ("Accepted at MICCAI 2025 (oral)", "MICCAI, 2025"),
    ("MICCAI 2025 (oral)", "MICCAI, 2025"),
    ("Accepted to CVPR'25", "CVPR, 2025"),
    ("Accepted by IEEE Transactions on Medical Imaging 2025", "IEEE TMI, 2025"),
    ("Accepted at the MICCAI 2025 Workshop on Deep Generative Models", "MICCAI Workshop, 2025"),
    ("accepted for publication in Medical Image Analysis, 2025", "MedIA Journal, 2025"),
    ("12 pages, 5 figures", None),
    ("Under review", None),
])
def test_classify_reads_the_venue_of_a_comment(comment, expected):
    assert venue_of(comment) == expected


def test_classify_paper_fields_come_from_its_record():
    paper = Paper("2509.00001", "T", "Code at https://github.com/me/tool. Project page: https://me.github.io/tool",
                  comment="Accepted to ICLR 2026", published="2025-09-01")
    assert (paper.code_url, paper.project_url, paper.venue) == ("https://github.com/me/tool",
                                                                 "https://me.github.io/tool", "ICLR, 2026")


def proposal(section: str, **fields) -> Proposal:
    return Proposal("2509.01234", "A New Paper", section, authors=["A. Author"], date=date(2025, 9, 2), **fields)


def test_run_writes_a_star_badge_where_the_section_has_them():
    """3DGS-SLAM's table writes code as a Star badge linking to the repository."""
    document = parse((LISTS / "3dgs-slam" / "after.md").read_text(encoding="utf-8"))
    section = document.entries[0].label
    line = render_entry(proposal(section, code_url="https://github.com/me/slam"), document)
    assert "[![Github stars](https://img.shields.io/github/stars/me/slam.svg)](https://github.com/me/slam)" in line
    bare = render_entry(proposal(section), document)
    assert "github" not in bare.lower() and "shields" not in bare  # no repository: no badge, nothing invented
    gitlab = render_entry(proposal(section, code_url="https://gitlab.com/me/slam"), document)
    assert "img.shields.io/github/stars" not in gitlab  # a Star badge only for a GitHub repository


def test_run_writes_a_website_badge_only_with_a_project_page():
    rows = "".join(f"| 2025 | [Old Paper {n}](https://arxiv.org/abs/2501.0000{n}) | "
                   f"[![link](https://img.shields.io/badge/Website-9cf)](https://old{n}.github.io) |\n" for n in range(1, 6))
    text = "# List\n\n## Papers\n\n| Year | Title | Website |\n|---|---|---|\n" + rows
    document = parse(text)
    line = render_entry(proposal("Papers", project_url="https://me.github.io/new/"), document)
    assert "[![link](https://img.shields.io/badge/Website-9cf)](https://me.github.io/new/)" in line
    bare = render_entry(proposal("Papers"), document)
    assert ".github.io" not in bare and "Website" not in bare


def test_run_never_writes_a_link_the_record_does_not_contain():
    """Every link target of a bot entry is the arXiv link or appears in the paper's record."""
    record = Paper("2509.01234", "A New Paper", "Code: https://github.com/me/slam. Page: https://me.github.io/s",
                   comment="[x](javascript:alert(1)) <a href='https://evil.example'>e</a>")
    for name in ("3dgs-slam", "aigc-image-detection", "rl-reasoning-mllm", "token-reduction"):
        document = parse((LISTS / name / "after.md").read_text(encoding="utf-8"))
        for section in list(dict.fromkeys(e.label for e in document.entries))[:4]:
            line = render_entry(Proposal.of(record, type("V", (), {"section": section, "probability": 0.9,
                                                                   "explanation": {}, "section_probabilities": {}})()),
                                document)
            for target in re.findall(r"\]\(([^)\s]+)\)", line):
                if "img.shields.io" in target:
                    continue
                assert "arxiv.org" in target or target in (record.abstract + record.comment), (name, line)
            assert "javascript" not in line and "evil" not in line


@pytest.mark.parametrize("comment", ["ICLR 2025 submission, under review", "NeurIPS 2024 under review",
                                     "CVPR 2025 rejected; resubmitted", "PhD Thesis 2023", "GitHub 2024 release",
                                     "Accepted by MICCAI, 10 pages, 3 figures", "Accepted to IEEE ISBI\n12 pages"])
def test_classify_reads_no_venue_from_a_comment_that_claims_none(comment):
    """No acceptance is written into an entry that the comment does not claim (a page count is no year)."""
    assert venue_of(comment) is None


def test_classify_a_hugging_face_page_that_is_no_repository_is_no_code():
    assert code_url("See https://huggingface.co/papers/2501.01234 and https://huggingface.co/docs/x", None) is None
