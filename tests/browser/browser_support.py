"""Helpers for the browser tests: the live server, axe-core and html-validate, and signing in.

A plain module (not conftest) so that test files can import it by a name no
other conftest.py shadows.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from playwright.sync_api import Page
from werkzeug.serving import BaseWSGIServer, make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
AXE_SCRIPT = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
HTML_VALIDATE = Path(__file__).parent / "node_modules" / ".bin" / "html-validate"
HTML_VALIDATE_CONFIG = Path(__file__).parent / "htmlvalidate.json"
PORTS = range(5900, 6000)
PASSWORD = "typed by chromium at night"


@dataclass
class LiveServer:
    """The app listening on 127.0.0.1; `server_errors` lists every 5xx it answered."""

    url: str = ""
    server_errors: list[str] = field(default_factory=list)

    def __call__(self, path: str) -> str:
        return self.url + path


class StatusRecorder:
    """WSGI middleware that notes every 5xx, so a hidden server error fails the test."""

    def __init__(self, wsgi_app: Any, server: LiveServer):
        self.wsgi_app, self.server = wsgi_app, server

    def __call__(self, environ: dict[str, Any], start_response: Any):
        def recording_start_response(status: str, headers: list, *args: Any):
            if status.startswith("5"):
                self.server.server_errors.append(f"{status} on {environ['REQUEST_METHOD']} {environ['PATH_INFO']}")
            return start_response(status, headers, *args)

        return read_through(self.wsgi_app(environ, recording_start_response))


def read_through(body: Iterable[bytes]) -> Iterable[bytes]:
    """Read a response's body into memory and close it now (no response of the app streams).

    Werkzeug's development server skips `close()` when the browser drops the
    connection (Chromium cancels the favicon request when the page navigates
    on), and a static file left open then fails the test as a ResourceWarning.
    That includes a "304 Not Modified": its body is empty, but the file
    `send_file` opened is only closed by closing that body.
    """
    try:
        return [b"".join(body)]
    finally:
        if hasattr(body, "close"):
            body.close()


def bind(app: Any) -> BaseWSGIServer:
    """A threaded server on the first free port of our range (5900–5999)."""
    for port in PORTS:
        try:
            return make_server("127.0.0.1", port, app, threaded=True)
        except (OSError, SystemExit):
            continue
    raise RuntimeError(f"no free port in {PORTS.start}–{PORTS.stop - 1} on 127.0.0.1")


def watch_for_problems(page: Page, problems: list[str]) -> None:
    """Note the page's uncaught script errors and Content-Security-Policy refusals in `problems`."""
    page.on("pageerror", lambda error: problems.append(f"script error on {page.url}: {error}"))
    page.on("console", lambda message: problems.append(f"console on {page.url}: {message.text}")
            if "Content Security Policy" in message.text else None)


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core on the page as it is now: WCAG 2.1 A and AA rules only.

    The page's CSP (script-src 'self') refuses `add_script_tag`, and relaxing
    it would hide inline scripts of our own; code evaluated through the
    DevTools protocol is not governed by the page's CSP.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT.read_text())
    return page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(" ") + ": " + n.failureSummary),
            }));
        }""",
        WCAG_TAGS,
    )


def html_problems(page: Page) -> str:
    """What html-validate (the HTML standard and its accessibility rules) finds in the page as shown."""
    checked = subprocess.run([str(HTML_VALIDATE), "--config", str(HTML_VALIDATE_CONFIG), "--stdin",
                              "--stdin-filename", "page.html", "--formatter", "codeframe"],
                             input=page.content(), capture_output=True, text=True, timeout=60, check=False)
    return "" if checked.returncode == 0 else checked.stdout + checked.stderr


def assert_accessible(page: Page) -> None:
    """Neither axe-core nor html-validate finds a problem on the page."""
    violations = axe_violations(page)
    assert violations == [], f"axe found WCAG problems on {page.url}:\n{json.dumps(violations, indent=2)}"
    problems = html_problems(page)
    assert problems == "", f"html-validate found problems on {page.url}:\n{problems}"


def assert_fits_the_width(page: Page) -> None:
    """Nothing on the page is wider than the window: no sideways scrolling (at 360 px too)."""
    page.wait_for_function("() => document.fonts.status === 'loaded'")  # measured in the page's own font
    wide, window = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    if wide > window:
        culprits = page.evaluate("""(window) => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window)
            .slice(-5).map(e => e.tagName.toLowerCase() + '.' + [...e.classList].join('.') + ' ' +
                           Math.round(e.getBoundingClientRect().right) + 'px')""", window)
        raise AssertionError(f"{page.url} is {wide} px wide in a {window} px window; reaching past it: {culprits}")


def sign_in(page: Page, server: LiveServer, email: str, password: str = PASSWORD) -> None:
    """Sign in through the real form, as a clinician would."""
    page.goto(server("/login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)
