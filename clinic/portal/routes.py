"""The client portal: the way in by link, the client's worksheets, saving and submitting.

Also the clinician's side of links (create, revoke, replace), shown on the
client page through `portal/_client_links.html`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, logout_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import HTTPException

from clinic import audit, throttle
from clinic.assignments.services import definition_of
from clinic.clients.pagination import paginate
from clinic.clients.services import get_own_client
from clinic.errors import render_error
from clinic.extensions import db
from clinic.forms import error_list
from clinic.mail.services import send_invitation
from clinic.pdf.background import prerender_later
from clinic.models import OPEN_STATUSES, SENT_STATUSES, Assignment, Client, PortalLink, utcnow
from clinic.portal.forms import BackForm, LinkForm
from clinic.portal.logs import redact_request_logs
from clinic.portal.services import (
    LINK_DAYS_MAX,
    SaveRefused,
    end_sessions,
    find_usable_link,
    is_usable,
    issue_link,
    link_status,
    links_of,
    revoke_link,
    revoke_links_of,
    save_answers,
)
from clinic.security import safe_next
from clinic.worksheets import (
    CONTROL_KEYS,
    REQUIRED_MESSAGE,
    Definition,
    Group,
    build_form,
    evaluate,
    hidden_items,
    read_posted,
)
from clinic.worksheets.schema import OPTION_VALUE_PATTERN

bp = Blueprint("portal", __name__)
bp.record_once(lambda state: redact_request_logs())

SESSION_CLIENT = "portal_client_id"
SESSION_LINK = "portal_link_id"
SESSION_VERSION = "portal_session_version"
SESSION_SEEN = "portal_seen_at"
OPTION_VALUE = re.compile(OPTION_VALUE_PATTERN)
WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")  # ASCII digits only: str.isdigit() accepts '¹', which int() refuses
LINKS_SHOWN = 10

STALE_MESSAGE = ("This worksheet was saved from another tab or device after you opened this page, "
                 "so this page was not saved and the newer answers are safe.")
CLOSED_MESSAGE = ("This worksheet has already been sent to your therapist, so it cannot be changed here. "
                  "If you want to change something, ask your therapist to reopen it.")
FORGED_MESSAGE = ("This page sent answers that do not belong to this worksheet, so nothing was saved. "
                  "Please reload the page and try again.")
SIGNED_OUT_MESSAGES = {
    "idle": "For your privacy, you were signed out after a while without activity.",
    "ended": "Your private session has ended.",
}


CLIENT_STATUS = {
    "assigned": "Not started",
    "in_progress": "Started",
    "submitted": "Sent to your therapist",
    "reviewed": "Read by your therapist",
}


@bp.app_template_global("client_status")
def client_status(status: str) -> str:
    """An assignment's status in the client's words."""
    return CLIENT_STATUS.get(status, status.replace("_", " "))


# --- the client's way in -----------------------------------------------------------------


@bp.route("/p/<token>", methods=["GET", "POST"])
def landing(token: str):
    """GET shows a calm page and changes nothing (mail scanners follow links); POST signs in.

    A valid link always works: only unknown, expired and revoked links count
    against the address, so guessing from a clinic's shared Wi-Fi never locks
    out the other clients behind it.
    """
    link = find_usable_link(token)
    if link is None:
        address_key = f"portal-link:address:{request.remote_addr}"
        wait = throttle.blocked_for([address_key])
        if wait:
            return render_template("portal/link_unusable.html", wait_minutes=throttle.minutes(wait)), 429
        window = dt.timedelta(minutes=current_app.config["LOGIN_WINDOW_MINUTES"])
        throttle.record_failure([address_key], limit=current_app.config["LINK_MAX_FAILURES"], window=window)
        return render_template("portal/link_unusable.html"), 404
    if request.method == "GET":
        return render_template("portal/landing.html")
    _start_client_session(link)
    return redirect(url_for("portal.home"))


def _start_client_session(link: PortalLink) -> None:
    """A fresh session for the link's client; nothing from an earlier session carries over."""
    if current_user.is_authenticated:
        logout_user()
    session.clear()
    session[SESSION_CLIENT] = link.client_id
    session[SESSION_LINK] = link.id
    session[SESSION_VERSION] = link.session_version
    session[SESSION_SEEN] = utcnow().timestamp()
    g.portal_client_id = link.client_id
    link.last_used_at = utcnow()
    audit.record("portal.signed_in", link)
    db.session.commit()


def _end_client_session() -> None:
    """Forget the client but keep the CSRF token, so an open page can still say what happened."""
    for key in (SESSION_CLIENT, SESSION_LINK, SESSION_VERSION, SESSION_SEEN):
        session.pop(key, None)


