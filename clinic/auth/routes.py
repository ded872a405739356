"""Clinicians' sign-in (a password, then a code when two-step sign-in is on), sign-out, idle
and 12-hour sign-out, password changes and two-step sign-in settings."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from clinic import throttle
from clinic.audit import record
from clinic.auth import two_step
from clinic.auth.devices import device_key, remember_device
from clinic.auth.forms import ChangePasswordForm, ConfirmAppForm, LoginForm, SecondStepForm, TurnOffForm
from clinic.auth.services import (
    PasswordProblem,
    account_key,
    current_password_key,
    find_clinician,
    password_is_right,
    password_matches,
    second_step_key,
    set_password,
    sign_in_backoff,
    sign_in_keys,
)
from clinic.auth.totp_encryption import SecretUnreadable
from clinic.extensions import db, login_manager
from clinic.models import AuditAction, Clinician, utcnow
from clinic.urls import safe_next

bp = Blueprint("auth", __name__)

# Said instead of "wrong code" when the app's secret was stored under a secret key the server no longer has.
APP_SECRET_UNREADABLE = ("Codes from your authenticator app cannot be checked: Groundwork's secret key has changed "
                         "since you set up two-step sign-in. Sign in with one of your recovery codes, or ask an "
                         "administrator to reset two-step sign-in for you (flask reset-2fa), then set it up again.")

login_manager.login_view = "auth.login"
login_manager.session_protection = "strong"

# Where Flask-Login keeps the signed-in clinician's id: a session without it (a client's) has no one to load.
USER_ID = "_user_id"
# When the clinician was last active, in the (signed) session cookie: an old
# copy of the cookie carries its old time, so replaying it does not revive it.
LAST_SEEN = "clinician_last_seen"
# When the clinician signed in: the session ends SESSION_MAX_HOURS later, however active.
SIGNED_IN_AT = "clinician_signed_in_at"
# Between a right password and the code from the app: who, which session version, since when, going where.
PENDING_SECOND_STEP = "clinician_pending_second_step"
PENDING_SECONDS = 5 * 60
# Set at sign-in when the practice requires two-step sign-in and this clinician has not set it up.
MUST_SET_UP_TWO_STEP = "clinician_must_set_up_two_step"
SETTING_UP_TWO_STEP = {"static", "auth.two_step_status", "auth.two_step_start", "auth.two_step_setup", "auth.logout"}


@login_manager.user_loader
def load_clinician(session_id: str) -> Clinician | None:
    """Sessions carry 'id:version'; a bumped version (sign-out, new password) ends them."""
    clinician_id, _, version = session_id.partition(":")
    if not clinician_id.isdigit() or not version.isdigit():
        return None
    clinician = db.session.get(Clinician, int(clinician_id))
    if clinician is None or clinician.session_version != int(version):
        return None
    return clinician


@login_manager.unauthorized_handler
def sign_in_first():
    flash("Please sign in to continue.", "info")
    return redirect(sign_in_url_back_here())


def sign_in_url_back_here() -> str:
    """The sign-in page, coming back to this page afterwards (only a page one can GET)."""
    here = request.full_path.rstrip("?") if request.method == "GET" else None
    return url_for("auth.login", next=here)


def _now() -> int:
    return int(utcnow().timestamp())


@bp.before_app_request
def end_stale_session():
    """Sign a clinician out after IDLE_MINUTES without a request, or SESSION_MAX_HOURS after
    signing in; the portal's session keys stay."""
    if request.endpoint == "static" or USER_ID not in session or not current_user.is_authenticated:
        return None  # a client's portal session: loading no clinician also leaves its cookie unchanged
    config, now = current_app.config, _now()
    signed_in_at, last_seen = session.get(SIGNED_IN_AT), session.get(LAST_SEEN)
    if not isinstance(signed_in_at, int) or now - signed_in_at >= config["SESSION_MAX_HOURS"] * 3600:
        reason = f"You were signed out {config['SESSION_MAX_HOURS']} hours after signing in"
    elif not isinstance(last_seen, int) or now - last_seen >= config["IDLE_MINUTES"] * 60:
        reason = f"You were signed out after {config['IDLE_MINUTES']} minutes without activity"
    else:
        session[LAST_SEEN] = now
        return None
    logout_user()
    session.pop(LAST_SEEN, None)
    session.pop(SIGNED_IN_AT, None)
    flash(f"{reason}, to keep your clients' information safe. Sign in again to carry on where you were.", "info")
    return redirect(sign_in_url_back_here())


def _start_session(clinician: Clinician) -> None:
    """A brand-new session for the clinician: nothing from before sign-in carries over."""
    session.clear()
    login_user(clinician)
    session[LAST_SEEN] = session[SIGNED_IN_AT] = _now()


