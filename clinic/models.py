"""The data model: SQLAlchemy 2.0 typed models with their rules in the database.

Client data is health information: keep it minimal, keep it owned (every row
leads back to one clinician), and keep the audit trail append-only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from enum import StrEnum
from typing import Any

from flask_login import UserMixin
from sqlalchemy import (
    DDL,
    JSON,
    CheckConstraint,
    Date,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
    false,
    select,
    text,
)
from sqlalchemy.types import TypeDecorator
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinic.extensions import db


def utcnow() -> dt.datetime:
    """Timezone-aware now; every timestamp in Groundwork is UTC."""
    return dt.datetime.now(dt.timezone.utc)


class UTCDateTime(TypeDecorator):
    """A DateTime that always comes back timezone-aware in UTC (SQLite forgets)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use clinic.models.utcnow()")
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return value


class StoredEnum(TypeDecorator):
    """A `StrEnum` column stored as its plain value and read back as the member.

    The values are the strings the database has always held, so switching a
    column to an enum needs no data migration; the CHECK constraints still list them.
    """

    impl = String(20)
    cache_ok = True

    def __init__(self, enum: type[StrEnum], length: int = 20) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value, dialect):
        return None if value is None else self.enum(value).value

    def process_result_value(self, value, dialect):
        return None if value is None else self.enum(value)


def values_sql(values) -> str:
    """`'a', 'b'`: the values of a CHECK constraint's IN list."""
    return ", ".join(f"'{value}'" for value in values)


# Lengths shared by models, forms and validation messages.
EMAIL_MAX = 254
NAME_MAX = 80
NOTES_MAX = 5000
NOTE_TO_CLIENT_MAX = 1000
COMMENT_MAX = 5000


class Clinician(UserMixin, db.Model):
    __tablename__ = "clinician"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    password_hash: Mapped[str] = mapped_column(String(255))
    # Bumped on sign-out and password change: every older session stops working.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Two-step sign-in (TOTP): the secret is made when setting up starts, and is in use once confirmed.
    # Stored encrypted in the column totp_secret: read and write it through clinic.auth.two_step.
    encrypted_totp_secret: Mapped[str | None] = mapped_column("totp_secret", String(255))
    totp_confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The 30-second step of the last code accepted: each code signs in once.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    clients: Mapped[list[Client]] = relationship(back_populates="clinician")

    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint("totp_confirmed_at IS NULL OR totp_secret IS NOT NULL", name="two_step_has_secret"),
    )

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def two_step_on(self) -> bool:
        return self.totp_confirmed_at is not None


class RecoveryCode(db.Model):
    """A one-time code for signing in without the phone; only its SHA-256 is stored."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    clinician_id: Mapped[int] = mapped_column(ForeignKey("clinician.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("clinician_id", "code_hash", name="one_code_once"),)


class Setting(db.Model):
    """A practice-wide switch an administrator sets from the command line (e.g. two-step sign-in required)."""

    __tablename__ = "setting"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class Client(db.Model):
    __tablename__ = "client"

    id: Mapped[int] = mapped_column(primary_key=True)
    clinician_id: Mapped[int] = mapped_column(ForeignKey("clinician.id", ondelete="RESTRICT"), index=True)
    display_name: Mapped[str] = mapped_column(String(NAME_MAX))
    email: Mapped[str | None] = mapped_column(String(EMAIL_MAX))
    # Groundwork emails a client only with their agreement, and stops when they unsubscribe.
    email_consent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    email_unsubscribed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    notes: Mapped[str] = mapped_column(Text, default="")
    # The clinician's agenda for the next session; printed on the packet cover.
    agenda: Mapped[str] = mapped_column(Text, default="")
    agenda_updated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Set when the client's data was erased: the row stays, without personal data, for the audit trail.
    erased_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    clinician: Mapped[Clinician] = relationship(back_populates="clients")
    assignments: Mapped[list[Assignment]] = relationship(back_populates="client")

    __table_args__ = (
        CheckConstraint("length(display_name) > 0", name="display_name_not_empty"),
        CheckConstraint(f"length(notes) <= {NOTES_MAX}", name="notes_length"),
        CheckConstraint(f"length(agenda) <= {NOTES_MAX}", name="agenda_length"),
    )

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    @property
    def can_be_emailed(self) -> bool:
        """An address, the client's agreement, not unsubscribed and not archived."""
        return bool(self.email) and self.email_consent and self.email_unsubscribed_at is None and not self.archived


