"""Every page type makes as many SQL queries with 10,000 assignments as with 10.

The practice is seeded in bulk by the same seeder as `flask seed-scale`
(three clinicians, a tenth of all worksheets on clinician1's long-standing
client, whose pages and portal are the ones measured). Each page is requested
once at 10 assignments and once at 10,000, and its statements counted. Downloads
are counted twice: made (the PDF cache emptied first) and served from the cache.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, event, func, select

from clinic.assignments.services import add_comment, assign, transition
from clinic.demo import PARTNER_SOURCE_ANSWERS
from clinic.extensions import db
from clinic.mail.services import unsubscribe_token
from clinic.pdf import services as pdf_services
from clinic.models import Assignment, Client, Clinician, PdfCacheEntry, Response
from clinic.portal.services import issue_link
from clinic.scale.seed import Made, email_of, seed_assignments, seed_people
from tests.support.apps import QueryCounter, app_on, fresh_database
from tests.support.posting import PASSWORD, csrf_token, login

SMALL, LARGE = 10, 10_000
FOCUS = 4  # the four worksheets the pages below look at, made through the app's own services


class Practice:
    """The seeded practice, its measured client and a way to count one request's queries."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.clinician = db.session.scalar(select(Clinician).where(Clinician.email == email_of(1)))
        self.client = db.session.scalar(select(Client).where(Client.clinician_id == self.clinician.id)
                                        .order_by(Client.id))
        self.open = assign(self.client, "origins-mapping", actor="test")
        self.ready = assign(self.client, "partner-source-checklist", actor="test")  # answered, not yet sent
        self.ready.response.answers = dict(PARTNER_SOURCE_ANSWERS)
        transition(self.ready, "in_progress", actor="client")
        self.plan = assign(self.client, "security-building-plan", actor="test")  # a goal to remove
        self.plan.response.answers = {"goals": [{"goal": "See a friend"}]}
        transition(self.plan, "in_progress", actor="client")
        self.sent = assign(self.client, "partner-source-checklist", actor="test")
        self.sent.response.answers = dict(PARTNER_SOURCE_ANSWERS)
        transition(self.sent, "submitted", actor="client")
        db.session.flush()
        add_comment(self.sent, clinician_id=self.clinician.id, body="Ask about the weekend.", section_id=None)
        _, self.token = issue_link(self.client)
        self.unsubscribe_token = unsubscribe_token(self.client)
        db.session.commit()
        self.clinician_browser = app.test_client()
        assert login(self.clinician_browser, self.clinician).status_code == 302
        self.portal = self.portal_browser()

    def portal_browser(self) -> FlaskClient:
        browser = self.app.test_client()
        assert browser.post(f"/p/{self.token}", data={"csrf_token": csrf_token(browser, f"/p/{self.token}")}
                            ).status_code == 302
        return browser

    def count(self, name: str, request: Callable[[], int]) -> int:
        """The request's queries; it must be answered as a user would see it (not redirected elsewhere)."""
        counter = QueryCounter()
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            status = request()
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)
        assert status == (302 if name in SIGN_INS else 200), f"{name}: {status}"
        return counter.count


def sign_in(practice: Practice) -> Callable[[], int]:
    browser = practice.app.test_client()
    token = csrf_token(browser, "/login")
    return lambda: browser.post("/login", data={"email": practice.clinician.email, "password": PASSWORD,
                                                "csrf_token": token}).status_code


def clinician_page(path: Callable[[Practice], str]) -> Callable[[Practice], Callable[[], int]]:
    return lambda practice: lambda: practice.clinician_browser.get(path(practice)).status_code


def portal_page(path: Callable[[Practice], str]) -> Callable[[Practice], Callable[[], int]]:
    return lambda practice: lambda: practice.portal.get(path(practice)).status_code


def portal_sign_in(practice: Practice) -> Callable[[], int]:
    browser = practice.app.test_client()
    token = csrf_token(browser, f"/p/{practice.token}")
    return lambda: browser.post(f"/p/{practice.token}", data={"csrf_token": token}).status_code


def packet_pdf(practice: Practice) -> Callable[[], int]:
    path = f"/clients/{practice.client.id}/packet"
    data = {"csrf_token": csrf_token(practice.clinician_browser, path), "packet-session_date": "2026-03-10",
            "packet-changes_since": "last-packet", "packet-assignments": [str(practice.sent.id)],
            "packet-paper": "A4"}
    return lambda: practice.clinician_browser.post(path, data=data).status_code


def made_now(download: Callable[[Practice], Callable[[], int]]) -> Callable[[Practice], Callable[[], int]]:
    """The download with an empty PDF cache: what making the PDF costs, not serving a cached one."""
    def prepare(practice: Practice) -> Callable[[], int]:
        db.session.execute(delete(PdfCacheEntry))
        db.session.commit()
        return download(practice)
    return prepare


def with_stand_in_pdfs(download: Callable[[Practice], Callable[[], int]]) -> Callable[[Practice], Callable[[], int]]:
    """The download with a stand-in for WeasyPrint: it asks the database for nothing, and making a
    long history's every worksheet for real would take minutes."""
    def prepare(practice: Practice) -> Callable[[], int]:
        request = download(practice)

        def request_with_stand_in() -> int:
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(pdf_services, "render_pdf", lambda html, paper: b"%PDF-1.7 stand-in")
                return request()
        return request_with_stand_in
    return prepare


