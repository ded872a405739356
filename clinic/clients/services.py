"""A clinician's clients: loading (owner-checked), creating, editing, archiving, the overview.

Load the object, then authorize, then act: another clinician's client is a 404.
"""

from __future__ import annotations

import datetime as dt

from flask import abort
from flask_login import current_user
from sqlalchemy import Select, func, select

from clinic.extensions import db
from clinic.models import OPEN_STATUSES, Assignment, Client, Clinician, utcnow


class ClientProblem(ValueError):
    """A change to a client that cannot be made, in words for the clinician."""


def get_own_client(client_id: int) -> Client:
    """The signed-in clinician's client, or 404 (another clinician's client does not exist for you)."""
    client = db.session.get(Client, client_id)
    if client is None or client.clinician_id != current_user.id:
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


def client_overview(clinician_id: int, *, archived: bool = False, today: dt.date | None = None) -> Select:
    """Each client with counts of open, waiting-for-review and overdue worksheets, in one query."""
    today = today or utcnow().date()
    is_open = Assignment.status.in_(OPEN_STATUSES)
    return (
        select(
            Client,
            func.count(Assignment.id).filter(is_open).label("open"),
            func.count(Assignment.id).filter(Assignment.status == "submitted").label("waiting"),
            func.count(Assignment.id).filter(is_open, Assignment.due_date < today).label("overdue"),
            func.max(Assignment.status_changed_at).label("last_activity"),
        )
        .outerjoin(Assignment, Assignment.client_id == Client.id)
        .where(Client.clinician_id == clinician_id,
               Client.archived_at.is_not(None) if archived else Client.archived_at.is_(None))
        .group_by(Client.id)
        .order_by(func.lower(Client.display_name), Client.id)
    )
