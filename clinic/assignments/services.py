"""Assignment lifecycle: assigned → in progress → submitted → reviewed.

Every change of status goes through `transition`, which refuses moves the
lifecycle does not allow and records each change with its time and actor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace

from flask import abort, current_app
from flask_login import current_user
from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, contains_eager, joinedload

from clinic import words
from clinic.clients.pagination import Page
from clinic.extensions import db
from clinic.models import (
    OPEN_STATUSES,
    SENT_STATUSES,
    Assignment,
    AssignmentEvent,
    AssignmentStatus,
    AssignmentSeries,
    Client,
    Clinician,
    Comment,
    Response,
    WorksheetSnapshot,
    utcnow,
)
from clinic.urls import id_links
from clinic.worksheets import Definition, evaluate

ASSIGNED, IN_PROGRESS, SUBMITTED, REVIEWED, CANCELLED = AssignmentStatus
ALLOWED = {
    (ASSIGNED, IN_PROGRESS),
    (ASSIGNED, SUBMITTED),
    (IN_PROGRESS, SUBMITTED),
    (SUBMITTED, REVIEWED),
    (SUBMITTED, IN_PROGRESS),  # reopened by the clinician
    (REVIEWED, IN_PROGRESS),  # reopened by the clinician
    (ASSIGNED, CANCELLED),
}


class LifecycleError(ValueError):
    """A status change the lifecycle does not allow, in words for the user."""


class AssignmentProblem(ValueError):
    """An assignment or comment that cannot be made, in words for the clinician."""


def get_own_assignment(assignment_id: int) -> Assignment:
    """The signed-in clinician's assignment, or 404 (load, then authorize)."""
    assignment = db.session.scalar(
        select(Assignment).where(Assignment.id == assignment_id)
        .options(joinedload(Assignment.client), joinedload(Assignment.snapshot))
    )
    if assignment is None or assignment.client.clinician_id != current_user.id:
        abort(404)
    return assignment


def definition_of(assignment: Assignment) -> Definition:
    """The definition as it was when this worksheet was assigned (its snapshot's JSON read only on a cache miss)."""
    return definition_in(assignment.snapshot)


def definition_in(snapshot: WorksheetSnapshot) -> Definition:
    """A snapshot's definition, parsed once per process (its JSON read only on a cache miss)."""
    return Definition.from_stored(snapshot.digest, lambda: snapshot.definition)


def definition_by_digest(digest: str) -> Definition:
    """`definition_of` for a snapshot known only by its digest (autosave loads no objects)."""
    return Definition.from_stored(digest, lambda: db.session.scalar(
        select(WorksheetSnapshot.definition).where(WorksheetSnapshot.digest == digest)))


def assign(client: Client, worksheet_id: str, *, due_date: dt.date | None = None, note: str = "",
           actor: str, series: AssignmentSeries | None = None, series_position: int | None = None) -> Assignment:
    definition = current_app.extensions["worksheets"][worksheet_id]
    now = utcnow()
    assignment = Assignment(
        client=client,
        worksheet_id=definition.id,
        worksheet_version=definition.version,
        title=definition.title,
        snapshot=WorksheetSnapshot.of(definition.snapshot()),
        due_date=due_date,
        note_to_client=note,
        status=AssignmentStatus.ASSIGNED,
        created_at=now,
        status_changed_at=now,
        series=series,
        series_position=series_position,
    )
    assignment.response = Response(answers={}, version=0)
    db.session.add(assignment)
    db.session.add(AssignmentEvent(assignment=assignment, from_status=None, to_status=AssignmentStatus.ASSIGNED, actor=actor, at=now,
                                   clinician=_clinician_of(client)))
    return assignment


def open_copies(client: Client, worksheet_ids: list[str], *, excluding: Assignment | None = None) -> list[Assignment]:
    """The client's assignments of these worksheets that are still to do."""
    query = select(Assignment).where(Assignment.client_id == client.id, Assignment.worksheet_id.in_(worksheet_ids),
                                     Assignment.status.in_(OPEN_STATUSES))
    if excluding is not None:
        query = query.where(Assignment.id != excluding.id)
    return list(db.session.scalars(query))


