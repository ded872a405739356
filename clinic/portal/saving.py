"""The save pipeline: check posted answers, store them compare-and-set, and say what happened.

Both the page's own form posts (`pages.worksheet`) and the autosave endpoint
here go through `save_from_request`, so they cannot disagree about what a
valid, stale or closed save is.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from flask import jsonify, render_template, request
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from clinic import words
from clinic.assignments.services import definition_by_digest
from clinic.errors import render_error
from clinic.models import OPEN_STATUSES
from clinic.portal.access import client_required, own_draft, typed_text, wants_json
from clinic.portal.blueprint import bp
from clinic.portal.services import Draft, SaveRefused, save_answers
from clinic.worksheets import Definition, Posted, read_posted
from clinic.worksheets.evaluation import progress

WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")  # ASCII digits only: str.isdigit() accepts '¹', which int() refuses

STALE_MESSAGE = ("This worksheet was saved from another tab or device after you opened this page, "
                 "so this page was not saved and the newer answers are safe.")
CLOSED_MESSAGE = ("This worksheet has already been sent to your therapist, so it cannot be changed here. "
                  "If you want to change something, ask your therapist to reopen it.")
FORGED_MESSAGE = ("This page sent answers that do not belong to this worksheet, so nothing was saved. "
                  "Please reload the page and try again.")


@dataclass
class SaveOutcome:
    """What became of one save request, for the HTML page or the JSON reply.

    `status` is saved, invalid, stale, closed or forged; a submission missing
    required answers is `saved` (as a draft) and `incomplete`.
    """

    status: str
    code: int = 200
    message: str = ""
    posted: Posted | None = None
    version: int | None = None
    answers: dict[str, Any] | None = None
    saved_at: dt.datetime | None = None
    incomplete: bool = False

    @property
    def form(self) -> FlaskForm | None:
        """The form to show again (built only when a page asks for it: autosave's reply does not)."""
        return self.posted.form if self.posted else None


def save_from_request(draft: Draft, definition: Definition, *, submit: bool) -> SaveOutcome:
    """Check the posted answers, then save them in one transaction (also when a submission is incomplete)."""
    if draft.status not in OPEN_STATUSES:
        return SaveOutcome("closed", code=409, message=CLOSED_MESSAGE, version=draft.version)
    expected = request.form.get("version", "")
    posted = read_posted(definition, request.form, submit=submit, saved=draft.answers)
    if posted.status == "forged" or not WHOLE_NUMBER.fullmatch(expected):
        return SaveOutcome("forged", code=400, message=FORGED_MESSAGE, version=draft.version)
    if posted.status == "invalid":
        return SaveOutcome("invalid", code=400, posted=posted, version=int(expected), message=(
            "Not saved yet: please check the answers marked below. Everything you typed is still here."))
    complete = posted.status == "ok"
    try:
        saved = save_answers(draft, posted.answers, expected_version=int(expected), submit=submit and complete)
    except SaveRefused as refused:
        message = CLOSED_MESSAGE if refused.reason == "closed" else STALE_MESSAGE
        return SaveOutcome(refused.reason, code=409, message=message, posted=posted,
                           version=refused.current_version)
    return SaveOutcome("saved", code=200 if complete else 400, posted=posted, version=saved.version,
                       answers=posted.answers, saved_at=saved.saved_at, incomplete=not complete)


@bp.route("/portal/worksheets/<int:assignment_id>/save", methods=["POST"])
@client_required
def save(assignment_id: int):
    """The autosave endpoint (JSON): what the page's script, and the load benchmark, call."""
    draft, digest = own_draft(assignment_id)
    definition = definition_by_digest(digest)
    outcome = save_from_request(draft, definition, submit=False)
    if outcome.status == "saved":
        counted = progress(definition, outcome.answers)
        return jsonify(status="saved", version=outcome.version, saved_at=outcome.saved_at.isoformat(),
                       saved_text=words.saved_at(outcome.saved_at), answered=counted.answered,
                       total=counted.total, required_left=counted.required_left,
                       progress_text=words.progress(counted.answered, counted.total, counted.required_left))
    errors = [{"id": field_id, "label": label, "message": message}
              for field_id, label, message in (outcome.posted.errors if outcome.posted else [])]
    return jsonify(status=outcome.status, message=outcome.message, version=outcome.version,
                   errors=errors), outcome.code


@bp.errorhandler(CSRFError)
def expired_form(error: CSRFError):
    if wants_json():
        return jsonify(status="expired", message=(
            "This page has expired. What you typed is kept on this device: reload the page to carry on.")), 400
    if request.path.startswith(("/portal", "/p/")):
        return render_template("portal/signed_out.html", message="This page has expired, for your safety.",
                               typed=typed_text()), 400
    return render_error(400, "This page has expired",
                        "For your safety, pages stop working after a while or after signing out. "
                        "Please go back, reload the page and try again."), 400


@bp.errorhandler(413)
def too_large(error: HTTPException):
    if wants_json():
        return jsonify(status="too_large", message=(
            "Not saved: that is more than we can accept at once. Please shorten your longest answers.")), 413
    return render_error(413), 413
