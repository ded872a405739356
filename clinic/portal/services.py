"""Portal links (256-bit tokens of which only the SHA-256 is stored) and saving answers.

A save is one transaction with a compare-and-set on the response's version:
two tabs or devices can never overwrite each other's newer answers, and a
request that dies half-way leaves the previous version exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import Update, bindparam, case, or_, select, update
from sqlalchemy.orm.util import identity_key
from sqlalchemy.orm.attributes import set_committed_value

from clinic import audit
from clinic.assignments.services import transition
from clinic.extensions import db
from clinic.models import (
    OPEN_STATUSES,
    Assignment,
    AssignmentStatus,
    AuditAction,
    AuditActor,
    Client,
    PortalLink,
    Response,
    utcnow,
)

LINK_DAYS_MAX = 365
# An autosave is audited when none of the same answers was in this many minutes (see `save_answers`).
SAVE_AUDIT_MINUTES = 10


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_link(client: Client, *, days: int | None = None) -> tuple[PortalLink, str]:
    """A new link for the client, revoking any other; the token is returned once and never stored."""
    revoke_links_of(client)
    token = secrets.token_urlsafe(32)  # 32 bytes = 256 bits of randomness
    now = utcnow()
    link = PortalLink(
        client=client,
        token_hash=hash_token(token),
        created_at=now,
        expires_at=now + dt.timedelta(days=days or current_app.config["PORTAL_LINK_DAYS"]),
    )
    db.session.add(link)
    return link, token


def is_usable(link: PortalLink | None) -> bool:
    """Whether a link may (still) let its client in: not revoked, not expired, client not archived."""
    return link is not None and lets_in(link.revoked_at, link.expires_at, link.client.archived_at)


def lets_in(revoked_at: dt.datetime | None, expires_at: dt.datetime, archived_at: dt.datetime | None) -> bool:
    """`is_usable` from the columns alone (every portal request asks it, and loads no objects to)."""
    return status_of(revoked_at, expires_at) == "active" and archived_at is None


def find_usable_link(token: str) -> PortalLink | None:
    """The link for a token if it exists, is not revoked and has not expired."""
    if not token or len(token) > 100:
        return None
    link = db.session.scalar(select(PortalLink).where(PortalLink.token_hash == hash_token(token)))
    return link if is_usable(link) else None


def revoke_link(link: PortalLink) -> bool:
    """Stop a link working (a client session it started ends on its next request); False if it already was."""
    if link.revoked_at is not None:
        return False
    link.revoked_at = utcnow()
    return True


def revoke_links_of(client: Client) -> list[PortalLink]:
    """Revoke every link of the client that is not revoked yet (expired ones too); the ones revoked now.

    The client's row is locked first (PostgreSQL), so two links made at once
    are made in turn and the database's one-unrevoked-link index holds.
    """
    db.session.execute(select(Client.id).where(Client.id == client.id).with_for_update())
    links = list(db.session.scalars(
        select(PortalLink).where(PortalLink.client_id == client.id, PortalLink.revoked_at.is_(None))))
    for link in links:
        revoke_link(link)
        audit.record(AuditAction.LINK_REVOKED, link, replaced=True)
    db.session.flush()
    return links


def end_sessions(link: PortalLink) -> None:
    """End every portal session started with this link, wherever its cookie is (the link still works)."""
    db.session.execute(update(PortalLink).where(PortalLink.id == link.id)
                       .values(session_version=PortalLink.session_version + 1)
                       .execution_options(synchronize_session=False))
    db.session.expire(link, ["session_version"])


def links_of(client: Client, *, limit: int) -> list[PortalLink]:
    """A client's newest links, newest first."""
    return list(db.session.scalars(
        select(PortalLink).where(PortalLink.client_id == client.id)
        .order_by(PortalLink.created_at.desc(), PortalLink.id.desc()).limit(limit)
    ))


def link_status(link: PortalLink) -> str:
    """'active', 'expired' or 'revoked', in words a clinician reads at a glance."""
    return status_of(link.revoked_at, link.expires_at)


def status_of(revoked_at: dt.datetime | None, expires_at: dt.datetime) -> str:
    """`link_status` from the link's columns."""
    if revoked_at is not None:
        return "revoked"
    if expires_at <= utcnow():
        return "expired"
    return "active"


class SaveRefused(Exception):
    """A save that was not made; `reason` is 'stale' or 'closed', `current_version` what the server has."""

    def __init__(self, reason: str, current_version: int):
        super().__init__(reason)
        self.reason = reason
        self.current_version = current_version


@dataclass(frozen=True)
class Draft:
    """What a save needs to know of a worksheet: read as columns by autosave (`access.own_draft`),
    or taken from the objects a page has loaded (`Draft.of`)."""

    assignment_id: int
    response_id: int
    status: AssignmentStatus
    version: int
    answers: dict[str, Any]

    @classmethod
    def of(cls, assignment: Assignment) -> Draft:
        response = assignment.response
        return cls(assignment.id, response.id, assignment.status, response.version, response.answers)


