"""How Groundwork opens its database: SQLite's safety settings and private files.

Client answers are health information, so a SQLite database, its WAL files and
the instance folder they live in are readable by the app's own user only, and
every connection enforces foreign keys and overwrites deleted data.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import String

PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600

# foreign_keys: SQLite ignores foreign keys unless asked. WAL with synchronous=NORMAL:
# readers never wait for the writer, and a commit survives a crash of the app.
# secure_delete: erased client data is overwritten, not left in free pages.
SQLITE_PRAGMAS = ("foreign_keys=ON", "journal_mode=WAL", "synchronous=NORMAL", "secure_delete=ON")


def make_private_folder(path: str | Path) -> None:
    """Create the folder (or tighten it) so that only the app's user can list or read it."""
    os.makedirs(path, mode=PRIVATE_FOLDER, exist_ok=True)
    os.chmod(path, PRIVATE_FOLDER)


def make_private_file(path: str | Path) -> None:
    """Create an empty file readable by the app's user only, or tighten an existing one."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE)
    os.close(descriptor)
    os.chmod(path, PRIVATE_FILE)


def engine_options(database_url: str, configured: dict) -> dict:
    """A database server's connection can drop (a restart, an idle timeout): check each before use.
    A SQLite file's cannot, and the check was one more statement in every autosave."""
    if make_url(database_url).get_backend_name() == "sqlite":
        return configured
    return {"pool_pre_ping": True, **configured}


def prepare_sqlite_file(database_url: str) -> None:
    """Create the SQLite file 0600 before SQLite does (its WAL files copy its mode)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return
    path = Path(url.database)
    path.parent.mkdir(parents=True, exist_ok=True)
    make_private_file(path)


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.create_function("groundwork_sha256", 1, _sha256_hex, deterministic=True)
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _sha256_hex(text: str | None) -> str | None:
    return None if text is None else hashlib.sha256(text.encode()).hexdigest()


class sha256_hex(FunctionElement):
    """SHA-256 of a text, as 64 hex digits, computed by the database in the same statement."""

    type = String(64)
    inherit_cache = True
    name = "sha256_hex"


@compiles(sha256_hex)
def _sha256_sqlite(element, compiler, **kw) -> str:
    return f"groundwork_sha256({compiler.process(element.clauses, **kw)})"


@compiles(sha256_hex, "postgresql")
def _sha256_postgresql(element, compiler, **kw) -> str:
    return f"encode(sha256(convert_to({compiler.process(element.clauses, **kw)}, 'UTF8')), 'hex')"
