"""Sign-in and sign-out for clinicians."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from clinic.auth.forms import LoginForm
from clinic.auth.services import authenticate
from clinic.extensions import db, login_manager
from clinic.models import Clinician

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to continue."
login_manager.session_protection = "strong"


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


def safe_next(target: str | None) -> str | None:
    """Only same-site paths are followed after sign-in (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("clients.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        clinician = authenticate(form.email.data, form.password.data)
        if clinician is None:
            db.session.commit()
            form.password.errors.append("That email and password do not match an account.")
        else:
            db.session.commit()
            session.clear()  # a fresh session at sign-in: nothing from before carries over
            login_user(clinician)
            return redirect(safe_next(request.args.get("next")) or url_for("clients.dashboard"))
    return render_template("auth/login.html", form=form), 200 if not form.errors else 400


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    current_user.session_version += 1
    db.session.commit()
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))
