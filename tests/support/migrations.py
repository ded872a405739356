"""An empty database for the migrations to build, and keeping pytest's logging when Alembic configures its own.

`empty_database` is a fixture, registered for every test in tests/conftest.py.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


@pytest.fixture
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of a database with nothing in it: a new SQLite file, or a new database on the test server."""
    if not request.config.getoption("--postgres"):
        yield f"sqlite:///{tmp_path / 'empty.sqlite'}"
        return
    server = make_url(request.getfixturevalue("migrated_database"))
    name = f"migrations_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextlib.contextmanager
def logging_untouched() -> Iterator[None]:
    """alembic.ini's logging setup replaces the root handlers; give pytest its own back."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
