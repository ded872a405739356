"""The clinician's worksheet library: what each worksheet asks, before assigning it."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template
from flask_login import login_required

from clinic.worksheets import build_form, show_if_words

bp = Blueprint("worksheets", __name__, url_prefix="/worksheets")
bp.add_app_template_global(show_if_words)


@bp.route("/")
@login_required
def library():
    return render_template("worksheets/library.html", definitions=current_app.extensions["worksheets"].values())


@bp.route("/<worksheet_id>")
@login_required
def preview(worksheet_id: str):
    definition = current_app.extensions["worksheets"].get(worksheet_id)
    if definition is None:
        abort(404)
    return render_template("worksheets/preview.html", definition=definition,
                           form=build_form(definition, formdata=None))
