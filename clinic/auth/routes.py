"""Sign-in, sign-out, idle sign-out and password changes for clinicians."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from clinic import throttle
from clinic.audit import record
from clinic.auth.forms import ChangePasswordForm, LoginForm
from clinic.auth.services import (
    PasswordProblem,
    account_key,
    authenticate,
    password_matches,
    record_sign_in_failure,
    set_password,
    sign_in_keys,
)
from clinic.extensions import db, login_manager
from clinic.models import Clinician, utcnow

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.session_protection = "strong"

# When the clinician was last active, in the (signed) session cookie: an old
# copy of the cookie carries its old time, so replaying it does not revive it.
LAST_SEEN = "clinician_last_seen"


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


def safe_next(target: str | None) -> str | None:
    """Only same-site paths are followed after sign-in (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def _now() -> int:
    return int(utcnow().timestamp())


@bp.before_app_request
def end_idle_session():
    """Sign a clinician out after IDLE_MINUTES without a request; the portal's session keys stay."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    idle_minutes = current_app.config["IDLE_MINUTES"]
    last_seen = session.get(LAST_SEEN)
    if isinstance(last_seen, int) and _now() - last_seen < idle_minutes * 60:
        session[LAST_SEEN] = _now()
        return None
    logout_user()
    session.pop(LAST_SEEN, None)
    flash(f"You were signed out after {idle_minutes} minutes without activity, to keep your clients' "
          "information safe. Sign in again to carry on where you were.", "info")
    return redirect(sign_in_url_back_here())


def _start_session(clinician: Clinician) -> None:
    """A brand-new session for the clinician: nothing from before sign-in carries over."""
    session.clear()
    login_user(clinician)
    session[LAST_SEEN] = _now()


@bp.route("/login", methods=["GET", "POST"])
def login():
    target = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(target or url_for("clients.dashboard"))
    form = LoginForm()
    wait = None
    if form.validate_on_submit():
        keys = sign_in_keys(form.email.data, request.remote_addr)
        wait = throttle.blocked_for(keys)
        if wait is None:
            clinician = authenticate(form.email.data, form.password.data)
            if clinician is not None:
                throttle.reset(account_key(clinician.email))
                _start_session(clinician)
                record("auth.sign_in")
                db.session.commit()
                return redirect(target or url_for("clients.dashboard"))
            record_sign_in_failure(keys)
            wait = throttle.blocked_for(keys)
            if wait is None:
                form.password.errors.append("That email and password do not match an account.")
    if wait is not None:
        return render_template("auth/login.html", form=form, wait_minutes=throttle.minutes(wait)), 429
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    record("auth.sign_out")
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
        keys = [account_key(current_user.email)]
        wait = throttle.blocked_for(keys)
        if wait is None and not password_matches(current_user.password_hash, form.current_password.data):
            record_sign_in_failure(keys)
            wait = throttle.blocked_for(keys)
            form.current_password.errors.append("That is not your current password.")
        elif wait is None:
            try:
                set_password(current_user, form.new_password.data)
            except PasswordProblem as problem:
                form.new_password.errors.append(str(problem))
            else:
                record("auth.password_change")
                db.session.commit()
                _start_session(current_user._get_current_object())
                flash("Your password is changed. Any other device signed in as you has been signed out.", "success")
                return redirect(url_for("clients.dashboard"))
    if wait is not None:
        return render_template("auth/change_password.html", form=form, wait_minutes=throttle.minutes(wait)), 429
    return render_template("auth/change_password.html", form=form), 400 if form.errors else 200