def _count_failure(keys: list[str], clinician: Clinician | None, **detail: str) -> dt.timedelta | None:
    """Audit a failed attempt, and the wait it starts; how long the next attempt must wait."""
    record(AuditAction.SIGN_IN_FAILED, clinician, **detail)
    wait = throttle.blocked_for(keys)
    if wait is not None:
        record(AuditAction.SIGN_IN_PAUSED, clinician, minutes=throttle.minutes(wait))
    db.session.commit()
    return wait


def _complete_sign_in(clinician: Clinician, target: str | None, **detail: str):
    """Sign the clinician in on this browser, and remember the browser for the next time."""
    throttle.reset(account_key(clinician.email))
    clinician.last_login_at = utcnow()
    _start_session(clinician)
    record(AuditAction.SIGN_IN, **detail)
    if not clinician.two_step_on and two_step.required():
        session[MUST_SET_UP_TWO_STEP] = True
        target = url_for("auth.two_step_status")
    db.session.commit()
    response = redirect(target or url_for("clients.dashboard"))
    remember_device(response, clinician)
    return response


def _ask_for_second_step(clinician: Clinician, target: str | None):
    session.clear()
    session[PENDING_SECOND_STEP] = {"clinician": clinician.id, "version": clinician.session_version,
                                    "at": _now(), "next": target}
    db.session.commit()
    return redirect(url_for("auth.second_step"))


