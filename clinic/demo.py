"""Demo data for trying Groundwork: a clinician, two clients, every worksheet assigned."""

from __future__ import annotations

import datetime as dt
import os

from flask import current_app, url_for
from sqlalchemy import select

from clinic import words
from clinic.assignments.services import assign, transition
from clinic.auth.services import create_account
from clinic.extensions import db
from clinic.models import AssignmentSeries, Client, Clinician, utcnow
from clinic.portal.services import issue_link

DEMO_EMAIL = "demo@groundwork.test"
DEMO_PASSWORD = "calm harbour lantern"

# A realistic, fictional set of answers to the partner-source checklist.
PARTNER_SOURCE_ANSWERS = {
    "afraid": "no",
    "checks-phone": "sometimes",
    "controls-people": "no",
    "controls-money": "no",
    "threats": "no",
    "pushes-hits": "no",
    "forced-sex": "no",
    "uses-confided": "sometimes",
    "hot-cold": "know",
    "hot-cold-example": "Last weekend he was affectionate on Saturday, then barely spoke to me on Sunday. "
                        "When I asked, he said I was imagining it.",
    "lying": "suspect",
    "dismissing": "know",
    "dismissing-example": "When I said I felt left out at his work party he said I was being too sensitive.",
    "mixed-signals": "know",
    "mixed-signals-example": "He talks about moving in together, then says he is not sure about next year.",
    "disappointments": "suspect",
    "infidelity": "no",
    "relief-fades": "rarely",
    "ordinary-triggers": "sometimes",
    "stays-when-steady": "never",
    "good-times": "rarely",
    "not-enough": "sometimes",
    "bigger-than-event": "rarely",
    "outside-situation": "He came home at two in the morning and would not say where he had been.",
    "outsider-concern": "yes",
    "outsider-concern-why": "My sister noticed the hot and cold too, and she is not an anxious person.",
    "partner-response": "dismisses",
    "insecurity-began": "after-change",
    "began-what-changed": "It started about six months ago, after he changed jobs and started staying out late.",
    "other-partners": "no",
}

# Six weeks of the weekly check-in, already sent (oldest first), so trends show at once:
# slowly feeling more secure, worrying and checking less, with a wobble in week three.
CHECK_IN = "weekly-check-in"
CHECK_IN_ANSWERS = [
    {"felt-secure": 3, "worried": 8, "acted-on-urges": 7, "felt-close": 5, "goal-progress": "not-yet",
     "week-note": "He went quiet after the party and I checked his phone twice."},
    {"felt-secure": 4, "worried": 7, "acted-on-urges": 6, "felt-close": 5, "goal-progress": "some",
     "week-note": "I waited an hour before texting again. It was hard."},
    {"felt-secure": 3, "worried": 8, "acted-on-urges": 6, "felt-close": 4, "goal-progress": "some",
     "week-note": "A bad week: he cancelled on Friday and the old fear came back."},
    {"felt-secure": 5, "worried": 6, "acted-on-urges": 4, "felt-close": 6, "goal-progress": "on-track",
     "week-note": "Went to the painting class on my own and enjoyed it."},
    {"felt-secure": 6, "worried": 5, "acted-on-urges": 3, "felt-close": 6, "goal-progress": "some",
     "week-note": "Told him I felt uneasy instead of asking if we were okay."},
    {"felt-secure": 6, "worried": 4, "acted-on-urges": 2, "felt-close": 7, "goal-progress": "on-track",
     "week-note": "Calmer. I want to talk about what happens when he goes quiet."},
]

ORIGINS_DRAFT_ANSWERS = {
    "caregiving-resonance": 3,
    "caregiving-memory": "Mum was loving some days and very far away on others; I never knew which it would be.",
    "betrayal-resonance": 1,
}


def seed() -> str:
    """Create the demo data and return a working client link for the first client."""
    clinician = create_account(DEMO_EMAIL, DEMO_PASSWORD, name="Dr Sam Rivera")
    robin = Client(clinician=clinician, display_name="Robin A.", notes="Referred by GP. Prefers evening sessions.",
                   agenda="Ask about the job change and the late nights.", agenda_updated_at=utcnow(),
                   email="robin@example.test", email_consent=True)
    jordan = Client(clinician=clinician, display_name="J. K.")
    db.session.add_all([robin, jordan])
    actor = f"clinician:{DEMO_EMAIL}"
    library = current_app.extensions["worksheets"]
    due = words.today() + dt.timedelta(days=7)
    if CHECK_IN in library:  # sent before this week's copy is assigned below
        send_weekly(robin, CHECK_IN, CHECK_IN_ANSWERS, actor=actor)
    by_id = {}
    for worksheet_id in library:
        by_id[worksheet_id] = assign(robin, worksheet_id, due_date=due,
                                     note="Take your time; there are no right answers.", actor=actor)
        assign(jordan, worksheet_id, due_date=due, actor=actor)

    if CHECK_IN in library:
        as_weekly_series(robin, CHECK_IN, due)

    checklist = by_id["partner-source-checklist"]
    checklist.response.answers = dict(PARTNER_SOURCE_ANSWERS)
    checklist.response.version = 3
    checklist.response.saved_at = utcnow()
    transition(checklist, "in_progress", actor="client")
    transition(checklist, "submitted", actor="client")

    origins = by_id["origins-mapping"]
    origins.response.answers = dict(ORIGINS_DRAFT_ANSWERS)
    origins.response.version = 1
    origins.response.saved_at = utcnow()
    transition(origins, "in_progress", actor="client")

    _, token = issue_link(robin)
    db.session.commit()
    return link_url(token)


def send_weekly(client: Client, worksheet_id: str, weekly_answers: list[dict], *, actor: str) -> None:
    """A copy of the worksheet for each set of answers, sent a week apart up to two days ago."""
    last_sent = utcnow() - dt.timedelta(days=2)
    for week, answers in enumerate(weekly_answers):
        assignment = assign(client, worksheet_id, actor=actor)
        assignment.response.answers = dict(answers)
        assignment.response.version = 1
        transition(assignment, "in_progress", actor="client")
        transition(assignment, "submitted", actor="client")
        sent_at = last_sent - dt.timedelta(weeks=len(weekly_answers) - 1 - week)
        assignment.created_at = sent_at - dt.timedelta(days=3)
        assignment.status_changed_at = assignment.submitted_at = assignment.response.saved_at = sent_at
        for event in assignment.events:
            event.at = sent_at
        db.session.flush()


def as_weekly_series(client: Client, worksheet_id: str, due: dt.date) -> None:
    """The client's copies of a worksheet so far, oldest first, as one weekly series of twelve."""
    copies = sorted((a for a in client.assignments if a.worksheet_id == worksheet_id), key=lambda a: a.created_at)
    series = AssignmentSeries(client=client, worksheet_id=worksheet_id, every_weeks=1, times=12,
                              first_due_date=due - dt.timedelta(weeks=len(copies) - 1))
    for position, assignment in enumerate(copies, start=1):
        assignment.series, assignment.series_position = series, position


def fresh_link() -> str:
    """A new link for the demo clinician's first client."""
    robin = db.session.scalar(
        select(Client).join(Client.clinician).where(Clinician.email == DEMO_EMAIL).order_by(Client.id)
    )
    _, token = issue_link(robin)
    db.session.commit()
    return link_url(token)


def link_url(token: str) -> str:
    port = os.environ.get("PORT", "5000")
    with current_app.test_request_context(base_url=f"http://127.0.0.1:{port}"):
        return url_for("portal.landing", token=token, _external=True)
