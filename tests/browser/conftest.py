"""Browser fixtures: the real app served on 127.0.0.1 to Debian's Chromium.

The app is served by werkzeug in a thread, on the test's own database (a copy of
the SQLite template, or the PostgreSQL test server with --postgres). Chromium is
the system one (Playwright cannot download its own here); when it is missing the
tests fail, they are never skipped. Every page keeps its real Content-Security-
Policy, so a stray inline script or style fails the test that meets it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page

from clinic.extensions import db
from clinic.models import Clinician
from tests.browser.browser_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PASSWORD,
    LiveServer,
    StatusRecorder,
    bind,
    watch_for_problems,
)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    """Serve the test's app over real HTTP until the test ends; no 5xx may have been sent."""
    server_info = LiveServer()
    server = bind(StatusRecorder(app, server_info))
    server_info.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield server_info
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        db.session.remove()
    assert server_info.server_errors == [], "the server answered with an error"


@pytest.fixture
def page_problems(page: Page) -> Iterator[list[str]]:
    """Uncaught script errors and Content-Security-Policy refusals on the test's page."""
    problems: list[str] = []
    watch_for_problems(page, problems)
    yield problems
    assert problems == []


@pytest.fixture
def therapist(make) -> Clinician:
    """A clinician whose password the browser types."""
    return make.clinician(email="browser@example.test", password=PASSWORD, name="Dr Sam Rivera")