class AssignmentStatus(StrEnum):
    """Where an assignment is in its life: assigned → in progress → submitted → reviewed (or cancelled).

    The words for each are in `clinic.words`.
    """

    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    REVIEWED = "reviewed"
    CANCELLED = "cancelled"


# Still the client's to fill in (editable in the portal) / sent to the clinician (readable on review).
OPEN_STATUSES = (AssignmentStatus.ASSIGNED, AssignmentStatus.IN_PROGRESS)
SENT_STATUSES = (AssignmentStatus.SUBMITTED, AssignmentStatus.REVIEWED)
IS_OPEN_SQL = f"status IN ({values_sql(OPEN_STATUSES)})"
IS_WAITING_SQL = f"status = '{AssignmentStatus.SUBMITTED}'"


class Assignment(db.Model):
    """One worksheet given to one client, with the definition frozen as assigned."""

    __tablename__ = "assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="RESTRICT"))
    worksheet_id: Mapped[str] = mapped_column(String(60))
    worksheet_version: Mapped[int] = mapped_column(Integer)
    # The worksheet's title as assigned, so that lists never load the snapshot.
    title: Mapped[str] = mapped_column(Text)
    # The definition as it was when assigned: later edits of the YAML never
    # change how these answers read. Kept in its own table, once per distinct
    # definition: its 12 KB would otherwise sit in every assignment row.
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("worksheet_snapshot.id", ondelete="RESTRICT"))
    status: Mapped[AssignmentStatus] = mapped_column(StoredEnum(AssignmentStatus), default=AssignmentStatus.ASSIGNED)
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    note_to_client: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the client last sent it (kept if it is reopened): here rather than on the response, so that a
    # client's latest sent copies of a worksheet are read from one index however many came before.
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # A repeating worksheet's series and its place in it (1, 2, ...); NULL for a one-off.
    series_id: Mapped[int | None] = mapped_column(ForeignKey("assignment_series.id", ondelete="RESTRICT"), index=True)
    series_position: Mapped[int | None] = mapped_column(Integer)
    # The most urgent flag level the answers raised when last sent (None: no flag), stored
    # at submit time so lists such as the dashboard never evaluate answers per row.
    flag_level: Mapped[str | None] = mapped_column(String(20))

    client: Mapped[Client] = relationship(back_populates="assignments")
    snapshot: Mapped[WorksheetSnapshot] = relationship()
    series: Mapped[AssignmentSeries | None] = relationship(back_populates="assignments")
    response: Mapped[Response | None] = relationship(back_populates="assignment", uselist=False)
    events: Mapped[list[AssignmentEvent]] = relationship(
        back_populates="assignment", order_by="(AssignmentEvent.at, AssignmentEvent.id)"
    )

    @property
    def is_open(self) -> bool:
        """Still the client's to fill in."""
        return self.status in OPEN_STATUSES

    @property
    def is_sent(self) -> bool:
        """Sent to the clinician: the answers can be read."""
        return self.status in SENT_STATUSES

    @property
    def definition_snapshot(self) -> dict[str, Any]:
        """The definition as assigned (stored once in `worksheet_snapshot`, shared)."""
        return self.snapshot.definition

    @definition_snapshot.setter
    def definition_snapshot(self, definition: dict[str, Any]) -> None:
        # Point at the stored copy of this definition; a shared snapshot is never edited.
        self.snapshot = WorksheetSnapshot.of(definition)

    __table_args__ = (
        CheckConstraint(f"status IN ({values_sql(AssignmentStatus)})", name="status_known"),
        CheckConstraint(f"length(note_to_client) <= {NOTE_TO_CLIENT_MAX}", name="note_length"),
        CheckConstraint("flag_level IN ('safety', 'attention')", name="flag_level_known"),
        # At most one open copy of a worksheet per client, even when two assigns race.
        Index("uq_assignment_open_worksheet", "client_id", "worksheet_id", unique=True,
              sqlite_where=text(IS_OPEN_SQL), postgresql_where=text(IS_OPEN_SQL)),
        # A client's counts (safety flags too), and overdue list are read from this index alone.
        Index("ix_assignment_client_status_due", "client_id", "status", "due_date", "status_changed_at",
              "flag_level"),
        # A client's worksheets, newest first, a page at a time.
        Index("ix_assignment_client_created", "client_id", "created_at", "id"),
        # A client's latest activity first (packet choices, the portal's sent list), read until the page is full.
        Index("ix_assignment_client_changed", "client_id", "status_changed_at", "id"),
        # The overdue list and count: a client's worksheets still to do, by due date (through
        # ix_assignment_client_status_due, PostgreSQL read every past due date, then tested the status).
        Index("ix_assignment_open_due", "client_id", "due_date",
              sqlite_where=text(IS_OPEN_SQL), postgresql_where=text(IS_OPEN_SQL)),
        # The review queue's lines (a series' first waiting copy stands for it) are picked and counted
        # from this index alone, a page before any row is read. It holds waiting worksheets only; their
        # status is a column too, so that SQLite's planner sees it answers the queue's status test.
        Index("ix_assignment_waiting", "client_id", "status", "series_id", "id",
              sqlite_where=text(IS_WAITING_SQL), postgresql_where=text(IS_WAITING_SQL)),
        # A client's sent copies of each worksheet, newest last (the trends read the latest few of each).
        Index("ix_assignment_client_worksheet_sent", "client_id", "worksheet_id", "submitted_at", "id",
              sqlite_where=text("submitted_at IS NOT NULL"), postgresql_where=text("submitted_at IS NOT NULL")),
        UniqueConstraint("series_id", "series_position", name="uq_assignment_series_position"),
        CheckConstraint("(series_id IS NULL) = (series_position IS NULL)", name="series_position_with_series"),
    )


