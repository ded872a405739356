"""Realistic data in bulk: clinicians, clients, worksheets with answers, history, comments and links.

Rows go in with multi-row INSERTs in batches (not one ORM object at a time), so
100,000 assignments take minutes, not hours. Everything is deterministic for a
given starting number, so two runs make the same practice.

Seeded clinicians are `clinician1@example.org`, `clinician2@example.org` ...;
`clinician1` is the busiest: half as many clients again as the others, and its
first client, a long-standing one, holds a tenth of all worksheets.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import func, insert, select, text

from clinic.auth.services import create_account
from clinic.demo import ORIGINS_DRAFT_ANSWERS, PARTNER_SOURCE_ANSWERS
from clinic.extensions import db
from clinic.models import (
    OPEN_STATUSES,
    Assignment,
    AssignmentEvent,
    AuditEvent,
    Client,
    Clinician,
    Comment,
    PortalLink,
    Response,
    WorksheetSnapshot,
    utcnow,
)
from clinic.worksheets import evaluate

SEEDED_EMAIL = re.compile(r"clinician[0-9]+@example\.org")
BATCH = 2000
HISTORY_DAYS = 540  # worksheets were assigned over the last year and a half
# How a practice's worksheets stand: mostly done, some to do, a few cancelled.
STATUS_WEIGHTS = {"assigned": 15, "in_progress": 20, "submitted": 20, "reviewed": 40, "cancelled": 5}
STEPS = {"assigned": [], "in_progress": ["in_progress"], "submitted": ["in_progress", "submitted"],
         "reviewed": ["in_progress", "submitted", "reviewed"], "cancelled": ["cancelled"]}
ANSWERS = {"partner-source-checklist": PARTNER_SOURCE_ANSWERS, "origins-mapping": ORIGINS_DRAFT_ANSWERS}
COMMENTS = ("Ask about this in the session.", "A good example to start from next time.",
            "Notice how this links to the week before the holiday.")


def email_of(number: int) -> str:
    return f"clinician{number}@example.org"


def real_clinicians() -> int:
    """How many clinicians the database holds that this seeder did not make."""
    emails = db.session.scalars(select(Clinician.email))
    return sum(1 for email in emails if not SEEDED_EMAIL.fullmatch(email))


@dataclass
class Made:
    """What a seeding run added, by kind of row."""

    rows: Counter = field(default_factory=Counter)

    def __str__(self) -> str:
        return ", ".join(f"{count:,} {kind}" for kind, count in self.rows.items())


def seed_people(clinicians: int, clients_per_clinician: int, password: str, made: Made) -> None:
    """The clinicians (signing in with `password`), their clients and one active link per client.

    The first account is made (and its password checked and hashed) by the app;
    the others share its hash, as they share its password: argon2 per account
    would cost a quarter of a second each.
    """
    now = utcnow()
    first = create_account(email_of(1), password, name="Dr Clinician 1")
    db.session.flush()
    clinician_ids = [first.id, *_insert_with_ids(Clinician, [
        {"email": email_of(number), "name": f"Dr Clinician {number}", "password_hash": first.password_hash,
         "created_at": now} for number in range(2, clinicians + 1)])]
    for number, clinician_id in enumerate(clinician_ids, start=1):
        count = clients_per_clinician + (clients_per_clinician // 2 if number == 1 else 0)
        ids = _insert_with_ids(Client, [
            {"clinician_id": clinician_id, "display_name": _client_name(number, n), "notes": "", "agenda": "",
             "created_at": now - dt.timedelta(days=HISTORY_DAYS + n)} for n in range(count)
        ])
        db.session.execute(insert(PortalLink.__table__), [
            {"client_id": client_id, "token_hash": hashlib.sha256(f"seeded link {client_id}".encode()).hexdigest(),
             "created_at": now, "expires_at": now + dt.timedelta(days=30), "session_version": 0}
            for client_id in ids
        ])
        made.rows.update({"clinicians": 1, "clients": len(ids), "links": len(ids)})
    db.session.commit()


def _insert_with_ids(model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert rows with ids given here, counting on from the largest, in one executemany; their ids.

    `INSERT ... RETURNING` in bulk makes SQLAlchemy match returned rows to
    parameters, which grew with the square of the batch. The seeder writes
    alone, so it may number the rows itself (and moves PostgreSQL's sequence on).
    """
    if not rows:
        return []
    table = model.__table__
    start = (db.session.scalar(select(func.max(table.c.id))) or 0) + 1
    ids = list(range(start, start + len(rows)))
    db.session.execute(insert(table), [{**row, "id": id_} for row, id_ in zip(rows, ids)])
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.setval(func.pg_get_serial_sequence(table.name, "id"), ids[-1])))
    return ids


def _client_name(clinician: int, number: int) -> str:
    return "Long-standing client" if clinician == 1 and number == 0 else f"Client {clinician}-{number + 1}"


