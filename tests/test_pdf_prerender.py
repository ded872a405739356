"""Packets ready before they are asked for: a submission, comment or agenda change queues a render
of the worksheet PDF and the client's packet, so the clinician's first download comes from the
cache; asked before the queue ran, or after a later change, it is rendered then (never stale)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

import clinic.pdf.services
from clinic.assignments.services import definition_of
from clinic.extensions import db
from clinic.models import AuditEvent, PdfCacheEntry, utcnow
from clinic.pdf.services import default_packet_options, packet_pdf
from tests.support.form_fields import as_form_fields
from tests.support.pdf_text import all_text
from tests.support.portal import new_link, open_link
from tests.support.posting import csrf_token, post_form
from tests.support.queues import run_queue
from tests.support.samples import sample_answers

WORKSHEET = "partner-source-checklist"


@pytest.fixture
def robin(make, clinician):
    return make.client(clinician, display_name="Robin A.", agenda="Ask about the late nights.")


def submit_in_portal(app, robin, assignment) -> None:
    portal = app.test_client()
    open_link(portal, new_link(robin))
    answers = sample_answers(WORKSHEET)
    payload = MultiDict(as_form_fields(definition_of(assignment), answers))
    payload.update({"csrf_token": csrf_token(portal, "/portal"), "version": "0", "action": "submit"})
    response = portal.post(f"/portal/worksheets/{assignment.id}/send", data=payload)
    assert response.status_code == 302, response.get_data(as_text=True)


def download_packet(browser, robin, token: str | None = None):
    """The packet with the form's defaults, as the clinician's first click makes it."""
    form = default_packet_options(robin)
    data = {"packet-session_date": form.session_date.isoformat(), "packet-changes_since": "last-packet",
            "packet-paper": form.paper, "packet-assignments": [str(i) for i in form.assignment_ids],
            "csrf_token": token or csrf_token(browser, f"/clients/{robin.id}")}
    response = browser.post(f"/clients/{robin.id}/packet", data=data)
    assert response.mimetype == "application/pdf"
    return response


def last_download(action: str) -> AuditEvent:
    db.session.expire_all()
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id.desc())).first()


def test_the_first_download_after_a_submission_comes_from_the_cache(app, signed_in, make, robin):
    assignment = make.assignment(robin, WORKSHEET)
    submit_in_portal(app, robin, assignment)
    assert run_queue(app) == 1  # the background render

    packet = download_packet(signed_in, robin)
    assert last_download("pdf_packet_downloaded").detail["rendered"] is False
    text = all_text(packet.data)
    assert "Robin A." in text and "Ask about the late nights." in text

    signed_in.get(f"/assignments/{assignment.id}/pdf")
    assert last_download("pdf_worksheet_downloaded").detail["rendered"] is False


def test_asked_before_the_background_render_it_is_rendered_then(app, signed_in, make, robin):
    assignment = make.assignment(robin, WORKSHEET)
    submit_in_portal(app, robin, assignment)
    download_packet(signed_in, robin)  # the queue has not run
    assert last_download("pdf_packet_downloaded").detail["rendered"] is True
    run_queue(app)  # the render that comes late finds the packet made and changes nothing
    download_packet(signed_in, robin)
    assert last_download("pdf_packet_downloaded").detail["rendered"] is False


def test_a_change_after_the_background_render_is_never_served_stale(app, signed_in, make, robin):
    assignment = make.assignment(robin, WORKSHEET, status="submitted", answers=sample_answers(WORKSHEET))
    post_form(signed_in, f"/clients/{robin.id}/agenda", {"agenda": "First agenda."}, token_from=f"/clients/{robin.id}")
    run_queue(app)
    post_form(signed_in, f"/assignments/{assignment.id}/comments",
              {"comment-whole_response-body": "Notice the pattern at weekends."},
              token_from=f"/assignments/{assignment.id}")
    packet = download_packet(signed_in, robin)  # before the queue renders the commented packet
    assert last_download("pdf_packet_downloaded").detail["rendered"] is True
    assert "Notice the pattern at weekends." in all_text(packet.data)

    post_form(signed_in, f"/clients/{robin.id}/agenda", {"agenda": "A new agenda."}, token_from=f"/clients/{robin.id}")
    run_queue(app)
    packet = download_packet(signed_in, robin)
    assert last_download("pdf_packet_downloaded").detail["rendered"] is False
    assert "A new agenda." in all_text(packet.data) and "First agenda." not in all_text(packet.data)


def test_a_packet_made_yesterday_for_a_coming_session_is_still_served_today(app, clinician, make, robin, monkeypatch):
    make.assignment(robin, WORKSHEET, status="submitted", answers=sample_answers(WORKSHEET))
    session = replace(default_packet_options(robin), session_date=utcnow().date() + dt.timedelta(days=2))
    assert packet_pdf(robin, clinician, session)[1] is True
    db.session.commit()
    tomorrow = utcnow() + dt.timedelta(days=1)
    monkeypatch.setattr(clinic.pdf.services, "utcnow", lambda: tomorrow)
    assert packet_pdf(robin, clinician, session)[1] is False


def test_checking_the_cache_does_not_build_the_packet(app, signed_in, make, robin, count_queries):
    """A cached packet costs the same few queries for 3 worksheets or 30 (no packet is built to find the key)."""
    def queries_for_a_cached_packet() -> int:
        download_packet(signed_in, robin)
        token = csrf_token(signed_in, "/")
        with count_queries() as counter:
            download_packet(signed_in, robin, token)
        assert last_download("pdf_packet_downloaded").detail["rendered"] is False
        return counter.count

    for worksheet_id in ("origins-mapping", "partner-source-checklist", "security-building-plan"):
        make.assignment(robin, worksheet_id, status="reviewed", answers=sample_answers(worksheet_id))
    few = queries_for_a_cached_packet()
    for _ in range(9):
        for worksheet_id in ("origins-mapping", "partner-source-checklist", "security-building-plan"):
            make.assignment(robin, worksheet_id, status="reviewed", answers=sample_answers(worksheet_id))
    assert queries_for_a_cached_packet() == few
    assert db.session.scalar(select(PdfCacheEntry.key).limit(1))
