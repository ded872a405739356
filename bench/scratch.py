"""Scratch databases for the benchmarks: SQLite files, or databases on one throwaway PostgreSQL server.

All go away when the block ends. The PostgreSQL server is the test suite's
(tests/support/postgres.py): started as the `postgres` user, on 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.support.postgres import throwaway_server

KINDS = ("sqlite", "postgresql")


@contextlib.contextmanager
def scratch_database(kind: str, name: str) -> Iterator[str]:
    """A SQLAlchemy URL for an empty database of this kind, named `name` where names show."""
    with scratch_databases(kind, [name]) as (url,):
        yield url


@contextlib.contextmanager
def scratch_databases(kind: str, names: list[str]) -> Iterator[list[str]]:
    """URLs of empty databases, one per name (on PostgreSQL, all on one server)."""
    if kind == "postgresql":
        with throwaway_server(names[0]) as first:
            server = make_url(first)
            admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                for name in names[1:]:
                    connection.execute(text(f'CREATE DATABASE "{name}"'))
            admin.dispose()
            yield [server.set(database=name).render_as_string(hide_password=False) for name in names]
    else:
        with tempfile.TemporaryDirectory(prefix=f"{names[0]}-") as directory:
            yield [f"sqlite:///{directory}/{name}.sqlite" for name in names]
