"""The database keeps its promises: SQLite's safety settings and private files.

These tests open a SQLite database in an instance folder of their own (on the
PostgreSQL run too: the files are SQLite's), as `make run` does.
"""

from __future__ import annotations

import contextlib
import stat
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import IntegrityError

from clinic import create_app
from clinic.assignments.services import assign, transition
from clinic.auth.services import create_account
from clinic.extensions import db
from clinic.models import Assignment, Client
from tests.support.apps import IsolatedClient
from tests.support.posting import PASSWORD, csrf_token, login


@pytest.fixture
def own_instance(tmp_path: Path):
    """The app as `make run` starts it: no database URL, no secret key, an instance folder not made yet."""
    instance = tmp_path / "instance"
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(instance)})
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.create_all()
        yield app, instance
        db.session.remove()
        db.engine.dispose()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_sqlite_enforces_foreign_keys_and_runs_in_wal_mode_with_normal_sync(own_instance):
    pragmas = {name: db.session.execute(text(f"PRAGMA {name}")).scalar_one()
               for name in ("foreign_keys", "journal_mode", "synchronous", "secure_delete")}
    assert pragmas == {"foreign_keys": 1, "journal_mode": "wal", "synchronous": 1, "secure_delete": 1}


def test_sqlite_refuses_a_client_of_a_clinician_who_does_not_exist(own_instance):
    with pytest.raises(IntegrityError, match="FOREIGN KEY"):
        db.session.execute(text("INSERT INTO client (clinician_id, display_name, notes, agenda, created_at) "
                                "VALUES (999, 'Robin A.', '', '', CURRENT_TIMESTAMP)"))
    db.session.rollback()


def test_the_database_its_wal_files_the_key_and_cached_pdfs_are_private_in_a_private_folder(own_instance):
    app, instance = own_instance
    clinician = create_account("files@example.test", PASSWORD)
    client = Client(clinician=clinician, display_name="Robin A.")
    assignment = assign(client, "origins-mapping", actor="test")
    db.session.add(client)
    db.session.flush()
    for step in ("in_progress", "submitted"):
        transition(assignment, step, actor="test")
    db.session.commit()
    browser = app.test_client()
    login(browser, clinician)
    pdf = browser.get(f"/assignments/{assignment.id}/pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert db.session.get(Assignment, assignment.id) is not None  # the connection (and its WAL) is open

    files = {path.name: mode(path) for path in instance.iterdir()}
    assert mode(instance) == 0o700
    assert {"groundwork.sqlite", "groundwork.sqlite-wal", "groundwork.sqlite-shm", "secret_key"} <= set(files)
    assert files == dict.fromkeys(files, 0o600)


def test_an_existing_instance_folder_and_database_are_made_private(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o755)
    database = instance / "groundwork.sqlite"
    database.touch(mode=0o644)
    instance.chmod(0o755)
    database.chmod(0o644)
    create_app({"TESTING": True, "SECRET_KEY": "x", "INSTANCE_PATH": str(instance)})
    assert (mode(instance), mode(database)) == (0o700, 0o600)


def test_two_assigns_at_the_same_moment_make_one_open_copy_and_a_clear_message(app, make, clinician):
    """Both requests check for an open copy before either writes: the database must refuse the second."""
    record = make.client(clinician, display_name="Robin A.")
    browsers = [app.test_client() for _ in range(2)]
    tokens = []
    for browser in browsers:
        login(browser, clinician)
        tokens.append(csrf_token(browser, f"/clients/{record.id}"))
    both_checked = threading.Barrier(2, timeout=3)
    workers: set[int] = set()

    def after_execute(conn, cursor, statement, parameters, context, executemany) -> None:
        if threading.get_ident() in workers and "FROM assignment" in statement and "status IN" in statement:
            workers.discard(threading.get_ident())  # only the check before assigning
            with contextlib.suppress(threading.BrokenBarrierError):  # PostgreSQL takes them in turn
                both_checked.wait()

    def send(browser, token):
        workers.add(threading.get_ident())
        with app.app_context():
            return browser.post(f"/clients/{record.id}/assignments",
                                data={"csrf_token": token, "worksheets": ["origins-mapping"]})

    event.listen(db.engine, "after_cursor_execute", after_execute)
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            responses = list(pool.map(send, browsers, tokens))
    finally:
        event.remove(db.engine, "after_cursor_execute", after_execute)

    assert sorted(response.status_code for response in responses) == [302, 409]
    refused = next(response for response in responses if response.status_code == 409).get_data(as_text=True)
    assert "nothing was assigned" in refused
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Assignment)
                             .where(Assignment.client_id == record.id)) == 1



def test_a_database_servers_connections_are_checked_before_use_and_a_sqlite_files_are_not(app):
    """A PostgreSQL restart must not fail the next request on a dropped connection; a SQLite
    connection cannot drop, so checking it would only cost every request a statement."""
    checked = app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("pool_pre_ping", False)
    assert checked == (db.engine.dialect.name != "sqlite")
