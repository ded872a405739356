"""Hypothesis posts hostile input to every form a clinician or a client can reach, over HTTP.

The forms are found as a browser finds them: by following the links from the
dashboard (or the sign-in page, or a client's link) and reading each page's
<form> elements. So the sign-in, client, assignment, comment and link forms are
all fuzzed, and a form added tomorrow is fuzzed without touching this file.

Whatever is sent, the answer is never a 5xx, and afterwards the database holds
only what its schema allows: every text within its column's length, no NUL
characters, and every stored worksheet answer valid for its item.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import String, select
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from clinic.assignments.services import definition_of
from clinic.config import PROJECT_ROOT
from clinic.extensions import db
from clinic.models import Assignment, Clinician, Client
from clinic.portal.services import issue_link
from tests.support.fuzzing import (
    ODD_NUMBERS,
    any_text,
    assert_storable,
    fuzz_settings,
    huge_text,
    nasty_text,
    number_like,
)

EXAMPLES_PER_FORM = 12
FUZZ = fuzz_settings(EXAMPLES_PER_FORM)
MAX_PAGES = 40
PASSWORD = "strange inputs knock on every door"
SKIPPED_ACTIONS = ("/logout",)  # fuzzing it only signs the fuzzer out
URL_FOR_KEYWORDS = ("_anchor", "_method", "_external", "_scheme")  # `?_anchor=x` on a paged list was a 500
CURRENT = "\uffffcurrent"  # stands for the value the page gives a hidden field when the example is posted


@dataclass
class FormField:
    kind: str  # text, date, number, choice, hidden
    values: list[str] = field(default_factory=list)
    max_length: int | None = None


@dataclass
class PageForm:
    page: str
    action: str
    fields: dict[str, FormField] = field(default_factory=dict)


class PageReader(HTMLParser):
    """The same-site links and POST forms of one page, as a browser sees them."""

    TEXT_TYPES = {"text", "email", "password", "search", "tel", "url", None}

    def __init__(self, page: str):
        super().__init__()
        self.page, self.links, self.forms = page, [], []
        self._form: PageForm | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "a" and attr.get("href"):
            self.links.append(urljoin(self.page, attr["href"]))
        elif tag == "form":
            post = (attr.get("method") or "get").lower() == "post"
            self._form = PageForm(self.page, urljoin(self.page, attr.get("action") or self.page)) if post else None
            if self._form:
                self.forms.append(self._form)
        elif self._form is not None and attr.get("name"):
            self._field(tag, attr)
        elif tag == "option" and self._form is not None and self._select:
            self._form.fields[self._select].values.append(attr.get("value") or "")

    def _field(self, tag: str, attr: dict[str, str | None]) -> None:
        name, kind = attr["name"], (attr.get("type") or "").lower() or None
        fields = self._form.fields
        if tag == "select":
            self._select = name
            fields.setdefault(name, FormField("choice"))
        elif tag == "textarea" or (tag == "input" and kind in self.TEXT_TYPES):
            limit = attr.get("maxlength") or attr.get("data-max-length")
            fields[name] = FormField("text", max_length=int(limit) if limit and limit.isdigit() else None)
        elif tag == "input" and kind in ("date", "number", "hidden"):
            fields[name] = FormField(kind, [attr.get("value") or ""])
        elif kind in ("radio", "checkbox", "submit") or tag == "button":
            fields.setdefault(name, FormField("choice")).values.append(attr.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


@dataclass
class Site:
    """What a crawl found: one POST form per view, and one page per GET view."""

    forms: list[PageForm] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)


def crawl(client: FlaskClient, start: str) -> Site:
    """The forms and pages reachable from `start` over same-site links (bounded).

    The many copies of a form (a comment form per section, a cancel button per
    worksheet) reach the same view; fuzzing one of them is enough. Pages of views
    not yet visited go first, so the bound never hides a whole view.
    """
    seen, queue, site, endpoints = set(), [start], Site(), set()
    while queue and len(seen) < MAX_PAGES:
        new_view = next((i for i, p in enumerate(queue) if ("GET", _endpoint(client, p, "GET")) not in endpoints), 0)
        path = queue.pop(new_view)
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        assert response.status_code < 500, f"GET {path} answered {response.status_code}"
        if response.status_code != 200:
            continue
        if ("GET", _endpoint(client, path, "GET")) not in endpoints:
            endpoints.add(("GET", _endpoint(client, path, "GET")))
            site.pages.append(urlsplit(path).path)
        if response.mimetype != "text/html":
            continue
        reader = PageReader(path)
        reader.feed(response.get_data(as_text=True))
        for form in reader.forms:
            endpoint = ("POST", _endpoint(client, form.action, "POST"))
            if urlsplit(form.action).path not in SKIPPED_ACTIONS and endpoint not in endpoints:
                endpoints.add(endpoint)
                site.forms.append(form)
        for link in reader.links:
            parts = urlsplit(link)
            if not parts.netloc and parts.path.startswith("/") and not parts.path.startswith("/static/"):
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return site


def _endpoint(client: FlaskClient, address: str, method: str) -> str:
    path = urlsplit(address).path
    try:
        return client.application.url_map.bind("localhost").match(path, method=method)[0]
    except HTTPException:
        return path


def values_for(form_field: FormField) -> st.SearchStrategy[str]:
    hostile = any_text | nasty_text
    if form_field.kind == "text":
        return hostile | huge_text(form_field.max_length or 300)
    if form_field.kind == "date":
        return st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)).map(dt.date.isoformat) | hostile
    if form_field.kind == "number":
        return number_like | hostile
    if form_field.kind == "hidden":
        return st.just(CURRENT) | number_like | hostile
    return st.sampled_from(form_field.values) | hostile if form_field.values else hostile


@st.composite
def submissions(draw: st.DrawFn, form: PageForm) -> MultiDict:
    """Any subset of the form's fields, each sent zero to three times, plus strangers."""
    data = MultiDict()
    for name, form_field in form.fields.items():
        if name == "csrf_token":
            continue
        for value in draw(st.lists(values_for(form_field), max_size=3)):
            data.add(name, value)
    for name in draw(st.lists(any_text, max_size=2)):
        data.add(name, draw(any_text))
    return data