SERIES_EVERY_WEEKS = (1, 2)
SERIES_TIMES_MAX = 52


class AssignmentSeries(db.Model):
    """A worksheet repeated every week or two for a number of times: each time is its own assignment.

    The periodic task makes the next assignment once the previous one's due date
    has passed; stopping the series (`stopped_at`) makes no more.
    """

    __tablename__ = "assignment_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="RESTRICT"), index=True)
    worksheet_id: Mapped[str] = mapped_column(String(60))
    every_weeks: Mapped[int] = mapped_column(Integer)
    times: Mapped[int] = mapped_column(Integer)
    first_due_date: Mapped[dt.date] = mapped_column(Date)
    note_to_client: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    stopped_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    client: Mapped[Client] = relationship()
    assignments: Mapped[list[Assignment]] = relationship(back_populates="series",
                                                         order_by="Assignment.series_position")

    __table_args__ = (
        CheckConstraint("every_weeks IN (" + ", ".join(map(str, SERIES_EVERY_WEEKS)) + ")", name="every_weeks_known"),
        CheckConstraint(f"times >= 2 AND times <= {SERIES_TIMES_MAX}", name="times_range"),
    )


class WorksheetSnapshot(db.Model):
    """A worksheet definition exactly as it was assigned, stored once for all the assignments that share it.

    Never changed: a different definition is a different row (told apart by the
    SHA-256 of its canonical JSON).
    """

    __tablename__ = "worksheet_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    worksheet_id: Mapped[str] = mapped_column(String(60))
    worksheet_version: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    # Loaded only when asked for: `definition_of` finds a parsed definition by its digest,
    # so a request that shows or saves a worksheet does not read and decode 12 KB of JSON.
    definition: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)

    @staticmethod
    def digest_of(definition: dict[str, Any]) -> str:
        return hashlib.sha256(json.dumps(definition, sort_keys=True, separators=(",", ":")).encode()).hexdigest()

    @classmethod
    def of(cls, definition: dict[str, Any]) -> WorksheetSnapshot:
        """The stored snapshot of this definition, or a new one added to the session."""
        digest = cls.digest_of(definition)
        pending = (obj for obj in db.session.new if isinstance(obj, cls) and obj.digest == digest)
        with db.session.no_autoflush:
            found = next(pending, None) or db.session.scalar(select(cls).where(cls.digest == digest))
        if found is None:
            found = cls(worksheet_id=definition["id"], worksheet_version=definition["version"], digest=digest,
                        definition=definition)
            db.session.add(found)
        return found


