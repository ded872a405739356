"""Assignment lifecycle: assigned → in progress → submitted → reviewed.

Every change of status goes through `transition`, which refuses moves the
lifecycle does not allow and records each change with its time and actor.
"""

from __future__ import annotations

import datetime as dt

from flask import abort, current_app
from flask_login import current_user

from clinic.extensions import db
from clinic.models import Assignment, AssignmentEvent, Client, Response, utcnow
from clinic.worksheets import Definition

ALLOWED = {
    ("assigned", "in_progress"),
    ("assigned", "submitted"),
    ("in_progress", "submitted"),
    ("submitted", "reviewed"),
    ("submitted", "in_progress"),  # reopened by the clinician
    ("reviewed", "in_progress"),  # reopened by the clinician
    ("assigned", "cancelled"),
}


class LifecycleError(ValueError):
    """A status change the lifecycle does not allow, in words for the user."""


def get_own_assignment(assignment_id: int) -> Assignment:
    """The signed-in clinician's assignment, or 404 (load, then authorize)."""
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.client.clinician_id != current_user.id:
        abort(404)
    return assignment


def definition_of(assignment: Assignment) -> Definition:
    """The definition as it was when this worksheet was assigned."""
    return Definition.from_snapshot(assignment.definition_snapshot)


def assign(client: Client, worksheet_id: str, *, due_date: dt.date | None = None, note: str = "",
           actor: str) -> Assignment:
    definition = current_app.extensions["worksheets"][worksheet_id]
    assignment = Assignment(
        client=client,
        worksheet_id=definition.id,
        worksheet_version=definition.version,
        definition_snapshot=definition.snapshot(),
        due_date=due_date,
        note_to_client=note,
        status="assigned",
    )
    assignment.response = Response(answers={}, version=0)
    db.session.add(assignment)
    db.session.add(AssignmentEvent(assignment=assignment, from_status=None, to_status="assigned", actor=actor))
    return assignment


def transition(assignment: Assignment, to_status: str, *, actor: str) -> None:
    if (assignment.status, to_status) not in ALLOWED:
        raise LifecycleError(
            f"A worksheet that is {assignment.status.replace('_', ' ')} cannot become {to_status.replace('_', ' ')}."
        )
    now = utcnow()
    db.session.add(AssignmentEvent(assignment=assignment, from_status=assignment.status, to_status=to_status,
                                   actor=actor, at=now))
    assignment.status = to_status
    assignment.status_changed_at = now
    if to_status == "submitted":
        assignment.response.submitted_at = now
