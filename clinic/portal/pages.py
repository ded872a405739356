"""The client's pages: the way in by link, the list of worksheets, a worksheet, leaving."""

from __future__ import annotations

import datetime as dt

from flask import (
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from clinic import audit, throttle
from clinic.assignments.services import definition_of
from clinic.clients.pagination import paginate
from clinic.extensions import db
from clinic.models import OPEN_STATUSES, SENT_STATUSES, Assignment, AuditAction, PortalLink
from clinic.pdf.background import prerender_later
from clinic.portal.access import (
    SESSION_LINK,
    client_required,
    current_client,
    end_client_session,
    own_assignment,
    start_client_session,
)
from clinic.portal.blueprint import bp
from clinic.portal.saving import WHOLE_NUMBER, save_from_request
from clinic.portal.services import end_sessions, find_usable_link
from clinic.worksheets import (
    REQUIRED_MESSAGE,
    Definition,
    Group,
    build_form,
    evaluate,
    hidden_items,
)

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
    start_client_session(link)
    return redirect(url_for("portal.home"))


@bp.route("/portal/leave", methods=["POST"])
def leave():
    """Sign out on purpose (a shared phone or computer), on the server too: a copied cookie stops working."""
    client, _ = current_client()
    if client is not None:
        link = db.session.get(PortalLink, session[SESSION_LINK])
        g.portal_client_id = client.id
        end_sessions(link)
        audit.record(AuditAction.PORTAL_LEFT, link)
        db.session.commit()
    end_client_session()
    return render_template("portal/signed_out.html", message="You have left your worksheets.", left=True)


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
    audit.record(AuditAction.PORTAL_HOME_VIEW, client)
    page = render_template(
        "portal/home.html",
        clinician=client.clinician,
        to_do=[(assignment, definition_of(assignment).estimated_minutes) for assignment in to_do],
        done=done,
    )
    db.session.commit()  # after rendering, so the loaded worksheets are not read again one by one
    return page


@bp.route("/portal/worksheets/<int:assignment_id>", methods=["GET", "POST"])
@client_required
def worksheet(assignment_id: int):
    assignment = own_assignment(assignment_id)
    definition = definition_of(assignment)
    if request.method == "GET":
        return _show(assignment, definition)
    action = request.form.get("action", "save")
    outcome = save_from_request(assignment, definition, submit=action == "submit")
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


def _show(assignment: Assignment, definition: Definition, *, form=None, problem: str = "",
          version: int | None = None, code: int = 200, incomplete: bool = False):
    response = assignment.response
    audit.record(AuditAction.RESPONSE_VIEWED, response)
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
