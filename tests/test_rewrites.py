"""Telling a maintainer's edit from a rejection, one commit at a time: an arXiv entry replaced by the
same paper's journal version (in place or moved) is rewritten; a deletion beside another paper's new
entry is not, however alike the titles (cases an adversarial review of the history raised)."""

from __future__ import annotations

import pytest

from bot.lists.awesome import parse
from bot.propose.rewrites import rewritten_in_place

LIST = "# L\n\n## Papers\n\n### Reconstruction\n\n{rec}### Denoising\n\n{den}"
MRI = "A Diffusion Model for Accelerated MRI Reconstruction"
PET = "A Diffusion Model for Accelerated PET Reconstruction"
CT = "A Diffusion Model for Accelerated CT Reconstruction"  # as near to MRI as two titles of one group get
PART = "Diffusion Priors for Sparse-View CT Reconstruction: Part {}"
LONG = "Score-Based Diffusion Models for Undersampled Cardiac Magnetic Resonance Imaging Reconstruction"


def entry(title: str, link: str, authors: str = "Ann Author, Bo Builder") -> str:
    return f"**{title}** \\\n*{authors}* \\\n[1st Sep., 2025] [arXiv, 2025] \\\n[[Paper]({link})]\n\n"


OLD_REC = entry("Old Reconstruction Paper", "https://arxiv.org/abs/2301.00001", "Cy Old")
OLD_DEN = entry("Old Denoising Paper", "https://arxiv.org/abs/2301.00002", "Di Old")


def doc(rec: str = "", den: str = ""):
    return parse(LIST.format(rec=rec + OLD_REC, den=den + OLD_DEN))


def arxiv(title: str, number: str, authors: str = "Ann Author, Bo Builder") -> str:
    return entry(title, f"https://arxiv.org/abs/2509.{number}", authors)


def journal(title: str, number: str, authors: str = "Ann Author, Bo Builder") -> str:
    return entry(title, f"https://doi.org/10.1109/TMI.2025.{number}", authors)


@pytest.mark.parametrize("where", ["in place", "moved"])
def test_run_journal_version_of_the_same_paper_is_a_rewrite(where):
    before = doc(rec=arxiv(MRI, "00001"))
    after = doc(rec=journal(MRI + " (TMI)", "1")) if where == "in place" else doc(den=journal(MRI, "1"))
    assert rewritten_in_place(before, after, {"2509.00001"}) == {"2509.00001": after.find(None, MRI).title}


@pytest.mark.parametrize("case", ["other authors moved", "other authors in place", "another part",
                                  "longer title, others"])
def test_run_deletion_beside_another_papers_new_entry_is_no_rewrite(case):
    before = doc(rec=arxiv(PART.format("II") if case == "another part" else MRI, "00001"))
    after = {"other authors moved": doc(den=journal(PET, "9", "Zoe Other")),
             "other authors in place": doc(rec=journal("Totally Unrelated Segmentation Network", "9", "Zoe Other")),
             "another part": doc(den=journal(PART.format("I"), "1")),
             "longer title, others": doc(den=journal(MRI + " with Motion", "2", "Zoe Other"))}[case]
    assert rewritten_in_place(before, after, {"2509.00001"}) == {}


@pytest.mark.parametrize("fixed", [False, True])
def test_run_list_without_authors_needs_all_but_a_fixed_word_of_the_title(fixed):
    plain = "# L\n\n## Segmentation\n\n{seg}- [Old One](https://arxiv.org/abs/2301.00001)\n\n## Registration\n\n{reg}" \
            "- [Old Two](https://arxiv.org/abs/2301.00002)\n"
    ours = "Diffusion Models for Medical Image Segmentation with Uncertainty"
    theirs = ours.replace("Models", "Model") if fixed else ours.replace("Segmentation", "Registration")
    before = parse(plain.format(seg=f"- [{ours}](https://arxiv.org/abs/2509.00001)\n", reg=""))
    after = parse(plain.format(seg="", reg=f"- [{theirs}](https://doi.org/10.1/x)\n"))
    assert rewritten_in_place(before, after, {"2509.00001"}) == ({"2509.00001": theirs} if fixed else {})


