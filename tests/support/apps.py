"""The app on a test database: its settings, a fresh copy of the schema, a client that
runs each request in its own app context, and a counter of the SQL it sends."""

from __future__ import annotations

import contextlib
import contextvars
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from clinic import create_app
from clinic.extensions import db


def base_config(database_url: str, instance: Path) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SERVER_NAME": None,
        "CRISIS_LINE": "Test crisis line 0800 000 000",
        "QUEUE_FILE": str(instance / "queue.sqlite"),
    }


def fresh_database(migrated_database: str, folder: Path) -> str:
    """The URL of a database with the schema: a copy of the SQLite template, or the PostgreSQL test database."""
    if migrated_database.startswith("postgresql"):
        return migrated_database
    copy = folder / "groundwork.sqlite"
    shutil.copyfile(migrated_database, copy)
    return f"sqlite:///{copy}"


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context, as in production, not in the test's.

    Without this a request would reuse the test's app context and database
    session, and stale objects could hide real bugs. After each request the
    test's session forgets what it had loaded, so it reads what was committed.
    """

    def open(self, *args: Any, **kwargs: Any):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        db.session.expire_all()
        return response


@contextlib.contextmanager
def app_on(database_url: str, instance: Path, config: dict[str, Any] | None = None) -> Iterator[Flask]:
    """The app on an empty database (PostgreSQL's tables are emptied), inside its app context."""
    app = create_app({**base_config(database_url, instance), **(config or {})})
    app.test_client_class = IsolatedClient
    with app.app_context():
        if database_url.startswith("postgresql"):
            tables = ", ".join(t.name for t in db.metadata.sorted_tables)
            db.session.execute(text("SET LOCAL session_replication_role = replica"))  # past the audit trail's guard
            db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            db.session.commit()
        yield app
        db.session.remove()
        db.engine.dispose()


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE")):
            self.statements.append(statement)


