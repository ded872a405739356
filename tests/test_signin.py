"""Sign-in that cannot be used to lock people out: device cookies, growing waits, atomic
reservation of attempts, audited failures, and the session's absolute lifetime."""

from __future__ import annotations

import datetime as dt
import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select, update
from werkzeug.serving import make_server

import clinic.auth.services
from clinic.auth.devices import DEVICE_COOKIE
from clinic.auth.routes import LAST_SEEN, SIGNED_IN_AT
from clinic.extensions import db
from clinic.models import AuditEvent, ThrottleBucket, utcnow
from tests.support.posting import CSRF_PATTERN, PASSWORD, login, post_form

WRONG = "not the password at all"
NEW_PASSWORD = "lantern orchard ferry velvet"


def attempt(client, email, password, *, address="10.0.0.7"):
    return post_form(client, "/login", {"email": email, "password": password}, environ_base={"REMOTE_ADDR": address})


def sign_in_then_out(client, clinician):
    assert login(client, clinician).status_code == 302
    assert post_form(client, "/logout", token_from="/").status_code == 302


def end_every_wait():
    """As if the waits had passed (the counts stay)."""
    db.session.execute(update(ThrottleBucket).values(blocked_until=utcnow() - dt.timedelta(seconds=1)))
    db.session.commit()


def failed_sign_ins(clinician) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "auth.sign_in_failed", AuditEvent.object_id == clinician.id))


def test_failures_elsewhere_never_lock_the_clinician_out_of_their_own_browser(app, client, clinician):
    sign_in_then_out(client, clinician)
    attacker = app.test_client()
    for _ in range(3 * app.config["LOGIN_MAX_FAILURES"]):
        attempt(attacker, clinician.email, WRONG, address="198.51.100.66")
    assert attempt(attacker, clinician.email, PASSWORD, address="198.51.100.66").status_code == 429
    # The clinician's own browser, even behind the attacker's address (one proxy for a whole practice).
    assert attempt(client, clinician.email, PASSWORD, address="198.51.100.66").status_code == 302


def test_a_recognised_browser_has_its_own_limit_so_a_stolen_cookie_cannot_guess_forever(app, client, clinician):
    sign_in_then_out(client, clinician)
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        assert attempt(client, clinician.email, WRONG).status_code == 400
    assert attempt(client, clinician.email, WRONG).status_code == 429
    assert attempt(client, clinician.email, PASSWORD).status_code == 429
    # Meanwhile the account itself is not blocked for the clinician's other browsers.
    assert attempt(app.test_client(), clinician.email, PASSWORD, address="10.9.9.9").status_code == 302


@pytest.mark.parametrize("cookie", ["forged", "another account's"])
def test_only_a_valid_device_cookie_for_this_account_is_recognised(app, client, make, clinician, cookie):
    if cookie == "forged":
        client.set_cookie(DEVICE_COOKIE, "eyJjbGluaWNpYW4iOjF9.forged.signature")
    else:
        sign_in_then_out(client, make.clinician(email="colleague@example.test"))
    attacker = app.test_client()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        attempt(attacker, clinician.email, WRONG, address="198.51.100.66")
    assert attempt(client, clinician.email, PASSWORD, address="10.0.0.8").status_code == 429


def test_the_device_cookie_is_signed_http_only_and_same_site_strict(client, clinician):
    response = attempt(client, clinician.email, PASSWORD)
    cookie = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith(DEVICE_COOKIE))
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Max-Age=" in cookie
    assert clinician.email not in cookie


def test_unknown_browsers_wait_longer_after_each_further_failure(app, client, clinician):
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        assert attempt(client, clinician.email, WRONG).status_code == 400
    waits = []
    for _ in range(4):
        response = attempt(client, clinician.email, WRONG)
        assert response.status_code == 429
        waits.append(int(re.search(r"try again in (\d+) minute", response.get_data(as_text=True)).group(1)))
        end_every_wait()
    assert waits == [1, 2, 4, 8]
    # Every one of them was checked and counted, none was refused unseen.
    assert failed_sign_ins(clinician) == app.config["LOGIN_MAX_FAILURES"] + 3


def test_the_waits_stop_growing_at_the_longest_delay(app, client, clinician):
    app.config["LOGIN_LONGEST_DELAY_MINUTES"] = 3
    for _ in range(app.config["LOGIN_MAX_FAILURES"] + 4):
        response = attempt(client, clinician.email, WRONG)
        end_every_wait()
    assert "Please try again in 3 minutes." in response.get_data(as_text=True)


def test_a_refused_attempt_during_a_wait_checks_no_password_and_counts_nothing(app, client, clinician):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        attempt(client, clinician.email, WRONG)
    failures_before = failed_sign_ins(clinician)
    assert attempt(client, clinician.email, WRONG).status_code == 429
    assert failed_sign_ins(clinician) == failures_before


