"""Assigning worksheets, reading responses, commenting, and the clinician's lifecycle moves."""

from __future__ import annotations

from collections import defaultdict

from flask import Blueprint, abort, flash, redirect, url_for
from flask_login import current_user, login_required

from clinic import words
from clinic.assignments.forms import AssignForm, CommentForm
from clinic.assignments.series import series_label, stop_series
from clinic.assignments.services import (
    AssignmentProblem,
    LifecycleError,
    add_comment,
    assign_several,
    definition_of,
    get_own_assignment,
    reopen,
    transition,
)
from clinic.audit import record
from clinic.clients.page import render_client_page
from clinic.clients.services import get_own_client
from clinic.extensions import db
from clinic.models import SENT_STATUSES, Assignment, AssignmentStatus, AuditAction
from clinic.pages import audited_page
from clinic.pdf.background import prerender_later
from clinic.trends.services import worksheet_trend
from clinic.worksheets import Definition, evaluate

bp = Blueprint("assignments", __name__)
bp.add_app_template_global(series_label)

WHOLE_RESPONSE = "whole_response"  # not a valid section id, so it never collides with one


def clinician_actor() -> str:
    """How a clinician is named in an assignment's status history."""
    return f"clinician:{current_user.id}"


@bp.route("/clients/<int:client_id>/assignments", methods=["POST"])
@login_required
def assign(client_id: int):
    client = get_own_client(client_id)
    form = AssignForm()
    if not form.validate_on_submit():
        return render_client_page(client, assign_form=form, status=400)
    try:
        assignments = assign_several(client, form.worksheets.data, due_date=form.due_date.data,
                                     note=form.note.data, actor=clinician_actor(),
                                     every_weeks=form.repeat.data or None, times=form.repeat_times.data)
    except AssignmentProblem as problem:
        db.session.rollback()
        form.worksheets.errors.append(str(problem))
        return render_client_page(client, assign_form=form, status=409)
    for assignment in assignments:
        record(AuditAction.ASSIGNMENT_CREATE, assignment, worksheet=assignment.worksheet_id)
    db.session.commit()
    count = len(assignments)
    # The name never ends a sentence: "Robin A." would double the full stop.
    flash(f"{client.display_name} has {count} new worksheet{'s' if count != 1 else ''}, "
          "shown the next time they open their link.", "success")
    return redirect(url_for("clients.detail", client_id=client.id, _anchor="worksheets-panel"))


@bp.route("/assignments/<int:assignment_id>")
@login_required
def review(assignment_id: int):
    return render_review(get_own_assignment(assignment_id))


def render_review(assignment: Assignment, *, failed_forms: dict[str, CommentForm] | None = None,
                  status: int = 200):
    """The review page; `failed_forms` (comment forms with errors, by key) replace the fresh ones."""
    definition = definition_of(assignment)
    answers = assignment.response.answers if assignment.response else {}
    comments = defaultdict(list)
    for comment in assignment.response.comments if assignment.response else []:
        comments[comment.section_id or WHOLE_RESPONSE].append(comment)
    forms = {key: comment_form(definition, key, submitted=False)
             for key in [WHOLE_RESPONSE, *(section.id for section in definition.sections)]}
    forms.update(failed_forms or {})
    return audited_page(
        "assignments/review.html", AuditAction.ASSIGNMENT_VIEW, assignment,
        status=status,
        assignment=assignment,
        client=assignment.client,
        definition=definition,
        answers=answers,
        answers_visible=assignment.status in SENT_STATUSES,  # a draft stays the client's own
        evaluation=evaluate(definition, answers),
        trend=worksheet_trend(assignment) if assignment.is_sent else None,
        comments=comments,
        comment_forms=forms,
        whole=WHOLE_RESPONSE,
        today=words.today(),
    )


def comment_form(definition: Definition, key: str, *, submitted: bool) -> CommentForm:
    """The comment form of one section (or of the whole response), labelled with what it is about."""
    form = CommentForm(prefix=f"comment-{key}") if submitted else CommentForm(formdata=None, prefix=f"comment-{key}")
    title = next((section.title for section in definition.sections if section.id == key), None)
    form.body.label.text = f"Comment on “{title}”" if title else "Comment on the whole worksheet"
    return form