def _current_client() -> tuple[Client | None, str]:
    """The signed-in client, or None and why: 'none', 'idle' or 'ended' (link revoked or expired,
    or the session left on purpose: a copy of its cookie no longer works either)."""
    client_id, link_id, seen = (session.get(k) for k in (SESSION_CLIENT, SESSION_LINK, SESSION_SEEN))
    if not (client_id and link_id and isinstance(seen, (int, float))):
        return None, "none"
    now = utcnow()
    if now.timestamp() - seen > current_app.config["PORTAL_IDLE_MINUTES"] * 60:
        _end_client_session()
        return None, "idle"
    link = db.session.get(PortalLink, link_id, options=[joinedload(PortalLink.client).joinedload(Client.clinician)])
    if not is_usable(link) or link.client_id != client_id or session.get(SESSION_VERSION) != link.session_version:
        _end_client_session()
        return None, "ended"
    session[SESSION_SEEN] = now.timestamp()
    return link.client, ""


def client_required(view):
    """Portal pages: only for a client signed in by link; sets `g.portal_client_id` for the audit."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        client, reason = _current_client()
        if client is None:
            return _signed_out(reason)
        g.portal_client = client
        g.portal_client_id = client.id
        return view(*args, **kwargs)

    return wrapped


def _signed_out(reason: str):
    message = SIGNED_OUT_MESSAGES.get(reason, "")
    if _wants_json():
        return jsonify(status="signed_out", message=(
            f"{message or 'You are signed out.'} What you typed is kept on this device: "
            "open the link from your therapist again to carry on.")), 401
    return render_template("portal/signed_out.html", message=message, typed=_typed_text()), 401


def _typed_text() -> list[str]:
    """Words a page without JavaScript sent but could not save (signed out): shown back to copy.

    Option values are slugs (see the worksheet schema), so what is not a slug was typed.
    """
    if request.method != "POST":
        return []
    return [value for key, value in request.form.items(multi=True)
            if key not in CONTROL_KEYS and value.strip() and not OPTION_VALUE.fullmatch(value)]


@bp.route("/portal/leave", methods=["POST"])
def leave():
    """Sign out on purpose (a shared phone or computer), on the server too: a copied cookie stops working."""
    client, _ = _current_client()
    if client is not None:
        link = db.session.get(PortalLink, session[SESSION_LINK])
        g.portal_client_id = client.id
        end_sessions(link)
        audit.record("portal.left", link)
        db.session.commit()
    _end_client_session()
    return render_template("portal/signed_out.html", message="You have left your worksheets.", left=True)


# --- the client's worksheets -------------------------------------------------------------


@bp.route("/portal")
@client_required
def home():
    client = g.portal_client
    worksheets = select(Assignment).options(joinedload(Assignment.response))
    to_do = db.session.scalars(
        worksheets.where(Assignment.client_id == client.id, Assignment.status.in_(OPEN_STATUSES))
        .options(joinedload(Assignment.snapshot))
        .order_by(Assignment.due_date.is_(None), Assignment.due_date, Assignment.created_at)
    ).all()
    # Sent worksheets, the latest first, a page at a time: years of them stay quick to show.
    done = paginate(worksheets.where(Assignment.client_id == client.id, Assignment.status.in_(SENT_STATUSES))
                    .order_by(Assignment.status_changed_at.desc(), Assignment.id.desc()), "done")
    audit.record("portal.home_viewed", client)
    page = render_template(
        "portal/home.html",
        clinician=client.clinician,
        to_do=[(assignment, definition_of(assignment).estimated_minutes) for assignment in to_do],
        done=done,
    )
    db.session.commit()  # after rendering, so the loaded worksheets are not read again one by one
    return page


def _own_assignment(assignment_id: int) -> Assignment:
    """The signed-in client's assignment, or 404 (load, then authorize)."""
    assignment = db.session.scalar(select(Assignment).where(Assignment.id == assignment_id)
                                   .options(joinedload(Assignment.snapshot), joinedload(Assignment.response)))
    if assignment is None or assignment.client_id != g.portal_client_id or assignment.status == "cancelled":
        abort(404)
    return assignment


