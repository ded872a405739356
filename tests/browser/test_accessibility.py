"""axe-core finds no WCAG 2.1 A/AA problem on any page type, for clinicians or clients.

Each page is opened in Chromium from the real server, in the state a person
meets it (empty, with errors, signed in or not), and checked as rendered, with
its real Content-Security-Policy in force.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from flask import Flask, abort
from playwright.sync_api import Page, expect

from clinic.extensions import db
from clinic.models import Clinician
from clinic.portal.services import issue_link
from tests.browser.browser_support import PASSWORD, LiveServer, assert_accessible, sign_in
from tests.support.samples import sample_answers

pytestmark = pytest.mark.browser


@dataclass
class World:
    """A clinician with one client who has a worksheet in every state, and the client's link."""

    therapist: Clinician
    client_id: int
    assignments: dict[str, int]  # status -> assignment id
    token: str


@pytest.fixture
def world(make, therapist: Clinician) -> World:
    person = make.client(therapist, display_name="Robin Q", email="robin@example.test", agenda="Talk about work.")
    assignments = {}
    for status, worksheet_id in [("assigned", "origins-mapping"), ("in_progress", "partner-source-checklist"),
                                 ("submitted", "origins-mapping"), ("reviewed", "security-building-plan")]:
        answers = sample_answers(worksheet_id) if status != "assigned" else None
        assignments[status] = make.assignment(person, worksheet_id, status=status, answers=answers).id
    _, token = issue_link(person)
    db.session.commit()
    return World(therapist, person.id, assignments, token)


def clinician_pages(world: World) -> dict[str, str]:
    client, review = f"/clients/{world.client_id}", f"/assignments/{world.assignments['submitted']}"
    return {
        "dashboard": "/",
        "client": client,
        "client form": "/clients/new",
        "client history": f"{client}/audit",
        "erase client": f"{client}/erase",
        "archived clients": "/clients/archived",
        "review of a submitted worksheet": review,
        "review of a reviewed worksheet": f"/assignments/{world.assignments['reviewed']}",
        "a worksheet not yet sent": f"/assignments/{world.assignments['assigned']}",
        "packet form": f"{client}/packet",
        "password change": "/account/password",
        "worksheet library": "/worksheets/",
        "preview of origins mapping": "/worksheets/origins-mapping",
        "preview of partner-source checklist": "/worksheets/partner-source-checklist",
        "preview of security-building plan": "/worksheets/security-building-plan",
        "not found, signed in": "/worksheets/no-such-worksheet",
    }


CLINICIAN_PAGE_NAMES = list(clinician_pages(World(None, 0, {"submitted": 0, "reviewed": 0, "assigned": 0}, "")))


def enter_portal(page: Page, server: LiveServer, token: str) -> None:
    """Open the client's link and press Continue, as the client does."""
    page.goto(server(f"/p/{token}"))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your worksheets")


def test_the_sign_in_page_is_accessible(live_server: LiveServer, page: Page, page_problems):
    page.goto(live_server("/login"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert_accessible(page)


def test_the_sign_in_page_with_errors_is_accessible(live_server: LiveServer, page: Page, page_problems,
                                                     therapist: Clinician):
    page.goto(live_server("/login"))
    page.get_by_label("Email").fill(therapist.email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("do not match")
    assert_accessible(page)


@pytest.mark.parametrize("name", CLINICIAN_PAGE_NAMES)
def test_clinician_pages_are_accessible(live_server: LiveServer, page: Page, page_problems, world: World, name: str):
    sign_in(page, live_server, world.therapist.email, PASSWORD)
    page.goto(live_server(clinician_pages(world)[name]))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)


def test_the_client_form_with_errors_is_accessible(live_server: LiveServer, page: Page, page_problems, world: World):
    sign_in(page, live_server, world.therapist.email, PASSWORD)
    page.goto(live_server("/clients/new"))
    page.get_by_role("button", name="Add client").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)


def test_the_new_link_page_is_accessible(live_server: LiveServer, page: Page, page_problems, world: World):
    sign_in(page, live_server, world.therapist.email, PASSWORD)
    page.goto(live_server(f"/clients/{world.client_id}"))
    page.get_by_role("button", name="Create a link").click()
    expect(page.get_by_label("Private link")).to_have_value(re.compile(re.escape(live_server("/p/"))))
    assert_accessible(page)


def test_the_links_landing_page_is_accessible(live_server: LiveServer, page: Page, page_problems, world: World):
    page.goto(live_server(f"/p/{world.token}"))
    expect(page.get_by_role("button", name="Continue")).to_be_visible()
    assert_accessible(page)


def test_an_unusable_link_page_is_accessible(live_server: LiveServer, page: Page, page_problems, world: World):
    page.goto(live_server("/p/not-a-real-token"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)


def test_the_portal_home_is_accessible(live_server: LiveServer, page: Page, page_problems, world: World):
    enter_portal(page, live_server, world.token)
    assert_accessible(page)


@pytest.mark.parametrize("status", ["assigned", "in_progress", "submitted"])
def test_the_portal_worksheet_is_accessible(live_server: LiveServer, page: Page, page_problems, world: World,
                                            status: str):
    enter_portal(page, live_server, world.token)
    page.goto(live_server(f"/portal/worksheets/{world.assignments[status]}"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)


def test_the_portal_check_screen_and_a_missing_part_are_accessible(live_server: LiveServer, page: Page,
                                                                  page_problems, world: World):
    enter_portal(page, live_server, world.token)
    page.goto(live_server(f"/portal/worksheets/{world.assignments['assigned']}/check"))
    expect(page.get_by_role("heading", name=re.compile("still needed before you can send"))).to_be_visible()
    assert_accessible(page)
    page.goto(live_server(f"/portal/worksheets/{world.assignments['assigned']}?part=99"))
    expect(page.get_by_role("heading", level=1)).to_have_text("That part was not found")
    assert_accessible(page)


def test_the_portal_signed_out_page_is_accessible(live_server: LiveServer, page: Page, page_problems, world: World):
    enter_portal(page, live_server, world.token)
    page.get_by_role("button", name="Leave").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize(("path", "heading"), [
    ("/no/such/page", "We could not find that page"),
    ("/logout", "That did not work"),
])
def test_error_pages_are_accessible(live_server: LiveServer, page: Page, page_problems, path: str, heading: str):
    page.goto(live_server(path))
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert_accessible(page)


def test_the_portal_not_found_page_is_accessible(live_server: LiveServer, page: Page, page_problems, world: World):
    enter_portal(page, live_server, world.token)
    page.goto(live_server("/portal/worksheets/999999"))
    expect(page.get_by_role("heading", level=1)).to_have_text("We could not find that page")
    assert_accessible(page)


def test_the_expired_form_page_is_accessible(live_server: LiveServer, page: Page, page_problems,
                                             therapist: Clinician):
    page.goto(live_server("/login"))
    page.evaluate("() => { document.querySelector('input[name=csrf_token]').value = 'stale'; }")
    page.get_by_label("Email").fill(therapist.email)
    page.get_by_label("Password").fill("whatever it was")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("This form has expired")
    assert_accessible(page)


def test_the_server_error_page_is_accessible(app: Flask, live_server: LiveServer, page: Page, page_problems):
    app.add_url_rule("/test-only/failure", "failure", lambda: abort(500))
    page.goto(live_server("/test-only/failure"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Something went wrong on our side")
    assert_accessible(page)
    assert live_server.server_errors == ["500 INTERNAL SERVER ERROR on GET /test-only/failure"]
    live_server.server_errors.clear()
