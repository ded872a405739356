"""Trend charts in a real Chromium: drawn under the strict Content-Security-Policy, and accessible."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import Page, expect
from tests.browser.browser_support import PASSWORD, LiveServer, assert_accessible, assert_fits_the_width, sign_in
from tests.support.trends import send_weekly


pytestmark = pytest.mark.browser


def ink(png: bytes) -> float:
    """The share of a screenshot that is ink, read in grey as a printer would."""
    with Image.open(io.BytesIO(png)) as image:
        return sum(image.convert("L").histogram()[:110]) / (image.width * image.height)


@pytest.mark.parametrize("width", [360, 1280])
def test_charts_draw_with_the_strict_policy_on_client_and_review_pages(live_server: LiveServer, page: Page,
                                                                        page_problems, make, width):
    therapist = make.clinician(email="charts@example.test", password=PASSWORD, name="Dr Kim Lee")
    person = make.client(therapist, display_name="Robin Q")
    sent = send_weekly(make, person, "origins-mapping", 4)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, therapist.email, PASSWORD)
    for path in (f"/clients/{person.id}", f"/assignments/{sent[2].id}"):
        page.goto(live_server(path))
        charts = page.locator(".trend-chart__svg")
        expect(charts.first).to_be_visible()
        for index in range(charts.count()):
            box = charts.nth(index).bounding_box()
            assert box["width"] >= min(width - 80, 300) and box["height"] > 100
            assert box["x"] + box["width"] <= width  # fits the window
            assert 0.005 < ink(charts.nth(index).screenshot()) < 0.2  # lines and labels drawn on white
        assert_fits_the_width(page)  # the figures' table for screen readers does not widen the page either
        assert_accessible(page)
