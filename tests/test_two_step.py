"""Two-step sign-in: setting it up, signing in with a code or a recovery code, turning it
off, and the administrators' commands (require-2fa, reset-2fa, unlock-clinician)."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import select, text

from clinic.auth.routes import PENDING_SECOND_STEP
from clinic.auth.totp_encryption import SecretUnreadable, decrypt_secret
from clinic.extensions import db
from clinic.models import AuditEvent, Clinician, RecoveryCode
from tests.support.posting import PASSWORD, login, post_form

WRONG = "not the password at all"


def secret_on(page: str) -> str:
    return re.search(r'class="secret-key"><code>([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")


def code_for(secret: str, steps_ahead: int = 0) -> str:
    """The code the clinician's app shows (or will show, one step on: the app's clock may run ahead)."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


def turn_on(client) -> tuple[str, list[str]]:
    """Set up two-step sign-in as a clinician would; the secret and the recovery codes shown."""
    assert post_form(client, "/account/two-step/start", token_from="/account/two-step").status_code == 302
    secret = secret_on(client.get("/account/two-step/setup").get_data(as_text=True))
    shown = post_form(client, "/account/two-step/setup", {"code": code_for(secret)})
    assert shown.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-9-]+)</code></li>", shown.get_data(as_text=True))
    return secret, codes


def sign_out(client):
    assert post_form(client, "/logout", token_from="/").status_code == 302


def events(action: str) -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


@pytest.fixture
def with_two_step(signed_in, clinician):
    secret, codes = turn_on(signed_in)
    sign_out(signed_in)
    return signed_in, secret, codes


def test_setting_up_shows_an_inline_svg_qr_code_and_the_secret_as_text(signed_in):
    post_form(signed_in, "/account/two-step/start", token_from="/account/two-step")
    response = signed_in.get("/account/two-step/setup")
    page = response.get_data(as_text=True)
    assert '<svg role="img" aria-label="QR code for your authenticator app"' in page
    # Drawn in the page itself under the strict CSP: no script, no inline style, no image to fetch.
    assert "<script" not in page and "style=" not in page and "<img" not in page
    assert "style-src 'self'" in response.headers["Content-Security-Policy"]
    assert len(secret_on(page)) == 32


def test_a_wrong_code_does_not_turn_it_on(signed_in, clinician):
    post_form(signed_in, "/account/two-step/start", token_from="/account/two-step")
    response = post_form(signed_in, "/account/two-step/setup", {"code": "000000"})
    assert response.status_code == 400
    assert "That code does not match." in response.get_data(as_text=True)
    assert not db.session.get(Clinician, clinician.id).two_step_on


def test_turning_it_on_shows_ten_recovery_codes_once_and_stores_only_their_hashes(signed_in, clinician):
    _, codes = turn_on(signed_in)
    assert len(codes) == len(set(codes)) == 10
    stored = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.clinician_id == clinician.id)).all()
    assert len(stored) == 10 and not set(codes) & set(stored)
    assert "10 unused recovery codes" in signed_in.get("/account/two-step").get_data(as_text=True)
    assert [event.clinician_id for event in events("auth.two_step_on")] == [clinician.id]


def test_signing_in_takes_the_password_and_then_a_code_from_the_app(app, with_two_step, clinician):
    client, secret, _ = with_two_step
    response = login(client, clinician)
    assert response.headers["Location"] == "/login/code"
    assert client.get("/").status_code == 302  # the password alone signs nobody in
    signed_in = post_form(client, "/login/code", {"code": code_for(secret, 1)})
    assert signed_in.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    assert events("auth.sign_in")[-1].detail == {"second_step": "authenticator app"}


def test_a_code_from_the_app_works_only_once(with_two_step, clinician):
    client, secret, _ = with_two_step
    login(client, clinician)
    code = code_for(secret, 1)
    assert post_form(client, "/login/code", {"code": code}).status_code == 302
    sign_out(client)
    login(client, clinician)
    replayed = post_form(client, "/login/code", {"code": code})
    assert replayed.status_code == 400
    assert "That code did not work." in replayed.get_data(as_text=True)


