"""Clinician accounts: sign-in, throttling, session rotation, idle sign-out, sign-out, passwords."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from clinic import create_app
from clinic.auth.routes import LAST_SEEN
from clinic.extensions import db
from clinic.models import AuditEvent, Clinician, ThrottleBucket, utcnow
from tests.support.apps import IsolatedClient, base_config
from tests.support.posting import PASSWORD, csrf_token, login, post_form

WRONG = "not the password at all"


def attempt(client, email, password, *, address="10.0.0.7", path="/login"):
    return post_form(client, path, {"email": email, "password": password},
                     environ_base={"REMOTE_ADDR": address})


def test_a_clinician_signs_in_and_lands_on_the_dashboard(client, clinician):
    response = post_form(client, "/login", {"email": "  Therapist@Example.TEST ", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/")
    assert page.status_code == 200
    assert "Dashboard" in page.get_data(as_text=True)
    assert db.session.get(Clinician, clinician.id).last_login_at is not None


def test_passwords_are_stored_as_argon2id_hashes(clinician):
    assert clinician.password_hash.startswith("$argon2id$")
    assert PASSWORD not in clinician.password_hash


def test_a_wrong_password_is_refused_with_a_clear_message(client, clinician):
    response = attempt(client, clinician.email, WRONG)
    assert response.status_code == 400
    assert "That email and password do not match an account." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_repeated_failures_block_the_account_with_429_and_say_for_how_long(client, clinician, app):
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        assert attempt(client, clinician.email, WRONG).status_code == 400
    blocked = attempt(client, clinician.email, WRONG)
    assert blocked.status_code == 429
    assert "Please try again in 1 minute." in blocked.get_data(as_text=True)
    # Even the right password, from another address, waits until the block ends (on a browser not seen before).
    right = attempt(client, clinician.email, PASSWORD, address="192.0.2.50")
    assert right.status_code == 429
    assert client.get("/").status_code == 302


def test_failures_from_one_address_block_that_address_for_every_account(client, make, app):
    clinician = make.clinician()
    for number in range(app.config["LOGIN_MAX_FAILURES"]):
        attempt(client, f"someone{number}@example.test", WRONG, address="203.0.113.9")
    assert attempt(client, clinician.email, PASSWORD, address="203.0.113.9").status_code == 429
    assert attempt(client, clinician.email, PASSWORD, address="198.51.100.4").status_code == 302


def test_a_block_ends_when_its_window_has_passed(client, clinician, app):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        attempt(client, clinician.email, WRONG)
    assert attempt(client, clinician.email, PASSWORD).status_code == 429
    earlier = utcnow() - dt.timedelta(minutes=app.config["LOGIN_WINDOW_MINUTES"] + 1)
    db.session.execute(update(ThrottleBucket).values(window_start=earlier, blocked_until=utcnow() - dt.timedelta(seconds=1)))
    db.session.commit()
    assert attempt(client, clinician.email, PASSWORD).status_code == 302


def test_signing_in_forgets_the_accounts_earlier_failures(client, clinician, app):
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit - 1):
        attempt(client, clinician.email, WRONG, address="10.0.0.1")
    assert attempt(client, clinician.email, PASSWORD, address="10.0.0.1").status_code == 302
    elsewhere = app.test_client()
    for _ in range(limit - 1):
        assert attempt(elsewhere, clinician.email, WRONG, address="10.0.0.2").status_code == 400
    assert attempt(elsewhere, clinician.email, WRONG, address="10.0.0.2").status_code == 429


def test_the_throttle_holds_across_two_app_instances_on_one_database(app, clinician, database_url, tmp_path):
    """Two gunicorn workers are two app instances sharing the database: together they count every failure."""
    other_worker = create_app(base_config(database_url, tmp_path))
    other_worker.test_client_class = IsolatedClient
    first, second = app.test_client(), other_worker.test_client()
    limit = app.config["LOGIN_MAX_FAILURES"]
    for number in range(limit - 1):
        worker = first if number % 2 else second
        assert attempt(worker, clinician.email, WRONG, address=f"10.1.0.{number}").status_code == 400
    assert attempt(second, clinician.email, WRONG, address="10.2.0.1").status_code == 429
    assert attempt(first, clinician.email, PASSWORD, address="10.2.0.2").status_code == 429
    with other_worker.app_context():
        db.engine.dispose()


def test_the_email_typed_is_not_stored_in_the_throttle(client, clinician):
    attempt(client, "my secret password@example.test", WRONG)
    keys = db.session.scalars(select(ThrottleBucket.key)).all()
    assert keys and not any("secret" in key for key in keys)


def test_signing_in_starts_a_new_session_with_nothing_from_before(client, clinician):
    with client.session_transaction() as session:
        session["planted_by_someone_else"] = "x"
    token_before = csrf_token(client, "/login")
    assert login(client, clinician).status_code == 302
    with client.session_transaction() as session:
        assert "planted_by_someone_else" not in session
    # The CSRF token of the old session no longer works.
    refused = client.post("/logout", data={"csrf_token": token_before})
    assert refused.status_code == 400
    assert client.get("/").status_code == 200


def test_signing_out_ends_every_copy_of_the_session(client, clinician):
    login(client, clinician)
    with client.session_transaction() as session:
        copied = dict(session)
    response = post_form(client, "/logout", token_from="/")
    assert response.status_code == 302
    assert "You are signed out." in client.get("/login").get_data(as_text=True)
    with client.session_transaction() as session:
        session.update(copied)
    assert client.get("/").status_code == 302


def set_last_seen(client, minutes_ago: float) -> None:
    with client.session_transaction() as session:
        session[LAST_SEEN] = int(utcnow().timestamp() - minutes_ago * 60)


def test_an_idle_session_ends_and_signing_in_again_returns_to_the_page(signed_in, make, clinician):
    record = make.client(clinician)
    assert signed_in.get(f"/clients/{record.id}").status_code == 200
    set_last_seen(signed_in, 16)
    response = signed_in.get(f"/clients/{record.id}?worksheets=1")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next=/clients/{record.id}?worksheets%3D1"
    page = signed_in.get(response.headers["Location"])
    assert "signed out after 15 minutes without activity" in page.get_data(as_text=True)
    back = post_form(signed_in, response.headers["Location"], {"email": clinician.email, "password": PASSWORD})
    assert back.headers["Location"] == f"/clients/{record.id}?worksheets=1"


def test_activity_keeps_a_session_alive(signed_in):
    set_last_seen(signed_in, 14)
    assert signed_in.get("/").status_code == 200
    with signed_in.session_transaction() as session:
        assert utcnow().timestamp() - session[LAST_SEEN] < 60
    assert signed_in.get("/").status_code == 200


def test_the_idle_limit_is_configurable(signed_in, app):
    app.config["IDLE_MINUTES"] = 30
    set_last_seen(signed_in, 20)
    assert signed_in.get("/").status_code == 200
    set_last_seen(signed_in, 31)
    assert signed_in.get("/").status_code == 302


def test_an_idle_sign_out_leaves_the_portal_session_alone(signed_in):
    with signed_in.session_transaction() as session:
        session["portal_client_id"] = 41
    set_last_seen(signed_in, 60)
    assert signed_in.get("/").status_code == 302
    with signed_in.session_transaction() as session:
        assert session["portal_client_id"] == 41
        assert "_user_id" not in session


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example",
                                    "javascript:alert(1)", "evil.example"])
def test_sign_in_never_follows_a_next_to_another_site(client, clinician, target):
    response = post_form(client, "/login", {"email": clinician.email, "password": PASSWORD},
                         query_string={"next": target})
    assert response.headers["Location"] == "/"


def test_a_signed_out_post_does_not_come_back_to_a_post_only_address(client, make, clinician):
    record = make.client(clinician)
    response = post_form(client, f"/clients/{record.id}/archive", token_from="/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"


def test_sign_in_and_sign_out_are_in_the_audit_trail(client, clinician):
    login(client, clinician)
    post_form(client, "/logout", token_from="/")
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.clinician_id == clinician.id)).all()
    assert "auth.sign_in" in actions and "auth.sign_out" in actions


def change_password(client, current, new, confirm=None):
    return post_form(client, "/account/password", {"current_password": current, "new_password": new,
                                                   "confirm_password": confirm if confirm is not None else new})


def test_changing_the_password_signs_out_other_devices_but_not_this_one(app, signed_in, clinician):
    other_device = app.test_client()
    login(other_device, clinician)
    response = change_password(signed_in, PASSWORD, "a brand new passphrase")
    assert response.status_code == 302
    assert "Your password is changed" in signed_in.get("/").get_data(as_text=True)
    assert other_device.get("/").status_code == 302
    post_form(signed_in, "/logout", token_from="/")
    assert login(signed_in, clinician).status_code == 400
    assert login(signed_in, clinician, "a brand new passphrase").status_code == 302


@pytest.mark.parametrize(("current", "new", "confirm", "message"), [
    (WRONG, "a brand new passphrase", None, "That is not your current password."),
    (PASSWORD, "short", None, "Please choose a password of 12 to 256 characters."),
    (PASSWORD, "a brand new passphrase", "a different passphrase", "The two new passwords are not the same."),
])
def test_a_password_change_that_cannot_be_made_says_why(signed_in, clinician, current, new, confirm, message):
    response = change_password(signed_in, current, new, confirm)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.get(Clinician, clinician.id).session_version == clinician.session_version


def test_guessing_the_current_password_is_throttled(signed_in, app):
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        assert change_password(signed_in, WRONG, "a brand new passphrase").status_code == 400
    response = change_password(signed_in, WRONG, "a brand new passphrase")
    assert response.status_code == 429
    assert "try again in 1 minute" in response.get_data(as_text=True)
    assert change_password(signed_in, PASSWORD, "a brand new passphrase").status_code == 429
