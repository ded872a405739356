"""Filled-worksheet and blank PDFs, read back as a person would read them (pypdf, pdftotext).

The PDF-reading helpers these tests share with others are in tests/support/pdf_text.py.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from clinic import words
from clinic.assignments.services import definition_of, reopen
from clinic.extensions import db
from clinic.models import AuditEvent, Comment, PdfCacheEntry
from clinic.worksheets import is_answered
from tests.support.pdf_text import all_text, flat, page_texts
from tests.support.posting import login, post_form
from tests.support.samples import SHIPPED, sample_answers


# --- reading PDFs back -------------------------------------------------------------------


def font_names(pdf: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(pdf))
    return {str(font.get_object()["/BaseFont"]) for page in reader.pages
            for font in page["/Resources"]["/Font"].values()}


def expected_answers(definition, answers) -> list[str]:
    """Every answer as the PDF must show it: option labels, dates spelled out, each table cell."""
    shown: list[str] = []
    for item in definition.items:
        value = answers.get(item.id)
        if not is_answered(value):
            continue
        if item.type == "group":
            subs = {sub.id: sub for sub in item.items}
            shown += [subs[key].display(cell) for row in value for key, cell in row.items() if is_answered(cell)]
        elif isinstance(value, list):
            shown += [item.display(choice) for choice in value]
        else:
            shown.append(item.display(value))
    return [flat(text) for text in shown]


# --- the filled worksheet -------------------------------------------------------------------


@pytest.mark.parametrize("worksheet_id", SHIPPED)
def test_every_answer_of_a_full_answer_set_is_in_the_pdf(signed_in, make, jordan, worksheet_id, weasyprint_log, app):
    answers = sample_answers(worksheet_id)
    assignment = make.assignment(jordan, worksheet_id, status="submitted", answers=answers)

    response = signed_in.get(f"/assignments/{assignment.id}/pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    text = all_text(response.data)
    definition = app.extensions["worksheets"][worksheet_id]
    missing = [answer for answer in expected_answers(definition, answers) if answer not in text]
    assert missing == []
    for section in definition.sections:
        assert flat(section.title) in text
    assert weasyprint_log() == []


def test_every_page_names_the_client_worksheet_and_page_of_pages(signed_in, make, jordan):
    assignment = make.assignment(jordan, "security-building-plan", status="submitted",
                                 answers=sample_answers("security-building-plan"))

    pages = page_texts(signed_in.get(f"/assignments/{assignment.id}/pdf").data)

    assert len(pages) >= 2
    today = words.date(dt.datetime.now(dt.timezone.utc))
    for number, page in enumerate(pages, start=1):
        assert "Jordan Ellis" in page
        assert f"Page {number} of {len(pages)}" in page
        assert "Building security that lasts" in page
        assert today in page
        assert "Confidential" in page


def test_unanswered_items_say_so_and_summaries_flags_and_comments_are_printed(signed_in, make, jordan, clinician):
    assignment = make.assignment(jordan, "partner-source-checklist", status="submitted",
                                 answers={"hot-cold": "know", "dismissing": "know"})
    db.session.add_all([
        Comment(response=assignment.response, clinician_id=clinician.id, section_id=None,
                body="Start with the hot and cold weekend."),
        Comment(response=assignment.response, clinician_id=clinician.id, section_id="timeline",
                body="Ask when the worry first appeared."),
    ])
    db.session.commit()

    text = all_text(signed_in.get(f"/assignments/{assignment.id}/pdf").data)

    assert text.count("Not answered") >= 15
    assert "The client knows their partner dismisses their needs" in text  # the declared flag
    assert "Partner signs the client knows happen 2 of 5" in text  # the declared count
    assert "Start with the hot and cold weekend." in text
    assert "Ask when the worry first appeared." in text
    assert text.index("Ask when the worry first appeared.") > text.index("When it began")


DRAFT = "A draft my therapist must not read yet"


@pytest.mark.parametrize("how", ["in progress", "reopened"])
def test_a_worksheet_not_sent_prints_as_not_yet_submitted_without_its_drafts(signed_in, make, jordan, how):
    answers = {"hot-cold": "often", "uses-vulnerability": "often", "hot-cold-example": DRAFT}
    if how == "in progress":
        assignment = make.assignment(jordan, "partner-source-checklist", status="in_progress", answers=answers)
    else:
        assignment = make.assignment(jordan, "partner-source-checklist", status="submitted", answers=answers)
        reopen(assignment, actor="clinician")
        db.session.commit()

    text = all_text(signed_in.get(f"/assignments/{assignment.id}/pdf").data)

    assert "Not sent yet" in text
    assert DRAFT not in text and "Often" not in text
    assert "Partner may use" not in text and "2 of 7" not in text  # no flag or summary drawn from drafts


def test_a_packet_shows_sent_answers_and_not_the_drafts_of_a_worksheet_in_progress(signed_in, make, jordan):
    sent = make.assignment(jordan, "origins-mapping", status="submitted", answers=sample_answers("origins-mapping"))
    started = make.assignment(jordan, "partner-source-checklist", status="in_progress",
                              answers={"uses-vulnerability": "often", "hot-cold-example": DRAFT})
    response = post_form(signed_in, f"/clients/{jordan.id}/packet", {
        "packet-session_date": "2026-03-10", "packet-changes_since": "last-packet", "packet-paper": "A4",
        "packet-assignments": [sent.id, started.id]})

    text = all_text(response.data)

    assert DRAFT not in text and "Partner may use" not in text
    assert "Not sent yet" in text
    assert expected_answers(definition_of(sent), sent.response.answers)[0] in text


def test_pdf_metadata_names_the_worksheet_clinician_date_and_language(signed_in, make, jordan):
    assignment = make.assignment(jordan, "origins-mapping", status="submitted",
                                 answers=sample_answers("origins-mapping"))

    reader = PdfReader(io.BytesIO(signed_in.get(f"/assignments/{assignment.id}/pdf").data))

    assert reader.metadata.title == "Where does your insecurity come from?: Jordan Ellis"
    assert reader.metadata.author == "Dr Alex Morgan"
    assert abs(reader.metadata.creation_date - dt.datetime.now(dt.timezone.utc)) < dt.timedelta(minutes=5)
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert reader.attachments == {}


def test_fonts_are_the_bundled_atkinson_hyperlegible_embedded_as_subsets(signed_in, make, jordan):
    assignment = make.assignment(jordan, "origins-mapping", status="submitted",
                                 answers=sample_answers("origins-mapping"))

    fonts = font_names(signed_in.get(f"/assignments/{assignment.id}/pdf").data)

    assert fonts, "the PDF has no fonts"
    assert all(re.fullmatch(r"/[A-Z]{6}\+Atkinson-Hyperlegible(-\w+)?", name) for name in fonts), fonts
    assert {"Hyperlegible", "Bold"} <= {name.rpartition("-")[2] for name in fonts}


@pytest.mark.parametrize(("paper", "size"), [("A4", (595, 842)), ("letter", (612, 792))])
def test_paper_size_is_a4_or_us_letter(signed_in, make, jordan, paper, size):
    assignment = make.assignment(jordan, "origins-mapping", status="submitted",
                                 answers=sample_answers("origins-mapping"))

    pdf = signed_in.get(f"/assignments/{assignment.id}/pdf?paper={paper}").data

    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert (round(box.width), round(box.height)) == size


def test_paper_size_defaults_to_the_configured_one(signed_in, make, jordan, app):
    app.config["PAPER_SIZE"] = "Letter"
    assignment = make.assignment(jordan, "origins-mapping", status="submitted", answers={})

    box = PdfReader(io.BytesIO(signed_in.get(f"/assignments/{assignment.id}/pdf").data)).pages[0].mediabox

    assert (round(box.width), round(box.height)) == (612, 792)


def test_an_unknown_paper_size_is_refused(signed_in, make, jordan):
    assignment = make.assignment(jordan, "origins-mapping", status="submitted", answers={})

    response = signed_in.get(f"/assignments/{assignment.id}/pdf?paper=A0")

    assert response.status_code == 400
    assert "Paper size must be one of: A4, letter." in response.get_data(as_text=True)


# --- who may download ---------------------------------------------------------------------------


def test_a_clinician_cannot_get_another_clinicians_pdfs(client, make, renders):
    owner = make.clinician()
    theirs = make.client(owner, display_name="Not yours")
    assignment = make.assignment(theirs, "origins-mapping", status="submitted",
                                 answers=sample_answers("origins-mapping"))
    login(client, make.clinician())

    assert client.get(f"/assignments/{assignment.id}/pdf").status_code == 404
    assert client.get(f"/clients/{theirs.id}/packet").status_code == 404
    posted = client.post(f"/clients/{theirs.id}/packet", data={"csrf_token": csrf_from(client),
                                                              "packet-session_date": "2026-03-10",
                                                              "packet-changes_since": "last-packet",
                                                              "packet-paper": "A4"})
    assert posted.status_code == 404
    assert client.get("/assignments/999999/pdf").status_code == 404
    assert renders == []


def csrf_from(client) -> str:
    page = client.get("/").get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


@pytest.mark.parametrize("path", ["/assignments/1/pdf", "/worksheets/origins-mapping/blank.pdf",
                                  "/clients/1/packet"])
def test_pdfs_need_a_signed_in_clinician(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


# --- the cache and the audit trail -------------------------------------------------------------


def test_a_second_download_comes_from_the_cache_until_answers_or_comments_change(
        signed_in, make, jordan, clinician, renders):
    assignment = make.assignment(jordan, "origins-mapping", status="submitted",
                                 answers=sample_answers("origins-mapping"))
    path = f"/assignments/{assignment.id}/pdf"

    first = signed_in.get(path).data
    again = signed_in.get(path).data
    assert renders == ["A4"]
    assert again == first

    assignment.response.answers = {**assignment.response.answers, "anything-else": "One more thing."}
    assignment.response.version += 1
    db.session.commit()
    assert "One more thing." in all_text(signed_in.get(path).data)
    assert len(renders) == 2

    db.session.add(Comment(response=assignment.response, clinician_id=clinician.id, body="Noted."))
    db.session.commit()
    assert "Noted." in all_text(signed_in.get(path).data)
    assert len(renders) == 3

    signed_in.get(path + "?paper=letter")
    assert len(renders) == 4
    cached = db.session.scalar(select(func.count()).select_from(PdfCacheEntry))
    assert cached == 1, "a new version of a document replaces the old one in the cache"


def test_every_download_writes_an_audit_event(signed_in, make, jordan, renders):
    assignment = make.assignment(jordan, "origins-mapping", status="submitted",
                                 answers=sample_answers("origins-mapping"))

    signed_in.get(f"/assignments/{assignment.id}/pdf")
    signed_in.get(f"/assignments/{assignment.id}/pdf")
    signed_in.get("/worksheets/origins-mapping/blank.pdf")

    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("pdf_%"))
                                .order_by(AuditEvent.id)).all()
    assert [(e.action, e.object_id, e.detail["rendered"]) for e in events] == [
        ("pdf_worksheet_downloaded", assignment.id, True),
        ("pdf_worksheet_downloaded", assignment.id, False),
        ("pdf_blank_downloaded", None, True),
    ]
    assert events[0].client_id == jordan.id and events[0].clinician_id == jordan.clinician_id


# --- the blank printable -----------------------------------------------------------------------


@pytest.mark.parametrize("worksheet_id", SHIPPED)
def test_the_blank_printable_has_every_question_and_option_to_tick(signed_in, app, worksheet_id, weasyprint_log):
    response = signed_in.get(f"/worksheets/{worksheet_id}/blank.pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    pages = page_texts(response.data)
    text = " ".join(pages)
    definition = app.extensions["worksheets"][worksheet_id]
    for item in definition.items:
        assert flat(item.label) in text
        for _, label in item.choices:
            assert flat(label) in text
        for sub in getattr(item, "items", ()):
            assert flat(sub.title) in text
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert "Name:" in page
    assert weasyprint_log() == []


def test_an_unknown_worksheet_has_no_blank_printable(signed_in):
    assert signed_in.get("/worksheets/no-such-sheet/blank.pdf").status_code == 404


def test_the_library_links_each_worksheet_to_its_blank_printable(signed_in, app):
    page = signed_in.get("/worksheets/").get_data(as_text=True)

    for worksheet_id in app.extensions["worksheets"]:
        assert f'href="/worksheets/{worksheet_id}/blank.pdf"' in page
    assert page.count("Print blank") == len(app.extensions["worksheets"])


def test_each_print_blank_link_names_its_worksheet(signed_in, app):
    """Eight links all called "Print blank" cannot be told apart in a screen reader's list of links."""
    page = signed_in.get("/worksheets/").get_data(as_text=True)
    names = {re.sub(r"<[^>]*>", "", text).strip()
             for text in re.findall(r'<a href="/worksheets/[^"]+/blank\.pdf"[^>]*>(.*?)</a>', page, re.S)}

    assert names == {f"Print blank: {d.title}" for d in app.extensions["worksheets"].values()}