class AssignmentEventKind(StrEnum):
    """What a status change was, as people say it: read from the two statuses, never stored."""

    ASSIGNED = "assigned"
    STARTED = "started"
    SENT = "sent"
    REVIEWED = "reviewed"
    REOPENED = "reopened"
    CANCELLED = "cancelled"


_KIND_OF_ARRIVAL = {
    AssignmentStatus.ASSIGNED: AssignmentEventKind.ASSIGNED,
    AssignmentStatus.IN_PROGRESS: AssignmentEventKind.STARTED,
    AssignmentStatus.SUBMITTED: AssignmentEventKind.SENT,
    AssignmentStatus.REVIEWED: AssignmentEventKind.REVIEWED,
    AssignmentStatus.CANCELLED: AssignmentEventKind.CANCELLED,
}


class AssignmentEvent(db.Model):
    """Every status change of an assignment, with its time and who made it."""

    __tablename__ = "assignment_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="RESTRICT"), index=True)
    from_status: Mapped[AssignmentStatus | None] = mapped_column(StoredEnum(AssignmentStatus))
    to_status: Mapped[AssignmentStatus] = mapped_column(StoredEnum(AssignmentStatus))
    actor: Mapped[str] = mapped_column(String(40))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    # The clinician whose client this is: recent activity reads a clinician's
    # newest events straight from one index, however long the history.
    clinician_id: Mapped[int] = mapped_column(ForeignKey("clinician.id", ondelete="RESTRICT"))

    assignment: Mapped[Assignment] = relationship(back_populates="events")
    clinician: Mapped[Clinician] = relationship()

    __table_args__ = (Index("ix_assignment_event_clinician_at", "clinician_id", "at", "id"),)

    @property
    def kind(self) -> AssignmentEventKind:
        """Back to the client after it was sent is a reopening; otherwise the status it arrived at says it."""
        if self.to_status == AssignmentStatus.IN_PROGRESS and self.from_status in SENT_STATUSES:
            return AssignmentEventKind.REOPENED
        return _KIND_OF_ARRIVAL[self.to_status]


class Response(db.Model):
    """The client's answers to one assignment, versioned for optimistic concurrency."""

    __tablename__ = "response"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="RESTRICT"), unique=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    saved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # When a save of these answers was last written to the audit trail: autosaves are
    # audited once per sitting, not once per keystroke pause (see `save_answers`).
    audited_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    assignment: Mapped[Assignment] = relationship(back_populates="response")
    comments: Mapped[list[Comment]] = relationship(back_populates="response", order_by="Comment.created_at")

    __table_args__ = (CheckConstraint("version >= 0", name="version_not_negative"),)


class Comment(db.Model):
    """A clinician's comment on a whole response (section_id NULL) or one section."""

    __tablename__ = "comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="RESTRICT"), index=True)
    clinician_id: Mapped[int] = mapped_column(ForeignKey("clinician.id", ondelete="RESTRICT"))
    section_id: Mapped[str | None] = mapped_column(String(60))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    response: Mapped[Response] = relationship(back_populates="comments")

    __table_args__ = (
        CheckConstraint(f"length(body) > 0 AND length(body) <= {COMMENT_MAX}", name="body_length"),
    )


class PortalLink(db.Model):
    """A client's way in: only the SHA-256 of the token is stored, never the token."""

    __tablename__ = "portal_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="RESTRICT"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Portal sessions carry the version they started with; "Leave" bumps it, ending every copy of them.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    client: Mapped[Client] = relationship()

    __table_args__ = (
        CheckConstraint("expires_at > created_at", name="expires_after_created"),
        CheckConstraint("session_version >= 0", name="session_version_not_negative"),
        # A client has one link that is not revoked: a new one revokes the others.
        Index("uq_portal_link_one_unrevoked", "client_id", unique=True,
              sqlite_where=text("revoked_at IS NULL"), postgresql_where=text("revoked_at IS NULL")),
    )