def open_worksheet_ids(client: Client) -> set[str]:
    """Worksheets the client has still to do (offered again only once they are done)."""
    return set(db.session.scalars(select(Assignment.worksheet_id).where(
        Assignment.client_id == client.id, Assignment.status.in_(OPEN_STATUSES))))


def assign_several(client: Client, worksheet_ids: list[str], *, due_date: dt.date | None, note: str,
                   actor: str, every_weeks: int | None = None, times: int | None = None) -> list[Assignment]:
    """Assign every worksheet or none: a client never gets two open copies of one worksheet.

    That rule also makes a form sent twice harmless. The client's row is
    locked first (PostgreSQL), so two such requests at once are taken in turn;
    where it cannot be (SQLite), the database's unique index refuses the second.
    With `every_weeks` and `times`, each worksheet starts a repeating series.
    """
    db.session.execute(select(Client.id).where(Client.id == client.id).with_for_update())
    if client.archived:
        raise AssignmentProblem(f"{client.display_name} is archived. Restore them to assign worksheets.")
    already = open_copies(client, worksheet_ids)
    if already:
        titles = ", ".join(f"“{a.title}”" for a in already)
        raise AssignmentProblem(f"{client.display_name} already has {titles} to do, so nothing was assigned. "
                                "Leave the worksheets that are already assigned unticked.")
    name = client.display_name
    assignments = []
    for worksheet_id in worksheet_ids:
        series = None
        if every_weeks and times and due_date:
            series = AssignmentSeries(client=client, worksheet_id=worksheet_id, every_weeks=every_weeks, times=times,
                                      first_due_date=due_date, note_to_client=note)
        assignments.append(assign(client, worksheet_id, due_date=due_date, note=note, actor=actor, series=series,
                                  series_position=1 if series else None))
    try:
        db.session.flush()
    except IntegrityError:
        raise AssignmentProblem(f"{name} was given one of these worksheets a moment ago, perhaps from another "
                                "tab, so nothing was assigned. Reload the page to see it.") from None
    return assignments


def transition(assignment: Assignment, to_status: AssignmentStatus, *, actor: str) -> None:
    to_status = AssignmentStatus(to_status)
    if (assignment.status, to_status) not in ALLOWED:
        raise LifecycleError(f"A worksheet that is “{words.status(assignment.status)}” cannot become "
                             f"“{words.status(to_status)}”.")
    now = utcnow()
    db.session.add(AssignmentEvent(assignment=assignment, from_status=assignment.status, to_status=to_status,
                                   actor=actor, at=now, clinician=_clinician_of(assignment.client)))
    assignment.status = to_status
    assignment.status_changed_at = now
    if to_status == AssignmentStatus.SUBMITTED:
        assignment.submitted_at = now
        with db.session.no_autoflush:  # reading the snapshot must not flush a half-made change
            assignment.flag_level = evaluate(definition_of(assignment), assignment.response.answers).highest_level


def _clinician_of(client: Client) -> Clinician:
    """The client's clinician, for the status history, without flushing a half-made change to the database."""
    with db.session.no_autoflush:
        return client.clinician


def reopen(assignment: Assignment, *, actor: str) -> None:
    """Give a sent worksheet back to the client to change, unless they already have it again."""
    if assignment.status not in SENT_STATUSES:
        raise LifecycleError("Only a worksheet your client has sent can be reopened.")
    if open_copies(assignment.client, [assignment.worksheet_id], excluding=assignment):
        raise LifecycleError("The client already has a newer copy of this worksheet to do; "
                             "reopening this one would give them two.")
    transition(assignment, AssignmentStatus.IN_PROGRESS, actor=actor)


