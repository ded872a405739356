"""Scratch databases for the benchmarks: a SQLite file, or a throwaway PostgreSQL server.

Both go away when the block ends. The PostgreSQL server is the test suite's
(tests/postgres.py): started as the `postgres` user, on 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from postgres import throwaway_server  # noqa: E402

KINDS = ("sqlite", "postgresql")


@contextlib.contextmanager
def scratch_database(kind: str, name: str) -> Iterator[str]:
    """A SQLAlchemy URL for an empty database of this kind, named `name` where names show."""
    if kind == "postgresql":
        with throwaway_server(name) as url:
            yield url
    else:
        with tempfile.TemporaryDirectory(prefix=f"{name}-") as directory:
            yield f"sqlite:///{directory}/{name}.sqlite"