@pytest.mark.parametrize("titles", [(PART.format("II"), PART.format("I")), (MRI, CT)])
def test_run_deletion_while_an_older_entry_of_a_near_title_is_edited_is_no_rewrite(titles):
    ours, theirs = titles
    older = journal(theirs, "1")
    before = doc(rec=arxiv(ours, "00002") + older)
    after = doc(rec=older.replace("TMI.2025.1", "TMI.2025.7"))
    assert rewritten_in_place(before, after, {"2509.00002"}) == {}


def test_run_both_parts_moved_and_relinked_each_find_their_own_entry():
    before = doc(rec=arxiv(PART.format("I"), "00001") + arxiv(PART.format("II"), "00002"))
    fixed = "Diffusion Prior for Sparse-View CT Reconstruction: Part {}"
    after = doc(den=journal(fixed.format("I"), "1") + journal(fixed.format("II"), "2"))
    assert rewritten_in_place(before, after, {"2509.00001", "2509.00002"}) == {
        "2509.00001": fixed.format("I"), "2509.00002": fixed.format("II")}


def test_run_two_near_titles_moved_and_relinked_each_find_the_closest():
    before = doc(rec=arxiv(MRI, "00001") + arxiv(CT, "00002"))
    after = doc(den=journal(CT + "s", "2") + journal(MRI + "s", "1"))  # in the other order, each title fixed
    assert rewritten_in_place(before, after, {"2509.00001", "2509.00002"}) == {
        "2509.00001": MRI + "s", "2509.00002": CT + "s"}


def test_run_part_two_moved_and_relinked_beside_part_one_is_a_rewrite():
    older = journal(PART.format("I"), "1")
    before = doc(rec=arxiv(PART.format("II"), "00002") + older)
    after = doc(rec=older, den=journal("Diffusion Prior for Sparse-View CT Reconstruction: Part II", "2"))
    assert set(rewritten_in_place(before, after, {"2509.00002"})) == {"2509.00002"}


@pytest.mark.parametrize("ours, listed, found", [
    (MRI, MRI + " (MICCAI 2025)", True), (PART.format("1"), PART.format("I"), True),
    (PART.format("II"), PART.format("I"), False), (MRI, PET, False),
    (MRI.replace("MRI", "2D MRI"), MRI.replace("MRI", "3D MRI"), False)])
def test_run_find_by_title_takes_a_fixed_title_not_another_paper(ours, listed, found):
    """How the bot finds its entry again after a maintainer's edit (and how feedback finds a merged
    paper): a venue and year added to the title, or a part's number written in Roman, is the same
    paper; another part of a series, another dimension, or a near title by other authors is not."""
    document = doc(den=journal(listed, "1", "Zoe Other" if listed == PET else "Ann Author, Bo Builder"))
    entry = document.find("2509.00001", ours, set(), ["Ann Author", "Bo Builder"])
    assert (entry is not None and entry.title == listed) == found


def test_run_find_by_title_never_takes_an_entry_of_another_arxiv_paper():
    """The same group's follow-up, listed with its own arXiv id under a near title, is not the bot's
    deleted paper."""
    document = doc(den=arxiv(CT, "00002"))
    assert document.find("2509.00001", MRI, set(), ["Ann Author", "Bo Builder"]) is None
    assert document.find(None, MRI, set(), ["Ann Author", "Bo Builder"]) is not None  # a title alone: it may be


@pytest.mark.parametrize("theirs, rewrite", [(PET, False), (MRI.replace("Model", "Models"), True)])
def test_run_authors_of_only_et_al_name_no_one_so_the_title_must_match_but_a_fixed_word(theirs, rewrite):
    """'et al.' alone tells no two papers apart: a moved entry must then match the title as closely as
    in a list without authors (another modality is another paper)."""
    before = doc(rec=arxiv(MRI, "00001", "et al."))
    after = doc(den=journal(theirs, "1", "et al."))
    assert rewritten_in_place(before, after, {"2509.00001"}) == ({"2509.00001": theirs} if rewrite else {})