def assert_database_within_schema() -> None:
    """Every stored row fits its columns; every response holds answers its worksheet allows."""
    db.session.expire_all()
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)).mappings():
            for column in table.columns:
                value = row[column.key]
                if isinstance(value, str):
                    assert "\x00" not in value, f"NUL stored in {table.name}.{column.name}"
                    if isinstance(column.type, String) and column.type.length:
                        assert len(value) <= column.type.length, f"{table.name}.{column.name} is over its length"
    for assignment in db.session.scalars(select(Assignment)):
        assert_storable(definition_of(assignment), assignment.response.answers)
    db.session.rollback()


def odd_numbers_in_each_hidden_or_number_field(form: PageForm):
    """Explicit examples, tried on every run: each hidden or number field holding each odd number."""
    fields = [name for name, f in form.fields.items() if f.kind in ("hidden", "number") and name != "csrf_token"]
    hidden = {name: CURRENT for name, f in form.fields.items() if f.kind == "hidden" and name != "csrf_token"}

    def decorate(test):
        for name in fields:
            for odd in ODD_NUMBERS[:6]:
                test = example(data=MultiDict({**hidden, name: odd}))(test)
        return test

    return decorate


def fuzz_forms(forms: list[PageForm], new_session) -> None:
    """Post hypothesis-made submissions to each form, each in a fresh session, as from its page."""
    assert forms, "no forms found: the crawl did not reach the pages it should"
    for form in forms:

        @FUZZ
        @given(data=submissions(form))
        @odd_numbers_in_each_hidden_or_number_field(form)
        def submit(data: MultiDict) -> None:
            client = new_session()
            current = _form_on_page(client, form)
            data["csrf_token"] = current.get("csrf_token", "")
            for name, values in data.lists():
                data.setlist(name, [current.get(name, "") if value == CURRENT else value for value in values])
            response = client.post(form.action, data=data)
            assert response.status_code < 500, f"POST {form.action} from {form.page} answered {response.status_code}"
            assert_database_within_schema()

        submit()


def query_names(app: Flask) -> list[str]:
    """The query parameters the app reads (named in `request.args.get(...)` or given to `paginate(...)`),
    and those that could be mistaken for parts of an address: `url_for`'s own keywords and view arguments."""
    source = "\n".join(path.read_text() for path in (PROJECT_ROOT / "clinic").rglob("*.py"))
    view_arguments = {name for rule in app.url_map.iter_rules() for name in rule.arguments}
    return sorted(set(re.findall(r'request\.args\.get\(\s*"([^"]+)"', source))
                  | set(re.findall(r'paginate\([^,]+,\s*"([^"]+)"', source))
                  | set(URL_FOR_KEYWORDS) | view_arguments)


