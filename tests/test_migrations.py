"""The Alembic migrations build the schema the models describe, on SQLite and PostgreSQL.

The rest of the suite builds its schema with `create_all`; production builds
it with `flask db upgrade`. These tests upgrade an empty database to head and
compare it with the models, so the two can never drift apart unnoticed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pyotp
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import Column, DateTime, MetaData, String, bindparam, inspect, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from clinic import MIGRATIONS_DIR, create_app
from clinic.auth import services
from clinic.extensions import db
from tests.support.apps import IsolatedClient
from tests.support.migrations import logging_untouched
from tests.support.posting import PASSWORD, post_form


@pytest.fixture
def upgraded_app(empty_database: str) -> Iterator[Flask]:
    """The app on a database built only by the migrations (`flask db upgrade`)."""
    app = create_app({"TESTING": True, "SECRET_KEY": "migrations", "SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        with logging_untouched():
            upgrade(directory=MIGRATIONS_DIR)
        yield app
        db.session.remove()
        db.engine.dispose()


def schema_differences(metadata: MetaData) -> list:
    """What autogenerate would write into a new migration: models versus the database."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, metadata)


def test_the_migrations_upgrade_an_empty_database_to_every_table_of_the_models(upgraded_app):
    tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_the_migrated_schema_matches_the_models(upgraded_app):
    """Fails when a model changed without a migration: regenerate the migration."""
    assert schema_differences(db.metadata) == []


def test_the_comparison_notices_a_new_column_and_a_changed_type(upgraded_app):
    """The drift check above can fail: models that differ from the migrations are reported."""
    drifted = MetaData(naming_convention=db.metadata.naming_convention)
    for table in db.metadata.tables.values():
        table.to_metadata(drifted)
    drifted.tables["client"].append_column(Column("pronouns", String(40), nullable=True))
    drifted.tables["client"].c.display_name.type = String(120)
    differences = [d[0] if isinstance(d, list) else d for d in schema_differences(drifted)]
    assert sorted((d[0], d[2], d[3] if isinstance(d[3], str) else d[3].name) for d in differences) == [
        ("add_column", "client", "pronouns"), ("modify_type", "client", "display_name")]


def _insert_audit_row() -> int:
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO audit_event (at, actor_type, action, object_type, detail) "
            "VALUES (CURRENT_TIMESTAMP, 'system', 'test', 'none', '{}')"))
        return connection.execute(text("SELECT max(id) FROM audit_event")).scalar_one()


@pytest.mark.parametrize("statement", [
    "UPDATE audit_event SET action = 'rewritten' WHERE id = :id",
    "DELETE FROM audit_event WHERE id = :id",
])
def test_the_migrated_database_refuses_to_change_audit_rows(upgraded_app, statement):
    row = _insert_audit_row()
    with pytest.raises(DBAPIError, match="append-only"):
        with db.engine.begin() as connection:
            connection.execute(text(statement), {"id": row})
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT action FROM audit_event WHERE id = :id"), {"id": row}).scalar_one() \
            == "test"


def _insert_clinician_and_client(connection) -> None:
    """Clinician 7 and their client 3, as rows of any schema version these tests start from."""
    connection.execute(text("INSERT INTO clinician (id, email, name, password_hash, session_version, created_at) "
                            "VALUES (7, 'a@example.test', 'A', 'x', 1, CURRENT_TIMESTAMP)"))
    connection.execute(text("INSERT INTO client (id, clinician_id, display_name, notes, agenda, created_at) "
                            "VALUES (3, 7, 'Robin', '', '', CURRENT_TIMESTAMP)"))


