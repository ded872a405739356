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