@dataclass(frozen=True)
class Saved:
    """The version and time the server now holds for a response."""

    version: int
    saved_at: dt.datetime | None


def _store_answers_statement() -> Update:
    """The compare-and-set of `save_answers`, built once: making it anew cost as much as running it."""
    table = Response.__table__
    # Each status compared on its own: an IN list is re-rendered on every execution.
    still_open = select(Assignment.id).where(Assignment.id == bindparam("open_assignment_id"),
                                             or_(*(Assignment.status == status for status in OPEN_STATUSES)))
    now = bindparam("now", type_=table.c.saved_at.type)
    sitting_over = or_(table.c.audited_at.is_(None), table.c.audited_at <= bindparam("sitting_start", type_=now.type))
    return (
        update(table)
        .where(table.c.id == bindparam("response_id"), table.c.version == bindparam("expected_version"),
               table.c.assignment_id.in_(still_open))
        .values(answers=bindparam("new_answers", type_=table.c.answers.type), version=table.c.version + 1,
                saved_at=now, audited_at=case((sitting_over, now), else_=table.c.audited_at))
        .returning(table.c.version, table.c.saved_at, table.c.audited_at)
    )


_STORE_ANSWERS = _store_answers_statement()
# What a refused save compares with: is the worksheet still open, and are these answers already stored?
_CURRENT_DRAFT = (select(Assignment.status, Response.version, Response.answers, Response.saved_at)
                  .join(Response, Response.assignment_id == Assignment.id)
                  .where(Response.id == bindparam("response_id")))


def save_answers(draft: Draft, answers: dict[str, Any], *, expected_version: int, submit: bool = False) -> Saved:
    """Store the client's answers as the next version, in one transaction, or refuse.

    One `UPDATE ... RETURNING` is both the compare-and-set and the read of the
    new version: it only matches while the response still has
    `expected_version` and the worksheet is still open for the client, so a
    stale page (another tab or device saved since) or a worksheet already
    submitted changes nothing. A stale draft identical to what is stored is no
    conflict (a retry after a lost reply) and is answered with the stored
    version. Status changes and the audit event commit together with the
    answers. Most saves change nothing else, and load no objects at all.

    The audit trail records that the client changed their answers once per
    sitting, not at every pause in typing: a save writes `response.saved` (with
    its version) when no save of this response was audited in the last
    `SAVE_AUDIT_MINUTES`, decided by the same UPDATE through `audited_at`, so
    two workers cannot both skip it. Every sign-in, view, submission and
    download is still audited one by one, and the answers themselves carry
    their version and time; a row per autosave (one every few seconds of
    typing) told an auditor nothing more, and its hash-chained insert
    serialised every save of the practice on the chain's last row.
    """
    now = utcnow()
    stored = db.session.connection().execute(_STORE_ANSWERS, {
        "response_id": draft.response_id, "open_assignment_id": draft.assignment_id,
        "expected_version": expected_version, "new_answers": answers, "now": now,
        "sitting_start": now - dt.timedelta(minutes=SAVE_AUDIT_MINUTES),
    }).one_or_none()
    if stored is None:
        db.session.rollback()
        current = db.session.execute(_CURRENT_DRAFT, {"response_id": draft.response_id}).one()
        if current.status not in OPEN_STATUSES:
            raise SaveRefused("closed", current.version)
        if not submit and current.answers == answers:
            return Saved(current.version, current.saved_at)  # a retry whose reply was lost: nothing to do
        raise SaveRefused("stale", current.version)
    saved = Saved(stored.version, stored.saved_at)
    response = db.session.identity_map.get(identity_key(Response, draft.response_id))
    if response is not None:  # a page that loaded the response goes on with what is stored now
        for name, value in (("answers", answers), ("version", saved.version), ("saved_at", saved.saved_at),
                            ("audited_at", stored.audited_at)):
            set_committed_value(response, name, value)
    audited = stored.audited_at == now
    if draft.status == AssignmentStatus.ASSIGNED or submit or audited:
        assignment = db.session.get(Assignment, draft.assignment_id)
        if assignment.status == AssignmentStatus.ASSIGNED:
            transition(assignment, AssignmentStatus.IN_PROGRESS, actor=AuditActor.CLIENT)
        if submit:
            transition(assignment, AssignmentStatus.SUBMITTED, actor=AuditActor.CLIENT)
            audit.record(AuditAction.RESPONSE_SUBMITTED, assignment.response, version=saved.version)
        elif audited:
            audit.record(AuditAction.RESPONSE_SAVED, assignment.response, version=saved.version)
    db.session.commit()
    return saved


LINKS_SHOWN = 10


def link_panel(client: Client) -> list[tuple[PortalLink, str]]:
    """The client's newest links with their status, for the clinician's link panel on the client page."""
    return [(link, link_status(link)) for link in links_of(client, limit=LINKS_SHOWN)]
