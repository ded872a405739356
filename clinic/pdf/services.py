"""What goes into each PDF, the PDF cache, and the one place that calls WeasyPrint.

Every document is described by its inputs (answers, comments, agenda, names,
dates, paper size and the version of the print templates). Those inputs make
the cache key, so an unchanged document is served from `PdfCacheEntry` without
rendering again, and any change gives a new key.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import weasyprint
from flask import current_app, render_template
from sqlalchemy import ColumnElement, Select, delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from clinic import words
from clinic.assignments.services import definition_of
from clinic.config import PROJECT_ROOT
from clinic.extensions import db
from clinic.models import (
    OPEN_STATUSES,
    SENT_STATUSES,
    Assignment,
    AssignmentEvent,
    AssignmentStatus,
    Client,
    Clinician,
    Comment,
    PacketExport,
    PdfCacheEntry,
    Response,
    utcnow,
)
from clinic.pdf.fetcher import STATIC_ROOT
from clinic.pdf import rendering
from clinic.pdf.rendering import TooManyPages
from clinic.trends.services import Trend, client_trends
from clinic.worksheets import Definition, Evaluation, evaluate
from clinic.worksheets.evaluation import FlagResult
from clinic.worksheets.schema.rules import FLAG_LEVELS

# Paper sizes a PDF can be made in: the CSS page size (also the value in forms and
# config) → its label.
PAPER_SIZES = words.PAPER
# Rendered PDFs older than this are dropped from the cache when a new one is stored.
CACHE_DAYS = 14
# Pages kept spare when a packet is shortened to fit: its contents page then lists what was left out.
COVER_SPARE_PAGES = 2
# The cover is one page on A4 and US Letter however much happened: its flags, changes and
# agenda each get this many printed lines (of about COVER_LINE_CHARS characters), and what does
# not fit is printed in full after the contents, with the cover saying on which page.
COVER_FLAG_LINES = 13
COVER_CHANGE_LINES = 6
COVER_AGENDA_LINES = 6
COVER_LINE_CHARS = 95
# "Every change" after the contents lists at most this many (those to act on, then the newest): a
# long-standing client's first packet would otherwise print a thousand lines nobody reads.
CHANGES_LISTED = 100
# Everything that shapes how a PDF looks; a change to any of them is a new template version.
TEMPLATE_SOURCES = (
    "templates/pdf/*.html",
    "templates/worksheets/_answers.html",
    "templates/worksheets/_items.html",
    "templates/worksheets/_summary.html",
    "templates/trends/*.html",
    "clinic/trends/charts.py",
    "clinic/static/css/print.css",
)
# Worksheets that can go into a packet, and those ticked unless the clinician says otherwise.
PACKET_STATUSES = (AssignmentStatus.IN_PROGRESS, *SENT_STATUSES)
PACKET_DEFAULT_STATUSES = SENT_STATUSES
# The packet form offers this many of the latest worksheets; older ones print from their own review page.
PACKET_CHOICES = 20


def default_paper() -> str:
    """The configured paper size (PAPER_SIZE), read leniently: "Letter" and "LETTER" mean letter."""
    by_lower = {size.lower(): size for size in PAPER_SIZES}
    return by_lower.get(str(current_app.config["PAPER_SIZE"]).lower(), "A4")


# --- how a worksheet is printed --------------------------------------------------------


@dataclass(frozen=True)
class Sheet:
    """One worksheet as the print templates see it; without answers it is a blank printable."""

    definition: Definition
    anchor: str
    answers: dict[str, Any] | None = None
    evaluation: Evaluation | None = None
    comments: dict[str | None, list[Comment]] = field(default_factory=dict)
    status: str = ""
    unsubmitted: bool = False  # a client's worksheet not (or no longer) sent: printed without its drafts

    @property
    def blank(self) -> bool:
        return self.answers is None and not self.unsubmitted


def blank_sheet(definition: Definition) -> Sheet:
    return Sheet(definition=definition, anchor=f"worksheet-{definition.id}")


def submitted_answers(assignment: Assignment) -> dict[str, Any] | None:
    """The answers the client sent, or None while the worksheet is not sent.

    A response keeps only its latest answers, so a reopened worksheet's stored
    answers may already be the client's new drafts: like the review page, a PDF
    shows nothing of a worksheet until it is sent (again).
    """
    if assignment.status not in SENT_STATUSES:
        return None
    return assignment.response.answers or {}


BLANK_LINES = re.compile(r"\n(?:[ \t\r\f\v]*\n)+")


def print_text(text: str) -> str:
    """Text as printed: a run of blank lines becomes one, whatever is stored.

    Saved answers are tidied when they are saved, but older ones (and anything
    that reaches the database another way) must not turn into hundreds of
    empty pages either.
    """
    return BLANK_LINES.sub("\n\n", text.strip())


def printable(value: Any) -> Any:
    """An answer (text, choices or a group's rows) with every text in it as printed."""
    if isinstance(value, str):
        return print_text(value)
    if isinstance(value, list):
        return [printable(entry) for entry in value]
    if isinstance(value, dict):
        return {key: printable(entry) for key, entry in value.items()}
    return value


def filled_sheet(assignment: Assignment) -> Sheet:
    """The assignment's sent answers with the summaries, flags and comments its definition leads to."""
    definition = definition_of(assignment)
    answers = submitted_answers(assignment)
    if answers is None:
        return Sheet(definition=definition, anchor=f"worksheet-{assignment.id}", status=status_text(assignment),
                     unsubmitted=True)
    section_ids = {section.id for section in definition.sections}
    comments: dict[str | None, list[Comment]] = {}
    for comment in assignment.response.comments:
        comments.setdefault(comment.section_id if comment.section_id in section_ids else None, []).append(comment)
    answers = printable(answers)  # the summaries quote answers too
    return Sheet(definition=definition, anchor=f"worksheet-{assignment.id}", answers=answers,
                 evaluation=evaluate(definition, answers), comments=comments, status=status_text(assignment))


def status_text(assignment: Assignment) -> str:
    """Where a worksheet stands, with the date that matters for it."""
    return words.status_dated(assignment.status, submitted_at=assignment.submitted_at,
                              saved_at=assignment.response.saved_at)


def write_in_lines(item: Any) -> int:
    """Lines to write on in a blank printable: more for longer answers, at most six."""
    return max(1, min(6, math.ceil(item.max_length / 350)))


def blank_rows(group: Any) -> int:
    """Empty rows for a repeating group on paper: three, within the group's limits."""
    return min(group.max_rows, max(group.min_rows, 3))


def fits_on_one_line(item: Any) -> bool:
    """Whether an item's tick boxes fit side by side (short choices such as frequencies)."""
    return sum(len(label) + 6 for _, label in item.choices) <= 80


# --- rendering and the cache ------------------------------------------------------------


def render_pdf(html: str, paper: str) -> bytes:
    """HTML to PDF with the bundled fonts, loading nothing but the app's static files, within
    PDF_TIME_LIMIT seconds and PDF_MAX_PAGES pages (else RenderRefused, in a child process that is killed)."""
    if paper not in PAPER_SIZES:
        raise ValueError(f"unknown paper size {paper!r}")
    return rendering.render(html, paper, time_limit=float(current_app.config["PDF_TIME_LIMIT"]),
                            max_pages=int(current_app.config["PDF_MAX_PAGES"]))


@functools.cache
def template_version() -> str:
    """A digest of the print templates, stylesheet and WeasyPrint version."""
    digest = hashlib.sha256(weasyprint.__version__.encode())
    for pattern in TEMPLATE_SOURCES:
        for path in sorted(PROJECT_ROOT.glob(pattern)):
            digest.update(path.relative_to(PROJECT_ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    for font in sorted((STATIC_ROOT / "fonts").glob("*.ttf")):
        digest.update(font.name.encode())
    return digest.hexdigest()[:16]


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def cache_key(document: str, inputs: dict[str, Any]) -> str:
    """16 hex digits naming the document, then 48 of everything that went into it.

    The prefix lets a new version of a document replace the old one in the cache.
    """
    return _digest(document)[:16] + _digest({"template": template_version(), "inputs": inputs})[:48]


@dataclass(frozen=True)
class Document:
    """A PDF as the cache knows it: its name, everything it shows, and how to write its HTML."""

    name: str
    inputs: dict[str, Any]
    html: Callable[[], str]

    def key(self, paper: str) -> str:
        return cache_key(self.name, {**self.inputs, "paper": paper, "max_pages": current_app.config["PDF_MAX_PAGES"]})


def cached_pdf(owner: Clinician, document: Document, paper: str,
               shorten: Callable[[TooManyPages], str] | None = None) -> tuple[bytes, bool]:
    """The document's PDF and whether it was rendered now (False: served from the cache).

    A document over the page limit is refused, unless `shorten` gives a shorter
    one (a packet without the worksheets that do not fit).
    """
    key = document.key(paper)
    entry = db.session.get(PdfCacheEntry, key)
    if entry is not None and entry.clinician_id == owner.id:
        return entry.pdf, False
    try:
        pdf = render_pdf(document.html(), paper)
    except TooManyPages as too_long:
        if shorten is None:
            raise
        pdf = render_pdf(shorten(too_long), paper)
    _store(owner, {key: pdf})
    return pdf, True


def cached_pdfs(owner: Clinician, documents: list[Document], paper: str) -> list[bytes]:
    """Many documents' PDFs, in order: the cached ones read in one query, the others made and stored
    together, so a client's every worksheet costs as many queries as one."""
    keys = [document.key(paper) for document in documents]
    cached = dict(db.session.execute(select(PdfCacheEntry.key, PdfCacheEntry.pdf).where(
        PdfCacheEntry.clinician_id == owner.id, PdfCacheEntry.key.in_(keys))).all())
    made = {key: render_pdf(document.html(), paper) for key, document in zip(keys, documents) if key not in cached}
    if made:
        _store(owner, made)
    return [cached[key] if key in cached else made[key] for key in keys]


def _store(owner: Clinician, made: dict[str, bytes]) -> None:
    """Keep PDFs just made (by cache key), in place of older versions of the same documents;
    entries older than CACHE_DAYS go too."""
    stale_before = utcnow() - dt.timedelta(days=CACHE_DAYS)
    names = sorted({key[:16] for key in made})
    db.session.execute(delete(PdfCacheEntry).where(
        PdfCacheEntry.clinician_id == owner.id,
        func.substr(PdfCacheEntry.key, 1, 16).in_(names) | (PdfCacheEntry.created_at < stale_before),
    ))
    try:
        with db.session.begin_nested():
            db.session.execute(insert(PdfCacheEntry), [{"key": key, "clinician_id": owner.id, "pdf": pdf}
                                                       for key, pdf in made.items()])
    except IntegrityError:
        pass  # another request stored one of them a moment ago; the rest are made again when next asked for


def sheet_inputs(assignment: Assignment) -> dict[str, Any]:
    """What a printed worksheet depends on: its response's id and sent answers, and the comments."""
    response = assignment.response
    return {
        "assignment": [assignment.id, assignment.status, assignment.worksheet_id, assignment.worksheet_version],
        "response": [response.id, _digest(submitted_answers(assignment)), response.saved_at, assignment.submitted_at],
        "comments": [[c.id, c.section_id, c.updated_at, _digest(c.body)] for c in response.comments],
    }


def author_of(clinician: Clinician) -> str:
    return clinician.name or clinician.email


# --- the three documents ---------------------------------------------------------------------


def worksheet_document(assignment: Assignment, clinician: Clinician) -> Document:
    """A filled-in worksheet with its summaries, flags and the clinician's comments.

    The date on it is the day it was made (fixed at render), so it is not part of the key.
    """
    client_name = assignment.client.display_name
    inputs = {"sheet": sheet_inputs(assignment), "client": client_name, "author": author_of(clinician)}

    def html() -> str:
        created = utcnow()
        return render_template("pdf/worksheet.html", sheet=filled_sheet(assignment), client_name=client_name,
                               date_text=words.date(created), author=author_of(clinician), created=created)

    return Document(f"assignment:{assignment.id}", inputs, html)


def assignment_pdf(assignment: Assignment, clinician: Clinician, paper: str) -> tuple[bytes, bool]:
    return cached_pdf(clinician, worksheet_document(assignment, clinician), paper)


def blank_pdf(definition: Definition, clinician: Clinician, paper: str) -> tuple[bytes, bool]:
    """A worksheet to fill in on paper."""
    inputs = {"definition": _digest(definition.snapshot()), "author": author_of(clinician)}

    def html() -> str:
        return render_template("pdf/worksheet.html", sheet=blank_sheet(definition), client_name=None,
                               date_text=None, author=author_of(clinician), created=utcnow())

    return cached_pdf(clinician, Document(f"blank:{definition.id}", inputs, html), paper)


@dataclass(frozen=True)
class PacketOptions:
    session_date: dt.date
    since_date: dt.date | None  # None: since the last packet for an earlier session
    assignment_ids: tuple[int, ...]
    paper: str


@dataclass(frozen=True)
class Change:
    """What happened to one worksheet in the period the cover looks back on."""

    title: str
    status: str
    what: tuple[str, ...]
    anchor: str | None  # where it is in the packet, if it is included
    at: dt.datetime | None = None  # when it last changed (in the period)
    waiting: bool = False  # sent and waiting for the clinician's review
    flag: str | None = None  # the gravest flag its sent answers raise ("safety", "attention")

    @property
    def to_act_on(self) -> bool:
        return self.waiting or self.flag is not None

    @property
    def flag_words(self) -> str:
        return words.flag_level(self.flag) + " flag" if self.flag else ""

    def order_key(self) -> tuple[bool, int, float]:
        """To act on first (safety flags, then other flags, then waiting for review), then the rest;
        newest first within each."""
        newest = -self.at.timestamp() if self.at else 0.0
        return (not self.to_act_on, flag_rank(self.flag), newest)


@dataclass(frozen=True)
class Outstanding:
    title: str
    status: str
    due_date: dt.date | None


@dataclass(frozen=True)
class Packet:
    client_name: str
    author: str
    created: dt.datetime
    session_date: dt.date
    changes_heading: str
    changes: tuple[Change, ...]
    sheets: tuple[Sheet, ...]
    outstanding: tuple[Outstanding, ...]
    agenda: str
    agenda_updated_at: dt.datetime | None
    trends: tuple[Trend, ...] = ()  # of the included worksheets sent more than once
    since: dt.datetime | None = None  # what the cover looks back to ("since last session")
    trends_heading: str = "Since last session"  # "Over time" on a first packet, "Since 3 Mar 2026" if chosen
    left_out: tuple[LeftOut, ...] = ()  # chosen, but past the packet's limits

    @property
    def flags(self) -> tuple[tuple[Sheet, FlagResult], ...]:
        """Every flag of the sent worksheets with its worksheet: safety flags first, then in packet order."""
        raised = [(sheet, flag) for sheet in self.sheets if not sheet.unsubmitted for flag in sheet.evaluation.flags]
        return tuple(sorted(raised, key=lambda pair: flag_rank(pair[1].severity)))

    @property
    def glance_sheets(self) -> tuple[Sheet, ...]:
        """The sent worksheets for "Flags and summaries" as the cover ranks its flags: a safety flag
        first, then other flags, then the rest, each in packet order (the clinician reads the most
        urgent first, also when the cover has no room for every flag)."""
        sent = [sheet for sheet in self.sheets if not sheet.unsubmitted]
        return tuple(sorted(sent, key=lambda sheet: flag_rank(sheet.evaluation.highest_level)))

    @property
    def cover_flags(self) -> tuple[tuple[Sheet, FlagResult], ...]:
        """The first flags that fit the cover (a flag's box takes about a line more than its text)."""
        costs = [printed_lines(f"{flag.say} · {sheet.definition.title} page 00") + 1 for sheet, flag in self.flags]
        return self.flags[:_fitting(costs, COVER_FLAG_LINES)]

    @property
    def cover_changes(self) -> tuple[Change, ...]:
        """The first changes (those to act on, then the newest) that fit the cover: in their own lines
        and in those the flags and the agenda leave unused."""
        costs = [printed_lines(f"{c.title}: {'; '.join(c.what)}. {c.flag_words} {c.status} see page 00")
                 for c in self.changes]
        return self.changes[:_fitting(costs, COVER_CHANGE_LINES + self._unused_flag_lines + self._unused_agenda_lines)]

    @property
    def listed_changes(self) -> tuple[Change, ...]:
        """The changes printed in full after the contents (see CHANGES_LISTED)."""
        return self.changes[:CHANGES_LISTED]

    @property
    def unlisted_changes(self) -> int:
        """How many changes of a long history "Every change" leaves to the client's page."""
        return len(self.changes) - len(self.listed_changes)

    @property
    def _unused_flag_lines(self) -> int:
        flags = self.cover_flags
        used = sum(printed_lines(f"{flag.say} · {sheet.definition.title} page 00") + 1 for sheet, flag in flags)
        return COVER_FLAG_LINES - max(used, 1)  # no flags on the cover: a line that says so (or where they are)

    @property
    def _unused_agenda_lines(self) -> int:
        if self.agenda and self.agenda_on_cover:
            return COVER_AGENDA_LINES - printed_lines(print_text(self.agenda))
        return COVER_AGENDA_LINES - 1  # a line: no agenda yet, or where it is printed in full

    @property
    def agenda_on_cover(self) -> bool:
        return printed_lines(print_text(self.agenda)) <= COVER_AGENDA_LINES


def flag_rank(level: str | None) -> int:
    """Where a flag level sorts: the engine's most urgent level first, no flag last."""
    return FLAG_LEVELS.index(level) if level else len(FLAG_LEVELS)


def printed_lines(text: str) -> int:
    """About how many lines `text` takes on the cover (a generous guess: the font is proportional)."""
    return sum(max(1, math.ceil(len(line) / COVER_LINE_CHARS)) for line in text.split("\n"))


def _fitting(costs: list[int], room: int) -> int:
    """How many of the leading entries fit in `room` lines."""
    count = 0
    for cost in costs:
        if cost > room:
            break
        room -= cost
        count += 1
    return count


@dataclass(frozen=True)
class LeftOut:
    """A chosen worksheet the packet could not hold, and why (its contents page says so)."""

    title: str
    reason: str


def within_page_limit(sheets: tuple[Sheet, ...], too_long: TooManyPages) -> tuple[Sheet, ...]:
    """The sheets, in order, that fit in the page limit once the others are left out.

    A sheet runs from its first page to the page before the next sheet (the last
    to the end); the cover, contents and summaries are what comes before the first.
    A few pages are kept spare for the contents page's longer list of what was left out.
    """
    starts = [too_long.first_pages.get(sheet.anchor, too_long.pages) for sheet in sheets]
    ends = [*(start - 1 for start in starts[1:]), too_long.pages]
    room = too_long.limit - COVER_SPARE_PAGES - ((starts[0] - 1) if starts else 0)
    kept = []
    for sheet, start, end in zip(sheets, starts, ends):
        if end - start + 1 <= room:
            kept.append(sheet)
            room -= end - start + 1
    return tuple(kept)


@dataclass(frozen=True)
class PacketChoice:
    """A worksheet the packet form offers, as the columns its line shows: loaded as an assignment
    with its response, each of twenty lines read all its answers to show one date."""

    id: int
    title: str
    status: AssignmentStatus
    submitted_at: dt.datetime | None
    saved_at: dt.datetime | None


def packet_candidates(client: Client) -> list[PacketChoice]:
    """The client's most recently active worksheets that have something to print (at most PACKET_CHOICES),
    listed in the order they were assigned, as the packet prints them.

    Only what the packet form lists (title, status, dates): no answers, no snapshots, no comments.
    """
    latest = (select(Assignment.id).where(_printable(client))
              .order_by(Assignment.status_changed_at.desc(), Assignment.id.desc()).limit(PACKET_CHOICES))
    return [PacketChoice(*row) for row in db.session.execute(
        select(Assignment.id, Assignment.title, Assignment.status, Assignment.submitted_at, Response.saved_at)
        .outerjoin(Assignment.response).where(Assignment.id.in_(latest))
        .order_by(Assignment.id)
    )]


def _printable(client: Client) -> ColumnElement[bool]:
    return (Assignment.client_id == client.id) & Assignment.status.in_(PACKET_STATUSES)


def last_packet(client: Client, before: dt.date | None = None) -> PacketExport | None:
    """The most recent packet made for this client (for a session before `before`, if given)."""
    query = select(PacketExport).where(PacketExport.client_id == client.id)
    if before is not None:
        query = query.where(PacketExport.session_date < before)
    return db.session.scalars(query.order_by(PacketExport.created_at.desc()).limit(1)).first()


def _by_day(events: list[AssignmentEvent]) -> list[str]:
    """Events in words, one phrase per day: "assigned, started and submitted 3 March 2026"."""
    days: dict[str, list[str]] = {}
    for event in events:
        days.setdefault(words.date(event.at), []).append(words.event_verb(event.kind))
    return [f"{_and_list(words)} {day}" for day, words in days.items()]


def _and_list(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def changes_since(client: Client, since: dt.datetime | None, anchors: dict[int, str]) -> list[Change]:
    """Each of the client's worksheets that was assigned, started, sent, reviewed or edited since then:
    those to act on first (a safety flag, another flag, waiting for review), then the rest, newest
    first within each (see Change.order_key)."""
    events_in_period: dict[int, list[AssignmentEvent]] = {}
    for event in db.session.scalars(_events_since(client, since).order_by(AssignmentEvent.id)):
        events_in_period.setdefault(event.assignment_id, []).append(event)
    found: list[Change] = []
    for assignment in db.session.scalars(_changed_since(client, since)):
        events = sorted(events_in_period.get(assignment.id, []),
                        key=lambda e: (e.at.date(), e.id))  # the day, then the order they happened in
        what = _by_day(events)
        moments = [e.at for e in events]
        saved_at = assignment.response.saved_at
        if saved_at and (since is None or saved_at > since) and (not events or saved_at > events[-1].at):
            what.append(f"answers last saved {words.date(saved_at)}")
            moments.append(saved_at)
        if what:
            found.append(Change(assignment.title, words.status(assignment.status), tuple(what),
                                anchors.get(assignment.id), at=max(moments),
                                waiting=assignment.status == AssignmentStatus.SUBMITTED,
                                flag=_gravest_flag(assignment)))
    return sorted(found, key=Change.order_key)


def _events_since(client: Client, since: dt.datetime | None) -> Select[tuple[AssignmentEvent]]:
    """The client's status events in the period (all of them with no start)."""
    query = select(AssignmentEvent).join(AssignmentEvent.assignment).where(Assignment.client_id == client.id)
    return query if since is None else query.where(AssignmentEvent.at > since)


def _changed_since(client: Client, since: dt.datetime | None) -> Select[tuple[Assignment]]:
    """The client's worksheets with an event or a save in the period, in one query, without their answers
    or definitions (a change shows its title, status, stored flag and last save): a long history costs no
    more queries, and one looked back on from a recent packet is not read at all."""
    query = (select(Assignment).join(Assignment.response).where(Assignment.client_id == client.id)
             .options(contains_eager(Assignment.response).defer(Response.answers)).order_by(Assignment.id))
    if since is None:
        return query
    moved = (select(AssignmentEvent.id)
             .where(AssignmentEvent.assignment_id == Assignment.id, AssignmentEvent.at > since).exists())
    return query.where(moved | (Response.saved_at > since))


def _gravest_flag(assignment: Assignment) -> str | None:
    """'safety' or 'attention' if the worksheet's sent answers raise such a flag, else None: the level
    stored when it was sent (see `transition`), so a long history is not evaluated again."""
    return assignment.flag_level if assignment.status in SENT_STATUSES else None


def _changes_heading(options: PacketOptions, previous: PacketExport | None) -> tuple[str, dt.datetime | None]:
    if options.since_date is not None:
        since = dt.datetime.combine(options.since_date, dt.time(), tzinfo=dt.timezone.utc)
        return f"What’s new since {words.date(options.since_date)}", since
    if previous is not None:
        return (f"What’s new since your last packet ({words.date(previous.created_at)}, for the session on "
                f"{words.date(previous.session_date)})", previous.created_at)
    return "Everything so far (this is the first packet for this client)", None


def _trends_heading(options: PacketOptions, previous: PacketExport | None) -> str:
    """What the packet's trends show: the moves since the last session (or a chosen date), or, on a
    first packet with no earlier session to compare with, the figures over time."""
    if options.since_date is not None:
        return f"Since {words.date(options.since_date)}"
    return "Since last session" if previous is not None else "Over time"


def default_session_date() -> dt.date:
    """The session a packet is for unless the clinician says otherwise: today (the practice's)."""
    return words.today()


def default_packet_options(client: Client, candidates: list[PacketChoice] | None = None) -> PacketOptions:
    """What the packet form offers to start with (and the background renders): today's session, since
    the last packet, the sent worksheets among those the form lists."""
    chosen = [a.id for a in (packet_candidates(client) if candidates is None else candidates)
              if a.status in PACKET_DEFAULT_STATUSES]
    return PacketOptions(session_date=default_session_date(), since_date=None, assignment_ids=tuple(chosen),
                         paper=default_paper())


def packet_inputs(client: Client, clinician: Clinician, options: PacketOptions) -> dict[str, Any]:
    """Everything a packet depends on, in a few aggregate queries and without building it.

    Any save, submission, status change, comment or agenda edit of the client's
    changes one of these figures, so a cached packet is never stale. Read them
    before the packet's contents: a change made in between then gives a newer
    packet under the older key, never an older packet under the newer key.
    """
    previous = None if options.since_date is not None else last_packet(client, before=options.session_date)
    of_client = Assignment.client_id == client.id
    comments = select(Comment).join(Comment.response).join(Response.assignment).where(of_client).subquery()
    activity = db.session.execute(
        select(func.count(Assignment.id), func.max(Assignment.id), func.max(Assignment.status_changed_at),
               func.coalesce(func.sum(Response.version), 0), func.max(Response.saved_at),
               select(func.count()).select_from(comments).correlate(None).scalar_subquery(),
               select(func.max(comments.c.updated_at)).correlate(None).scalar_subquery(),
               select(func.max(AssignmentEvent.id)).join(AssignmentEvent.assignment).where(of_client)
               .correlate(None).scalar_subquery())
        .join(Response, Response.assignment_id == Assignment.id).where(of_client)
    ).one()
    return {
        "client": [client.id, client.display_name], "author": author_of(clinician),
        "session": options.session_date, "since": options.since_date,
        "previous": [previous.id, previous.created_at, previous.session_date] if previous else None,
        "chosen": sorted(options.assignment_ids), "agenda": [_digest(client.agenda or ""), client.agenda_updated_at],
        "activity": list(activity),
    }


def packet_pdf(client: Client, clinician: Clinician, options: PacketOptions) -> tuple[bytes, bool]:
    """The session-prep packet: from the cache when nothing it shows has changed, else rendered now."""
    inputs = {**packet_inputs(client, clinician, options), "most": current_app.config["PACKET_MAX_WORKSHEETS"]}
    built: list[Packet] = []

    def html() -> str:
        built.append(_build_packet(client, clinician, options))
        return _packet_document(built[0])

    def shorten(too_long: TooManyPages) -> str:
        """The packet without the worksheets past the page limit, named on its contents page instead."""
        packet = built[0]
        kept = within_page_limit(packet.sheets, too_long)
        reason = f"it would have made the packet longer than {too_long.limit} pages"
        return _packet_document(replace(packet, sheets=kept, left_out=(*packet.left_out, *(
            LeftOut(sheet.definition.title, reason) for sheet in packet.sheets if sheet not in kept))))

    return cached_pdf(clinician, Document(f"packet:{client.id}", inputs, html), options.paper, shorten)


def record_packet(client: Client, options: PacketOptions) -> None:
    """That a packet was given to the clinician, so the next one can say what changed since."""
    db.session.add(PacketExport(client_id=client.id, session_date=options.session_date))


def _build_packet(client: Client, clinician: Clinician, options: PacketOptions) -> Packet:
    chosen = set(options.assignment_ids)
    included = list(db.session.scalars(
        select(Assignment).where(_printable(client), Assignment.id.in_(chosen)).order_by(Assignment.id)
        .options(joinedload(Assignment.snapshot), selectinload(Assignment.response).selectinload(Response.comments))
    ))
    most = current_app.config["PACKET_MAX_WORKSHEETS"]
    left_out = tuple(LeftOut(a.title, f"a packet holds at most {most} worksheets") for a in included[most:])
    included = included[:most]
    sheets = tuple(filled_sheet(a) for a in included)
    previous = last_packet(client, before=options.session_date)
    heading, since = _changes_heading(options, previous)
    changes = tuple(changes_since(client, since, {a.id: s.anchor for a, s in zip(included, sheets)}))
    outstanding = tuple(
        Outstanding(a.title, words.status(a.status), a.due_date)
        for a in _not_yet_in(client) if a.id not in chosen
    )
    included_worksheets = {a.worksheet_id for a in included}
    packet = Packet(
        client_name=client.display_name, author=author_of(clinician), created=utcnow(),
        session_date=options.session_date, changes_heading=heading, changes=changes, sheets=sheets,
        outstanding=outstanding, agenda=client.agenda or "", agenda_updated_at=client.agenda_updated_at,
        trends=tuple(t for t in client_trends(client) if t.worksheet_id in included_worksheets), since=since,
        trends_heading=_trends_heading(options, previous),
        left_out=left_out,
    )
    return packet


def _packet_document(packet: Packet) -> str:
    return render_template("pdf/packet.html", packet=packet, author=packet.author, created=packet.created)


def _not_yet_in(client: Client) -> Iterable[Assignment]:
    """Worksheets given to the client and not yet submitted, soonest due first."""
    return db.session.scalars(
        select(Assignment)
        .where(Assignment.client_id == client.id, Assignment.status.in_(OPEN_STATUSES))
        .order_by(Assignment.due_date.is_(None), Assignment.due_date, Assignment.id)
    )