def add_comment(assignment: Assignment, *, clinician_id: int, body: str, section_id: str | None) -> Comment:
    """A comment on the whole response or one section; the same text twice in a row is refused."""
    if assignment.status not in SENT_STATUSES:
        raise AssignmentProblem("You can comment once your client has sent their answers.")
    response = assignment.response
    latest = db.session.scalar(
        select(Comment).where(Comment.response_id == response.id,
                              Comment.section_id.is_not_distinct_from(section_id))
        .order_by(Comment.created_at.desc(), Comment.id.desc()).limit(1)
    )
    if latest is not None and latest.body == body:
        raise AssignmentProblem("This comment is already saved (the form may have been sent twice).")
    comment = Comment(response=response, clinician_id=clinician_id, section_id=section_id, body=body)
    db.session.add(comment)
    db.session.flush()
    return comment


@dataclass(frozen=True)
class QueueEntry:
    """One line of the review queue: a sent worksheet, or the sent copies of a repeating one together."""

    assignment: Assignment  # the one to review first (of a series, the earliest copy)
    waiting: int
    safety: int
    attention: int

    @property
    def flag_level(self) -> str | None:
        """The most urgent flag among them."""
        return "safety" if self.safety else "attention" if self.attention else None


def review_queue(clinician_id: int) -> Select:
    """The ids of the review queue's lines, in the order worksheets were assigned: each sent worksheet of
    a current client, of a series only its first waiting copy (`queue_entries` adds the others to its line).

    Ids alone are picked and counted from ix_assignment_waiting, so a page of lines
    is chosen before any worksheet is read or any copies are counted.
    """
    earlier = aliased(Assignment)
    # The same client always (a series is one client's), said so that the index serves the test.
    earlier_copy_waits = select(earlier.id).where(
        earlier.client_id == Assignment.client_id, earlier.series_id == Assignment.series_id,
        earlier.status == AssignmentStatus.SUBMITTED, earlier.id < Assignment.id).exists()
    return (select(Assignment.id).join(Assignment.client)
            .where(Client.clinician_id == clinician_id, Client.archived_at.is_(None),
                   Assignment.status == AssignmentStatus.SUBMITTED,
                   or_(Assignment.series_id.is_(None), ~earlier_copy_waits))
            .order_by(Assignment.id))


def queue_entries(page: Page) -> Page:
    """A page of `review_queue` lines as `QueueEntry`s, in one query: the waiting copies counted are
    those of the series shown only, so the page costs the same however many wait."""
    copies = aliased(Assignment)
    series_shown = select(Assignment.series_id).where(Assignment.id.in_(page.items))
    series_figures = (select(copies.series_id, func.count().label("waiting"),
                             func.count().filter(copies.flag_level == "safety").label("safety"),
                             func.count().filter(copies.flag_level == "attention").label("attention"))
                      .where(copies.series_id.in_(series_shown), copies.status == AssignmentStatus.SUBMITTED)
                      .group_by(copies.series_id).subquery())

    def flagged(level: str):
        """Copies with this flag: of the series, or of a one-off, whether it has it."""
        return func.coalesce(series_figures.c[level], case((Assignment.flag_level == level, 1), else_=0))

    entries = db.session.execute(
        select(Assignment, func.coalesce(series_figures.c.waiting, 1), flagged("safety"), flagged("attention"))
        .outerjoin(series_figures, series_figures.c.series_id == Assignment.series_id)
        .join(Assignment.client).options(contains_eager(Assignment.client))
        .where(Assignment.id.in_(page.items))
        .order_by(Assignment.id))
    return replace(page, items=[QueueEntry(*columns) for columns in entries])


def copies_waiting(clinician_id: int) -> int:
    """How many sent worksheets of current clients wait for review, each copy of a series counted
    (as the client list counts them; the review queue puts a series on one line)."""
    return db.session.scalar(
        select(func.count()).select_from(Assignment).join(Assignment.client)
        .where(Client.clinician_id == clinician_id, Client.archived_at.is_(None),
               Assignment.status == AssignmentStatus.SUBMITTED)
    ) or 0