class AuditAction(StrEnum):
    """What an audit event records. The values are those the trail has always held (three naming
    styles among them): stored rows keep their meaning, and the words for each are in `clinic.words`.
    """

    SIGN_IN = "auth.sign_in"
    SIGN_IN_FAILED = "auth.sign_in_failed"
    SIGN_IN_PAUSED = "auth.sign_in_paused"
    SIGN_OUT = "auth.sign_out"
    PASSWORD_CHANGE = "auth.password_change"
    TWO_STEP_ON = "auth.two_step_on"
    TWO_STEP_OFF = "auth.two_step_off"
    TWO_STEP_REQUIRED = "auth.two_step_required"
    TWO_STEP_OPTIONAL = "auth.two_step_optional"
    TWO_STEP_RESET = "auth.two_step_reset"
    UNLOCK = "auth.unlock"
    DASHBOARD_VIEW = "dashboard.view"
    ARCHIVED_CLIENTS_VIEW = "clients.archived_view"
    CLIENT_CREATE = "client.create"
    CLIENT_VIEW = "client.view"
    CLIENT_UPDATE = "client.update"
    CLIENT_ARCHIVE = "client.archive"
    CLIENT_UNARCHIVE = "client.unarchive"
    AGENDA_UPDATE = "client.agenda_update"
    AUDIT_VIEW = "client.audit_view"
    CLIENT_EXPORTED = "client.exported"
    ERASE_FORM_VIEW = "client.erase_form_viewed"
    CLIENT_ERASED = "client.erased"
    ASSIGNMENT_CREATE = "assignment.create"
    ASSIGNMENT_VIEW = "assignment.view"
    ASSIGNMENT_REVIEW = "assignment.review"
    ASSIGNMENT_REOPEN = "assignment.reopen"
    ASSIGNMENT_CANCEL = "assignment.cancel"
    SERIES_STOP = "assignment_series.stop"
    COMMENT_CREATE = "comment.create"
    RESPONSE_VIEWED = "response.viewed"
    RESPONSE_SAVED = "response.saved"
    RESPONSE_SUBMITTED = "response.submitted"
    PORTAL_SIGNED_IN = "portal.signed_in"
    PORTAL_HOME_VIEW = "portal.home_viewed"
    PORTAL_LEFT = "portal.left"
    LINK_CREATED = "portal_link.created"
    LINK_REVOKED = "portal_link.revoked"
    EMAIL_SENT = "email.sent"
    EMAIL_FAILED = "email.failed"
    EMAIL_UNSUBSCRIBED = "email.unsubscribed"
    PDF_WORKSHEET_DOWNLOADED = "pdf_worksheet_downloaded"
    PDF_BLANK_DOWNLOADED = "pdf_blank_downloaded"
    PDF_PACKET_DOWNLOADED = "pdf_packet_downloaded"
    PACKET_FORM_VIEW = "packet_form_viewed"
    FHIR_WORKSHEET_EXPORTED = "fhir_worksheet_exported"
    FHIR_CLIENT_EXPORTED = "fhir_client_exported"


class AuditActor(StrEnum):
    CLINICIAN = "clinician"
    CLIENT = "client"
    SYSTEM = "system"


