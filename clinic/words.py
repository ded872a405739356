"""One vocabulary: how dates, statuses, events, flags and the audit trail read, everywhere
(pages, PDFs, emails, exports).

Times are stored in UTC and shown in the practice's time zone (`TIMEZONE`, by
default the server's own). The code names things with the enums in
`clinic.models`; people read the words here. Each rendering has one name here
and one filter of the same name in the templates, so nothing reads two ways.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import lru_cache

from flask import Flask, current_app, has_app_context
from tzlocal import get_localzone_name

from clinic.models import AssignmentEventKind, AssignmentStatus, AuditAction, AuditActor

DEFAULT_ZONE = "UTC"


@lru_cache(maxsize=16)
def _zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def zone_name_setting(configured: str | None) -> str:
    """The configured zone if it exists, else the server's own, else UTC."""
    for candidate in (configured, get_localzone_name()):
        if candidate:
            try:
                _zone(candidate)
                return candidate
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                continue
    return DEFAULT_ZONE


def zone_label(name: str) -> str:
    """'New York' for "America/New_York": a time zone as people name it (its city), not its database id."""
    return name.rsplit("/", 1)[-1].replace("_", " ")


def practice_zone() -> zoneinfo.ZoneInfo:
    """The time zone every shown time is read in."""
    name = current_app.config["TIMEZONE"] if has_app_context() else DEFAULT_ZONE
    return _zone(name)


def local(moment: dt.datetime) -> dt.datetime:
    """A stored (UTC) moment as the practice's clock shows it."""
    return moment.astimezone(practice_zone())


def today() -> dt.date:
    """Today on the practice's calendar (not the server's, not UTC's)."""
    return dt.datetime.now(practice_zone()).date()


def _calendar_day(value: dt.date | dt.datetime) -> dt.date:
    return local(value).date() if isinstance(value, dt.datetime) else value


def date(value: dt.date | dt.datetime | None) -> str:
    """'4 Dec 2026': the one way a date reads."""
    if value is None:
        return ""
    return _day_words(_calendar_day(value))


@lru_cache(maxsize=4096)
def _day_words(day: dt.date) -> str:
    """`date`'s words, worded once per day: a client page shows the same few dozen days a hundred times."""
    return f"{day.day} {day:%b %Y}"


def day_month(value: dt.date | dt.datetime) -> str:
    """'4 Dec': a date where the year is plain from around it (a chart's axis)."""
    day = _calendar_day(value)
    return f"{day.day} {day:%b}"


def weekday_date(value: dt.date | dt.datetime | None) -> str:
    """'Friday 4 Dec 2026': a date someone has to act by, with its weekday."""
    if value is None:
        return ""
    day = _calendar_day(value)
    return f"{day:%A} {date(day)}"


def date_time(value: dt.datetime | None) -> str:
    """'4 Dec 2026, 14:05': a moment on the practice's clock."""
    if value is None:
        return ""
    moment = local(value)
    return f"{date(moment.date())}, {moment:%H:%M}"


def utc_stamp(moment: dt.datetime) -> str:
    """'2026-12-04 14:05 UTC': a moment in files made for other systems and people anywhere (exports)."""
    return f"{moment.astimezone(dt.timezone.utc):%Y-%m-%d %H:%M} UTC"


def clock(value: dt.datetime | None) -> str:
    """'14:05': a time of day on the practice's clock."""
    return f"{local(value):%H:%M}" if value else ""


def ago(moment: dt.datetime | None) -> str:
    """How long ago: 'just now', '5 minutes ago', '3 hours ago', else 'on Friday 4 Dec 2026'."""
    if moment is None:
        return ""
    minutes = int((dt.datetime.now(dt.timezone.utc) - moment).total_seconds() // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''} ago"
    if minutes < 24 * 60:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''} ago"
    return f"on {weekday_date(moment)}"


def saved_at(moment: dt.datetime | None) -> str:
    """'Saved at 21:14' today, else 'Saved on Friday 4 Dec 2026 at 21:14': the save status, in practice time."""
    if moment is None:
        return ""
    when = local(moment)
    if when.date() == today():
        return f"Saved at {when:%H:%M}"
    return f"Saved on {weekday_date(when)} at {when:%H:%M}"


def progress(answered: int, total: int, required_left: int) -> str:
    """'12 of 30 answered · 3 required left': how far along, and what still stands before sending."""
    left = "no required questions left" if required_left == 0 else f"{required_left} required left"
    return f"{answered} of {total} answered · {left}"


# --- assignments: status, what happened to them, flags ---------------------------------