def fuzz_queries(pages: list[str], session) -> None:
    """Each page with any mix of the app's query parameters set to hostile values."""
    names = query_names(session.application)
    assert pages and names
    for path in pages:

        @FUZZ
        @given(query=st.lists(st.tuples(st.sampled_from(names) | any_text, number_like | any_text | nasty_text),
                              min_size=1, max_size=4))
        def visit(query: list[tuple[str, str]]) -> None:
            response = session.get(path, query_string=query)
            assert response.status_code < 500, f"GET {path}?{urlencode(query)} answered {response.status_code}"

        visit()


def assert_every_get_view_is_visited(app: Flask, pages: list[str], endpoints: set[str]) -> None:
    """Each of `endpoints` (GET views) is among the pages whose query strings are fuzzed."""
    known = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    assert endpoints <= known
    client = app.test_client()
    assert endpoints <= {_endpoint(client, page, "GET") for page in pages}


def _form_on_page(client: FlaskClient, form: PageForm) -> dict[str, str]:
    """The hidden values (CSRF token, version) the form has on its page right now."""
    reader = PageReader(form.page)
    reader.feed(client.get(form.page).get_data(as_text=True))
    for candidate in reader.forms:
        if candidate.action == form.action:
            return {name: f.values[0] for name, f in candidate.fields.items() if f.kind == "hidden" and f.values}
    return {}


@pytest.fixture
def world(app: Flask, make) -> Iterator[tuple[Clinician, Client, str]]:
    """A clinician with a client who has every worksheet sent and reviewed, and each open
    (assigned or in progress, by turns: a client has one open copy of a worksheet), and a client link."""
    clinician = make.clinician(email="hypothesis@example.test", password=PASSWORD)
    person = make.client(clinician, display_name="Robin Q", email="robin@example.test")
    worksheets = list(app.extensions["worksheets"])
    for status in ("submitted", "reviewed"):
        for worksheet_id in worksheets:
            make.assignment(person, worksheet_id, status=status)
    for worksheet_id, status in zip(worksheets, itertools.cycle(("assigned", "in_progress"))):
        make.assignment(person, worksheet_id, status=status)
    _, token = issue_link(person)
    db.session.commit()
    app.config["LOGIN_MAX_FAILURES"] = 10**6  # keep the throttle out of the fuzzer's way
    yield clinician, person, token


def _signed_in(app: Flask, clinician: Clinician) -> FlaskClient:
    client = app.test_client()
    token = _form_on_page(client, PageForm("/login", "/login"))["csrf_token"]
    response = client.post("/login", data={"email": clinician.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    return client


def test_the_signed_out_forms_never_fail_on_hostile_input(app: Flask, world):
    site = crawl(app.test_client(), "/login")
    assert any(urlsplit(form.action).path == "/login" for form in site.forms)
    fuzz_forms(site.forms, app.test_client)
    assert_every_get_view_is_visited(app, site.pages, {"auth.login"})
    fuzz_queries(site.pages, app.test_client())


def test_the_clinicians_forms_never_fail_on_hostile_input(app: Flask, world):
    clinician, person, _ = world
    site = crawl(_signed_in(app, clinician), "/")
    site.pages.append(f"/clients/{person.id}/packet")  # the packet form's own page: reached by its POST only
    fuzz_forms(site.forms, lambda: _signed_in(app, clinician))
    clinician_views = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods
                       and rule.endpoint.split(".")[0] in ("clients", "assignments", "pdf", "worksheets")}
    assert_every_get_view_is_visited(app, site.pages, clinician_views | {"auth.change_password"})
    fuzz_queries(site.pages, _signed_in(app, clinician))


def _in_portal(app: Flask, token: str) -> tuple[FlaskClient, str]:
    """A client who opened their link and pressed its button: (their session, the page they landed on)."""
    client = app.test_client()
    reader = PageReader(f"/p/{token}")
    reader.feed(client.get(f"/p/{token}").get_data(as_text=True))
    assert reader.forms, "the link's page has no button to continue"
    entry = reader.forms[0]
    data = {name: (form_field.values or [""])[0] for name, form_field in entry.fields.items()}
    response = client.post(entry.action, data=data)
    assert response.status_code in (302, 303), response.status_code
    return client, urlsplit(response.headers["Location"]).path


def test_the_clients_forms_never_fail_on_hostile_input(app: Flask, world):
    _, _, token = world
    client, home = _in_portal(app, token)
    site = crawl(client, home)
    fuzz_forms(site.forms, lambda: _in_portal(app, token)[0])
    assert_every_get_view_is_visited(app, [f"/p/{token}", *site.pages],
                                     {"portal.landing", "portal.home", "portal.worksheet"})
    fuzz_queries(site.pages, client)
    fuzz_queries([f"/p/{token}"], app.test_client())
