"""Append-only audit trail of every view, export and change of client data.

The rows form a hash chain: each stores the hash of the row before it and its
own hash over that and its content, both computed by the database inside the
INSERT itself, so two writers can never link to the same row unseen.
`verify_chain` recomputes it and names the first row that no longer fits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from flask import g, has_request_context, request
from flask_login import current_user
from sqlalchemy import Text, cast, event, func, select

from clinic.database import sha256_hex
from clinic.extensions import db
from clinic.models import (
    Assignment,
    AuditAction,
    AuditActor,
    AuditEvent,
    Client,
    Comment,
    PortalLink,
    Response,
    utcnow,
)

# The columns a row's hash covers (everything but its id and the hashes).
CHAINED_COLUMNS = ("at", "actor_type", "actor_id", "action", "object_type", "object_id",
                   "clinician_id", "client_id", "address", "detail")
# PostgreSQL advisory lock that takes writers of the audit trail in turn until they commit.
CHAIN_LOCK = 0x67726F756E64  # "ground"


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


def _actor() -> tuple[AuditActor, int | None]:
    if has_request_context():
        if current_user.is_authenticated:
            return AuditActor.CLINICIAN, current_user.id
        if g.get("portal_client_id"):
            return AuditActor.CLIENT, g.portal_client_id
    return AuditActor.SYSTEM, None


def record(action: AuditAction, obj: Any = None, **detail: Any) -> AuditEvent:
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
        clinician_id=clinician_id if clinician_id is not None else (actor_id if actor_type == AuditActor.CLINICIAN else None),
        address=request.remote_addr if has_request_context() else None,
        detail=detail,
    )
    db.session.add(event)
    return event


def chained_content(values: dict[str, Any]) -> str:
    """The text a row's hash covers: its columns as canonical JSON, the time in UTC."""
    content = {name: values[name] for name in CHAINED_COLUMNS}
    content["at"] = content["at"].astimezone(dt.timezone.utc).isoformat()
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(previous_hash: str | None, content: str) -> str:
    """What `sha256_hex` computes in the database, in Python, for checking."""
    return hashlib.sha256(((previous_hash or "") + content).encode()).hexdigest()


@event.listens_for(AuditEvent, "before_insert")
def _link_to_previous(mapper, connection, target: AuditEvent) -> None:
    """Chain every new row, however it is written (`record` or a plain `AuditEvent(...)`)."""
    target.at = target.at or utcnow()
    target.detail = target.detail if target.detail is not None else {}
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(CHAIN_LOCK)))
    content = chained_content({name: getattr(target, name) for name in CHAINED_COLUMNS})
    previous = select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1).scalar_subquery()
    target.previous_hash = previous
    target.hash = sha256_hex(func.coalesce(previous, "").concat(content))


@dataclass
class ChainReport:
    checked: int  # rows whose hashes were checked
    unchained: int  # rows from before the chain began
    broken_at: int | None = None  # id of the first row that does not fit
    problem: str = ""


def verify_chain() -> ChainReport:
    """Recompute the chain in id order and stop at the first row that does not fit."""
    columns = [getattr(AuditEvent, name) for name in CHAINED_COLUMNS if name != "detail"]
    rows = db.session.execute(
        select(AuditEvent.id, AuditEvent.previous_hash, AuditEvent.hash, *columns,
               cast(AuditEvent.detail, Text).label("detail"))
        .order_by(AuditEvent.id).execution_options(yield_per=1000))
    try:
        return _walk(rows)
    finally:
        rows.close()


def _walk(rows) -> ChainReport:
    report = ChainReport(checked=0, unchained=0)
    previous: tuple[int, str] | None = None
    for row in rows:
        values = row._asdict()
        if values["hash"] is None and previous is None:
            report.unchained += 1
            continue
        report.checked += 1
        expected_previous = previous[1] if previous else None
        if values["previous_hash"] != expected_previous:
            before = f"event {previous[0]}" if previous else "the start of the chain"
            report.broken_at, report.problem = row.id, (
                f"event {row.id} does not follow {before}: an event between them was removed or changed")
            return report
        try:
            values["detail"] = json.loads(values["detail"])
            content = chained_content(values)
        except (TypeError, ValueError):
            content = None
        if content is None or values["hash"] != chain_hash(values["previous_hash"], content):
            report.broken_at, report.problem = row.id, f"event {row.id} was changed after it was written"
            return report
        previous = (row.id, values["hash"])
    return report