def seed_assignments(total: int, made: Made) -> None:
    """`total` more worksheets over the seeded clients, each with its answers, history and audit trail."""
    clients = db.session.execute(
        select(Client.id, Client.clinician_id).join(Client.clinician)
        .where(Clinician.email.like("clinician%@example.org"))
        .order_by(Client.id)
    ).all()
    if not clients:
        raise ValueError("There are no seeded clients to give worksheets to.")
    start = db.session.scalar(select(func.count()).select_from(Assignment))
    # A client has at most one copy of a worksheet still to do; older copies are done.
    still_open = {(client_id, worksheet_id) for client_id, worksheet_id in db.session.execute(
        select(Assignment.client_id, Assignment.worksheet_id).where(Assignment.status.in_(OPEN_STATUSES)))}
    library = current_app.extensions["worksheets"]
    definitions = [library[worksheet_id] for worksheet_id in sorted(library)]
    snapshots = {d.id: WorksheetSnapshot.of(d.snapshot()) for d in definitions}
    # What a sent copy's answers raise, stored as `transition` stores it: the lists count flags from it.
    flag_levels = {d.id: evaluate(d, ANSWERS.get(d.id, {})).highest_level for d in definitions}
    db.session.flush()
    for first in range(start, start + total, BATCH):
        numbers = range(first, min(first + BATCH, start + total))
        plans = [_plan(number, clients, definitions, still_open, flag_levels) for number in numbers]
        ids = _insert_with_ids(Assignment, [
            {**plan["assignment"], "snapshot_id": snapshots[plan["assignment"]["worksheet_id"]].id}
            for plan in plans
        ])
        response_ids = _insert_with_ids(Response, [
            {**plan["response"], "assignment_id": assignment_id} for plan, assignment_id in zip(plans, ids)
        ])
        events = [{**event, "assignment_id": assignment_id}
                  for plan, assignment_id in zip(plans, ids) for event in plan["events"]]
        comments = [{**comment, "response_id": response_id}
                    for plan, response_id in zip(plans, response_ids) for comment in plan["comments"]]
        audit = [{**plan["audit"], "object_id": assignment_id} for plan, assignment_id in zip(plans, ids)]
        db.session.execute(insert(AssignmentEvent.__table__), events)
        if comments:
            db.session.execute(insert(Comment.__table__), comments)
        db.session.execute(insert(AuditEvent.__table__), audit)
        db.session.commit()
        made.rows.update({"assignments": len(ids), "status events": len(events), "comments": len(comments),
                          "audit events": len(audit)})
    if db.session.get_bind().dialect.name == "postgresql":
        # PostgreSQL plans from statistics, and reads an index alone only where its visibility map marks
        # the rows visible to all; autovacuum gathers both a minute or so after a bulk load. Gather them
        # now, so what is measured right after seeding is what a running practice gets (and autovacuum
        # does not start in the middle of it). VACUUM marks rows only once their commit is on disk: this
        # commit, made synchronously, writes every earlier one there too (a test server may commit late).
        db.session.execute(text("SET LOCAL synchronous_commit = on"))
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM"))


def _plan(number: int, clients: list[Any], definitions: list[Any], still_open: set[tuple[int, str]],
          flag_levels: dict[str, str | None]) -> dict[str, Any]:
    """Every row of one seeded worksheet, the same for the same number (and the same open copies)."""
    chance = random.Random(number)
    client_id, clinician_id = clients[0] if number % 10 == 0 else clients[number % len(clients)]
    definition = definitions[number % len(definitions)]
    status = chance.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
    if status in OPEN_STATUSES:
        if (client_id, definition.id) in still_open:
            status = "reviewed"
        else:
            still_open.add((client_id, definition.id))
    # Worksheets still to do were given recently; the rest over the whole history.
    age = chance.uniform(1, 40 if status in OPEN_STATUSES else HISTORY_DAYS)
    assigned = utcnow() - dt.timedelta(days=age)
    due = (assigned + dt.timedelta(days=chance.choice((7, 14, 21, 28)))).date() if chance.random() < 0.8 else None
    actor = f"clinician:{clinician_id}"
    events, at = [{"from_status": None, "to_status": "assigned", "actor": actor, "at": assigned,
                   "clinician_id": clinician_id}], assigned
    for step in STEPS[status]:
        at = min(at + dt.timedelta(days=chance.uniform(0.1, 4)), utcnow())
        events.append({"from_status": events[-1]["to_status"], "to_status": step,
                       "actor": actor if step in ("reviewed", "cancelled") else "client", "at": at,
                       "clinician_id": clinician_id})
    answered = status in ("in_progress", "submitted", "reviewed")
    submitted = next((e["at"] for e in events if e["to_status"] == "submitted"), None)
    comments = [{"clinician_id": clinician_id, "section_id": None, "body": chance.choice(COMMENTS),
                 "created_at": at, "updated_at": at}] if status == "reviewed" and number % 3 == 0 else []
    return {
        "assignment": {"client_id": client_id, "worksheet_id": definition.id, "worksheet_version": definition.version,
                       "title": definition.title, "status": status, "due_date": due,
                       "note_to_client": "Take your time; there are no right answers." if number % 4 == 0 else "",
                       "created_at": assigned, "status_changed_at": at, "submitted_at": submitted,
                       "flag_level": flag_levels[definition.id] if submitted else None},
        "response": {"answers": dict(ANSWERS.get(definition.id, {})) if answered else {},
                     "version": 1 + number % 5 if answered else 0, "created_at": assigned,
                     "saved_at": at if answered else None},
        "events": events,
        "comments": comments,
        "audit": {"at": assigned, "actor_type": "clinician", "actor_id": clinician_id, "action": "assignment.create",
                  "object_type": "assignment", "client_id": client_id, "clinician_id": clinician_id,
                  "detail": {"worksheet": definition.id}},
    }
