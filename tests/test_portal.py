"""The client portal: signing in by link, the session, the home page, and who may see what."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from clinic import words
from clinic.extensions import db
from clinic.models import AuditEvent
from tests.support.portal import new_link, open_link, stored
from tests.support.posting import csrf_token, post_form

CRISIS_NOTE = "If you are in danger or thinking of harming yourself, contact your local emergency number"


@pytest.fixture
def portal(client, robin) -> FlaskClient:
    """A test client signed in to the portal as Robin."""
    response = open_link(client, new_link(robin))
    assert response.status_code == 302
    return client


@pytest.fixture
def someone_else(make, clinician):
    """Another client (same clinician) and a client of another clinician, each with a worksheet."""
    sibling = make.client(clinician, display_name="Sam B.")
    stranger = make.client(make.clinician(), display_name="Kit C.")
    return [make.assignment(sibling, "origins-mapping"), make.assignment(stranger, "origins-mapping")]


# --- the session ---------------------------------------------------------------------------


def test_the_portal_needs_a_link_first(client):
    response = client.get("/portal")
    assert response.status_code == 401
    assert "Please open your link" in response.get_data(as_text=True)


def test_a_client_is_signed_out_after_the_idle_period(portal, app):
    assert portal.get("/portal").status_code == 200
    with portal.session_transaction() as session:
        session["portal_seen_at"] -= app.config["PORTAL_IDLE_MINUTES"] * 60 + 1
    response = portal.get("/portal")
    assert response.status_code == 401
    assert "signed out after a while without activity" in response.get_data(as_text=True)
    assert portal.get("/portal").status_code == 401  # the session is gone, not just refused once


def test_activity_keeps_the_session_alive(portal, app):
    with portal.session_transaction() as session:
        session["portal_seen_at"] -= app.config["PORTAL_IDLE_MINUTES"] * 60 - 60
    assert portal.get("/portal").status_code == 200
    with portal.session_transaction() as session:
        assert time.time() - session["portal_seen_at"] < 60


def test_the_idle_period_is_configurable(portal, app):
    app.config["PORTAL_IDLE_MINUTES"] = 5
    with portal.session_transaction() as session:
        session["portal_seen_at"] -= 6 * 60
    assert portal.get("/portal").status_code == 401


def test_leave_ends_the_session(portal):
    response = post_form(portal, "/portal/leave", token_from="/portal")
    assert response.status_code == 200
    assert "You have left" in response.get_data(as_text=True)
    assert portal.get("/portal").status_code == 401


def test_a_clinician_session_does_not_open_the_portal(signed_in):
    assert signed_in.get("/portal").status_code == 401


def test_portal_requests_are_audited_as_the_client(portal, robin):
    portal.get("/portal")
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "portal.home_viewed")).one()
    assert (event.actor_type, event.actor_id, event.client_id) == ("client", robin.id, robin.id)


# --- the home page -------------------------------------------------------------------------


def test_home_lists_the_clients_worksheets_with_status_due_date_and_note(portal, make, robin):
    make.assignment(robin, "origins-mapping", due_date=dt.date(2031, 3, 7), note="Start <em>small</em>.")
    make.assignment(robin, "partner-source-checklist", status="submitted")
    make.assignment(robin, "security-building-plan", status="cancelled")
    page = portal.get("/portal").get_data(as_text=True)
    to_do, done = page.split("<h2>Done</h2>")
    assert "Where does your insecurity come from?" in to_do and "Not started" in to_do
    assert "Friday 7 Mar 2031" in to_do
    assert "Start &lt;em&gt;small&lt;/em&gt;." in to_do
    assert "Is it me, or is it the relationship?" in done and "Sent to your therapist" in done
    assert "Building security that lasts" not in page  # cancelled work is not the client's concern
    assert "Only you and your therapist can see your answers" in page


def test_home_lists_worksheets_by_due_date_then_as_assigned_with_links_that_say_what_they_open(portal, make, robin):
    undated = make.assignment(robin, "weekly-check-in")
    later = make.assignment(robin, "origins-mapping", due_date=dt.date(2031, 5, 1))
    first_assigned = make.assignment(robin, "jealousy", due_date=dt.date(2031, 3, 7))
    second_assigned = make.assignment(robin, "partner-source-checklist", due_date=dt.date(2031, 3, 7))
    started = make.assignment(robin, "security-building-plan", status="in_progress")
    sent = make.assignment(robin, "behaviour-log", status="submitted")
    page = portal.get("/portal").get_data(as_text=True)
    links = re.findall(r'<a class="button[^"]*" href="/portal/worksheets/(\d+)">(.*?)</a>', page)
    assert [int(assignment_id) for assignment_id, _ in links] == [
        first_assigned.id, second_assigned.id, later.id, undated.id, started.id, sent.id]
    texts = [re.sub(r"<[^>]*>", "", text) for _, text in links]  # as a screen reader reads them
    assert texts[0] == f"Start: {first_assigned.title}" and texts[4] == f"Continue: {started.title}"
    assert texts[5] == f"View: {sent.title}, sent {words.date(stored(sent).assignment.submitted_at)}"
    assert not any(text.strip() in ("Start", "Continue", "View") for text in texts)


def test_home_shows_no_one_elses_worksheets(portal, someone_else):
    page = portal.get("/portal").get_data(as_text=True)
    assert "Nothing to do right now" in page
    assert "Where does your insecurity come from?" not in page


# --- every portal page carries the crisis note -----------------------------------------------


def test_every_portal_page_has_the_crisis_note_and_the_configured_line(client, make, robin, app):
    token = new_link(robin)
    open_assignment = make.assignment(robin, "origins-mapping")
    sent = make.assignment(robin, "partner-source-checklist", status="submitted")
    pages = [client.get(f"/p/{token}"), client.get("/p/not-a-real-link"), client.get("/portal")]
    open_link(client, token)
    pages += [client.get("/portal"), client.get(f"/portal/worksheets/{open_assignment.id}"),
              client.get(f"/portal/worksheets/{sent.id}"), client.get("/portal/worksheets/999999")]
    pages.append(post_form(client, "/portal/leave", token_from="/portal"))
    for response in pages:
        text = response.get_data(as_text=True)
        assert CRISIS_NOTE in text, response.request.path
        assert app.config["CRISIS_LINE"] in text
        assert 'class="portal"' in text and ">Dashboard<" not in text  # no clinician navigation


def test_without_a_crisis_line_configured_the_standard_note_stands_alone(portal, app):
    app.config["CRISIS_LINE"] = ""
    text = portal.get("/portal").get_data(as_text=True)
    assert CRISIS_NOTE in text and "crisis-note__line" not in text


# --- a client reaches only their own worksheets ----------------------------------------------


PORTAL_ROUTES = [
    ("GET", "/portal/worksheets/{id}"),
    ("POST", "/portal/worksheets/{id}"),
    ("POST", "/portal/worksheets/{id}/save"),
    ("GET", "/portal/worksheets/{id}/check"),
    ("GET", "/portal/worksheets/{id}/send"),
    ("POST", "/portal/worksheets/{id}/send"),
    ("GET", "/portal/worksheets/{id}/rows/goals/0/remove"),
    ("POST", "/portal/worksheets/{id}/rows/goals/0/remove"),
]


@pytest.mark.parametrize(("method", "path"), PORTAL_ROUTES)
@pytest.mark.parametrize("whose", ["same clinician's other client", "another clinician's client"])
def test_another_clients_worksheet_is_not_found_on_every_route(portal, someone_else, method, path, whose):
    target = someone_else[0 if whose.startswith("same") else 1]
    url = path.format(id=target.id)
    token = csrf_token(portal, "/portal")
    response = portal.open(url, method=method, data={"csrf_token": token, "version": "0", "action": "save"})
    assert response.status_code == 404
    assert "We could not find that page" in response.get_data(as_text=True)
    db.session.refresh(target.response)
    assert target.response.version == 0 and target.status == "assigned"


@pytest.mark.parametrize(("method", "path"), PORTAL_ROUTES)
def test_a_cancelled_or_missing_worksheet_is_not_found(portal, make, robin, method, path):
    cancelled = make.assignment(robin, "origins-mapping", status="cancelled")
    token = csrf_token(portal, "/portal")
    for assignment_id in (cancelled.id, 987654):
        response = portal.open(path.format(id=assignment_id), method=method,
                               data={"csrf_token": token, "version": "0"})
        assert response.status_code == 404


@pytest.mark.parametrize(("method", "path"), [("GET", "/portal"), *PORTAL_ROUTES])
def test_every_portal_route_needs_a_client_session(client, make, robin, method, path):
    assignment = make.assignment(robin, "origins-mapping")
    response = client.open(path.format(id=assignment.id), method=method,
                           data={"csrf_token": csrf_token(client, "/login"), "version": "0"})
    assert response.status_code == 401
    db.session.refresh(assignment.response)
    assert assignment.response.version == 0


def test_sent_worksheets_are_shown_the_latest_first_a_page_at_a_time(portal, make, robin, app):
    app.config["PER_PAGE"] = 2
    sent = [make.assignment(robin, worksheet_id, status="submitted")
            for worksheet_id in ("origins-mapping", "partner-source-checklist", "security-building-plan")]
    make.assignment(robin, "origins-mapping")
    first = portal.get("/portal").get_data(as_text=True)
    assert "Page 1 of 2" in first and first.count(">View: ") == 2
    assert first.index(f"/portal/worksheets/{sent[2].id}") < first.index(f"/portal/worksheets/{sent[1].id}")
    assert f"/portal/worksheets/{sent[0].id}" not in first
    assert 'href="/portal?done=2#done"' in first
    second = portal.get("/portal?done=2").get_data(as_text=True)
    assert f"/portal/worksheets/{sent[0].id}" in second and second.count(">View: ") == 1
    assert ">Start: Where does your insecurity come from?<" in second  # the worksheet to do stays on every page


def test_sent_copies_of_one_worksheet_have_links_told_apart_by_their_date(portal, make, robin):
    """Six weekly check-ins must not be six identical "View: Your weekly check-in" links."""
    older = make.assignment(robin, "weekly-check-in", status="submitted")
    older.submitted_at -= dt.timedelta(days=7)
    db.session.commit()
    newer = make.assignment(robin, "weekly-check-in", status="submitted")
    page = portal.get("/portal").get_data(as_text=True)
    texts = {int(assignment_id): re.sub(r"<[^>]*>", "", text) for assignment_id, text in
             re.findall(r'<a class="button[^"]*" href="/portal/worksheets/(\d+)">(.*?)</a>', page)}
    assert texts[older.id] != texts[newer.id]
    assert texts[older.id] == f"View: Your weekly check-in, sent {words.date(stored(older).assignment.submitted_at)}"
