"""The client portal."""

from flask import Blueprint

bp = Blueprint("portal", __name__)


@bp.route("/p/<token>")
def landing(token: str):
    return "Portal coming soon", 200
