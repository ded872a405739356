"""The worksheet cards of the client's home page: what is still to do, then what was sent, a page at a time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Select, select

from clinic import words
from clinic.assignments.services import definition_by_digest
from clinic.extensions import db
from clinic.models import OPEN_STATUSES, SENT_STATUSES, Assignment, AssignmentStatus, Client, WorksheetSnapshot
from clinic.urls import id_links


@dataclass(frozen=True)
class Card:
    """One worksheet on the home page, its link, status and dates worded once here: a page of twenty
    sent worksheets then costs the template no `url_for` and no filter each.

    `minutes` (how long it takes) is given for a worksheet still to do, and only for one.
    """

    url: str
    title: str
    status: AssignmentStatus
    status_words: str
    note_to_client: str
    minutes: int | None
    finish_by: str  # the due date, with its weekday
    sent: str  # the day it was sent, with its weekday
    sent_date: str


def _card(url: Callable[[int], str], assignment_id: int, title: str, status: AssignmentStatus,
          note_to_client: str, *, minutes: int | None = None, due_date: dt.date | None = None,
          submitted_at: dt.datetime | None = None) -> Card:
    return Card(url=url(assignment_id), title=title, status=status, status_words=words.client_status(status),
                note_to_client=note_to_client, minutes=minutes, finish_by=words.weekday_date(due_date),
                sent=words.weekday_date(submitted_at), sent_date=words.date(submitted_at))


def cards_to_do(client: Client) -> list[Card]:
    """The client's open worksheets, those due first by due date, then as assigned.

    Read as columns: how long each takes comes from its definition, parsed once per process and
    found by its snapshot's digest, so neither answers nor snapshots are loaded.
    """
    url = id_links("portal.worksheet", "assignment_id")
    to_do = db.session.execute(
        select(Assignment.id, Assignment.title, Assignment.status, Assignment.note_to_client, Assignment.due_date,
               WorksheetSnapshot.digest)
        .join(Assignment.snapshot)
        .where(Assignment.client_id == client.id, Assignment.status.in_(OPEN_STATUSES))
        .order_by(Assignment.due_date.is_(None), Assignment.due_date, Assignment.id)
    )
    return [_card(url, assignment_id, title, status, note, due_date=due_date,
                  minutes=definition_by_digest(digest).estimated_minutes)
            for assignment_id, title, status, note, due_date, digest in to_do]


def sent_cards(client: Client) -> Select:
    """The client's sent worksheets, the latest first, as the columns of a `Card` (see `sent_card`)."""
    return (select(Assignment.id, Assignment.title, Assignment.status, Assignment.note_to_client,
                   Assignment.submitted_at)
            .where(Assignment.client_id == client.id, Assignment.status.in_(SENT_STATUSES))
            .order_by(Assignment.status_changed_at.desc(), Assignment.id.desc()))


def sent_card() -> Callable[..., Card]:
    """How `paginate` turns a `sent_cards` row into a `Card` (the links built from one)."""
    url = id_links("portal.worksheet", "assignment_id")

    def card(assignment_id: int, title: str, status: AssignmentStatus, note_to_client: str,
             submitted_at: dt.datetime | None) -> Card:
        return _card(url, assignment_id, title, status, note_to_client, submitted_at=submitted_at)

    return card
