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
from clinic.models import Client, Clinician, utcnow
from clinic.portal.services import issue_link
from clinic.worksheets import Definition
from clinic.worksheets.schema import MultiChoice, Scale

DEMO_EMAIL = "demo@groundwork.test"
DEMO_PASSWORD = "calm harbour lantern"

# A realistic, fictional set of answers to the partner-source checklist.
PARTNER_SOURCE_ANSWERS = {
    "hot-cold": "often",
    "hot-cold-example": "Last weekend he was affectionate on Saturday, then barely spoke to me on Sunday. "
                        "When I asked, he said I was imagining it.",
    "lying": "rarely",
    "infidelity": "never",
    "dismissing": "sometimes",
    "dismissing-example": "When I said I felt left out at his work party he said I was being too sensitive.",
    "mixed-signals": "often",
    "mixed-signals-example": "He talks about moving in together, then says he is not sure about next year.",
    "uses-vulnerability": "sometimes",
    "uses-vulnerability-example": "In an argument he brought up what I had told him about my dad leaving.",
    "disappointments": "sometimes",
    "outsider-concern": "yes",
    "outsider-concern-why": "My sister noticed the hot and cold too, and she is not an anxious person.",
    "partner-response": "dismisses",
    "insecurity-began": "after-change",
    "began-what-changed": "It started about six months ago, after he changed jobs and started staying out late.",
    "other-partners": "no",
}

# The demo client's repeating worksheet: six weeks of it already sent, so trends show at once.
CHECK_IN = "weekly-check-in"
CHECK_IN_WEEKS = 6

ORIGINS_DRAFT_ANSWERS = {
    "caregiving-resonance": 3,
    "caregiving-memory": "Mum was loving some days and very far away on others; I never knew which it would be.",
    "betrayal-resonance": 1,
}


def seed() -> str:
    """Create the demo data and return a working client link for the first client."""
    clinician = create_account(DEMO_EMAIL, DEMO_PASSWORD, name="Dr Sam Rivera")
    robin = Client(clinician=clinician, display_name="Robin A.", notes="Referred by GP. Prefers evening sessions.",
                   agenda="Ask about the job change and the late nights.", agenda_updated_at=utcnow())
    jordan = Client(clinician=clinician, display_name="J. K.")
    db.session.add_all([robin, jordan])
    actor = f"clinician:{DEMO_EMAIL}"
    library = current_app.extensions["worksheets"]
    due = words.today() + dt.timedelta(days=7)
    if CHECK_IN in library:  # sent before this week's copy is assigned below
        send_weekly(robin, library[CHECK_IN], CHECK_IN_WEEKS, actor=actor)
    by_id = {}
    for worksheet_id in library:
        by_id[worksheet_id] = assign(robin, worksheet_id, due_date=due,
                                     note="Take your time; there are no right answers.", actor=actor)
        assign(jordan, worksheet_id, due_date=due, actor=actor)

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


def send_weekly(client: Client, definition: Definition, weeks: int, *, actor: str) -> None:
    """`weeks` copies of a worksheet, sent a week apart up to two days ago, with every rating
    and choice answered and moving from week to week (read from the definition)."""
    last_sent = utcnow() - dt.timedelta(days=2)
    for week in range(weeks):
        assignment = assign(client, definition.id, actor=actor)
        assignment.response.answers = week_answers(definition, week)
        assignment.response.version = 1
        transition(assignment, "in_progress", actor="client")
        transition(assignment, "submitted", actor="client")
        sent_at = last_sent - dt.timedelta(weeks=weeks - 1 - week)
        assignment.created_at = sent_at - dt.timedelta(days=3)
        assignment.status_changed_at = assignment.response.saved_at = assignment.response.submitted_at = sent_at
        for event in assignment.events:
            event.at = sent_at
        db.session.flush()


def week_answers(definition: Definition, week: int) -> dict:
    """One week's answers: ratings easing off with a wobble, choices taking turns."""
    answers: dict = {}
    for position, item in enumerate(definition.items):
        if isinstance(item, Scale):
            span = item.max - item.min
            answers[item.id] = max(item.min, item.max - round(span * (0.2 + 0.1 * week)) - (week + position) % 2)
        elif item.choices:
            value = item.choices[(week + position) % len(item.choices)][0]
            answers[item.id] = [value] if isinstance(item, MultiChoice) else value
    return answers


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
