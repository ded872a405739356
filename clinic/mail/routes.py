"""Unsubscribing by the link in every email, without signing in.

GET only shows a button (mail scanners follow links and must not unsubscribe
anyone); the POST unsubscribes. The link is the client's id signed with the
app's secret key, so it cannot be guessed or changed to another client's.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request

from clinic.extensions import db
from clinic.mail.services import client_for_unsubscribe, unsubscribe

bp = Blueprint("mail", __name__)


@bp.route("/portal/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe_page(token: str):
    client = client_for_unsubscribe(token)
    if client is None:
        return render_template("mail/unsubscribe.html", unknown=True), 404
    done = False
    if request.method == "POST":
        unsubscribe(client)
        db.session.commit()
        done = True
    return render_template("mail/unsubscribe.html", unknown=False, done=done)
