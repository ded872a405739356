"""The audit trail resists tampering: a hash chain that `flask verify-audit` checks, and
a database that refuses to change, delete or empty it (PostgreSQL: also for a
least-privilege application role set up as the README says)."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from clinic import MIGRATIONS_DIR, create_app
from clinic.audit import record
from clinic.extensions import db
from clinic.models import AuditEvent
from tests.support.postgres import throwaway_server
from tests.support.posting import csrf_token

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def write_events(*actions: str) -> list[int]:
    events = [record(action, note="a detail: “quoted”, ünïcode", count=3) for action in actions]
    db.session.flush()
    ids = [event.id for event in events]
    db.session.commit()  # and read nothing after: an open read would hold up TRUNCATE
    return ids


def behind_the_apps_back(app, sqlite_change, postgres_statement: str, **parameters) -> None:
    """Change the stored audit rows as an intruder would, past the app and its triggers."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    db.session.remove()
    db.engine.dispose()  # SQLite: the last connection writes the WAL back into the file
    if url.get_backend_name() == "sqlite":
        sqlite_change(Path(url.database))
    else:
        with db.engine.begin() as connection:
            connection.execute(text("SET LOCAL session_replication_role = replica"))
            connection.execute(text(postgres_statement), parameters)


def test_events_written_by_many_requests_form_an_intact_chain(app, runner, signed_in, make, clinician):
    robin = make.client(clinician, display_name="Robin A.")
    signed_in.post(f"/clients/{robin.id}/assignments", data={
        "csrf_token": csrf_token(signed_in, f"/clients/{robin.id}"),
        "worksheets": ["origins-mapping", "partner-source-checklist", "security-building-plan"]})
    signed_in.get(f"/clients/{robin.id}/audit")
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    assert events >= 3
    result = runner.invoke(args=["verify-audit"])
    assert result.exit_code == 0, result.output
    assert f"The audit trail is intact: {events} events checked." in result.output


def test_a_changed_event_is_named(app, runner):
    first, changed, last = write_events("chain.first", "chain.tampered-here", "chain.last")

    def edit_file(path: Path) -> None:
        content = path.read_bytes()
        assert content.count(b"tampered-here") == 1
        path.write_bytes(content.replace(b"tampered-here", b"tampered-HERE"))

    behind_the_apps_back(app, edit_file, "UPDATE audit_event SET action = 'chain.tampered-HERE' WHERE id = :id",
                         id=changed)
    result = runner.invoke(args=["verify-audit"])
    assert result.exit_code == 1
    assert f"broken at event {changed}: event {changed} was changed after it was written" in result.output
    assert "1 events before it are intact" in result.output


def test_a_removed_event_is_named_by_the_one_after_it(app, runner):
    first, removed, last = write_events("chain.first", "chain.removed", "chain.last")

    def delete_row(path: Path) -> None:
        with sqlite3.connect(path) as connection:
            connection.execute("DROP TRIGGER audit_event_no_delete")
            connection.execute("DELETE FROM audit_event WHERE id = ?", (removed,))
        connection.close()

    behind_the_apps_back(app, delete_row, "DELETE FROM audit_event WHERE id = :id", id=removed)
    result = runner.invoke(args=["verify-audit"])
    assert result.exit_code == 1
    assert f"broken at event {last}: event {last} does not follow event {first}" in result.output


def test_the_database_refuses_to_empty_the_audit_trail(app):
    write_events("chain.kept")
    emptying = "TRUNCATE audit_event" if db.engine.dialect.name == "postgresql" else "DELETE FROM audit_event"
    with pytest.raises(DBAPIError, match="append-only"):
        with db.engine.begin() as connection:
            connection.execute(text(emptying))
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 1


# --- PostgreSQL: the least-privilege role of the README's production section ------------------


def readme_sql(heading: str) -> str:
    """The ```sql block that follows a line containing `heading` in the README."""
    readme = (PROJECT_ROOT / "README.md").read_text()
    match = re.search(re.escape(heading) + r".*?```sql\n(.*?)```", readme, re.S)
    assert match, f"no SQL block after “{heading}” in README.md"
    return match.group(1)


@pytest.fixture
def postgres_server(request: pytest.FixtureRequest) -> Iterator[str]:
    """A PostgreSQL server URL (the suite's on --postgres, else one of its own: the roles are PostgreSQL's)."""
    if request.config.getoption("--postgres"):
        yield request.getfixturevalue("migrated_database")
    else:
        with throwaway_server() as url:
            yield url


def test_the_apps_role_cannot_change_empty_or_unguard_the_audit_trail(postgres_server, tmp_path):
    server = make_url(postgres_server)
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for statement in readme_sql("database as a superuser:").split(";"):
            if statement.strip():
                connection.execute(text(re.sub(r"PASSWORD '[^']*'", "", statement)))
    owner_url = server.set(username="groundwork_owner", database="groundwork")
    app_url = server.set(username="groundwork_app", database="groundwork")
    try:
        migrations = create_app({"TESTING": True, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path),
                                 "SQLALCHEMY_DATABASE_URI": owner_url.render_as_string(hide_password=False)})
        with migrations.app_context():
            from flask_migrate import upgrade

            upgrade(directory=MIGRATIONS_DIR)
            with db.engine.begin() as connection:
                for statement in readme_sql("Then, as the owner, let the app's role").split(";"):
                    if statement.strip():
                        connection.execute(text(statement))
            db.engine.dispose()

        engine = create_engine(app_url)
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO audit_event (at, actor_type, action, object_type, detail) "
                                    "VALUES (now(), 'system', 'role.test', 'none', '{}')"))
        for attack in ["UPDATE audit_event SET action = 'rewritten'", "DELETE FROM audit_event",
                       "TRUNCATE audit_event", "ALTER TABLE audit_event DISABLE TRIGGER USER",
                       "DROP TRIGGER audit_event_append_only ON audit_event", "DROP TABLE audit_event CASCADE",
                       "CREATE TABLE intruder (id int)"]:
            with pytest.raises(DBAPIError, match="permission denied|must be owner|append-only"):
                with engine.begin() as connection:
                    connection.execute(text(attack))
        with engine.connect() as connection:
            assert connection.execute(text("SELECT action FROM audit_event")).scalars().all() == ["role.test"]
        engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(text("DROP DATABASE IF EXISTS groundwork WITH (FORCE)"))
            connection.execute(text("DROP ROLE IF EXISTS groundwork_app"))
            connection.execute(text("DROP ROLE IF EXISTS groundwork_owner"))
        admin.dispose()
