"""A clinician's clients: loading (owner-checked), creating, editing, archiving, the overview.

Load the object, then authorize, then act: another clinician's client is a 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from flask import abort
from flask_login import current_user
from sqlalchemy import Select, case, func, select

from clinic import words
from clinic.clients.pagination import Page
from clinic.extensions import db
from clinic.models import (
    OPEN_STATUSES,
    Assignment,
    AssignmentStatus,
    AuditActor,
    AuditEvent,
    Client,
    Clinician,
    Comment,
    Response,
    utcnow,
)


class ClientProblem(ValueError):
    """A change to a client that cannot be made, in words for the clinician."""


def get_own_client(client_id: int) -> Client:
    """The signed-in clinician's client, or 404 (another clinician's client does not exist for you)."""
    client = db.session.get(Client, client_id)
    if client is None or client.clinician_id != current_user.id or client.erased_at is not None:
        abort(404)
    return client


def _check_name_free(clinician: Clinician, display_name: str, *, exclude: Client | None = None) -> None:
    """Two current clients with one name cannot be told apart in lists (and a form sent twice makes two)."""
    same = select(Client.id).where(
        Client.clinician_id == clinician.id,
        Client.archived_at.is_(None),
        func.lower(Client.display_name) == display_name.lower(),
    )
    if exclude is not None:
        same = same.where(Client.id != exclude.id)
    if db.session.scalar(same.limit(1)) is not None:
        raise ClientProblem(f"You already have a client called “{display_name}”. If this is someone else, "
                            "add something that tells them apart, such as “J. K. (Tuesdays)”.")


def create_client(clinician: Clinician, *, display_name: str, email: str | None, notes: str,
                  email_consent: bool = False) -> Client:
    _check_name_free(clinician, display_name)
    client = Client(clinician=clinician, display_name=display_name, email=email or None, notes=notes,
                    email_consent=email_consent)
    db.session.add(client)
    db.session.flush()
    return client


def update_client(client: Client, *, display_name: str, email: str | None, notes: str,
                  email_consent: bool = False) -> list[str]:
    """Apply the changes and return the names of the fields that changed (for the audit trail).

    Agreement to email given again (after the client unsubscribed) starts emails again.
    """
    if client.archived_at is None:
        _check_name_free(client.clinician, display_name, exclude=client)
    wanted = {"display_name": display_name, "email": email or None, "notes": notes, "email_consent": email_consent}
    changed = [name for name, value in wanted.items() if getattr(client, name) != value]
    for name in changed:
        setattr(client, name, wanted[name])
    if "email_consent" in changed and email_consent:
        client.email_unsubscribed_at = None
    return changed


def set_archived(client: Client, archived: bool) -> None:
    if archived == client.archived:
        return
    if not archived:
        _check_name_free(client.clinician, client.display_name, exclude=client)
    client.archived_at = utcnow() if archived else None


def save_agenda(client: Client, agenda: str) -> bool:
    """Store the agenda for the next session; whether it changed."""
    if agenda == client.agenda:
        return False
    client.agenda = agenda
    client.agenda_updated_at = utcnow()
    return True


def clients_of(clinician_id: int, *, archived: bool = False) -> Select:
    """A clinician's current (or archived) clients in name order."""
    return (select(Client)
            .where(Client.clinician_id == clinician_id,
                   Client.archived_at.is_not(None) if archived else Client.archived_at.is_(None),
               Client.erased_at.is_(None))
            .order_by(func.lower(Client.display_name), Client.id))


@dataclass(frozen=True)
class ClientRow:
    """A client in a list, with counts of open, waiting-for-review and overdue worksheets, and open flags.

    A flag is open while its worksheet waits for review: reviewing the worksheet is
    how the clinician takes it in. Flags come from `Assignment.flag_level`, stored
    when the worksheet was sent, so a list never reads answers.
    """

    client: Client
    open: int = 0
    waiting: int = 0
    overdue: int = 0
    last_activity: dt.datetime | None = None
    safety: int = 0
    attention: int = 0


