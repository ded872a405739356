"""The clinician's dashboard and client pages."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("clients", __name__)


@bp.route("/")
@login_required
def dashboard():
    return render_template("clients/dashboard.html")