def test_each_recovery_code_signs_in_once(with_two_step, clinician):
    client, _, codes = with_two_step
    login(client, clinician)
    typed = " " + codes[0].upper().replace("-", " ") + " "
    assert post_form(client, "/login/code", {"code": typed}).headers["Location"] == "/"
    assert events("auth.sign_in")[-1].detail == {"second_step": "recovery code"}
    sign_out(client)
    login(client, clinician)
    assert post_form(client, "/login/code", {"code": codes[0]}).status_code == 400
    assert post_form(client, "/login/code", {"code": codes[1]}).status_code == 302
    assert "8 unused recovery codes" in client.get("/account/two-step").get_data(as_text=True)


def stored_secret(clinician: Clinician) -> str:
    """What a copy of the database holds for the clinician's TOTP secret."""
    with db.engine.connect() as connection:
        return connection.execute(text("SELECT totp_secret FROM clinician WHERE id = :id"),
                                  {"id": clinician.id}).scalar_one()


def test_the_secret_is_stored_encrypted_so_a_copy_of_the_database_cannot_make_codes(with_two_step, clinician):
    _, secret, _ = with_two_step
    stored = stored_secret(clinician)
    assert secret not in stored.upper() and secret[:8] not in stored.upper()
    with pytest.raises(SecretUnreadable):
        decrypt_secret(stored, ["a guess at the secret key"])


def test_under_another_secret_key_app_codes_are_refused_with_a_way_to_sign_in(app, with_two_step, clinician):
    """A copied database on a server with its own key, or a lost instance/secret_key: no codes, and no 500."""
    client, secret, codes = with_two_step
    app.config["SECRET_KEY"] = "another secret key"
    login(client, clinician)
    refused = post_form(client, "/login/code", {"code": code_for(secret, 1)})
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "Codes from your authenticator app cannot be checked" in page
    assert "Sign in with one of your recovery codes" in page and "(flask reset-2fa)" in page
    assert events("auth.sign_in_failed")[-1].detail == {
        "failed": "second step (app secret unreadable: the secret key changed)"}
    assert post_form(client, "/login/code", {"code": codes[0]}).headers["Location"] == "/"


def test_after_rotating_the_secret_key_the_old_one_in_the_fallbacks_still_reads_the_secret(app, with_two_step,
                                                                                        clinician):
    client, secret, _ = with_two_step
    app.config.update(SECRET_KEY="the new secret key", SECRET_KEY_FALLBACKS=[app.config["SECRET_KEY"]])
    login(client, clinician)
    assert post_form(client, "/login/code", {"code": code_for(secret, 1)}).headers["Location"] == "/"


def test_setting_up_begun_under_an_older_secret_key_begins_again_with_a_new_secret(app, signed_in, clinician):
    post_form(signed_in, "/account/two-step/start", token_from="/account/two-step")
    first = secret_on(signed_in.get("/account/two-step/setup").get_data(as_text=True))
    app.config["SECRET_KEY"] = "another secret key"  # which also signs everyone out
    client = app.test_client()
    login(client, clinician)
    page = client.get("/account/two-step/setup")
    assert page.status_code == 200
    second = secret_on(page.get_data(as_text=True))
    assert second != first
    assert post_form(client, "/account/two-step/setup", {"code": code_for(second)}).status_code == 200
    assert db.session.get(Clinician, clinician.id).two_step_on


def test_wrong_codes_are_audited_and_made_to_wait(app, with_two_step, clinician):
    client, _, _ = with_two_step
    login(client, clinician)
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        assert post_form(client, "/login/code", {"code": "123456"}).status_code == 400
    assert post_form(client, "/login/code", {"code": "123456"}).status_code == 429
    failed = events("auth.sign_in_failed")
    assert len(failed) == app.config["LOGIN_MAX_FAILURES"] and failed[0].detail == {"failed": "second step"}
    assert client.get("/").status_code == 302


def test_wrong_codes_elsewhere_never_lock_the_clinician_out_of_their_own_browser(app, with_two_step, clinician):
    """Someone who has the password still cannot keep the clinician out by typing wrong codes."""
    client, secret, _ = with_two_step
    attacker = app.test_client()
    login(attacker, clinician)
    for _ in range(2 * app.config["LOGIN_MAX_FAILURES"]):
        post_form(attacker, "/login/code", {"code": "123456"})
    assert post_form(attacker, "/login/code", {"code": code_for(secret, 1)}).status_code == 429
    login(client, clinician)
    assert post_form(client, "/login/code", {"code": code_for(secret, 1)}).headers["Location"] == "/"