@bp.route("/portal/worksheets/<int:assignment_id>", methods=["GET", "POST"])
@client_required
def worksheet(assignment_id: int):
    assignment = _own_assignment(assignment_id)
    definition = definition_of(assignment)
    if request.method == "GET":
        return _show(assignment, definition)
    action = request.form.get("action", "save")
    outcome = _save_from_request(assignment, definition, submit=action == "submit")
    if outcome.status == "saved" and not outcome.incomplete:
        if action == "submit":
            prerender_later(assignment.client, [assignment])
            flash("Thank you. Your answers have been sent to your therapist.", "success")
            return redirect(url_for("portal.worksheet", assignment_id=assignment.id))
        if action.startswith("add-row:"):
            return _redirect_to_new_row(assignment, definition, action.removeprefix("add-row:"), outcome.form)
        flash("Your answers are saved. You can close this page and come back at any time.", "success")
        return redirect(url_for("portal.worksheet", assignment_id=assignment.id))
    if outcome.status == "closed":
        return _show(assignment, definition, problem=outcome.message, code=409)
    if outcome.status == "forged":
        return render_template("portal/problem.html", message=outcome.message), 400
    return _show(assignment, definition, form=outcome.form, problem=outcome.message,
                 version=outcome.version, code=outcome.code, incomplete=outcome.incomplete)


@bp.route("/portal/worksheets/<int:assignment_id>/save", methods=["POST"])
@client_required
def save(assignment_id: int):
    """The autosave endpoint (JSON): what the page's script, and the load benchmark, call."""
    assignment = _own_assignment(assignment_id)
    definition = definition_of(assignment)
    outcome = _save_from_request(assignment, definition, submit=False)
    if outcome.status == "saved":
        progress = evaluate(definition, outcome.answers)
        return jsonify(status="saved", version=outcome.version, saved_at=outcome.saved_at.isoformat(),
                       answered=progress.answered, total=progress.total)
    errors = [{"id": field_id, "label": label, "message": message}
              for field_id, label, message in (error_list(outcome.form) if outcome.form else [])]
    return jsonify(status=outcome.status, message=outcome.message, version=outcome.version,
                   errors=errors), outcome.code


@dataclass
class SaveOutcome:
    """What became of one save request, for the HTML page or the JSON reply.

    `status` is saved, invalid, stale, closed or forged; a submission missing
    required answers is `saved` (as a draft) and `incomplete`.
    """

    status: str
    code: int = 200
    message: str = ""
    form: Any = None
    version: int | None = None
    answers: dict[str, Any] | None = None
    saved_at: dt.datetime | None = None
    incomplete: bool = False


def _save_from_request(assignment: Assignment, definition: Definition, *, submit: bool) -> SaveOutcome:
    """Check the posted answers, then save them in one transaction (also when a submission is incomplete)."""
    response = assignment.response
    if assignment.status not in OPEN_STATUSES:
        return SaveOutcome("closed", code=409, message=CLOSED_MESSAGE, version=response.version)
    expected = request.form.get("version", "")
    posted = read_posted(definition, request.form, submit=submit)
    if posted.status == "forged" or not WHOLE_NUMBER.fullmatch(expected):
        return SaveOutcome("forged", code=400, message=FORGED_MESSAGE, version=response.version)
    if posted.status == "invalid":
        return SaveOutcome("invalid", code=400, form=posted.form, version=int(expected), message=(
            "Not saved yet: please check the answers marked below. Everything you typed is still here."))
    complete = posted.status == "ok"
    try:
        saved = save_answers(assignment, posted.answers, expected_version=int(expected), submit=submit and complete)
    except SaveRefused as refused:
        message = CLOSED_MESSAGE if refused.reason == "closed" else STALE_MESSAGE
        return SaveOutcome(refused.reason, code=409, message=message, form=posted.form,
                           version=refused.current_version)
    return SaveOutcome("saved", code=200 if complete else 400, form=posted.form, version=saved.version,
                       answers=posted.answers, saved_at=saved.saved_at, incomplete=not complete)


def _show(assignment: Assignment, definition: Definition, *, form=None, problem: str = "",
          version: int | None = None, code: int = 200, incomplete: bool = False):
    response = assignment.response
    audit.record("response.viewed", response)
    db.session.commit()
    if assignment.status not in OPEN_STATUSES:
        return render_template("portal/submitted.html", assignment=assignment, definition=definition,
                               answers=response.answers, hidden=hidden_items(definition, response.answers),
                               problem=problem), code
    if form is None:
        form = build_form(definition, answers=response.answers, formdata=None)
        _add_requested_rows(definition, form)
    progress = evaluate(definition, response.answers)
    return render_template(
        "portal/worksheet.html", assignment=assignment, definition=definition, form=form, progress=progress,
        version=response.version if version is None else version, problem=problem, incomplete=incomplete,
        conflict=code == 409, unsaved=code in (400, 409) and not incomplete, required_message=REQUIRED_MESSAGE,
    ), code


