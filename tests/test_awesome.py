"""The list model: lossless parsing, entry fields, known papers."""

import json

import pytest
from conftest import SEED_ENTRIES

from bot.base.ids import normalize_arxiv_id
from bot.lists.awesome import normalize_title, parse, parse_date

VARIANT = (
    "# My list\n\nIntro text.\n\n## Papers\n\n### Segmentation\n\n"
    "**Plain Entry** \\\n*A One, B Two* \\\n[3rd Aug, 2023] [arXiv, 2023] \\\n"
    "[[Paper](https://arxiv.org/abs/2308.02062)] [[Github](https://github.com/x/y)]\n\n"
    "**Br Entry** <br>\n*C Three*<br>\n[21st Jun., 2023] [MICCAI, 2023]<br>\n"
    "[[Paper](https://arxiv.org/pdf/2306.00001v2.pdf)]\n \n"
    " **Leading Space Entry** \\   \n *D Four* \\  \n [5th July, 2023] [arXiv, 20223 \\\n"
    " [[Paper](https://link.springer.com/x)]   \n\n"
    "**Missing Parts**\n[[Paper](https://arxiv.org/abs/hep-th/9901001v1)]\n\n"
    "a stray line nobody understands\n\n---\n\n### Denoising\n\n"
    "**Crlf Entry** \\\r\n*E Five* \\\r\n[1st May, 2023] [arXiv, 2023] \\\r\n[[Paper](https://arxiv.org/abs/2305.00001)]"
)


def test_parse_seed_round_trips_byte_identical(seed_text):
    assert parse(seed_text).render() == seed_text


def test_parse_seed_matches_reference_entries(seed_text):
    reference = [json.loads(line) for line in SEED_ENTRIES.read_text().splitlines()]
    entries = parse(seed_text).entries
    assert len(entries) == len(reference) == 176
    for entry, ref in zip(entries, reference):
        assert (entry.title, entry.authors, entry.date_text, entry.venue) == \
            (ref["title"], ref["authors"], ref["date_text"], ref["venue"])
        assert (entry.section, entry.subsection, entry.arxiv_id, entry.start + 1) == \
            (ref["section"], ref["subsection"], ref["arxiv_id"], ref["line"])
        if ref["key_kind"] == "title":
            assert entry.title_key == ref["key"]


def test_parse_variants_round_trip_and_fields():
    document = parse(VARIANT)
    assert document.render() == VARIANT
    titles = [e.title for e in document.entries]
    assert titles == ["Plain Entry", "Br Entry", "Leading Space Entry", "Missing Parts", "Crlf Entry"]
    br, leading, missing = document.entries[1], document.entries[2], document.entries[3]
    assert br.arxiv_id == "2306.00001" and br.venue == "MICCAI, 2023"
    assert leading.authors == ["D Four"] and leading.arxiv_id is None
    assert "unclosed bracket on date line" in leading.warnings
    assert missing.arxiv_id == "hep-th/9901001"
    assert "no authors line" in missing.warnings and "no date line" in missing.warnings
    assert document.entries[4].section == "Denoising"
    assert document.unparsed == [(27, "a stray line nobody understands")]


def test_parse_without_trailing_newline_round_trips():
    text = VARIANT.rstrip("\n")
    assert parse(text).render() == text


@pytest.mark.parametrize("text,expected", [
    ("3rd Aug, 2023", (2023, 8, 3)), ("21st Jun., 2023", (2023, 6, 21)),
    ("4th July. 2023", (2023, 7, 4)), ("23th Jun. 2023", (2023, 6, 23)),
    ("12th June, 2023", (2023, 6, 12)), ("31th May, 2023", (2023, 5, 31)),
])
def test_parse_date_accepts_list_variants(text, expected):
    assert parse_date(text).timetuple()[:3] == expected


def test_parse_date_rejects_garbage():
    assert parse_date("sometime 2023") is None and parse_date("31st Feb., 2023") is None


def test_known_papers_by_any_id_form_and_title(seed_text):
    document = parse(seed_text)
    assert document.contains("2209.04747v3", None)  # listed as a pdf link
    assert document.contains("arXiv:2308.02062", None)
    assert document.contains(None, "anoddpm: anomaly detection with denoising DIFFUSION probabilistic "
                                   "models using $simplex$ noise")
    assert not document.contains("2501.00001", "A paper nobody listed")


def test_normalizers():
    assert normalize_arxiv_id("https://arxiv.org/pdf/2401.01234v2.pdf") == "2401.01234"
    assert normalize_arxiv_id("oai:arXiv.org:2401.01234v3") == "2401.01234"
    assert normalize_arxiv_id("math/0601001v1") == "math/0601001"
    assert normalize_title("Diff-UNet:  A \\textbf{Diffusion}  Network!") == "diff unet a diffusion network"


def test_parse_keeps_no_cache_a_parsed_list_is_the_callers_own(seed_text):
    """Each parse gives a list of its own (no hidden cache returning shared objects): what one caller
    does to its parsed list never reaches another parse of the same text."""
    first, second = parse(seed_text), parse(seed_text)
    assert first is not second and first.entries[0] is not second.entries[0]
    first.entries[0].title = "changed by one caller"
    first.lines.append("a line one caller added\n")
    third = parse(seed_text)
    assert third.entries[0].title == second.entries[0].title != "changed by one caller"
    assert third.render() == seed_text