def overdue(clinician_id: int, today: dt.date | None = None) -> Select:
    """Worksheets still to do after their due date, the most overdue first."""
    return (_of_current_clients(clinician_id)
            .where(Assignment.status.in_(OPEN_STATUSES), Assignment.due_date < (today or words.today()))
            .order_by(Assignment.due_date, Assignment.id))


def _of_current_clients(clinician_id: int) -> Select:
    return (select(Assignment).join(Assignment.client).options(contains_eager(Assignment.client))
            .where(Client.clinician_id == clinician_id, Client.archived_at.is_(None)))


def recent_activity(clinician_id: int, limit: int = 10) -> list[AssignmentEvent]:
    """The latest status changes across the clinician's current clients."""
    return list(db.session.scalars(
        select(AssignmentEvent)
        .join(AssignmentEvent.assignment).join(Assignment.client)
        .options(contains_eager(AssignmentEvent.assignment).contains_eager(Assignment.client))
        .where(AssignmentEvent.clinician_id == clinician_id, Client.archived_at.is_(None))
        .order_by(AssignmentEvent.at.desc(), AssignmentEvent.id.desc())
        .limit(limit)
    ))


@dataclass(frozen=True)
class WorksheetRow:
    """One line of a client's worksheet table, its link and dates worded once here: a page of
    twenty lines then costs the template no `url_for` and no date filter each.

    `due_date` and `is_open` read as an assignment's, so that the one `due` macro words its due date.
    """

    review_url: str
    title: str
    series_position: int | None
    series_times: int | None
    status: AssignmentStatus
    flag_level: str | None  # None when cancelled: a cancelled worksheet's flag asks nothing of anyone
    assigned: str
    due_date: dt.date | None
    last_change: str

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


def worksheet_table(client: Client) -> Select:
    """A client's worksheets, newest first, as the columns of a `WorksheetRow` (see `worksheet_row`)."""
    return (select(Assignment.id, Assignment.title, Assignment.series_position, AssignmentSeries.times,
                   Assignment.status, Assignment.flag_level, Assignment.created_at, Assignment.due_date,
                   Assignment.status_changed_at)
            .outerjoin(Assignment.series)
            .where(Assignment.client_id == client.id)
            .order_by(Assignment.created_at.desc(), Assignment.id.desc()))


def worksheet_table_count(client: Client) -> Select:
    """How many rows `worksheet_table` has: its outer join adds a column, never a row."""
    return select(func.count()).select_from(Assignment).where(Assignment.client_id == client.id)


def worksheet_row() -> Callable[..., WorksheetRow]:
    """How `paginate` turns a `worksheet_table` row into a `WorksheetRow` (the links built from one)."""
    review_url = id_links("assignments.review", "assignment_id")

    def row(assignment_id: int, title: str, series_position: int | None, series_times: int | None,
            status: AssignmentStatus, flag_level: str | None, created_at: dt.datetime, due_date: dt.date | None,
            status_changed_at: dt.datetime) -> WorksheetRow:
        return WorksheetRow(
            review_url=review_url(assignment_id), title=title,
            series_position=series_position, series_times=series_times,
            status=status, flag_level=None if status == CANCELLED else flag_level,
            assigned=words.date(created_at), due_date=due_date, last_change=words.date_time(status_changed_at),
        )

    return row


def sent_history(client: Client, worksheet_id: str | None = None) -> list[Assignment]:
    """The worksheets the client has sent (of one kind, if given), with their answers, oldest first, in one query."""
    query = (
        select(Assignment)
        .join(Assignment.response)
        .options(contains_eager(Assignment.response), joinedload(Assignment.snapshot))
        .where(Assignment.client_id == client.id, Assignment.status.in_(SENT_STATUSES),
               Assignment.submitted_at.is_not(None))
        .order_by(Assignment.submitted_at, Assignment.id)
    )
    if worksheet_id is not None:
        query = query.where(Assignment.worksheet_id == worksheet_id)
    return list(db.session.scalars(query))
