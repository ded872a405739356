"""Assigning worksheets from the client page, the snapshot, and the clinician's lifecycle moves."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from clinic.assignments.services import LifecycleError, transition
from clinic.extensions import db
from clinic.models import NOTE_TO_CLIENT_MAX, Assignment, AssignmentEvent, AuditEvent, utcnow
from tests.support.posting import post_form

IN_A_WEEK = (utcnow().date() + dt.timedelta(days=7)).isoformat()


def assignment_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Assignment))


def assign(browser, record, **fields):
    data = {"worksheets": ["origins-mapping"], "due_date": "", "note": ""} | fields
    return post_form(browser, f"/clients/{record.id}/assignments", data, token_from=f"/clients/{record.id}")


@pytest.fixture
def record(make, clinician):
    return make.client(clinician, display_name="Robin A.")


def test_several_worksheets_are_assigned_at_once_with_a_due_date_and_a_note(signed_in, record, app):
    response = assign(signed_in, record, worksheets=["origins-mapping", "partner-source-checklist"],
                      due_date=IN_A_WEEK, note="Take your time.")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/clients/{record.id}#worksheets-panel"
    made = db.session.scalars(select(Assignment).order_by(Assignment.worksheet_id)).all()
    library = app.extensions["worksheets"]
    assert [a.worksheet_id for a in made] == ["origins-mapping", "partner-source-checklist"]
    for assignment in made:
        definition = library[assignment.worksheet_id]
        assert assignment.definition_snapshot == definition.snapshot()
        assert (assignment.worksheet_version, assignment.title) == (definition.version, definition.title)
        assert (assignment.status, assignment.due_date.isoformat(), assignment.note_to_client) == (
            "assigned", IN_A_WEEK, "Take your time.")
        assert [(e.from_status, e.to_status) for e in assignment.events] == [(None, "assigned")]
    page = signed_in.get(f"/clients/{record.id}").get_data(as_text=True)
    assert "Robin A. has 2 new worksheets, shown the next time they open their link." in page
    assert ".." not in page
    assert page.count("Not started") == 2
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action == "assignment.create")).all()
    assert len(actions) == 2


def test_the_review_page_reads_the_snapshot_not_todays_worksheet_file(signed_in, record, make):
    assignment = make.assignment(record, "origins-mapping", status="submitted")
    snapshot = dict(assignment.definition_snapshot, title="The title as it was when assigned")
    assignment.definition_snapshot = snapshot
    db.session.commit()
    page = signed_in.get(f"/assignments/{assignment.id}").get_data(as_text=True)
    assert "The title as it was when assigned" in page


@pytest.mark.parametrize(("fields", "message"), [
    ({"worksheets": []}, "Please tick at least one worksheet."),
    ({"worksheets": ["origins-mapping", "no-such-worksheet"]},
     "One of the chosen worksheets does not exist. Please choose from the list."),
    ({"due_date": "2026-02-30"}, "Please enter a real date, for example 2026-03-14."),
    ({"due_date": "next tuesday"}, "Please enter a real date, for example 2026-03-14."),
    ({"due_date": "2001-01-01"}, "That date has passed. Please choose today or a later date."),
    ({"note": "n" * (NOTE_TO_CLIENT_MAX + 1)},
     f"Please shorten the note to {NOTE_TO_CLIENT_MAX} characters or fewer (it has {NOTE_TO_CLIENT_MAX + 1})."),
])
def test_an_assignment_that_cannot_be_made_says_why_and_saves_nothing(signed_in, record, fields, message):
    response = assign(signed_in, record, **fields)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and "There is a problem" in page
    assert assignment_count() == 0


def test_sending_the_assign_form_twice_assigns_once(signed_in, record):
    assert assign(signed_in, record, worksheets=["origins-mapping", "security-building-plan"]).status_code == 302
    again = assign(signed_in, record, worksheets=["origins-mapping", "security-building-plan"])
    assert again.status_code == 409
    assert "Robin A. already has" in again.get_data(as_text=True)
    assert "nothing was assigned" in again.get_data(as_text=True)
    assert assignment_count() == 2


def test_a_worksheet_still_to_do_is_offered_again_only_once_it_is_done(signed_in, record, make):
    make.assignment(record, "origins-mapping", status="in_progress")
    page = signed_in.get(f"/clients/{record.id}").get_data(as_text=True)
    assert "Already assigned and not yet sent." in page
    make.assignment(record, "partner-source-checklist", status="reviewed")
    assert assign(signed_in, record, worksheets=["partner-source-checklist"]).status_code == 302


def test_an_archived_client_gets_no_new_worksheets(signed_in, make, clinician):
    archived = make.client(clinician, archived_at=utcnow())
    assert "Assign worksheets" not in signed_in.get(f"/clients/{archived.id}").get_data(as_text=True)
    response = assign(signed_in, archived)
    assert response.status_code == 409
    assert "is archived" in response.get_data(as_text=True)
    assert assignment_count() == 0


def move(browser, assignment, action):
    path = f"/assignments/{assignment.id}"
    return post_form(browser, f"{path}/{action}", token_from=path)


def status_of(assignment) -> str:
    return db.session.get(Assignment, assignment.id).status


@pytest.mark.parametrize(("start", "action", "end"), [
    ("submitted", "reviewed", "reviewed"),
    ("submitted", "reopen", "in_progress"),
    ("reviewed", "reopen", "in_progress"),
    ("assigned", "cancel", "cancelled"),
])
def test_the_clinician_moves_a_worksheet_through_its_lifecycle(signed_in, record, make, clinician,
                                                               start, action, end):
    assignment = make.assignment(record, status=start)
    response = move(signed_in, assignment, action)
    assert response.status_code == 302
    assert status_of(assignment) == end
    last = db.session.scalars(select(AssignmentEvent).where(AssignmentEvent.assignment_id == assignment.id)
                              .order_by(AssignmentEvent.id.desc())).first()
    assert (last.from_status, last.to_status, last.actor) == (start, end, f"clinician:{clinician.id}")
    assert last.at is not None
    assert db.session.get(Assignment, assignment.id).status_changed_at == last.at


@pytest.mark.parametrize(("start", "action"), [
    ("in_progress", "cancel"),
    ("submitted", "cancel"),
    ("assigned", "reviewed"),
    ("reviewed", "reviewed"),
    ("cancelled", "reopen"),
    ("assigned", "reopen"),
])
def test_a_move_the_lifecycle_does_not_allow_is_a_409_that_says_why(signed_in, record, make, start, action):
    assignment = make.assignment(record, status=start)
    events_before = len(assignment.events)
    response = move(signed_in, assignment, action)
    assert response.status_code == 409
    assert "That change was not made." in response.get_data(as_text=True)
    assert status_of(assignment) == start
    assert db.session.scalar(select(func.count()).select_from(AssignmentEvent)
                             .where(AssignmentEvent.assignment_id == assignment.id)) == events_before


def test_marking_reviewed_twice_changes_it_once(signed_in, record, make):
    assignment = make.assignment(record, status="submitted")
    assert move(signed_in, assignment, "reviewed").status_code == 302
    assert move(signed_in, assignment, "reviewed").status_code == 409
    reviewed = db.session.scalars(select(AssignmentEvent).where(AssignmentEvent.to_status == "reviewed")).all()
    assert len(reviewed) == 1


def test_reopening_is_refused_when_the_client_already_has_a_newer_copy(signed_in, record, make):
    old = make.assignment(record, "origins-mapping", status="reviewed")
    make.assignment(record, "origins-mapping", status="assigned")
    response = move(signed_in, old, "reopen")
    assert response.status_code == 409
    assert "newer copy" in response.get_data(as_text=True)
    assert status_of(old) == "reviewed"


def test_the_client_side_moves_keep_their_signature(record, make):
    """The portal calls transition(assignment, to_status, actor="client")."""
    assignment = make.assignment(record)
    transition(assignment, "in_progress", actor="client")
    transition(assignment, "submitted", actor="client")
    db.session.commit()
    assert assignment.submitted_at is not None
    assert [e.actor for e in assignment.events][-2:] == ["client", "client"]
    with pytest.raises(LifecycleError):
        transition(assignment, "cancelled", actor="client")
