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
from flask.typing import ResponseReturnValue
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from clinic import audit, throttle, words
from clinic.assignments.services import definition_of
from clinic.clients.pagination import paginate
from clinic.extensions import db
from clinic.models import OPEN_STATUSES, Assignment, AuditAction, Client, PortalLink
from clinic.pdf.background import prerender_later
from clinic.portal.access import (
    SESSION_LINK,
    client_required,
    current_client_id,
    end_client_session,
    own_assignment,
    start_client_session,
)
from clinic.portal.blueprint import bp
from clinic.portal.cards import cards_to_do, sent_card, sent_cards
from clinic.portal.saving import CLOSED_MESSAGE, FORGED_MESSAGE, WHOLE_NUMBER, save_from_request
from clinic.portal.services import Draft, SaveRefused, end_sessions, find_usable_link, save_answers
from clinic.worksheets import (
    NO_PART,
    REQUIRED_MESSAGE,
    Definition,
    Group,
    build_form,
    condition_items,
    hidden_items,
    missing_answers,
    reads_only,
)
from clinic.worksheets.evaluation import progress


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
    client_id, _ = current_client_id()
    if client_id is not None:
        link = db.session.get(PortalLink, session[SESSION_LINK])
        g.portal_client_id = client_id
        end_sessions(link)
        audit.record(AuditAction.PORTAL_LEFT, link)
        db.session.commit()
    end_client_session()
    return render_template("portal/signed_out.html", message="You have left your worksheets.", left=True)


_CLIENT_WITH_CLINICIAN = (select(Client).where(Client.id == bindparam("client_id"))
                          .options(joinedload(Client.clinician)))


@bp.route("/portal")
@client_required
def home():
    client = db.session.scalar(_CLIENT_WITH_CLINICIAN, {"client_id": g.portal_client_id})
    to_do = cards_to_do(client)
    # Sent worksheets, the latest first, a page at a time: years of them stay quick to show.
    done = paginate(sent_cards(client), "done", row=sent_card())
    audit.record(AuditAction.PORTAL_HOME_VIEW, client)
    page = render_template("portal/home.html", clinician=client.clinician, to_do=to_do, done=done)
    db.session.commit()  # after rendering, so that nothing loaded (the clinician's name) is read again
    return page


@bp.route("/portal/worksheets/<int:assignment_id>", methods=["GET", "POST"])
@client_required
def worksheet(assignment_id: int):
    """One part of a worksheet (`?part=2`); its form saves, then goes where the button said."""
    assignment, definition, sent_page = _open_or_sent(assignment_id)
    if sent_page:
        return sent_page
    number = _part_number(definition, request.form.get("part", "1") if request.method == "POST"
                          else request.args.get("part", "1"))
    if number is None:
        return _no_such_part(assignment)
    if request.method == "GET":
        return _show_part(assignment, definition, number)
    action = request.form.get("action", "save")
    outcome = save_from_request(Draft.of(assignment), definition, submit=False)
    if outcome.status == "saved":
        return _after_saving(assignment, definition, number, action, outcome.form)
    if outcome.status == "closed":
        return _show_sent(assignment, definition, problem=outcome.message, code=409)
    if outcome.status == "forged":
        return render_template("portal/problem.html", message=outcome.message), 400
    return _show_part(assignment, definition, number, form=outcome.form, problem=outcome.message,
                      version=outcome.version, code=outcome.code)


def _open_or_sent(assignment_id: int) -> tuple[Assignment, Definition, ResponseReturnValue | None]:
    """The client's worksheet and its definition, and, when it is no longer open, its sent page to show
    instead of one asked for (a form posted to it still reaches its route, which says it is closed)."""
    assignment = own_assignment(assignment_id)
    definition = definition_of(assignment)
    if assignment.status not in OPEN_STATUSES and request.method == "GET":
        return assignment, definition, _show_sent(assignment, definition)
    return assignment, definition, None


def _part_number(definition: Definition, part: str) -> int | None:
    """The part asked for, counted from 1, or None if the worksheet has no such part."""
    if not WHOLE_NUMBER.fullmatch(part) or not 1 <= int(part) <= len(definition.sections):
        return None
    return int(part)


def _no_such_part(assignment: Assignment):
    return render_template("portal/problem.html", title="That part was not found", message=(
        "This worksheet has no part with that number. Nothing has changed: your answers are safe."),
        link=url_for("portal.worksheet", assignment_id=assignment.id, part=1), link_text="Go to the first part"), 404


def _after_saving(assignment: Assignment, definition: Definition, number: int, action: str, form):
    """Where each button of a part leads once its answers are saved."""
    here = url_for("portal.worksheet", assignment_id=assignment.id, part=number)
    if action == "next":
        if number == len(definition.sections):
            return redirect(url_for("portal.check", assignment_id=assignment.id))
        return redirect(url_for("portal.worksheet", assignment_id=assignment.id, part=number + 1))
    if action == "back":
        return redirect(url_for("portal.worksheet", assignment_id=assignment.id, part=max(1, number - 1)))
    if action == "submit":  # a page from before parts: its answers are saved; sending is confirmed first
        return redirect(url_for("portal.check", assignment_id=assignment.id))
    if action.startswith("add-row:"):
        return _redirect_to_new_row(assignment, definition, number, action.removeprefix("add-row:"), form)
    if action.startswith("remove-row:"):
        return _remove_row(assignment, definition, number, action.removeprefix("remove-row:"), form)
    flash("Your answers are saved. You can close this page and come back at any time.", "success")
    return redirect(here)


