"""axe-core finds no WCAG 2.1 A/AA problem on any page type, for clinicians or clients.

Each page is opened in Chromium from the real server, in the state a person
meets it (empty, with errors, signed in or not), and checked as rendered, with
its real Content-Security-Policy in force.
"""

from __future__ import annotations

import pytest
from flask import Flask, abort
from playwright.sync_api import Page, expect

from browser.browser_support import LiveServer, assert_accessible, sign_in
from clinic.models import Clinician

pytestmark = pytest.mark.browser

CLINICIAN_PAGES = {
    "dashboard": "/",
    "worksheet library": "/worksheets/",
    "preview of origins mapping": "/worksheets/origins-mapping",
    "preview of partner-source checklist": "/worksheets/partner-source-checklist",
    "preview of security-building plan": "/worksheets/security-building-plan",
    "not found, signed in": "/worksheets/no-such-worksheet",
}


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


@pytest.mark.parametrize("path", list(CLINICIAN_PAGES.values()), ids=list(CLINICIAN_PAGES))
def test_clinician_pages_are_accessible(live_server: LiveServer, page: Page, page_problems, therapist: Clinician,
                                        path: str):
    sign_in(page, live_server, therapist.email)
    page.goto(live_server(path))
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
