"""Pages use the bundled Atkinson Hyperlegible as WOFF2, fetched early, so text does not jump."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page
from tests.browser.browser_support import LiveServer


pytestmark = pytest.mark.browser


def test_the_sign_in_page_shows_its_text_in_the_bundled_woff2_font(live_server: LiveServer, page: Page,
                                                                   page_problems):
    fonts: list[str] = []
    page.on("request", lambda request: fonts.append(request.url) if "/fonts/" in request.url else None)

    page.goto(live_server("/login"))
    page.wait_for_load_state("networkidle")

    assert page.evaluate("() => document.fonts.check('16px \"Atkinson Hyperlegible\"')")
    assert page.evaluate("() => [...document.fonts].filter(f => f.status === 'loaded').length") >= 2
    assert fonts and all(url.endswith(".woff2") for url in fonts)
