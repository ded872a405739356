"""Repeating assignments: the next one of a series appears once the previous one's due date has passed.

Run by the hourly round with the practice's today. A previous one the client
never started is cancelled when the next appears, so the portal shows only the
current one; one they are still filling in is kept, and the next appears after
they send it (their words are never set aside). The unique (series, position)
index means a round run twice makes each assignment once.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.exc import IntegrityError

from clinic.assignments.services import assign, transition
from clinic.extensions import db
from clinic.models import Assignment, AssignmentSeries, AssignmentStatus, Client, utcnow

ACTOR = "repeating series"


def series_label(series: AssignmentSeries) -> str:
    """'every week' or 'every 2 weeks'."""
    return "every week" if series.every_weeks == 1 else f"every {series.every_weeks} weeks"


def scheduled_due_date(series: AssignmentSeries, position: int, today: dt.date) -> dt.date:
    """The series' own date for this position, or a full interval from today if that has passed already."""
    interval = dt.timedelta(weeks=series.every_weeks)
    due = series.first_due_date + interval * (position - 1)
    return due if due >= today else today + interval


def advance_series(today: dt.date) -> list[Assignment]:
    """Make the next assignment of every running series whose latest one is past due."""
    rows = db.session.execute(
        _running_with_latest().join(Client, Client.id == AssignmentSeries.client_id)
        .where(Client.archived_at.is_(None), Assignment.due_date < today, Assignment.status != AssignmentStatus.IN_PROGRESS)
    ).all()
    made = []
    for series, latest in rows:
        try:
            with db.session.begin_nested():
                if latest.status == AssignmentStatus.ASSIGNED:
                    transition(latest, AssignmentStatus.CANCELLED, actor=ACTOR)
                position = latest.series_position + 1
                made.append(assign(series.client, series.worksheet_id, note=series.note_to_client, actor=ACTOR,
                                   due_date=scheduled_due_date(series, position, today),
                                   series=series, series_position=position))
                db.session.flush()
        except IntegrityError:
            continue  # another round made it a moment ago
    db.session.commit()
    return made


def stop_series(series: AssignmentSeries) -> bool:
    """No more assignments in this series; the current one stays. False if it had already stopped."""
    if series.stopped_at is not None:
        return False
    series.stopped_at = utcnow()
    return True


def running_series(client: Client) -> list[tuple[AssignmentSeries, Assignment]]:
    """The client's series that will make more assignments, each with its latest assignment."""
    return [tuple(row) for row in db.session.execute(
        _running_with_latest(Assignment.client_id == client.id).order_by(AssignmentSeries.id)
    )]


def _running_with_latest(*conditions: ColumnElement[bool]) -> Select:
    """(series, its latest assignment) for every series that is neither stopped nor complete."""
    latest = (select(Assignment.series_id, func.max(Assignment.series_position).label("position"))
              .where(Assignment.series_id.is_not(None), *conditions).group_by(Assignment.series_id).subquery())
    return (select(AssignmentSeries, Assignment)
            .join(latest, latest.c.series_id == AssignmentSeries.id)
            .join(Assignment, (Assignment.series_id == AssignmentSeries.id)
                  & (Assignment.series_position == latest.c.position))
            .where(AssignmentSeries.stopped_at.is_(None), latest.c.position < AssignmentSeries.times))