# An assignment's status as the clinician reads it (pages, PDFs, exports).
STATUS = {
    AssignmentStatus.ASSIGNED: "Not started",
    AssignmentStatus.IN_PROGRESS: "In progress",
    AssignmentStatus.SUBMITTED: "Waiting for your review",
    AssignmentStatus.REVIEWED: "Reviewed",
    AssignmentStatus.CANCELLED: "Cancelled",
}
# ... and as the client reads it in the portal: their work, their therapist.
CLIENT_STATUS = {
    AssignmentStatus.ASSIGNED: "Not started",
    AssignmentStatus.IN_PROGRESS: "Started",
    AssignmentStatus.SUBMITTED: "Sent to your therapist",
    AssignmentStatus.REVIEWED: "Read by your therapist",
    AssignmentStatus.CANCELLED: "No longer needed",
}
# The verb of a status change: "Robin A. sent …", "assigned, started and sent 3 Mar 2026".
EVENT_VERB = {
    AssignmentEventKind.ASSIGNED: "assigned",
    AssignmentEventKind.STARTED: "started",
    AssignmentEventKind.SENT: "sent",
    AssignmentEventKind.REVIEWED: "reviewed",
    AssignmentEventKind.REOPENED: "reopened",
    AssignmentEventKind.CANCELLED: "cancelled",
}
# A flag level (the engine's FLAG_LEVELS) as a heading word, and a number of flags of that level.
FLAG_LEVEL = {"safety": "Safety", "attention": "Look at"}
FLAG_COUNT = {"safety": ("Safety flag", "{n} safety flags"), "attention": ("Flag to look at", "{n} flags to look at")}


def status(value: AssignmentStatus | str) -> str:
    """'Waiting for your review': an assignment's status in the clinician's words."""
    return STATUS[AssignmentStatus(value)]


def status_dated(value: AssignmentStatus | str, *, submitted_at: dt.datetime | None,
                 saved_at: dt.datetime | None) -> str:
    """'Sent 4 Dec 2026', 'Reviewed; sent 4 Dec 2026', 'In progress; last saved 3 Dec 2026':
    where a worksheet stands with the date that matters for it (printed beside its title). A client
    *sends* a worksheet, in every page, PDF and history line (EVENT_VERB, AUDIT): never "submits"."""
    value = AssignmentStatus(value)
    if value == AssignmentStatus.SUBMITTED and submitted_at:
        return f"Sent {date(submitted_at)}"
    if value == AssignmentStatus.REVIEWED and submitted_at:
        return f"Reviewed; sent {date(submitted_at)}"
    if value == AssignmentStatus.IN_PROGRESS and saved_at:
        return f"In progress; last saved {date(saved_at)}"
    return status(value)


def client_status(value: AssignmentStatus | str) -> str:
    """'Sent to your therapist': an assignment's status in the client's words."""
    return CLIENT_STATUS[AssignmentStatus(value)]


def event_verb(kind: AssignmentEventKind | str) -> str:
    return EVENT_VERB[AssignmentEventKind(kind)]


def flag_level(level: str) -> str:
    return FLAG_LEVEL[level]


def flag_count(level: str, count: int) -> str:
    """'Safety flag', '2 safety flags', 'Flag to look at'."""
    one, many = FLAG_COUNT[level]
    return one if count == 1 else many.format(n=count)


def waiting_count(count: int) -> str:
    """'3 waiting': how many sent copies of a repeating worksheet wait for review."""
    return f"{count} waiting"


def waiting_total(worksheets: int, copies: int) -> str:
    """'2 worksheets · 7 copies': what waits for review, when a repeating worksheet's sent copies
    share a line (the client list counts copies); else just the number, '3'."""
    if worksheets == copies:
        return str(copies)
    return f"{worksheets} worksheet{'s' if worksheets != 1 else ''} · {copies} copies"


def quoted(title: str) -> str:
    """A worksheet's name inside a sentence."""
    return f"“{title}”"


# --- the audit trail -----------------------------------------------------------------

