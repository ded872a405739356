"""A client's data rights: everything held about them as one zip, erasure, and retention.

Erasure keeps the client's row (the audit trail points at it) without any personal
data, and an audit stub that says an erasure happened, when and by whom.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from typing import Any

from sqlalchemy import delete, select, text
from sqlalchemy.orm import joinedload

from clinic import audit, words
from clinic.extensions import db
from clinic.models import (
    SENT_STATUSES,
    Assignment,
    AssignmentEvent,
    AuditAction,
    AuditEvent,
    Client,
    Clinician,
    Comment,
    PacketExport,
    PdfCacheEntry,
    PortalLink,
    Response,
    utcnow,
)
from clinic.pdf.services import cached_pdfs, default_paper, worksheet_document

ERASED_NAME = "Erased client"

EXPORT_README = """\
Everything Groundwork holds about one client, exported {when} by {clinician}.

client.json
  client        the client's details: name or initials, email, notes, agenda, dates
  worksheets    every worksheet assigned, with its status history, the answers
                (submitted, or a draft the client has not sent yet: see
                "submitted_at") and the clinician's comments
  audit_events  every recorded view, export and change of this client's data:
                when, who (clinician, client or system), what and from which address

worksheets/
  One PDF per worksheet the client has sent, as the clinician prints it.

All times are UTC. This file holds health information: keep it encrypted and
delete it when it has served its purpose.
"""


def _moment(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _worksheet(assignment: Assignment) -> dict[str, Any]:
    response = assignment.response
    return {
        "id": assignment.id,
        "worksheet": assignment.worksheet_id,
        "version": assignment.worksheet_version,
        "title": assignment.title,
        "status": assignment.status,
        "assigned_at": _moment(assignment.created_at),
        "due_date": _moment(assignment.due_date),
        "note_to_client": assignment.note_to_client,
        "history": [{"from": e.from_status, "to": e.to_status, "by": e.actor, "at": _moment(e.at)}
                    for e in assignment.events],
        "answers": response.answers if response else {},
        "saved_at": _moment(response.saved_at) if response else None,
        "submitted_at": _moment(assignment.submitted_at),
        "comments": [{"section": c.section_id, "body": c.body, "at": _moment(c.created_at)}
                     for c in (response.comments if response else [])],
    }


def _audit_events(client: Client) -> list[dict[str, Any]]:
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.client_id == client.id)
                                .order_by(AuditEvent.id))
    return [{"at": _moment(e.at), "actor": e.actor_type, "actor_id": e.actor_id, "action": e.action,
             "object": e.object_type, "object_id": e.object_id, "address": e.address, "detail": e.detail}
            for e in events]


def export_zip(client: Client, clinician: Clinician) -> bytes:
    """The zip a clinician hands over when a client asks for their data."""
    assignments = list(db.session.scalars(
        select(Assignment).where(Assignment.client_id == client.id).order_by(Assignment.id)
        .options(joinedload(Assignment.snapshot), joinedload(Assignment.events),
                 joinedload(Assignment.response).joinedload(Response.comments))
    ).unique())  # every worksheet with its history and comments in one query, however long the history
    sent = [assignment for assignment in assignments if assignment.status in SENT_STATUSES]
    pdfs = cached_pdfs(clinician, [worksheet_document(assignment, clinician) for assignment in sent], default_paper())
    document = {
        "client": {"id": client.id, "name": client.display_name, "email": client.email, "notes": client.notes,
                   "agenda": client.agenda, "created_at": _moment(client.created_at),
                   "archived_at": _moment(client.archived_at)},
        "worksheets": [_worksheet(assignment) for assignment in assignments],
        "audit_events": _audit_events(client),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", EXPORT_README.format(when=words.utc_stamp(utcnow()),
                                                            clinician=clinician.name or clinician.email))
        archive.writestr("client.json", json.dumps(document, ensure_ascii=False, indent=2))
        for assignment, pdf in zip(sent, pdfs):
            archive.writestr(f"worksheets/{assignment.id}-{assignment.worksheet_id}.pdf", pdf)
    return buffer.getvalue()


def erase_client(client: Client) -> None:
    """Delete the client's answers, comments, worksheets, links and cached PDFs; blank their details.

    The caller commits; then `forget_deleted_pages` clears SQLite's write-ahead log.
    """
    assignment_ids = select(Assignment.id).where(Assignment.client_id == client.id).scalar_subquery()
    response_ids = select(Response.id).where(Response.assignment_id.in_(assignment_ids)).scalar_subquery()
    for statement in (
        delete(Comment).where(Comment.response_id.in_(response_ids)),
        delete(Response).where(Response.assignment_id.in_(assignment_ids)),
        delete(AssignmentEvent).where(AssignmentEvent.assignment_id.in_(assignment_ids)),
        delete(Assignment).where(Assignment.client_id == client.id),
        delete(PortalLink).where(PortalLink.client_id == client.id),
        delete(PacketExport).where(PacketExport.client_id == client.id),
        # Cache keys do not say whose PDF they hold: drop the clinician's cache, it refills on demand.
        delete(PdfCacheEntry).where(PdfCacheEntry.clinician_id == client.clinician_id),
    ):
        db.session.execute(statement.execution_options(synchronize_session=False))
    now = utcnow()
    client.display_name, client.email, client.notes, client.agenda = ERASED_NAME, None, "", ""
    client.agenda_updated_at = None
    client.archived_at = client.archived_at or now
    client.erased_at = now
    audit.record(AuditAction.CLIENT_ERASED, client)
    db.session.flush()
    db.session.expire_all()  # the bulk deletes left loaded worksheets behind in the session


def forget_deleted_pages() -> None:
    """SQLite: write the log back into the file (its pages are zeroed by secure_delete) and empty it."""
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        db.session.commit()


def due_for_erasure(retention_days: int, now: dt.datetime | None = None) -> list[Client]:
    """Archived clients whose archiving is older than the retention period, not yet erased."""
    before = (now or utcnow()) - dt.timedelta(days=retention_days)
    return list(db.session.scalars(select(Client).where(
        Client.archived_at.is_not(None), Client.archived_at < before, Client.erased_at.is_(None))
        .order_by(Client.id)))