def _show_sent(assignment: Assignment, definition: Definition, *, problem: str = "", code: int = 200):
    response = assignment.response
    audit.record(AuditAction.RESPONSE_VIEWED, response)
    db.session.commit()
    return render_template("portal/submitted.html", assignment=assignment, definition=definition,
                           answers=response.answers, hidden=hidden_items(definition, response.answers),
                           problem=problem), code


def _show_part(assignment: Assignment, definition: Definition, number: int, *, form=None, problem: str = "",
               version: int | None = None, code: int = 200):
    response = assignment.response
    audit.record(AuditAction.RESPONSE_VIEWED, response)
    if form is None:
        form = build_form(definition, answers=response.answers, formdata=None)
        _add_requested_rows(definition, form)
    section = definition.sections[number - 1]
    removed = _removed_note(section)
    counted = progress(definition, response.answers)
    page = render_template(
        "portal/worksheet.html", assignment=assignment, definition=definition, form=form, section=section,
        number=number, parts=len(definition.sections), progress=counted,
        progress_text=words.progress(counted.answered, counted.total, counted.required_left),
        outside=_answers_read_here(definition, section, response.answers),
        settled=_settled_hidden(definition, section, response.answers),
        all_conditional=all(item.show_if for item in section.items),
        version=response.version if version is None else version, problem=problem,
        conflict=code == 409, unsaved=code in (400, 409), arrived="part" in request.args and not removed,
        removed=removed,
    )
    db.session.commit()  # after rendering, so what the page shows is not read again after the commit
    return page, code


def _answers_read_here(definition: Definition, section, answers: dict) -> dict:
    """Saved answers from other parts that this part's conditions read (the page's script needs them)."""
    here = {item.id for item in section.items}
    wanted = set().union(*(condition_items(item.show_if) for item in section.items if item.show_if))
    return {item_id: answers[item_id] for item_id in sorted(wanted - here) if item_id in answers}


def _settled_hidden(definition: Definition, section, answers: dict) -> frozenset[str]:
    """This part's items hidden by saved answers from other parts: nothing typed here can show them,
    so they stay hidden without JavaScript too (a part can then say there is nothing to answer)."""
    elsewhere = {item.id for item in definition.items} - {item.id for item in section.items}
    hidden = hidden_items(definition, answers)
    return frozenset(item.id for item in section.items
                     if item.id in hidden and reads_only(item.show_if, elsewhere))


def _add_requested_rows(definition: Definition, form) -> None:
    """After "Add another" without JavaScript: show as many rows as were asked for."""
    group = definition.items_by_id.get(request.args.get("add", ""))
    wanted = request.args.get("rows", "")
    if not isinstance(group, Group) or not WHOLE_NUMBER.fullmatch(wanted):
        return
    rows = form[group.id]
    while len(rows.entries) < min(int(wanted), group.max_rows):
        rows.append_entry()


def _redirect_to_new_row(assignment: Assignment, definition: Definition, number: int, group_id: str, form):
    group = definition.items_by_id.get(group_id)
    if not isinstance(group, Group):
        return redirect(url_for("portal.worksheet", assignment_id=assignment.id, part=number))
    shown = len(form[group.id].entries)
    flash(f"Your answers are saved. A new {group.row_label.lower()} has been added below.", "success")
    return redirect(url_for("portal.worksheet", assignment_id=assignment.id, part=number, add=group.id,
                            rows=shown + 1, _anchor=f"{group.id}-{min(shown, group.max_rows - 1)}"))


def _remove_row(assignment: Assignment, definition: Definition, number: int, target: str, form):
    """"Remove goal 2": an empty row just goes; a row with answers is confirmed first (they are saved)."""
    group_id, _, row = target.rpartition("-")
    group = definition.items_by_id.get(group_id)
    here = url_for("portal.worksheet", assignment_id=assignment.id, part=number)
    if not isinstance(group, Group) or not WHOLE_NUMBER.fullmatch(row) or int(row) >= len(form[group_id].entries):
        return redirect(here)
    entries = form[group_id].entries
    filled = [bool(group.read_row(entry)) for entry in entries]
    if filled[int(row)]:
        stored = sum(filled[:int(row)])  # saved rows are the filled ones, in order
        return redirect(url_for("portal.remove_row", assignment_id=assignment.id, group_id=group_id,
                                row=stored, part=number))
    _say_removed(group_id, entries[int(row)].label.text)
    return redirect(url_for("portal.worksheet", assignment_id=assignment.id, part=number, add=group_id,
                            rows=len(entries) - 1, _anchor=f"{group_id}-removed"))


