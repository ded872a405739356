"""The session-prep packet: a cover that says what to know before the session, contents, worksheets."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import request
from sqlalchemy import func, select

from clinic.assignments.services import transition
from clinic.extensions import db
from clinic.models import AssignmentStatus, AuditEvent, PacketExport, utcnow
from clinic import words
from clinic.pdf.forms import packet_form
from clinic.pdf import services as pdf_services
from clinic.pdf.services import PACKET_CHOICES
from clinic.worksheets import evaluate
from tests.support.packets import cover, make_packet
from tests.support.pdf_text import all_text, flat, page_texts
from tests.support.posting import post_form
from tests.support.samples import WORKSHEETS, sample_answers


@pytest.fixture
def jordan(make, clinician):
    return make.client(clinician, display_name="Jordan Ellis",
                       agenda="Ask about the argument in March.\nCheck in on the painting class.",
                       agenda_updated_at=utcnow())


@pytest.fixture
def submitted(make, jordan):
    """The three worksheets, submitted with full answers, by id."""
    return {wid: make.assignment(jordan, wid, status="submitted", answers=sample_answers(wid)) for wid in WORKSHEETS}


def between(text: str, start: str, end: str) -> str:
    """The text after `start` up to the next `end`."""
    begin = text.index(start) + len(start)
    return text[begin: text.index(end, begin)]


def test_the_cover_says_what_to_know_before_the_session(signed_in, jordan, submitted, app, weasyprint_log):
    response = make_packet(signed_in, jordan, assignments=submitted.values())

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    pages = page_texts(response.data)
    front = cover(pages)
    assert "Jordan Ellis" in front and "Session on Tuesday 10 Mar 2026" in front
    assert "Everything so far (this is the first packet for this client)" in front
    assert "Ask about the argument in March. Check in on the painting class." in front
    for worksheet_id, assignment in submitted.items():
        definition = app.extensions["worksheets"][worksheet_id]
        evaluation = evaluate(definition, assignment.response.answers)
        for flag in evaluation.flags:
            assert flat(flag.say) in front
        for summary in evaluation.summaries:
            assert flat(summary.label) in front
            if summary.text:
                assert flat(summary.text) in front
            for row in summary.rows:  # the plan's goals with their check-in dates
                assert flat(" ".join(cell for cell in row if cell)) in front
            for bar in summary.bars:  # the origins profile as bars
                assert f"{bar.label} {bar.value} of {bar.maximum}" in front
    assert "Both high: the relationship and history both matter" in front  # the partner-source lean of the sample answers
    assert "14 April 2026" in front
    assert weasyprint_log() == []


def test_contents_page_numbers_point_at_each_worksheet_and_numbering_is_continuous(signed_in, jordan, submitted):
    pages = page_texts(make_packet(signed_in, jordan, assignments=submitted.values()).data)

    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert "Jordan Ellis · Tuesday 10 Mar 2026" in page
    contents = between(cover(pages), "In this packet", "Page ")
    listed = re.findall(r"([A-Z][^().]*?) \((Sent [^)]*)\) [. ]+(\d+)", contents)
    assert {title for title, _, _ in listed} == {a.definition_snapshot["title"] for a in submitted.values()}
    for title, _, page_number in listed:
        first_page = pages[int(page_number) - 1]
        assert "WORKSHEET ANSWERS" in first_page and title in first_page


def test_the_packet_prints_worksheets_in_the_order_they_were_assigned_not_sent(signed_in, make, jordan):
    origins = make.assignment(jordan, "origins-mapping", status="submitted", answers=sample_answers("origins-mapping"))
    checklist = make.assignment(jordan, "partner-source-checklist", status="in_progress",
                                answers=sample_answers("partner-source-checklist"))
    transition(checklist, AssignmentStatus.SUBMITTED, actor="client")  # assigned last, and the latest news
    db.session.commit()
    form = signed_in.get(f"/clients/{jordan.id}/packet").get_data(as_text=True)
    offered = re.findall(r'name="packet-assignments" type="checkbox" value="(\d+)"', form)
    assert offered == [str(origins.id), str(checklist.id)]

    pages = page_texts(make_packet(signed_in, jordan, assignments=[checklist, origins]).data)
    origins_title, checklist_title = origins.title, checklist.title
    contents = between(cover(pages), "In this packet", "Page ")
    assert contents.index(origins_title) < contents.index(checklist_title)
    changed = between(cover(pages), "Everything so far", "Your agenda")  # both waiting for review: the newest first
    assert changed.index(checklist_title) < changed.index(origins_title)
    firsts = [page for page in pages if "WORKSHEET ANSWERS" in page]
    assert origins_title in firsts[0] and checklist_title in firsts[1]


def test_flags_and_summaries_put_the_most_urgent_worksheet_first(signed_in, make, jordan):
    plan = make.assignment(jordan, "security-building-plan", status="submitted",
                           answers=sample_answers("security-building-plan"))  # no flag
    origins = make.assignment(jordan, "origins-mapping", status="submitted",
                              answers=sample_answers("origins-mapping"))  # a flag to look at
    checklist = make.assignment(jordan, "partner-source-checklist", status="submitted",
                                answers={**sample_answers("partner-source-checklist"), "afraid": "yes"})  # safety

    pages = page_texts(make_packet(signed_in, jordan, assignments=[plan, origins, checklist]).data)
    glance = between(" ".join(pages), "Flags and summaries: flagged worksheets first", "WORKSHEET ANSWERS")
    assert [glance.index(a.title) for a in (checklist, origins, plan)] == sorted(
        glance.index(a.title) for a in (checklist, origins, plan))
    contents = between(cover(pages), "In this packet", "Page ")  # the worksheets themselves stay in packet order
    assert contents.index(plan.title) < contents.index(origins.title) < contents.index(checklist.title)


def test_a_long_history_lists_its_first_changes_and_says_how_many_more_there_are(signed_in, make, jordan,
                                                                                   monkeypatch):
    monkeypatch.setattr(pdf_services, "CHANGES_LISTED", 25)  # 100 in use: more than a test needs to make
    for number in range(30):
        make.assignment(jordan, WORKSHEETS[number % len(WORKSHEETS)], status="cancelled")

    pages = page_texts(make_packet(signed_in, jordan, assignments=[]).data)
    text = " ".join(pages)
    assert "more changes: the first 25 changes are listed from page" in pages[0]
    listed = between(text, "The first 25 changes (the cover has room for the first", "more changes are not listed")
    assert listed.count("cancelled") == 25
    assert "5 more changes are not listed here: the client’s page lists every worksheet." in text
    assert "Every change" not in text


def test_the_cover_lists_only_what_changed_since_the_last_packet(signed_in, make, jordan, submitted):
    earlier = make.assignment(jordan, "origins-mapping", status="reviewed", answers=sample_answers("origins-mapping"))
    long_ago = utcnow() - dt.timedelta(days=20)
    for event in earlier.events:
        event.at = long_ago
    earlier.response.saved_at = earlier.submitted_at = long_ago
    db.session.add(PacketExport(client_id=jordan.id, session_date=dt.date(2026, 3, 3),
                                created_at=utcnow() - dt.timedelta(days=7)))
    db.session.commit()

    front = cover(page_texts(make_packet(signed_in, jordan, assignments=[*submitted.values(), earlier]).data))

    last_packet_day = words.date(utcnow() - dt.timedelta(days=7))
    news = between(front, f"What’s new since your last packet ({last_packet_day}, for the session on 3 Mar 2026)",
                   "Your agenda")
    for assignment in submitted.values():
        assert assignment.definition_snapshot["title"] in news
    assert news.count("Where does your insecurity come from?") == 1, "the reviewed one from before is not new"
    assert "assigned, started and sent" in news
    contents = between(front, "In this packet", "Page ")
    assert contents.count("Where does your insecurity come from?") == 2


def test_the_cover_can_look_back_to_a_chosen_date(signed_in, jordan, submitted):
    response = make_packet(signed_in, jordan, since="date", since_date="2026-01-05", assignments=[])

    front = cover(page_texts(response.data) + ["WORKSHEET ANSWERS"])
    assert "What’s new since 5 Jan 2026" in front
    assert "No worksheets were chosen for this packet." in front


def test_worksheets_not_yet_in_are_listed_with_their_due_dates(signed_in, make, jordan, submitted):
    make.assignment(jordan, "security-building-plan", due_date=dt.date(2026, 3, 20))

    front = cover(page_texts(make_packet(signed_in, jordan, assignments=submitted.values()).data))

    assert "Not yet in" in front
    assert "Building security that lasts: Not started, due 20 Mar 2026." in front


def test_each_packet_is_recorded_and_audited(signed_in, jordan, submitted):
    make_packet(signed_in, jordan, assignments=submitted.values())

    export = db.session.scalars(select(PacketExport)).one()
    assert (export.client_id, export.session_date) == (jordan.id, dt.date(2026, 3, 10))
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "pdf_packet_downloaded")).one()
    assert event.client_id == jordan.id
    assert event.detail["session_date"] == "2026-03-10"
    assert sorted(event.detail["assignments"]) == sorted(a.id for a in submitted.values())


def test_a_packet_is_served_from_the_cache_until_the_agenda_or_an_answer_changes(signed_in, jordan, submitted,
                                                                               renders):
    first = make_packet(signed_in, jordan, assignments=submitted.values()).data
    assert make_packet(signed_in, jordan, assignments=submitted.values()).data == first
    assert len(renders) == 1

    jordan.agenda = "Talk about the holiday plans."
    jordan.agenda_updated_at = utcnow()
    db.session.commit()
    assert "Talk about the holiday plans." in all_text(make_packet(signed_in, jordan,
                                                                    assignments=submitted.values()).data)
    assert len(renders) == 2

    plan = submitted["security-building-plan"]
    plan.response.answers = {**plan.response.answers, "safe-to-tell": "no"}
    plan.response.version += 1
    db.session.commit()
    text = all_text(make_packet(signed_in, jordan, assignments=submitted.values()).data)
    assert "would not feel safe telling their partner" in text
    assert len(renders) == 3

    make_packet(signed_in, jordan, assignments=submitted.values(), paper="letter")
    assert len(renders) == 4


def test_the_form_ticks_submitted_worksheets_and_offers_both_paper_sizes(signed_in, make, jordan, submitted):
    started = make.assignment(jordan, "origins-mapping", status="in_progress", answers={"caregiving-resonance": 2})
    make.assignment(jordan, "partner-source-checklist")  # not started: nothing to print yet

    page = signed_in.get(f"/clients/{jordan.id}/packet").get_data(as_text=True)

    ticked = set(re.findall(r'<input checked id="packet-assignments-\d+" name="packet-assignments" '
                            r'type="checkbox" value="(\d+)"', page))
    assert ticked == {str(a.id) for a in submitted.values()}
    assert f'value="{started.id}"' in page
    assert page.count('name="packet-assignments"') == 4
    assert "US Letter" in page and "Make packet" in page
    assert 'data-busy-label="Preparing…"' in page


@pytest.mark.parametrize("posted", [None, {"packet-changes_since": "date", "packet-paper": "A0"}])
def test_the_forms_choices_are_drawn_as_wtforms_draws_them(app, make, jordan, submitted, posted):
    """choice_group draws each option itself; it must match WTForms' widgets, ticks and `required` included."""
    make.assignment(jordan, "origins-mapping", status="in_progress", answers={"caregiving-resonance": 2})
    with app.test_request_context(method="POST" if posted else "GET", data=posted):
        form = packet_form(jordan, formdata=request.form if posted else None)
        if posted:
            form.validate()
        choice_group = app.jinja_env.get_template("_macros.html").module.choice_group
        all_drawn = []
        for field in (form.changes_since, form.assignments, form.paper):
            drawn = re.findall(r'<li class="choice">.*</li>', str(choice_group(field)))
            widgets = [f'<li class="choice">{option()} {option.label(class_="choice__label")}</li>' for option in field]
            assert drawn == widgets and len(drawn) == len(field.choices)
            all_drawn += drawn
    assert any("<input checked" in line for line in all_drawn) and any(" required " in line for line in all_drawn)