@bp.route("/assignments/<int:assignment_id>/comments", methods=["POST"])
@bp.route("/assignments/<int:assignment_id>/sections/<section_id>/comments", methods=["POST"])
@login_required
def comment(assignment_id: int, section_id: str | None = None):
    assignment = get_own_assignment(assignment_id)
    definition = definition_of(assignment)
    if section_id is not None and section_id not in {section.id for section in definition.sections}:
        abort(404)
    key = section_id or WHOLE_RESPONSE
    form = comment_form(definition, key, submitted=True)
    if not form.validate_on_submit():
        return render_review(assignment, failed_forms={key: form}, status=400)
    try:
        saved = add_comment(assignment, clinician_id=current_user.id, body=form.body.data, section_id=section_id)
    except AssignmentProblem as problem:
        db.session.rollback()
        form.body.errors.append(str(problem))
        return render_review(assignment, failed_forms={key: form}, status=409)
    record(AuditAction.COMMENT_CREATE, saved, section=section_id)
    db.session.commit()
    prerender_later(assignment.client, [assignment])
    flash("Comment saved.", "success")
    return redirect(url_for("assignments.review", assignment_id=assignment.id,
                            _anchor=f"comments-{key}"))


@bp.route("/assignments/<int:assignment_id>/reviewed", methods=["POST"])
@login_required
def mark_reviewed(assignment_id: int):
    return _move(get_own_assignment(assignment_id), AssignmentStatus.REVIEWED,
                 "Marked as reviewed. It stays in the client's history and in the session-prep packet.")


@bp.route("/assignments/<int:assignment_id>/reopen", methods=["POST"])
@login_required
def reopen_for_client(assignment_id: int):
    return _move(get_own_assignment(assignment_id), AssignmentStatus.IN_PROGRESS,
                 "Reopened: your client can change their answers and send them again.")


@bp.route("/assignments/<int:assignment_id>/cancel", methods=["POST"])
@login_required
def cancel(assignment_id: int):
    return _move(get_own_assignment(assignment_id), AssignmentStatus.CANCELLED,
                 "Cancelled: your client no longer sees this worksheet.")


AUDIT_ACTION = {AssignmentStatus.REVIEWED: AuditAction.ASSIGNMENT_REVIEW,
                AssignmentStatus.IN_PROGRESS: AuditAction.ASSIGNMENT_REOPEN,
                AssignmentStatus.CANCELLED: AuditAction.ASSIGNMENT_CANCEL}


def _move(assignment: Assignment, to_status: AssignmentStatus, done: str):
    """A clinician's lifecycle move; one the lifecycle refuses is a 409 that says why."""
    previous = assignment.status
    try:
        if to_status == AssignmentStatus.IN_PROGRESS:
            reopen(assignment, actor=clinician_actor())
        else:
            transition(assignment, to_status, actor=clinician_actor())
    except LifecycleError as problem:
        db.session.rollback()
        flash(f"That change was not made. {problem}", "error")
        return render_review(assignment, status=409)
    record(AUDIT_ACTION[to_status], assignment, from_status=previous)
    db.session.commit()
    prerender_later(assignment.client, [assignment])
    flash(done, "success")
    return redirect(url_for("assignments.review", assignment_id=assignment.id))


@bp.route("/assignments/<int:assignment_id>/stop-series", methods=["POST"])
@login_required
def stop_series_of(assignment_id: int):
    """Stop the repeating series this assignment belongs to; the copies already made stay."""
    assignment = get_own_assignment(assignment_id)
    if assignment.series is None:
        flash("This worksheet does not repeat, so there is nothing to stop.", "error")
    else:
        if stop_series(assignment.series):
            record(AuditAction.SERIES_STOP, assignment, series=assignment.series_id)
            db.session.commit()
        flash(f"“{assignment.title}” will not repeat again. "
              "The copies already given stay as they are.", "success")
    return redirect(url_for("clients.detail", client_id=assignment.client_id, _anchor="worksheets"))