def save(practice: Practice) -> Callable[[], int]:
    version = db.session.scalar(select(Response.version).where(Response.assignment_id == practice.open.id))
    data = {"csrf_token": csrf_token(practice.portal, "/portal"), "version": str(version),
            "caregiving-memory": f"Version {version}: Mum was far away some days."}
    return lambda: practice.portal.post(f"/portal/worksheets/{practice.open.id}/save", data=data).status_code


ASSIGNMENT_PDF = clinician_page(lambda p: f"/assignments/{p.sent.id}/pdf")
BLANK_PDF = clinician_page(lambda p: "/worksheets/security-building-plan/blank.pdf")
PRIVACY_EXPORT = with_stand_in_pdfs(clinician_page(lambda p: f"/clients/{p.client.id}/export"))
SIGN_INS = {"sign-in", "portal sign-in"}  # they answer with a redirect to the page behind them; every other 200
PAGES: dict[str, Callable[[Practice], Callable[[], int]]] = {
    "sign-in": sign_in,
    "dashboard": clinician_page(lambda p: "/"),
    "archived clients": clinician_page(lambda p: "/clients/archived"),
    "client": clinician_page(lambda p: f"/clients/{p.client.id}"),
    "review": clinician_page(lambda p: f"/assignments/{p.sent.id}"),
    "worksheet library": clinician_page(lambda p: "/worksheets/"),
    "worksheet preview": clinician_page(lambda p: "/worksheets/security-building-plan"),
    "audit history": clinician_page(lambda p: f"/clients/{p.client.id}/audit"),
    "portal sign-in": portal_sign_in,
    "portal home": portal_page(lambda p: "/portal"),
    "portal worksheet": portal_page(lambda p: f"/portal/worksheets/{p.open.id}"),
    "save": save,
    "sign-in page": lambda practice: lambda: practice.app.test_client().get("/login").status_code,  # signed out
    "new client": clinician_page(lambda p: "/clients/new"),
    "client edit": clinician_page(lambda p: f"/clients/{p.client.id}/edit"),
    "packet form": clinician_page(lambda p: f"/clients/{p.client.id}/packet"),
    # Each PDF made just before it is cached: the download after it is served from the cache.
    "packet PDF, made": made_now(packet_pdf),
    "packet PDF": packet_pdf,
    "assignment PDF, made": made_now(ASSIGNMENT_PDF),
    "assignment PDF": ASSIGNMENT_PDF,
    "blank PDF, made": made_now(BLANK_PDF),
    "blank PDF": BLANK_PDF,
    "privacy export, made": made_now(PRIVACY_EXPORT),
    "privacy export": PRIVACY_EXPORT,
    "assignment FHIR": clinician_page(lambda p: f"/assignments/{p.sent.id}/fhir"),
    "client FHIR": clinician_page(lambda p: f"/clients/{p.client.id}/fhir"),
    "erase form": clinician_page(lambda p: f"/clients/{p.client.id}/erase"),
    "password": clinician_page(lambda p: "/account/password"),
    "two-step": clinician_page(lambda p: "/account/two-step"),
    "portal landing": portal_page(lambda p: f"/p/{p.token}"),
    "portal sent worksheet": portal_page(lambda p: f"/portal/worksheets/{p.sent.id}"),
    "portal check": portal_page(lambda p: f"/portal/worksheets/{p.open.id}/check"),
    "portal remove row": portal_page(lambda p: f"/portal/worksheets/{p.plan.id}/rows/goals/0/remove"),
    "portal send": portal_page(lambda p: f"/portal/worksheets/{p.ready.id}/send"),
    "unsubscribe": portal_page(lambda p: f"/portal/unsubscribe/{p.unsubscribe_token}"),
}


def measure(practice: Practice) -> dict[str, int]:
    """Each page's queries, after one request that fills the caches every later request finds full."""
    counts = {}
    for name, prepare in PAGES.items():
        practice.count(name, prepare(practice))
        counts[name] = practice.count(name, prepare(practice))
    return counts


@pytest.fixture(scope="module")
def counts(migrated_database: str, tmp_path_factory: pytest.TempPathFactory,
           fast_password_hashing: None) -> Iterator[dict[str, tuple[int, int]]]:
    """Query counts of every page at 10 and at 10,000 assignments, in one practice that grows."""
    directory = tmp_path_factory.mktemp("scale")
    with app_on(fresh_database(migrated_database, directory), directory) as app:
        made = Made()
        seed_people(clinicians=3, clients_per_clinician=4, password=PASSWORD, made=made)
        practice = Practice(app)
        seed_assignments(SMALL - FOCUS, made)
        small = measure(practice)
        seed_assignments(LARGE - SMALL, made)
        assert db.session.scalar(select(func.count()).select_from(Assignment)) == LARGE
        assert db.session.scalar(select(func.count()).where(Assignment.client_id == practice.client.id)) > LARGE / 10
        large = measure(practice)
        yield {name: (small[name], large[name]) for name in PAGES}


@pytest.mark.parametrize("page", list(PAGES))
def test_a_page_makes_as_many_queries_at_10000_assignments_as_at_10(counts, page):
    at_small, at_large = counts[page]
    assert at_large == at_small, f"{page}: {at_small} queries at {SMALL} assignments, {at_large} at {LARGE}"