def test_moving_snapshots_to_their_own_table_keeps_every_worksheet_as_assigned(empty_database):
    """Assignments made before c13scale_lists_at_scale keep their definitions, titles and history, both ways."""
    app = create_app({"TESTING": True, "SECRET_KEY": "migrations", "SQLALCHEMY_DATABASE_URI": empty_database})
    old = {"id": "origins-mapping", "version": 1, "title": "Where it comes from, as assigned", "sections": []}
    with app.app_context(), logging_untouched():
        upgrade(directory=MIGRATIONS_DIR, revision="c11data_database_promises")
        with db.engine.begin() as connection:
            _insert_clinician_and_client(connection)
            for number, status in ((1, "submitted"), (2, "assigned")):
                connection.execute(text(
                    "INSERT INTO assignment (id, client_id, worksheet_id, worksheet_version, definition_snapshot, "
                    "status, note_to_client, created_at, status_changed_at) VALUES (:id, 3, 'origins-mapping', 1, "
                    ":snapshot, :status, '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
                    {"id": number, "snapshot": json.dumps(old), "status": status})
                connection.execute(text("INSERT INTO assignment_event (assignment_id, to_status, actor, at) "
                                        "VALUES (:id, 'assigned', 'test', CURRENT_TIMESTAMP)"), {"id": number})
        upgrade(directory=MIGRATIONS_DIR)
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT title, snapshot_id FROM assignment ORDER BY id")).all() == [
                ("Where it comes from, as assigned", 1), ("Where it comes from, as assigned", 1)]
            stored = connection.execute(text("SELECT definition FROM worksheet_snapshot")).scalar_one()
            assert (json.loads(stored) if isinstance(stored, str) else stored) == old
            assert connection.execute(text("SELECT DISTINCT clinician_id FROM assignment_event")).scalars().all() == [7]
        with pytest.raises(IntegrityError), db.engine.begin() as connection:  # still one open copy per worksheet
            connection.execute(text(
                "INSERT INTO assignment (client_id, worksheet_id, worksheet_version, title, snapshot_id, status, "
                "note_to_client, created_at, status_changed_at) VALUES (3, 'origins-mapping', 1, 'Again', 1, "
                "'in_progress', '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        downgrade(directory=MIGRATIONS_DIR, revision="c11data_database_promises")
        with db.engine.connect() as connection:
            restored = connection.execute(text("SELECT definition_snapshot FROM assignment ORDER BY id")).scalars()
            assert [json.loads(s) if isinstance(s, str) else s for s in restored] == [old, old]
        db.engine.dispose()



def test_the_time_a_worksheet_was_sent_moves_to_its_assignment_and_back(empty_database):
    """Sent before c15client_submitted_at, a worksheet keeps the time it was sent, both ways."""
    app = create_app({"TESTING": True, "SECRET_KEY": "migrations", "SQLALCHEMY_DATABASE_URI": empty_database})
    sent_at = dt.datetime(2026, 9, 7, 18, 30, tzinfo=dt.timezone.utc)
    moment = bindparam("sent_at", sent_at, type_=DateTime(timezone=True))
    with app.app_context(), logging_untouched():
        upgrade(directory=MIGRATIONS_DIR, revision="c13perf_practice_plans")
        with db.engine.begin() as connection:
            _insert_clinician_and_client(connection)
            connection.execute(text("INSERT INTO worksheet_snapshot (id, worksheet_id, worksheet_version, digest, "
                                    "definition) VALUES (1, 'origins-mapping', 1, 'd', '{}')"))
            for number, status in ((1, "submitted"), (2, "assigned")):
                connection.execute(text(
                    "INSERT INTO assignment (id, client_id, worksheet_id, worksheet_version, title, snapshot_id, "
                    "status, note_to_client, created_at, status_changed_at) VALUES (:id, 3, 'origins-mapping', 1, "
                    "'Origins', 1, :status, '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
                    {"id": number, "status": status})
            connection.execute(text(
                "INSERT INTO response (assignment_id, answers, version, created_at, submitted_at) "
                "VALUES (1, '{}', 1, CURRENT_TIMESTAMP, :sent_at), (2, '{}', 0, CURRENT_TIMESTAMP, NULL)"
            ).bindparams(moment))
        upgrade(directory=MIGRATIONS_DIR)
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT id FROM assignment WHERE submitted_at = :sent_at").bindparams(
                moment)).scalars().all() == [1]
            assert connection.execute(text("SELECT count(*) FROM assignment WHERE submitted_at IS NULL")).scalar() == 1
        downgrade(directory=MIGRATIONS_DIR, revision="c13perf_practice_plans")
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT assignment_id FROM response WHERE submitted_at = :sent_at")
                                      .bindparams(moment)).scalars().all() == [1]
        db.engine.dispose()

def test_a_clinician_enrolled_before_secrets_were_encrypted_still_signs_in_with_their_app(empty_database, capfd):
    """c11totp_encrypted_secrets encrypts the TOTP secrets already stored; downgrading decrypts them."""
    app = create_app({"TESTING": True, "SECRET_KEY": "migrations", "SQLALCHEMY_DATABASE_URI": empty_database})
    app.test_client_class = IsolatedClient
    secret = pyotp.random_base32()
    with app.app_context(), logging_untouched():
        upgrade(directory=MIGRATIONS_DIR, revision="c10content_flag_level")
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO clinician (id, email, name, password_hash, session_version, created_at, totp_secret, "
                "totp_confirmed_at) VALUES (7, 'a@example.test', 'A', :hash, 1, CURRENT_TIMESTAMP, :secret, "
                "CURRENT_TIMESTAMP)"), {"hash": services.hasher.hash(PASSWORD), "secret": secret})
        upgrade(directory=MIGRATIONS_DIR)
        with db.engine.connect() as connection:
            assert secret not in connection.execute(text("SELECT totp_secret FROM clinician")).scalar_one()
        client = app.test_client()
        signing_in = post_form(client, "/login", {"email": "a@example.test", "password": PASSWORD})
        assert signing_in.headers["Location"] == "/login/code"
        assert post_form(client, "/login/code", {"code": pyotp.TOTP(secret).now()}).headers["Location"] == "/"

        app.config["SECRET_KEY"] = "not the key the secrets were encrypted under"
        with pytest.raises(SystemExit):
            downgrade(directory=MIGRATIONS_DIR, revision="c10content_flag_level")
        assert "clinician 7's TOTP secret cannot be decrypted with this secret key" in capfd.readouterr().err
        app.config["SECRET_KEY"] = "migrations"
        downgrade(directory=MIGRATIONS_DIR, revision="c10content_flag_level")
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT totp_secret FROM clinician")).scalar_one() == secret
        db.engine.dispose()
