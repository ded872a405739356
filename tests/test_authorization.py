"""Every clinician route: signed-out visitors are sent to sign in, another clinician's objects
are a 404, and no state-changing route acts on a request without a valid CSRF token.

The routes are read from the app's URL map, so a route added tomorrow is covered
without touching this file (and fails here if it forgets to check its owner).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import select

from clinic import create_app
from clinic.extensions import db
from clinic.portal.services import issue_link
from tests.support.apps import base_config
from tests.support.posting import csrf_token, login

# The client's side of the portal authorizes by its own session, not by a clinician's.
CLIENT_SIDE = ("/p/", "/portal")
PUBLIC_ENDPOINTS = {"static", "favicon", "auth.login"}
OWNED_ARGUMENTS = {"client_id", "assignment_id", "link_id"}
STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
ARGUMENT = re.compile(r"<(?:[^:>]+:)?([^>]+)>")


def _url_map() -> list[tuple[str, str, str, frozenset[str]]]:
    """(method, rule, endpoint, arguments) for every route the app serves."""
    app = create_app(base_config("sqlite://", Path(tempfile.gettempdir())))
    return sorted((method, rule.rule, rule.endpoint, frozenset(rule.arguments))
                  for rule in app.url_map.iter_rules()
                  for method in rule.methods - {"HEAD", "OPTIONS"})


ROUTES = _url_map()
CLINICIAN_ROUTES = [route for route in ROUTES
                    if route[2] not in PUBLIC_ENDPOINTS and not route[1].startswith(CLIENT_SIDE)]
OWNED_ROUTES = [route for route in CLINICIAN_ROUTES if route[3] & OWNED_ARGUMENTS]
CHANGING_ROUTES = [route for route in ROUTES if route[0] in STATE_CHANGING]


def route_id(route) -> str:
    return f"{route[0]} {route[1]}"


def test_the_url_map_gives_these_tests_every_workspace_route():
    owned = {route[2] for route in OWNED_ROUTES}
    assert {"clients.detail", "clients.edit", "clients.archive", "clients.unarchive", "clients.agenda",
            "clients.audit", "assignments.assign", "assignments.review", "assignments.comment",
            "assignments.mark_reviewed", "assignments.reopen_for_client", "assignments.cancel"} <= owned
    assert {"auth.logout", "auth.change_password", "clients.new"} <= {route[2] for route in CHANGING_ROUTES}


@pytest.fixture
def objects(make, clinician):
    """A client of `clinician` with a sent worksheet and a link: the objects every route is tried on."""
    record = make.client(clinician, display_name="Robin A.")
    assignment = make.assignment(record, "partner-source-checklist", status="submitted", answers={"hot-cold": "often"})
    link, token = issue_link(record)
    db.session.commit()
    return {"client_id": record.id, "assignment_id": assignment.id, "link_id": link.id, "token": token,
            "section_id": "partner-behaviour", "worksheet_id": "origins-mapping", "group_id": "goals", "row": 0}


def path_of(rule: str, values: dict) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1)
        assert name in values, f"{rule}: teach test_authorization.py a value for <{name}>"
        return str(values[name])

    return ARGUMENT.sub(value, rule)


def everything_stored() -> dict[str, list]:
    """Every row of every table, to show a refused request changed nothing."""
    db.session.expire_all()
    return {table.name: [tuple(row) for row in db.session.execute(select(table).order_by(*table.primary_key))]
            for table in db.metadata.sorted_tables}


PLAUSIBLE_FORM = {"display_name": "Changed", "notes": "Changed", "agenda": "Changed", "worksheets": "origins-mapping",
                  "comment-whole_response-body": "Changed", "comment-partner-behaviour-body": "Changed",
                  "days": "30", "session_date": "2030-01-01"}


@pytest.mark.parametrize("route", OWNED_ROUTES, ids=route_id)
def test_another_clinicians_objects_are_a_404_and_stay_untouched(app, make, objects, route):
    method, rule, _, _ = route
    intruder = app.test_client()
    login(intruder, make.clinician(email="intruder@example.test"))
    token = csrf_token(intruder, "/")
    before = everything_stored()
    response = intruder.open(path_of(rule, objects), method=method, data={**PLAUSIBLE_FORM, "csrf_token": token})
    assert response.status_code == 404
    assert "We could not find that page" in response.get_data(as_text=True)
    assert everything_stored() == before


@pytest.mark.parametrize("route", CLINICIAN_ROUTES, ids=route_id)
def test_a_signed_out_visitor_is_sent_to_sign_in(client, objects, route):
    method, rule, _, _ = route
    token = csrf_token(client, "/login")
    response = client.open(path_of(rule, objects), method=method, data={**PLAUSIBLE_FORM, "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("route", CHANGING_ROUTES, ids=route_id)
@pytest.mark.parametrize("token", ["missing", "from another session"])
def test_a_state_changing_route_refuses_a_request_without_a_valid_csrf_token(app, signed_in, objects, route, token):
    method, rule, _, _ = route
    data = dict(PLAUSIBLE_FORM, email="therapist@example.test", password="correct horse battery")
    if token != "missing":
        data["csrf_token"] = csrf_token(app.test_client(), "/login")
    before = everything_stored()
    response = signed_in.open(path_of(rule, objects), method=method, data=data)
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)  # the page says why, in words
    assert everything_stored() == before
