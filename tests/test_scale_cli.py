"""`flask seed-scale`: a practice to measure against, never mixed into a real one."""

from __future__ import annotations

from sqlalchemy import func, select

from clinic.assignments.services import definition_of
from clinic.extensions import db
from clinic.models import OPEN_STATUSES, Assignment, AssignmentEvent, Client, Clinician, Comment
from clinic.worksheets import evaluate
from tests.support.posting import login

SEED = ["seed-scale", "--clinicians", "3", "--clients-per-clinician", "4", "--assignments", "300",
        "--password", "a scale-testing password"]


def test_seed_scale_makes_clinicians_who_sign_in_and_says_what_it_made(runner, app):
    result = runner.invoke(args=SEED)
    assert result.exit_code == 0, result.output
    assert "3 clinicians, 14 clients, 14 links, 300 assignments" in result.output
    assert "clinician1@example.org … clinician3@example.org" in result.output
    clients = dict(db.session.execute(select(Clinician.email, func.count(Client.id)).join(Client.clinician)
                                      .group_by(Clinician.email)).all())
    assert clients == {"clinician1@example.org": 6, "clinician2@example.org": 4, "clinician3@example.org": 4}
    clinician = db.session.scalar(select(Clinician).where(Clinician.email == "clinician1@example.org"))
    assert login(app.test_client(), clinician, "a scale-testing password").status_code == 302


def test_seeded_history_is_varied_and_keeps_one_open_copy_per_worksheet(runner):
    assert runner.invoke(args=SEED).exit_code == 0
    statuses = set(db.session.scalars(select(Assignment.status)))
    assert statuses == {"assigned", "in_progress", "submitted", "reviewed", "cancelled"}
    due_months = {due.strftime("%Y-%m") for due in db.session.scalars(select(Assignment.due_date)) if due}
    assert len(due_months) >= 6
    assert db.session.scalar(select(func.count()).select_from(AssignmentEvent)) > 300
    assert db.session.scalar(select(func.count()).select_from(Comment)) > 0
    open_copies = db.session.execute(
        select(Assignment.client_id, Assignment.worksheet_id, func.count())
        .where(Assignment.status.in_(OPEN_STATUSES)).group_by(Assignment.client_id, Assignment.worksheet_id)
    ).all()
    assert open_copies and max(count for _, _, count in open_copies) == 1


def test_seeded_worksheets_were_sent_when_their_history_says(runner):
    """The trends chart seeded worksheets by the time they were sent, which their status history records."""
    assert runner.invoke(args=SEED).exit_code == 0
    sent_events = dict(db.session.execute(select(AssignmentEvent.assignment_id, AssignmentEvent.at)
                                          .where(AssignmentEvent.to_status == "submitted")).all())
    sent = dict(db.session.execute(select(Assignment.id, Assignment.submitted_at)
                                   .where(Assignment.submitted_at.is_not(None))).all())
    assert sent and sent == sent_events


def test_seeded_sent_worksheets_carry_the_flags_their_answers_raise(runner):
    """The dashboard and client lists count flags from the stored level, as `transition` stores it."""
    assert runner.invoke(args=SEED).exit_code == 0
    sent = db.session.scalars(select(Assignment).where(Assignment.submitted_at.is_not(None))).all()
    levels = {a.flag_level for a in sent}
    assert None in levels and levels - {None}  # some raise a flag, some none
    for assignment in sent:
        assert assignment.flag_level == evaluate(definition_of(assignment), assignment.response.answers).highest_level
    assert not any(a.flag_level for a in db.session.scalars(select(Assignment).where(Assignment.submitted_at.is_(None))))


def test_seed_scale_refuses_a_database_with_real_clinicians(runner, clinician):
    result = runner.invoke(args=SEED)
    assert result.exit_code == 1
    assert "holds 1 real clinician account" in result.output
    assert db.session.scalar(select(func.count()).select_from(Clinician)) == 1


def test_seed_scale_refuses_a_short_password(runner):
    result = runner.invoke(args=[*SEED[:-1], "short"])
    assert result.exit_code == 2
    assert "at least 12 characters" in result.output
    assert db.session.scalar(select(func.count()).select_from(Clinician)) == 0