def client_overview(page: Page, *, today: dt.date | None = None) -> Page:
    """A page of clients with their counts, in one query over those clients' current worksheets only.

    Counting after paging keeps the cost to the clients shown; counting only what is
    to do or waiting (and reading each client's latest change from its index) keeps
    it to their current work, however long their history.
    """
    today = today or words.today()
    ids = [client.id for client in page.items]
    is_open = Assignment.status.in_(OPEN_STATUSES)
    waiting = Assignment.status == AssignmentStatus.SUBMITTED
    counts = (
        select(
            Assignment.client_id,
            func.count().filter(is_open).label("open"),
            func.count().filter(waiting).label("waiting"),
            func.count().filter(is_open, Assignment.due_date < today).label("overdue"),
            func.count().filter(waiting, Assignment.flag_level == "safety").label("safety"),
            func.count().filter(waiting, Assignment.flag_level == "attention").label("attention"),
        )
        .where(Assignment.client_id.in_(ids), Assignment.status.in_((*OPEN_STATUSES, AssignmentStatus.SUBMITTED)))
        .group_by(Assignment.client_id)
        .subquery()
    )
    last_activity = (select(func.max(Assignment.status_changed_at)).where(Assignment.client_id == Client.id)
                     .scalar_subquery())

    def counted(name: str):
        return func.coalesce(counts.c[name], 0)

    figures = db.session.execute(
        select(Client.id, counted("open"), counted("waiting"), counted("overdue"), last_activity,
               counted("safety"), counted("attention"))  # in the order of ClientRow's fields
        .outerjoin(counts, counts.c.client_id == Client.id)
        .where(Client.id.in_(ids))
    )
    by_client = {row.id: row for row in figures}
    return replace(page, items=[ClientRow(client, *by_client[client.id][1:]) for client in page.items])


@dataclass(frozen=True)
class HistoryLine:
    """One event of a client's audit history, as a sentence: 'Dr Lee downloaded the packet'."""

    at: dt.datetime
    sentence: str
    address: str | None


def client_history(client: Client) -> Select:
    """A client's audit events, newest first, each with the worksheet it concerns and the clinician who acted.

    Rows are (event, worksheet title, clinician name), read in the one query
    that pages the events: the names come from outer joins, not a query per row.
    """
    about_comment = (AuditEvent.object_type == "comment") & (Comment.id == AuditEvent.object_id)
    response_id = case((AuditEvent.object_type == "response", AuditEvent.object_id), else_=Comment.response_id)
    assignment_id = case((AuditEvent.object_type == "assignment", AuditEvent.object_id),
                         else_=Response.assignment_id)
    by_clinician = (AuditEvent.actor_type == AuditActor.CLINICIAN) & (Clinician.id == AuditEvent.actor_id)
    return (select(AuditEvent, Assignment.title, func.coalesce(func.nullif(Clinician.name, ""), Clinician.email))
            .outerjoin(Comment, about_comment)
            .outerjoin(Response, Response.id == response_id)
            .outerjoin(Assignment, (Assignment.id == assignment_id) & (Assignment.client_id == client.id))
            .outerjoin(Clinician, by_clinician)
            .where(AuditEvent.client_id == client.id)
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()))


def client_history_count(client: Client) -> Select:
    """How many rows `client_history` has: its outer joins add names, never rows, so its events alone.

    Counted through those joins, a client's 10,000 events took 33 ms on SQLite; from the index, a few.
    """
    return select(func.count()).select_from(AuditEvent).where(AuditEvent.client_id == client.id)


def history_line(client: Client, viewer_id: int):
    """How `paginate` turns a `client_history` row into a `HistoryLine` for this viewer ('You' are them)."""

    def line(event: AuditEvent, worksheet: str | None, clinician_name: str | None) -> HistoryLine:
        actor = words.audit_actor(event.actor_type, yours=event.actor_id == viewer_id,
                                  clinician_name=clinician_name, client_name=client.display_name)
        return HistoryLine(event.at, words.audit_sentence(actor, event.action, worksheet, event.detail),
                           event.address)

    return line