def test_failed_sign_ins_and_the_waits_they_start_are_in_the_audit_trail(app, client, clinician):
    attempt(client, "nobody@example.test", WRONG)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        attempt(client, clinician.email, WRONG, address="10.0.0.9")
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("auth.sign_in_%"))
                                .order_by(AuditEvent.id)).all()
    assert [event.action for event in events].count("auth.sign_in_failed") == app.config["LOGIN_MAX_FAILURES"] + 1
    assert events[0].object_id is None and events[0].detail == {"failed": "password", "browser": "unknown"}
    paused = [event for event in events if event.action == "auth.sign_in_paused"]
    assert len(paused) == 1 and paused[0].object_id == clinician.id and paused[0].address == "10.0.0.9"
    assert WRONG not in str([event.detail for event in events])


def _sign_in_over_http(base_url: str, email: str, password: str, start: threading.Barrier) -> int:
    """One browser: read the sign-in form's CSRF token, wait for the others, post."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = opener.open(base_url + "/login").read().decode()
    token = CSRF_PATTERN.search(page).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": password}).encode()
    start.wait()
    try:
        return opener.open(base_url + "/login", data=body).status
    except urllib.error.HTTPError as refused:
        return refused.code


class CountingHasher(PasswordHasher):
    """The real argon2 hasher (test parameters), counting the passwords it checks."""

    def __init__(self, hasher: PasswordHasher):
        super().__init__(time_cost=hasher.time_cost, memory_cost=hasher.memory_cost, parallelism=hasher.parallelism)
        self.checked, self._lock = 0, threading.Lock()

    def verify(self, password_hash, password):
        with self._lock:
            self.checked += 1
        return super().verify(password_hash, password)


def test_twenty_parallel_wrong_passwords_check_at_most_the_limit(app, clinician, monkeypatch):
    """A burst of attempts, all in flight at once against a real server, cannot outrun the limit."""
    hasher = CountingHasher(clinic.auth.services.hasher)
    monkeypatch.setattr(clinic.auth.services, "hasher", hasher)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    start, statuses = threading.Barrier(20), []
    base_url, email = f"http://127.0.0.1:{server.server_port}", clinician.email
    try:
        browsers = [threading.Thread(target=lambda: statuses.append(_sign_in_over_http(base_url, email, WRONG, start)))
                    for _ in range(20)]
        for browser in browsers:
            browser.start()
        for browser in browsers:
            browser.join(timeout=60)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
    limit = app.config["LOGIN_MAX_FAILURES"]
    assert len(statuses) == 20 and set(statuses) <= {400, 429}
    assert hasher.checked <= limit
    db.session.expire_all()
    assert failed_sign_ins(clinician) <= limit
    assert statuses.count(400) <= limit - 1
    bucket = db.session.scalars(select(ThrottleBucket).where(ThrottleBucket.key.like("login:account:%"))).one()
    assert bucket.failures <= limit and bucket.blocked_until > utcnow()


def test_a_session_ends_twelve_hours_after_sign_in_however_active(signed_in):
    with signed_in.session_transaction() as session:
        session[SIGNED_IN_AT] = int(utcnow().timestamp()) - 12 * 3600 - 1
        session[LAST_SEEN] = int(utcnow().timestamp())
    response = signed_in.get("/")
    assert response.status_code == 302
    page = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "You were signed out 12 hours after signing in" in page


def test_a_session_of_eleven_hours_with_activity_goes_on(signed_in):
    with signed_in.session_transaction() as session:
        session[SIGNED_IN_AT] = int(utcnow().timestamp()) - 11 * 3600
    assert signed_in.get("/").status_code == 200


def test_signing_in_again_after_the_limit_starts_a_new_twelve_hours(client, clinician):
    login(client, clinician)
    with client.session_transaction() as session:
        assert int(utcnow().timestamp()) - session[SIGNED_IN_AT] < 60


def test_changing_the_password_forgets_every_other_recognised_browser(app, client, clinician):
    sign_in_then_out(client, clinician)
    elsewhere = app.test_client()
    assert login(elsewhere, clinician).status_code == 302
    changed = post_form(elsewhere, "/account/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                                                         "confirm_password": NEW_PASSWORD}, token_from="/account/password")
    assert changed.status_code == 302
    assert post_form(elsewhere, "/logout", token_from="/").status_code == 302
    attacker = app.test_client()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        attempt(attacker, clinician.email, WRONG, address="198.51.100.66")
    # The browser that knew the old password is a stranger now; the one that changed it is still known.
    assert attempt(client, clinician.email, NEW_PASSWORD, address="198.51.100.66").status_code == 429
    assert attempt(elsewhere, clinician.email, NEW_PASSWORD, address="198.51.100.66").status_code == 302