@pytest.mark.parametrize(("change", "message"), [
    ({"packet-session_date": ""}, "Enter the date of the session."),
    ({"packet-session_date": "2026-02-30"}, "Please enter a real date"),
    ({"packet-changes_since": "date", "packet-since_date": ""}, "Enter the date to look back to"),
    ({"packet-paper": "A0"}, "Not a valid choice"),
    ({"packet-assignments": ["999"]}, "not a valid choice"),
])
def test_mistakes_in_the_form_are_explained_and_nothing_is_made(signed_in, jordan, submitted, change, message,
                                                               renders):
    data = {"packet-session_date": "2026-03-10", "packet-changes_since": "last-packet", "packet-paper": "A4",
            **change}

    response = post_form(signed_in, f"/clients/{jordan.id}/packet", data)

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "error-summary" in page and message in page
    assert renders == []
    assert db.session.scalar(select(func.count()).select_from(PacketExport)) == 0


def test_another_clients_worksheet_cannot_be_slipped_into_a_packet(signed_in, make, clinician, jordan, submitted,
                                                                 renders):
    other = make.client(clinician, display_name="Sam")
    theirs = make.assignment(other, "origins-mapping", status="submitted", answers=sample_answers("origins-mapping"))

    response = make_packet(signed_in, jordan, assignments=[theirs])

    assert response.status_code == 400
    assert renders == []


