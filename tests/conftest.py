"""Fixtures: an app on a fresh database per test (SQLite, or PostgreSQL with --postgres),
factories for the objects a test needs, sign-in helpers and a SQL query counter."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

import clinic.auth.services
from clinic import create_app
from clinic.assignments.services import assign, transition
from clinic.auth.services import create_account
from clinic.extensions import db
from clinic.models import Assignment, Client, Clinician

# Before the helpers are imported: their asserts then report values as a test's do.
pytest.register_assert_rewrite("tests.support")

from tests.support.apps import QueryCounter, app_on, base_config, fresh_database
from tests.support.postgres import throwaway_server
from tests.support.posting import PASSWORD, login

# Fixtures shared by several test modules, defined beside the helpers they go with.
pytest_plugins = ["tests.support.pdf_text", "tests.support.queues", "tests.support.migrations"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--postgres", action="store_true",
                     help="run the suite against a throwaway PostgreSQL server instead of SQLite")


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A skipped test fails the run: a missing Chromium or PostgreSQL must never pass unnoticed."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and reporter.stats.get("skipped") and exitstatus == pytest.ExitCode.OK:
        reporter.write_line("Tests were skipped; Groundwork's suite runs every test, so this run fails.", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing() -> None:
    """Cheap argon2 parameters in tests; the real ones cost ~50 ms per hash."""
    clinic.auth.services.hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(scope="session")
def migrated_database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database with the models' schema (and the audit triggers), once per run.

    SQLite: a template file that each test copies. PostgreSQL: a throwaway
    server whose tables each test empties. That the migrations produce the
    same schema is tested on its own (tests/test_migrations.py).
    """
    if request.config.getoption("--postgres"):
        with throwaway_server() as url:
            _create_schema(url, tmp_path_factory.mktemp("pg-instance"))
            yield url
    else:
        template = tmp_path_factory.mktemp("template") / "template.sqlite"
        _create_schema(f"sqlite:///{template}", template.parent)
        yield str(template)


def _create_schema(url: str, instance: Path) -> None:
    app = create_app(base_config(url, instance))
    with app.app_context():
        db.create_all()
        db.engine.dispose()


@pytest.fixture
def database_url(migrated_database: str, tmp_path: Path) -> str:
    return fresh_database(migrated_database, tmp_path)


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Settings a test module adds to the app's (override this fixture)."""
    return {}


@pytest.fixture
def app(database_url: str, tmp_path: Path, app_config: dict[str, Any]) -> Iterator[Flask]:
    with app_on(database_url, tmp_path, app_config) as app:
        yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@dataclass
class Factory:
    """Builds what a test needs, committed, with sensible defaults."""

    app: Flask
    _count: int = 0

    def _next(self) -> int:
        self._count += 1
        return self._count

    def clinician(self, email: str | None = None, password: str = PASSWORD, name: str = "") -> Clinician:
        clinician = create_account(email or f"clinician{self._next()}@example.test", password, name=name)
        db.session.commit()
        return clinician

    def client(self, clinician: Clinician, display_name: str | None = None, **fields: Any) -> Client:
        record = Client(clinician=clinician, display_name=display_name or f"Client {self._next()}", **fields)
        db.session.add(record)
        db.session.commit()
        return record

    def assignment(self, client: Client, worksheet_id: str = "origins-mapping", *, status: str = "assigned",
                   answers: dict[str, Any] | None = None, **fields: Any) -> Assignment:
        path = {"assigned": [], "in_progress": ["in_progress"], "submitted": ["in_progress", "submitted"],
                "reviewed": ["in_progress", "submitted", "reviewed"], "cancelled": ["cancelled"]}[status]
        # Written once in its final status: a sent copy may sit beside an open one of the same worksheet.
        with db.session.no_autoflush:
            assignment = assign(client, worksheet_id, actor="test", **fields)
            if answers is not None:
                assignment.response.answers = answers
                assignment.response.version = 1
            for step in path:
                transition(assignment, step, actor="test")
        db.session.commit()
        return assignment


@pytest.fixture
def make(app: Flask) -> Factory:
    return Factory(app)


@pytest.fixture
def clinician(make: Factory) -> Clinician:
    return make.clinician(email="therapist@example.test", name="Dr Alex Morgan")


@pytest.fixture
def jordan(make: Factory, clinician: Clinician) -> Client:
    """A client of `clinician` (the PDF tests' usual one)."""
    return make.client(clinician, display_name="Jordan Ellis")


@pytest.fixture
def robin(make: Factory, clinician: Clinician) -> Client:
    """A client of `clinician` (the portal tests' usual one; a link is made by `portal` or by the test)."""
    return make.client(clinician, display_name="Robin A.")


@pytest.fixture
def signed_in(client: FlaskClient, clinician: Clinician) -> FlaskClient:
    """A test client signed in as `clinician`."""
    response = login(client, clinician)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def count_queries(app: Flask):
    """Use as `with count_queries() as counter: ...`, then read `counter.count`."""

    @contextlib.contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)

    return counting
