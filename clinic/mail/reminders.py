"""Reminders: one for worksheets due tomorrow, one for overdue ones, at most one email a day per client.

Run by the hourly round at the practice's reminder hour and by `flask send-reminders`.
What was reminded is recorded (`AssignmentReminder`, one row per assignment and
stage) and the database allows one reminder a day per client, so running this
twice sends nothing twice.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from clinic.extensions import db
from clinic.mail.services import practice_day
from clinic.models import OPEN_STATUSES, Assignment, AssignmentReminder, Client, EmailDelivery
from clinic.tasks import enqueue, jobs


def reminder_stage(due_date: dt.date, today: dt.date) -> str | None:
    if due_date == today + dt.timedelta(days=1):
        return "due_tomorrow"
    if due_date < today:
        return "overdue"
    return None


def queue_reminders(now: dt.datetime) -> list[EmailDelivery]:
    """Queue today's reminders (the practice's today) and return them."""
    today = practice_day(now)
    tomorrow = today + dt.timedelta(days=1)
    candidates = db.session.execute(
        select(Assignment.id, Assignment.client_id, Assignment.due_date)
        .join(Client, Client.id == Assignment.client_id)
        .where(Assignment.status.in_(OPEN_STATUSES), Assignment.due_date <= tomorrow,
               Assignment.due_date != today,
               Client.email.is_not(None), Client.email_consent.is_(True), Client.email_unsubscribed_at.is_(None),
               Client.archived_at.is_(None))
        .order_by(Assignment.client_id, Assignment.id)
    ).all()
    pending: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for assignment_id, client_id, due_date in candidates:
        stage = reminder_stage(due_date, today)
        already = exists().where(AssignmentReminder.assignment_id == assignment_id, AssignmentReminder.stage == stage)
        if not db.session.scalar(select(already)):
            pending[client_id].append((assignment_id, stage))
    queued = []
    for client_id, reminders in pending.items():
        delivery = _record(client_id, today, reminders)
        if delivery is not None:
            queued.append(delivery)
    db.session.commit()
    for delivery in queued:
        enqueue(jobs.send_email, delivery.id)
    return queued


def _record(client_id: int, today: dt.date, reminders: list[tuple[int, str]]) -> EmailDelivery | None:
    """One reminder email for the client today, or None if they already have one today."""
    try:
        with db.session.begin_nested():
            delivery = EmailDelivery(client_id=client_id, kind="reminder", local_day=today)
            db.session.add(delivery)
            db.session.flush()
            db.session.add_all(AssignmentReminder(assignment_id=assignment_id, stage=stage, delivery_id=delivery.id)
                               for assignment_id, stage in reminders)
    except IntegrityError:
        return None  # another round got there first today
    return delivery