def _add_requested_rows(definition: Definition, form) -> None:
    """After "Add another" without JavaScript: show as many rows as were asked for."""
    group = definition.items_by_id.get(request.args.get("add", ""))
    wanted = request.args.get("rows", "")
    if not isinstance(group, Group) or not WHOLE_NUMBER.fullmatch(wanted):
        return
    rows = form[group.id]
    while len(rows.entries) < min(int(wanted), group.max_rows):
        rows.append_entry()


def _redirect_to_new_row(assignment: Assignment, definition: Definition, group_id: str, form):
    group = definition.items_by_id.get(group_id)
    if not isinstance(group, Group):
        return redirect(url_for("portal.worksheet", assignment_id=assignment.id))
    shown = len(form[group.id].entries)
    flash(f"Your answers are saved. A new {group.row_label.lower()} has been added below.", "success")
    return redirect(url_for("portal.worksheet", assignment_id=assignment.id, add=group.id, rows=shown + 1,
                            _anchor=f"{group.id}-{min(shown, group.max_rows - 1)}"))


def _wants_json() -> bool:
    return request.endpoint == "portal.save"


@bp.errorhandler(CSRFError)
def expired_form(error: CSRFError):
    if _wants_json():
        return jsonify(status="expired", message=(
            "This page has expired. What you typed is kept on this device: reload the page to carry on.")), 400
    if request.path.startswith(("/portal", "/p/")):
        return render_template("portal/signed_out.html", message="This page has expired, for your safety.",
                               typed=_typed_text()), 400
    return render_error(400, "This page has expired",
                        "For your safety, pages stop working after a while or after signing out. "
                        "Please go back, reload the page and try again."), 400


@bp.errorhandler(413)
def too_large(error: HTTPException):
    if _wants_json():
        return jsonify(status="too_large", message=(
            "Not saved: that is more than we can accept at once. Please shorten your longest answers.")), 413
    return render_error(413), 413


# --- the clinician's side of links -------------------------------------------------------


@bp.app_template_global("portal_links")
def portal_links(client: Client) -> list[tuple[PortalLink, str]]:
    """The client's newest links with their status, for `portal/_client_links.html`."""
    return [(link, link_status(link)) for link in links_of(client, limit=LINKS_SHOWN)]


@bp.app_context_processor
def link_limits() -> dict[str, int]:
    return {"link_days_max": LINK_DAYS_MAX}


def _back(form) -> str:
    return safe_next(form.next.data) or url_for("clients.dashboard")


def _own_link(client: Client, link_id: int) -> PortalLink:
    link = db.session.get(PortalLink, link_id)
    if link is None or link.client_id != client.id:
        abort(404)
    return link


@bp.route("/clients/<int:client_id>/links", methods=["POST"])
@login_required
def create_link(client_id: int):
    return _new_link(get_own_client(client_id))


@bp.route("/clients/<int:client_id>/links/<int:link_id>/replace", methods=["POST"])
@login_required
def replace_link(client_id: int, link_id: int):
    client = get_own_client(client_id)
    _own_link(client, link_id)
    return _new_link(client)


@bp.route("/clients/<int:client_id>/links/<int:link_id>/revoke", methods=["POST"])
@login_required
def revoke(client_id: int, link_id: int):
    client = get_own_client(client_id)
    link = _own_link(client, link_id)
    form = BackForm()
    if revoke_link(link):
        audit.record("portal_link.revoked", link)
        db.session.commit()
    flash("The link is revoked: it no longer opens the portal, and anyone using it is signed out.", "success")
    return redirect(_back(form))


def _refusal(client: Client, form: LinkForm) -> str | None:
    if client.archived:
        return "This client is archived. Restore them before sharing a link."
    if not form.validate():
        return f"Please choose how many days the link should work: a whole number from 1 to {LINK_DAYS_MAX}."
    return None


def _new_link(client: Client):
    """Issue a link (revoking the client's others: one link at a time) and show it in this response only.

    The token is never stored, flashed or put in a cookie: this page is the one
    chance to copy it.
    """
    form = LinkForm()
    refusal = _refusal(client, form)
    if refusal:
        flash(refusal, "error")
        return redirect(_back(form))
    now = utcnow()
    replaced = [old for old in revoke_links_of(client) if old.expires_at > now]
    link, token = issue_link(client, days=form.days.data)
    audit.record("portal_link.created", link, days=form.days.data, replaces=[old.id for old in replaced])
    db.session.commit()
    url = url_for("portal.landing", token=token, _external=True)
    emailed = bool(form.send_email.data) and send_invitation(client, url, link.expires_at) is not None
    return render_template("portal/link_created.html", client=client, link=link, replaced=bool(replaced),
                           url=url, back=_back(form), emailed=emailed)