def _say_removed(group_id: str, label: str) -> None:
    """"Goal 2 is removed." is shown beside the goals, where the page opens and focus goes, not at its top."""
    session["portal_row_removed"] = {"group": group_id, "text": f"{label} is removed."}


def _removed_note(section) -> dict | None:
    """The note of a row just removed from a group of this part (shown once)."""
    note = session.pop("portal_row_removed", None)
    here = {item.id for item in section.items}
    return note if isinstance(note, dict) and note.get("group") in here else None


@bp.route("/portal/worksheets/<int:assignment_id>/rows/<group_id>/<int:row>/remove", methods=["GET", "POST"])
@client_required
def remove_row(assignment_id: int, group_id: str, row: int):
    """Removing a row that holds answers: GET says what would be deleted, POST deletes it (compare-and-set)."""
    assignment = own_assignment(assignment_id)
    definition = definition_of(assignment)
    if assignment.status not in OPEN_STATUSES:
        posted = request.method == "POST"
        return _show_sent(assignment, definition, problem=CLOSED_MESSAGE if posted else "", code=409 if posted else 200)
    group = definition.items_by_id.get(group_id)
    rows = list(assignment.response.answers.get(group_id) or []) if isinstance(group, Group) else []
    number = next((n for n, section in enumerate(definition.sections, start=1)
                   if group_id in {item.id for item in section.items}), 1)
    back = url_for("portal.worksheet", assignment_id=assignment.id, part=number, _anchor=group_id)
    if row >= len(rows):
        return render_template("portal/problem.html", title="That row was not found", message=(
            "It may have been removed already. Nothing else has changed: your answers are safe."),
            link=back, link_text="Go back to the worksheet"), 404
    label = f"{group.row_label} {row + 1}"
    if request.method == "GET":
        audit.record(AuditAction.RESPONSE_VIEWED, assignment.response)
        db.session.commit()
        return render_template("portal/remove_row.html", assignment=assignment, definition=definition,
                               group=group, label=label, answers=rows[row], back=back,
                               version=assignment.response.version)
    version = request.form.get("version", "")
    if not WHOLE_NUMBER.fullmatch(version):
        return render_template("portal/problem.html", message=FORGED_MESSAGE), 400
    answers = {**assignment.response.answers, group_id: rows[:row] + rows[row + 1:]}
    if not answers[group_id]:
        del answers[group_id]
    try:
        save_answers(Draft.of(assignment), answers, expected_version=int(version))
    except SaveRefused as refused:
        message = CLOSED_MESSAGE if refused.reason == "closed" else (
            "This worksheet was saved from another tab or device after you opened this page, so nothing was "
            "removed. Please look at the row again before you remove it.")
        flash(message, "error")
        return redirect(back)
    _say_removed(group_id, label)
    return redirect(url_for("portal.worksheet", assignment_id=assignment.id, part=number,
                            _anchor=f"{group_id}-removed"))


@bp.route("/portal/worksheets/<int:assignment_id>/check")
@client_required
def check(assignment_id: int):
    """The last step before sending: what is still needed, each linked to the part that holds it."""
    assignment, definition, sent_page = _open_or_sent(assignment_id)
    if sent_page:
        return sent_page
    audit.record(AuditAction.RESPONSE_VIEWED, assignment.response)
    answers = assignment.response.answers
    page = render_template("portal/check.html", assignment=assignment, definition=definition,
                           missing=missing_answers(definition, answers), answers=answers,
                           hidden=hidden_items(definition, answers), parts=len(definition.sections),
                           required_message=REQUIRED_MESSAGE)
    db.session.commit()  # after rendering, so what the page shows is not read again after the commit
    return page


@bp.route("/portal/worksheets/<int:assignment_id>/send", methods=["GET", "POST"])
@client_required
def send(assignment_id: int):
    """Sending, confirmed: GET asks ("you cannot change it after sending"), POST sends the saved answers."""
    assignment, definition, sent_page = _open_or_sent(assignment_id)
    if sent_page:
        return sent_page
    if request.method == "GET":
        if missing_answers(definition, assignment.response.answers):
            return redirect(url_for("portal.check", assignment_id=assignment.id))
        return render_template("portal/send.html", assignment=assignment, definition=definition,
                               version=assignment.response.version, part=NO_PART)
    outcome = save_from_request(Draft.of(assignment), definition, submit=True)
    if outcome.status == "saved" and not outcome.incomplete:
        prerender_later(assignment.client, [assignment])
        flash("Thank you. Your answers have been sent to your therapist.", "success")
        return redirect(url_for("portal.worksheet", assignment_id=assignment.id))
    if outcome.status == "saved" or outcome.status == "stale":
        flash(outcome.message or "Your answers are saved. A few answers are still needed before you can send.",
              "error")
        return redirect(url_for("portal.check", assignment_id=assignment.id))
    if outcome.status == "closed":
        return _show_sent(assignment, definition, problem=outcome.message, code=409)
    return render_template("portal/problem.html", message=outcome.message), 400
