"""Two-step sign-in in Chromium, as a clinician meets it: set up from the QR page, save the
recovery codes, then sign in with the password and a code. Every page passes axe-core
under the real Content-Security-Policy, and the QR code is drawn without any script."""

from __future__ import annotations

import time

import pyotp
import pytest
from playwright.sync_api import Page, expect

from clinic.models import Clinician
from tests.browser.browser_support import PASSWORD, LiveServer, assert_accessible, assert_fits_the_width, sign_in

pytestmark = pytest.mark.browser


def test_a_clinician_sets_up_two_step_sign_in_and_signs_in_with_a_code(live_server: LiveServer, page: Page,
                                                                       page_problems, therapist: Clinician):
    sign_in(page, live_server, therapist.email)
    page.get_by_role("link", name="Two-step sign-in").click()
    assert_accessible(page)
    page.get_by_role("button", name="Set up two-step sign-in").click()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    page.set_viewport_size({"width": 360, "height": 740})
    assert_fits_the_width(page)
    assert_accessible(page)
    secret = page.locator(".secret-key code").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    page.get_by_label("Code from your app").fill(totp.now())
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-step sign-in is on")
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    page.goto(live_server("/login"))
    page.get_by_label("Email").fill(therapist.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your code")
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("That code did not work")
    assert_accessible(page)
    page.get_by_label("Code").fill(totp.at(time.time() + 30))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