def test_the_packet_reads_the_database_the_same_number_of_times_for_one_or_six_worksheets(
        signed_in, make, jordan, count_queries):
    def queries_for(worksheets: int) -> int:
        chosen = [make.assignment(jordan, WORKSHEETS[n % 3], status="submitted",
                                  answers=sample_answers(WORKSHEETS[n % 3])) for n in range(worksheets)]
        db.session.refresh(jordan)
        for assignment in chosen:
            db.session.refresh(assignment)  # the test's own reads stay out of the count
        with count_queries() as counter:
            assert make_packet(signed_in, jordan, assignments=chosen).status_code == 200
        return counter.count

    assert queries_for(1) == queries_for(6)


def test_the_form_offers_only_the_latest_worksheets_of_a_long_history(signed_in, make, jordan, submitted):
    latest = [make.assignment(jordan, "origins-mapping", status="reviewed") for _ in range(PACKET_CHOICES)]
    page = signed_in.get(f"/clients/{jordan.id}/packet").get_data(as_text=True)
    offered = re.findall(r'name="packet-assignments" type="checkbox" value="(\d+)"', page)
    assert sorted(map(int, offered)) == sorted(a.id for a in latest)
    assert f"These are the {PACKET_CHOICES} most recent; print older ones from their own page." in page


def test_the_packet_file_is_named_for_the_client_and_session_without_internal_ids(signed_in, make, clinician):
    person = make.client(clinician, display_name="Zoë O'Brien / J.")
    sent = make.assignment(person, "origins-mapping", status="submitted", answers=sample_answers("origins-mapping"))

    response = make_packet(signed_in, person, session="2026-03-10", assignments=[sent])

    assert response.headers["Content-Disposition"] == 'attachment; filename="packet-zoe-o-brien-j-2026-03-10.pdf"'