def test_the_code_must_follow_the_password_within_five_minutes(with_two_step, clinician):
    client, secret, _ = with_two_step
    login(client, clinician)
    with client.session_transaction() as session:
        session[PENDING_SECOND_STEP] = {**session[PENDING_SECOND_STEP], "at": session[PENDING_SECOND_STEP]["at"] - 301}
    response = post_form(client, "/login/code", {"code": code_for(secret, 1)}, token_from="/login")
    assert response.headers["Location"] == "/login"
    assert "within 5 minutes" in client.get("/login").get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_the_code_page_without_a_right_password_sends_to_sign_in(client):
    assert client.get("/login/code").headers["Location"] == "/login"


def test_turning_it_off_needs_the_password(with_two_step, clinician):
    client, secret, _ = with_two_step
    login(client, clinician)
    post_form(client, "/login/code", {"code": code_for(secret, 1)})
    refused = post_form(client, "/account/two-step/off", {"password": WRONG}, token_from="/account/two-step")
    assert refused.status_code == 400 and "That is not your password." in refused.get_data(as_text=True)
    assert db.session.get(Clinician, clinician.id).two_step_on
    assert post_form(client, "/account/two-step/off", {"password": PASSWORD},
                     token_from="/account/two-step").status_code == 302
    assert not db.session.get(Clinician, clinician.id).two_step_on
    assert db.session.scalars(select(RecoveryCode)).all() == []
    assert len(events("auth.two_step_off")) == 1
    sign_out(client)
    assert login(client, clinician).headers["Location"] == "/"


def test_require_2fa_makes_setting_it_up_the_first_thing_after_sign_in(runner, client, clinician):
    result = runner.invoke(args=["require-2fa"])
    assert result.exit_code == 0 and "now required" in result.output
    assert login(client, clinician).headers["Location"] == "/account/two-step"
    blocked = client.get("/")
    assert blocked.headers["Location"] == "/account/two-step"
    assert "Your practice asks every clinician to use two-step sign-in" in client.get(
        "/account/two-step").get_data(as_text=True)
    turn_on(client)
    assert client.get("/").status_code == 200
    refused = post_form(client, "/account/two-step/off", {"password": PASSWORD}, token_from="/account/two-step")
    assert refused.status_code == 302 and db.session.get(Clinician, clinician.id).two_step_on
    assert len(events("auth.two_step_required")) == 1


def test_reset_2fa_lets_a_clinician_who_lost_their_phone_sign_in_with_the_password(app, runner, with_two_step,
                                                                                   clinician):
    client, secret, _ = with_two_step
    lost_phone = app.test_client()
    login(lost_phone, clinician)
    post_form(lost_phone, "/login/code", {"code": code_for(secret, 1)})
    assert lost_phone.get("/").status_code == 200
    result = runner.invoke(args=["reset-2fa", "Therapist@example.test"])
    assert result.exit_code == 0, result.output
    assert "Two-step sign-in is reset for therapist@example.test" in result.output
    assert lost_phone.get("/").status_code == 302
    assert login(client, clinician).headers["Location"] == "/"
    assert [event.object_id for event in events("auth.two_step_reset")] == [clinician.id]


def test_unlock_clinician_ends_the_wait_on_the_account(app, runner, client, clinician):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        post_form(client, "/login", {"email": clinician.email, "password": WRONG})
    assert login(app.test_client(), clinician).status_code == 429
    result = runner.invoke(args=["unlock-clinician", clinician.email])
    assert result.exit_code == 0 and "Unlocked therapist@example.test" in result.output
    other_address = app.test_client()
    response = post_form(other_address, "/login", {"email": clinician.email, "password": PASSWORD},
                         environ_base={"REMOTE_ADDR": "10.3.3.3"})
    assert response.status_code == 302
    assert len(events("auth.unlock")) == 1


@pytest.mark.parametrize("command", ["unlock-clinician", "reset-2fa"])
def test_the_commands_say_when_there_is_no_such_clinician(runner, command):
    result = runner.invoke(args=[command, "nobody@example.test"])
    assert result.exit_code != 0 and "There is no clinician with the email nobody@example.test." in result.output