# What each audit action did, after who did it. `{worksheet}` is the worksheet's name.
AUDIT = {
    AuditAction.SIGN_IN: "signed in",
    AuditAction.SIGN_IN_FAILED: "tried to sign in with a wrong password",
    AuditAction.SIGN_IN_PAUSED: "had sign-in paused after too many tries",
    AuditAction.SIGN_OUT: "signed out",
    AuditAction.PASSWORD_CHANGE: "changed their password",
    AuditAction.TWO_STEP_ON: "turned on two-step sign-in",
    AuditAction.TWO_STEP_OFF: "turned off two-step sign-in",
    AuditAction.TWO_STEP_REQUIRED: "required two-step sign-in for everyone",
    AuditAction.TWO_STEP_OPTIONAL: "made two-step sign-in optional",
    AuditAction.TWO_STEP_RESET: "reset two-step sign-in",
    AuditAction.UNLOCK: "unlocked sign-in",
    AuditAction.DASHBOARD_VIEW: "opened the dashboard",
    AuditAction.ARCHIVED_CLIENTS_VIEW: "opened the list of archived clients",
    AuditAction.CLIENT_CREATE: "added the client",
    AuditAction.CLIENT_VIEW: "opened the client's page",
    AuditAction.CLIENT_UPDATE: "changed the client's details",
    AuditAction.CLIENT_ARCHIVE: "archived the client",
    AuditAction.CLIENT_UNARCHIVE: "restored the client to the lists",
    AuditAction.AGENDA_UPDATE: "changed the agenda for the next session",
    AuditAction.AUDIT_VIEW: "opened this history",
    AuditAction.CLIENT_EXPORTED: "downloaded all of the client's data",
    AuditAction.ERASE_FORM_VIEW: "opened the form that erases the client's data",
    AuditAction.CLIENT_ERASED: "erased the client's data",
    AuditAction.ASSIGNMENT_CREATE: "assigned {worksheet}",
    AuditAction.ASSIGNMENT_VIEW: "opened {worksheet}",
    AuditAction.ASSIGNMENT_REVIEW: "marked {worksheet} as reviewed",
    AuditAction.ASSIGNMENT_REOPEN: "reopened {worksheet} for the client",
    AuditAction.ASSIGNMENT_CANCEL: "cancelled {worksheet}",
    AuditAction.SERIES_STOP: "stopped {worksheet} repeating",
    AuditAction.COMMENT_CREATE: "commented on {worksheet}",
    AuditAction.RESPONSE_VIEWED: "opened {worksheet}",
    AuditAction.RESPONSE_SAVED: "saved answers to {worksheet}",
    AuditAction.RESPONSE_SUBMITTED: "sent {worksheet}",
    AuditAction.PORTAL_SIGNED_IN: "opened their link",
    AuditAction.PORTAL_HOME_VIEW: "opened their list of worksheets",
    AuditAction.PORTAL_LEFT: "left, ending their session",
    AuditAction.LINK_CREATED: "made a new link for the client",
    AuditAction.LINK_REVOKED: "turned off the client's link",
    AuditAction.EMAIL_SENT: "emailed the client",
    AuditAction.EMAIL_FAILED: "could not email the client",
    AuditAction.EMAIL_UNSUBSCRIBED: "unsubscribed from emails",
    AuditAction.PDF_WORKSHEET_DOWNLOADED: "downloaded the PDF of {worksheet}",
    AuditAction.PDF_BLANK_DOWNLOADED: "downloaded a blank worksheet",
    AuditAction.PDF_PACKET_DOWNLOADED: "downloaded the packet",
    AuditAction.PACKET_FORM_VIEW: "opened the packet form",
    AuditAction.FHIR_WORKSHEET_EXPORTED: "exported {worksheet} for another system (FHIR)",
    AuditAction.FHIR_CLIENT_EXPORTED: "exported the client's worksheets for another system (FHIR)",
}
# ... and in more words when the event's detail holds what they need (older events may not).
AUDIT_DETAILED = {
    AuditAction.PDF_PACKET_DOWNLOADED: "downloaded the packet for the session on {session_date} ({paper})",
}
# Paper sizes a PDF is made in: the CSS page size (stored in forms, config and the audit trail) → its name.
PAPER = {"A4": "A4", "letter": "US Letter"}
# An action the trail holds but this version no longer names.
AUDIT_UNKNOWN = "changed the client's records"
SYSTEM_ACTOR = "Groundwork"


def audit_actor(actor_type: AuditActor | str, *, yours: bool, clinician_name: str | None,
                client_name: str) -> str:
    """Who did it: 'You', another clinician by name ('Dr Lee'), the client by name, or Groundwork."""
    if actor_type == AuditActor.CLINICIAN:
        return "You" if yours else clinician_name or "Another clinician"
    if actor_type == AuditActor.CLIENT:
        return client_name
    return SYSTEM_ACTOR


def audit_sentence(actor: str, action: str, worksheet: str | None, detail: dict | None = None) -> str:
    """'You downloaded the packet for the session on 10 Mar 2026 (A4)', 'Robin A. saved answers to
    “Weekly check-in”': what happened, with what the event's detail records where it says more."""
    try:
        known = AuditAction(action)
    except ValueError:
        return f"{actor} {AUDIT_UNKNOWN}"
    what = AUDIT[known].format(worksheet=quoted(worksheet) if worksheet else "a worksheet")
    return f"{actor} {_audit_detailed(known, detail or {}) or what}"


def _audit_detailed(action: AuditAction, detail: dict) -> str | None:
    """The longer sentence for an action, if the detail holds a readable session date and paper."""
    if action not in AUDIT_DETAILED:
        return None
    try:
        session = dt.date.fromisoformat(str(detail["session_date"]))
        paper = PAPER[detail["paper"]]
    except (KeyError, TypeError, ValueError):
        return None
    return AUDIT_DETAILED[action].format(session_date=date(session), paper=paper)


def figure_text(value: float | None) -> str:
    """A charted number in a trend's table, or 'not answered' where that submission has none."""
    return "not answered" if value is None else str(value)


FILTERS = {"date": date, "weekday_date": weekday_date, "date_time": date_time, "clock": clock, "ago": ago,
           "saved_at": saved_at, "status_words": status, "client_status": client_status, "event_verb": event_verb,
           "flag_level_words": flag_level, "quoted": quoted, "figure_text": figure_text}


def init_app(app: Flask) -> None:
    app.config["TIMEZONE"] = zone_name_setting(app.config.get("TIMEZONE"))
    app.jinja_env.filters.update(FILTERS)
    app.jinja_env.globals.update(flag_count=flag_count, waiting_count=waiting_count, waiting_total=waiting_total)
    app.jinja_env.globals["practice_zone_name"] = lambda: zone_label(app.config["TIMEZONE"])
