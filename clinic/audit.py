"""Append-only audit trail of every view, export and change of client data."""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context, request
from flask_login import current_user

from clinic.extensions import db
from clinic.models import Assignment, AuditEvent, Client, Comment, PortalLink, Response


def _owners(obj: Any) -> tuple[int | None, int | None]:
    """(client id, clinician id) that an object of client data belongs to."""
    if isinstance(obj, Client):
        return obj.id, obj.clinician_id
    if isinstance(obj, (Assignment, PortalLink)):
        return obj.client_id, obj.client.clinician_id
    if isinstance(obj, Response):
        return _owners(obj.assignment)
    if isinstance(obj, Comment):
        return _owners(obj.response)
    return None, None


def _actor() -> tuple[str, int | None]:
    if has_request_context():
        if current_user.is_authenticated:
            return "clinician", current_user.id
        if g.get("portal_client_id"):
            return "client", g.portal_client_id
    return "system", None


def record(action: str, obj: Any = None, **detail: Any) -> AuditEvent:
    """Add an audit event to the current transaction (the caller commits with its change)."""
    client_id, clinician_id = _owners(obj)
    actor_type, actor_id = _actor()
    event = AuditEvent(
        actor_type=actor_type,
        actor_id=actor_id,
        action=action,
        object_type=type(obj).__name__.lower() if obj is not None else "none",
        object_id=getattr(obj, "id", None),
        client_id=client_id,
        clinician_id=clinician_id if clinician_id is not None else (actor_id if actor_type == "clinician" else None),
        address=request.remote_addr if has_request_context() else None,
        detail=detail,
    )
    db.session.add(event)
    return event
