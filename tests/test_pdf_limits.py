"""Bounded rendering: whatever is stored, a PDF is made within its limits or refused plainly.

Answers are the worst a client can send (every field at its maximum length:
newline floods, one unbroken word, right-to-left and combining text) and worse
than the form allows (2,000 newlines, a 10,000-character word), as if they had
reached the database another way. The limits are checked by their mechanism:
a tiny time limit proves refusal, a small page limit proves the packet's cap.
"""

from __future__ import annotations

import io
import itertools
import multiprocessing

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from clinic.extensions import db
from clinic.models import PdfCacheEntry
from clinic.pdf.background import prerender
from clinic.worksheets import Group
from clinic.worksheets.schema import LongText, MultiChoice, ShortText
from tests.support.pdf_text import all_text
from tests.support.posting import post_form
from tests.support.samples import WORKSHEETS, sample_answers

RTL_AND_COMBINING = "שלום, אני כאן. مرحبا بك. e\u0301 a\u0308\u0301 "
FLOOD_END = "after-the-flood"


def flood(length: int) -> str:
    return "a" + "\n" * (length - 1 - len(FLOOD_END)) + FLOOD_END


def worst_text(kind: str, length: int) -> str:
    if kind == "flood":
        return flood(length)
    if kind == "word":
        return "W" * length
    return (RTL_AND_COMBINING * length)[:length].strip()


def worst_answers(definition) -> dict:
    """Every text at its maximum in turn as a flood, one word, and right-to-left with combining marks;
    every choice ticked; every group at its most rows."""
    kinds = itertools.cycle(["flood", "word", "rtl"])

    def leaf(item):
        if isinstance(item, (ShortText, LongText)):
            return worst_text(next(kinds), item.max_length)
        if isinstance(item, MultiChoice):
            return [value for value, _ in item.choices]
        return item.choices[0][0] if item.choices else None

    answers = {}
    for item in definition.items:
        if isinstance(item, Group):
            answers[item.id] = [{sub.id: value for sub in item.items if (value := leaf(sub)) is not None}
                                for _ in range(item.max_rows)]
        elif (value := leaf(item)) is not None:
            answers[item.id] = value
    return answers


def pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize("worksheet_id", WORKSHEETS)
def test_worst_case_answers_print_in_a_bounded_number_of_pages(signed_in, app, make, jordan, worksheet_id):
    definition = app.extensions["worksheets"][worksheet_id]
    answers = worst_answers(definition)
    first_text = next(item for item in definition.items if isinstance(item, LongText))
    answers[first_text.id] = flood(2000) if first_text.max_length >= 2000 else answers[first_text.id]
    assignment = make.assignment(jordan, worksheet_id, status="submitted", answers=answers)

    response = signed_in.get(f"/assignments/{assignment.id}/pdf")

    assert response.status_code == 200
    assert pages(response.data) <= 20  # 2,000 newlines once made 905 pages
    assert FLOOD_END in all_text(response.data)


def test_what_no_form_allows_still_prints_in_a_few_pages(signed_in, make, jordan):
    answers = {**sample_answers("origins-mapping"), "caregiving-memory": "\n \n" * 2000 + FLOOD_END,
               "caregiving-lesson": "W" * 10_000, "caregiving-now": ("\r\n\t\n" * 500) + "x"}
    assignment = make.assignment(jordan, "origins-mapping", status="submitted", answers=answers)

    response = signed_in.get(f"/assignments/{assignment.id}/pdf")

    assert response.status_code == 200 and pages(response.data) <= 12
    assert FLOOD_END in all_text(response.data)


def test_a_pdf_that_takes_too_long_is_refused_and_no_renderer_is_left_running(signed_in, app, make, jordan):
    assignment = make.assignment(jordan, "origins-mapping", status="submitted",
                                 answers=sample_answers("origins-mapping"))
    app.config["PDF_TIME_LIMIT"] = 0.001

    refused = signed_in.get(f"/assignments/{assignment.id}/pdf")

    assert refused.status_code == 503 and refused.mimetype == "text/html"
    assert "longer than 0.001 seconds" in refused.get_data(as_text=True)
    assert multiprocessing.active_children() == []
    app.config["PDF_TIME_LIMIT"] = 60
    assert signed_in.get(f"/assignments/{assignment.id}/pdf").status_code == 200


def test_a_worksheet_longer_than_the_page_limit_is_refused_plainly(signed_in, app, make, jordan):
    assignment = make.assignment(jordan, "security-building-plan", status="submitted",
                                 answers=sample_answers("security-building-plan"))
    app.config["PDF_MAX_PAGES"] = 1

    refused = signed_in.get(f"/assignments/{assignment.id}/pdf")

    assert refused.status_code == 503
    assert "more than the 1 a PDF may have" in refused.get_data(as_text=True)


def make_packet(browser, person, chosen):
    return post_form(browser, f"/clients/{person.id}/packet", {
        "packet-session_date": "2026-03-10", "packet-changes_since": "last-packet", "packet-paper": "A4",
        "packet-assignments": [a.id for a in chosen]})


@pytest.fixture
def three_sent(make, jordan):
    return [make.assignment(jordan, wid, status="submitted", answers=sample_answers(wid)) for wid in WORKSHEETS]


def test_a_packet_holds_at_most_the_configured_worksheets_and_its_cover_names_the_rest(
        signed_in, app, jordan, three_sent):
    app.config["PACKET_MAX_WORKSHEETS"] = 2

    text = all_text(make_packet(signed_in, jordan, three_sent).data)

    cover = text[:text.index("WORKSHEET ANSWERS")]
    assert "Left out of this packet" in cover and "a packet holds at most 2 worksheets" in cover
    assert text.count("WORKSHEET ANSWERS") == 2


def test_a_packet_over_the_page_limit_leaves_out_what_does_not_fit_and_says_so(signed_in, app, jordan, three_sent):
    full = make_packet(signed_in, jordan, three_sent)
    assert full.status_code == 200
    limit = pages(full.data) - 3
    app.config["PDF_MAX_PAGES"] = limit

    response = make_packet(signed_in, jordan, three_sent)

    assert response.status_code == 200 and pages(response.data) <= limit
    text = all_text(response.data)
    cover = text[:text.index("WORKSHEET ANSWERS")]
    assert f"it would have made the packet longer than {limit} pages" in cover
    assert 1 <= text.count("WORKSHEET ANSWERS") < 3


def test_background_rendering_skips_a_refused_pdf_instead_of_failing_the_task(app, make, jordan):
    sent = make.assignment(jordan, "origins-mapping", status="submitted", answers=sample_answers("origins-mapping"))
    app.config["PDF_TIME_LIMIT"] = 0.001

    prerender(jordan.id, [sent.id])

    assert db.session.scalar(select(func.count()).select_from(PdfCacheEntry)) == 0
    assert multiprocessing.active_children() == []