def _pending_sign_in() -> tuple[Clinician | None, str | None]:
    """The clinician whose password was right in this browser less than 5 minutes ago, and where to go."""
    pending = session.get(PENDING_SECOND_STEP)
    if not isinstance(pending, dict) or not isinstance(pending.get("at"), int) \
            or _now() - pending["at"] > PENDING_SECONDS:
        return None, None
    clinician = db.session.get(Clinician, pending.get("clinician"))
    if clinician is None or clinician.session_version != pending.get("version") or not clinician.two_step_on:
        return None, None
    return clinician, safe_next(pending.get("next"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    target = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(target or url_for("clients.dashboard"))
    form = LoginForm()
    wait = None
    if form.validate_on_submit():
        clinician = find_clinician(form.email.data)
        device = device_key(clinician)
        keys = sign_in_keys(form.email.data, request.remote_addr, device)
        backoff = sign_in_backoff()
        wait = throttle.reserve(keys, backoff)
        if wait is None:
            if password_is_right(clinician, form.password.data):
                throttle.release(keys, backoff)
                if clinician.two_step_on:
                    return _ask_for_second_step(clinician, target)
                return _complete_sign_in(clinician, target)
            wait = _count_failure(keys, clinician, failed="password",
                                  browser="recognised" if device else "unknown")
            if wait is None:
                form.password.errors.append("That email and password do not match an account.")
    if wait is not None:
        return render_template("auth/login.html", form=form, wait_minutes=throttle.minutes(wait)), 429
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


@bp.route("/login/code", methods=["GET", "POST"])
def second_step():
    """The second step of signing in: a code from the app, or a recovery code."""
    if current_user.is_authenticated:
        return redirect(url_for("clients.dashboard"))
    clinician, target = _pending_sign_in()
    if clinician is None:
        if session.pop(PENDING_SECOND_STEP, None):
            flash("Please sign in again: the code has to follow the password within 5 minutes.", "info")
        return redirect(url_for("auth.login"))
    form = SecondStepForm()
    wait = None
    if form.validate_on_submit():
        # As with passwords: wrong codes on a recognised browser count against that browser only.
        keys, backoff = [device_key(clinician) or second_step_key(clinician)], sign_in_backoff()
        wait = throttle.reserve(keys, backoff)
        if wait is None:
            try:
                passed_with, unreadable = two_step.second_step_passed(clinician, form.code.data), False
            except SecretUnreadable:
                passed_with, unreadable = None, True
            if passed_with:
                throttle.reset(keys[0])
                return _complete_sign_in(clinician, target, second_step=passed_with)
            wait = _count_failure(keys, clinician, failed="second step (app secret unreadable: the secret key changed)"
                                  if unreadable else "second step")
            if wait is None:
                form.code.errors.append(APP_SECRET_UNREADABLE if unreadable else
                                        "That code did not work. The app shows a new code every 30 seconds: "
                                        "type the one it shows now, or use a recovery code.")
    if wait is not None:
        return render_template("auth/second_step.html", form=form, wait_minutes=throttle.minutes(wait)), 429
    return render_template("auth/second_step.html", form=form), 400 if form.errors else 200


@bp.before_app_request
def set_up_two_step_first():
    """When the practice requires two-step sign-in, nothing else opens until it is set up."""
    if not session.get(MUST_SET_UP_TWO_STEP) or request.endpoint in SETTING_UP_TWO_STEP \
            or not current_user.is_authenticated:
        return None
    flash("Your practice asks every clinician to use two-step sign-in. Please set it up to carry on.", "info")
    return redirect(url_for("auth.two_step_status"))


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    record(AuditAction.SIGN_OUT)
    current_user.session_version += 1  # every copy of this session, on any device, stops working
    db.session.commit()
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    wait = None
    if form.validate_on_submit():
        keys, backoff = [current_password_key(current_user)], sign_in_backoff()
        wait = throttle.reserve(keys, backoff)
        if wait is None and not password_matches(current_user.password_hash, form.current_password.data):
            wait = _count_failure(keys, current_user._get_current_object(), failed="current password")
            form.current_password.errors.append("That is not your current password.")
        elif wait is None:
            throttle.release(keys, backoff)
            try:
                set_password(current_user, form.new_password.data)
            except PasswordProblem as problem:
                form.new_password.errors.append(str(problem))
            else:
                record(AuditAction.PASSWORD_CHANGE)
                db.session.commit()
                _start_session(current_user._get_current_object())
                flash("Your password is changed. Any other device signed in as you has been signed out.", "success")
                response = redirect(url_for("clients.dashboard"))
                remember_device(response, current_user._get_current_object())
                return response
    if wait is not None:
        return render_template("auth/change_password.html", form=form, wait_minutes=throttle.minutes(wait)), 429
    return render_template("auth/change_password.html", form=form), 400 if form.errors else 200


def _two_step_page(off_form: TurnOffForm, status: int = 200, wait: dt.timedelta | None = None):
    clinician = current_user._get_current_object()
    codes_left = two_step.recovery_codes_left(clinician) if clinician.two_step_on else None
    return render_template("auth/two_step.html", off_form=off_form, codes_left=codes_left,
                           required=two_step.required(),
                           wait_minutes=throttle.minutes(wait) if wait else None), status


@bp.route("/account/two-step")
@login_required
def two_step_status():
    return _two_step_page(TurnOffForm())


@bp.route("/account/two-step/start", methods=["POST"])
@login_required
def two_step_start():
    if not current_user.two_step_on:
        two_step.start_setup(current_user)
        db.session.commit()
    return redirect(url_for("auth.two_step_setup"))


@bp.route("/account/two-step/setup", methods=["GET", "POST"])
@login_required
def two_step_setup():
    clinician = current_user._get_current_object()
    if clinician.two_step_on or clinician.encrypted_totp_secret is None:
        return redirect(url_for("auth.two_step_status"))
    try:
        secret = two_step.secret_of(clinician)
    except SecretUnreadable:  # the secret key changed since setting up began: begin again with a new secret
        secret = two_step.start_setup(clinician)
        db.session.commit()
    form = ConfirmAppForm()
    if form.validate_on_submit():
        codes = two_step.confirm_setup(clinician, "".join(form.code.data.split()))
        if codes:
            record(AuditAction.TWO_STEP_ON)
            db.session.commit()
            session.pop(MUST_SET_UP_TWO_STEP, None)
            return render_template("auth/recovery_codes.html", codes=codes)
        form.code.errors.append("That code does not match. Check that the app shows Groundwork, "
                                "and type the code it shows now.")
    return render_template("auth/two_step_setup.html", form=form, qr_code=two_step.qr_code_svg(secret, clinician.email),
                           secret=two_step.secret_as_text(secret)), 400 if form.errors else 200


@bp.route("/account/two-step/off", methods=["POST"])
@login_required
def two_step_off():
    clinician = current_user._get_current_object()
    if not clinician.two_step_on:
        return redirect(url_for("auth.two_step_status"))
    form = TurnOffForm()
    if two_step.required():
        flash("Your practice requires two-step sign-in, so it stays on.", "info")
        return redirect(url_for("auth.two_step_status"))
    if not form.validate_on_submit():
        return _two_step_page(form, 400)
    keys, backoff = [current_password_key(clinician)], sign_in_backoff()
    wait = throttle.reserve(keys, backoff)
    if wait is None and password_matches(clinician.password_hash, form.password.data):
        throttle.release(keys, backoff)
        two_step.turn_off(clinician)
        record(AuditAction.TWO_STEP_OFF)
        db.session.commit()
        flash("Two-step sign-in is off. Signing in now asks for your password only.", "success")
        return redirect(url_for("auth.two_step_status"))
    if wait is None:
        wait = _count_failure(keys, clinician, failed="password to turn off two-step sign-in")
        form.password.errors.append("That is not your password.")
    return _two_step_page(form, 429 if wait else 400, wait)