class AuditEvent(db.Model):
    """Append-only record of every view, export and change of client data.

    No code path updates or deletes these rows: the ORM refuses it (see the
    listeners below) and the database refuses it too (triggers in the migration).
    """

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_type: Mapped[AuditActor] = mapped_column(StoredEnum(AuditActor))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    # Plain text, not `AuditAction`: the trail keeps whatever it was told, names since retired included.
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column(Integer)
    clinician_id: Mapped[int | None] = mapped_column(ForeignKey("clinician.id", ondelete="RESTRICT"))
    client_id: Mapped[int | None] = mapped_column(ForeignKey("client.id", ondelete="RESTRICT"))
    address: Mapped[str | None] = mapped_column(String(45))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # A hash chain (see clinic.audit): each row stores the hash of the one before it and
    # its own, so `flask verify-audit` finds a row changed or removed behind the app's back.
    # Empty only in rows written before the chain began.
    previous_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        CheckConstraint(f"actor_type IN ({values_sql(AuditActor)})", name="actor_type_known"),
        Index("ix_audit_event_client_at", "client_id", "at"),
    )


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse_audit_change(mapper, connection, target):
    raise PermissionError("audit events are append-only")


# The database refuses changes to audit rows too, whatever the client.
AUDIT_TRIGGERS = {
    "sqlite": [
        "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
        "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
    ],
    "postgresql": [
        "CREATE FUNCTION audit_event_refuse_change() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'audit events are append-only'; END $$",
        "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change()",
    ],
}
# Emptying the table at once is refused as well (PostgreSQL; SQLite has no TRUNCATE).
AUDIT_NO_TRUNCATE = ("CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
                     "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_change()")
for _dialect, _statements in {**AUDIT_TRIGGERS, "postgresql": [*AUDIT_TRIGGERS["postgresql"], AUDIT_NO_TRUNCATE]}.items():
    for _statement in _statements:
        event.listen(AuditEvent.__table__, "after_create", DDL(_statement).execute_if(dialect=_dialect))


class ThrottleBucket(db.Model):
    """Failed attempts per key (an account or an address) in a fixed window.

    Kept in the database so that every worker and machine sees the same count.
    """

    __tablename__ = "throttle_bucket"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    blocked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class PdfCacheEntry(db.Model):
    """Rendered PDF bytes keyed by everything that went into them."""

    __tablename__ = "pdf_cache_entry"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    clinician_id: Mapped[int] = mapped_column(ForeignKey("clinician.id", ondelete="CASCADE"), index=True)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class PacketExport(db.Model):
    """When a session-prep packet was made, so the next one can say what changed since."""

    __tablename__ = "packet_export"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="RESTRICT"), index=True)
    session_date: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


EMAIL_KINDS = ("invitation", "reminder")
EMAIL_STATUSES = ("queued", "sent", "failed", "dropped")


class EmailDelivery(db.Model):
    """One email to a client, from being queued to sent or failed; it holds no link and no content.

    A client gets at most one reminder a day (the practice's day): a unique index
    says so, so a periodic task that runs twice cannot send twice.
    """

    __tablename__ = "email_delivery"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    local_day: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    client: Mapped[Client] = relationship()
    reminders: Mapped[list[AssignmentReminder]] = relationship(back_populates="delivery")

    __table_args__ = (
        CheckConstraint("kind IN (" + ", ".join(f"'{k}'" for k in EMAIL_KINDS) + ")", name="kind_known"),
        CheckConstraint("status IN (" + ", ".join(f"'{s}'" for s in EMAIL_STATUSES) + ")", name="status_known"),
        Index("uq_email_delivery_one_reminder_a_day", "client_id", "local_day", unique=True,
              sqlite_where=text("kind = 'reminder'"), postgresql_where=text("kind = 'reminder'")),
    )


REMINDER_STAGES = ("due_tomorrow", "overdue")


class AssignmentReminder(db.Model):
    """That an assignment's reminder of one stage went into an email: each stage is sent once."""

    __tablename__ = "assignment_reminder"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="RESTRICT"))
    stage: Mapped[str] = mapped_column(String(20))
    delivery_id: Mapped[int] = mapped_column(ForeignKey("email_delivery.id", ondelete="RESTRICT"), index=True)

    delivery: Mapped[EmailDelivery] = relationship(back_populates="reminders")
    assignment: Mapped[Assignment] = relationship()

    __table_args__ = (
        UniqueConstraint("assignment_id", "stage", name="uq_assignment_reminder_stage"),
        CheckConstraint("stage IN (" + ", ".join(f"'{s}'" for s in REMINDER_STAGES) + ")", name="stage_known"),
    )
