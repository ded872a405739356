"""Who is the client: the session a link starts, its idle end, and the guard of portal pages."""

from __future__ import annotations

import re
from functools import wraps

from flask import abort, current_app, g, jsonify, render_template, request, session
from flask_login import current_user, logout_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from clinic import audit
from clinic.extensions import db
from clinic.models import (
    Assignment,
    AssignmentStatus,
    AuditAction,
    Client,
    PortalLink,
    Response,
    WorksheetSnapshot,
    utcnow,
)
from clinic.portal.services import Draft, lets_in
from clinic.worksheets import CONTROL_KEYS
from clinic.worksheets.schema import OPTION_VALUE_PATTERN

SESSION_CLIENT = "portal_client_id"
SESSION_LINK = "portal_link_id"
SESSION_VERSION = "portal_session_version"
SESSION_SEEN = "portal_seen_at"
# The idle clock runs to the minute: setting it on every request changed the session, so every
# autosave re-signed and re-sent the cookie.
SEEN_REFRESH_SECONDS = 60
OPTION_VALUE = re.compile(OPTION_VALUE_PATTERN)
SIGNED_OUT_MESSAGES = {
    "idle": "For your privacy, you were signed out after a while without activity.",
    "ended": "Your private session has ended.",
}


# Every portal request runs these two: built once, as building them cost about as much as running them.
# The link is read as columns: the guard needs no objects (the home page loads its client itself).
_LINK_STATE = (select(PortalLink.client_id, PortalLink.session_version, PortalLink.revoked_at, PortalLink.expires_at,
                      Client.archived_at)
               .join(Client, Client.id == PortalLink.client_id).where(PortalLink.id == bindparam("link_id")))
_ASSIGNMENT = (select(Assignment).where(Assignment.id == bindparam("assignment_id"))
               .options(joinedload(Assignment.snapshot), joinedload(Assignment.response)))
_DRAFT = (select(Assignment.client_id, Assignment.status, WorksheetSnapshot.digest, Response.id.label("response_id"),
                 Response.version, Response.answers)
          .join(WorksheetSnapshot, WorksheetSnapshot.id == Assignment.snapshot_id)
          .join(Response, Response.assignment_id == Assignment.id)
          .where(Assignment.id == bindparam("assignment_id")))


def start_client_session(link: PortalLink) -> None:
    """A fresh session for the link's client; nothing from an earlier session carries over."""
    if current_user.is_authenticated:
        logout_user()
    session.clear()
    session[SESSION_CLIENT] = link.client_id
    session[SESSION_LINK] = link.id
    session[SESSION_VERSION] = link.session_version
    session[SESSION_SEEN] = utcnow().timestamp()
    g.portal_client_id = link.client_id
    link.last_used_at = utcnow()
    audit.record(AuditAction.PORTAL_SIGNED_IN, link)
    db.session.commit()


def end_client_session() -> None:
    """Forget the client but keep the CSRF token, so an open page can still say what happened."""
    for key in (SESSION_CLIENT, SESSION_LINK, SESSION_VERSION, SESSION_SEEN):
        session.pop(key, None)


def current_client_id() -> tuple[int | None, str]:
    """The signed-in client's id, or None and why: 'none', 'idle' or 'ended' (link revoked or expired,
    or the session left on purpose: a copy of its cookie no longer works either)."""
    client_id, link_id, seen = (session.get(k) for k in (SESSION_CLIENT, SESSION_LINK, SESSION_SEEN))
    if not (client_id and link_id and isinstance(seen, (int, float))):
        return None, "none"
    now = utcnow()
    if now.timestamp() - seen > current_app.config["PORTAL_IDLE_MINUTES"] * 60:
        end_client_session()
        return None, "idle"
    link = db.session.connection().execute(_LINK_STATE, {"link_id": link_id}).one_or_none()
    if link is None or not lets_in(link.revoked_at, link.expires_at, link.archived_at) \
            or link.client_id != client_id or session.get(SESSION_VERSION) != link.session_version:
        end_client_session()
        return None, "ended"
    if now.timestamp() - seen >= SEEN_REFRESH_SECONDS:
        session[SESSION_SEEN] = now.timestamp()
    return client_id, ""


def client_required(view):
    """Portal pages: only for a client signed in by link; sets `g.portal_client_id` for the audit."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        client_id, reason = current_client_id()
        if client_id is None:
            return _signed_out(reason)
        g.portal_client_id = client_id
        return view(*args, **kwargs)

    return wrapped


def own_assignment(assignment_id: int) -> Assignment:
    """The signed-in client's assignment, or 404 (load, then authorize)."""
    assignment = db.session.scalar(_ASSIGNMENT, {"assignment_id": assignment_id})
    if assignment is None or assignment.client_id != g.portal_client_id or assignment.status == AssignmentStatus.CANCELLED:
        abort(404)
    return assignment


def own_draft(assignment_id: int) -> tuple[Draft, str]:
    """`own_assignment` as autosave needs it: what a save reads, and the digest of the definition, as columns."""
    row = db.session.connection().execute(_DRAFT, {"assignment_id": assignment_id}).one_or_none()
    if row is None or row.client_id != g.portal_client_id or row.status == AssignmentStatus.CANCELLED:
        abort(404)
    return Draft(assignment_id, row.response_id, row.status, row.version, row.answers), row.digest


def wants_json() -> bool:
    """Whether the request came from the page's script (autosave), which reads JSON replies."""
    return request.endpoint == "portal.save"


def _signed_out(reason: str):
    message = SIGNED_OUT_MESSAGES.get(reason, "")
    if wants_json():
        return jsonify(status="signed_out", message=(
            f"{message or 'You are signed out.'} What you typed is kept on this device: "
            "open the link from your therapist again to carry on.")), 401
    return render_template("portal/signed_out.html", message=message, typed=typed_text()), 401


def typed_text() -> list[str]:
    """Words a page without JavaScript sent but could not save (signed out): shown back to copy.

    Option values are slugs (see the worksheet schema), so what is not a slug was typed.
    """
    if request.method != "POST":
        return []
    return [value for key, value in request.form.items(multi=True)
            if key not in CONTROL_KEYS and value.strip() and not OPTION_VALUE.fullmatch(value)]
