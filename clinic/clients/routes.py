"""The clinician's dashboard, client pages, client details, agenda and audit history."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from clinic import words
from clinic.assignments.services import copies_waiting, overdue, queue_entries, recent_activity, review_queue
from clinic.audit import record
from clinic.clients.forms import AgendaForm, ClientForm
from clinic.clients.page import render_client_page
from clinic.clients.pagination import paginate
from clinic.clients.services import (
    ClientProblem,
    client_history,
    client_history_count,
    client_overview,
    clients_of,
    create_client,
    get_own_client,
    history_line,
    save_agenda,
    set_archived,
    update_client,
)
from clinic.extensions import db
from clinic.models import AuditAction, Client
from clinic.pages import audited_page
from clinic.pdf.background import prerender_later

bp = Blueprint("clients", __name__)


@bp.route("/")
@login_required
def dashboard():
    return audited_page(
        "clients/dashboard.html", AuditAction.DASHBOARD_VIEW,
        waiting=queue_entries(paginate(review_queue(current_user.id), "waiting")),
        copies_waiting=copies_waiting(current_user.id),
        overdue=paginate(overdue(current_user.id), "overdue"),
        activity=recent_activity(current_user.id),
        clients=client_overview(paginate(clients_of(current_user.id), "clients")),
        today=words.today(),
    )


@bp.route("/clients/archived")
@login_required
def archived():
    return audited_page("clients/archived.html", AuditAction.ARCHIVED_CLIENTS_VIEW,
                        clients=client_overview(paginate(clients_of(current_user.id, archived=True), "clients")))


@bp.route("/clients/new", methods=["GET", "POST"])
@login_required
def new():
    return _client_details_form(None)


@bp.route("/clients/<int:client_id>")
@login_required
def detail(client_id: int):
    return render_client_page(get_own_client(client_id))


@bp.route("/clients/<int:client_id>/edit", methods=["GET", "POST"])
@login_required
def edit(client_id: int):
    return _client_details_form(get_own_client(client_id))


def _client_details_form(client: Client | None):
    """Add a client (`client` None) or edit one; a clash of names is a 409 that says what to do."""
    form = ClientForm(obj=client)
    if form.validate_on_submit():
        details = {"display_name": form.display_name.data, "email": form.email.data, "notes": form.notes.data,
                   "email_consent": form.email_consent.data}
        try:
            if client is None:
                client = create_client(current_user, **details)
                record(AuditAction.CLIENT_CREATE, client)
                message = f"{client.display_name} is added. You can assign worksheets below."
            else:
                changed = update_client(client, **details)
                if changed:
                    record(AuditAction.CLIENT_UPDATE, client, fields=changed)
                message = "Saved."
        except ClientProblem as problem:
            db.session.rollback()
            form.display_name.errors.append(str(problem))
            return render_template("clients/form.html", form=form, client=client), 409
        db.session.commit()
        flash(message, "success")
        return redirect(url_for("clients.detail", client_id=client.id))
    status = 400 if form.errors else 200
    if client is None:
        return render_template("clients/form.html", form=form, client=None), status
    return audited_page("clients/form.html", AuditAction.CLIENT_VIEW, client, status=status, form=form, client=client)


@bp.route("/clients/<int:client_id>/archive", methods=["POST"])
@login_required
def archive(client_id: int):
    client = get_own_client(client_id)
    if not client.archived:
        set_archived(client, True)
        record(AuditAction.CLIENT_ARCHIVE, client)
        db.session.commit()
    flash(f"{client.display_name} is archived: gone from your lists, with every record kept. "
          "You can restore them from Archived clients.", "success")
    return redirect(url_for("clients.dashboard"))


@bp.route("/clients/<int:client_id>/unarchive", methods=["POST"])
@login_required
def unarchive(client_id: int):
    client = get_own_client(client_id)
    if client.archived:
        try:
            set_archived(client, False)
        except ClientProblem as problem:
            db.session.rollback()
            flash(f"{client.display_name} could not be restored. {problem}", "error")
            return render_client_page(client, status=409)
        record(AuditAction.CLIENT_UNARCHIVE, client)
        db.session.commit()
    flash(f"{client.display_name} is back in your lists.", "success")
    return redirect(url_for("clients.detail", client_id=client.id))


@bp.route("/clients/<int:client_id>/agenda", methods=["POST"])
@login_required
def agenda(client_id: int):
    client = get_own_client(client_id)
    form = AgendaForm()
    if not form.validate_on_submit():
        return render_client_page(client, agenda_form=form, status=400)
    if save_agenda(client, form.agenda.data):
        record(AuditAction.AGENDA_UPDATE, client)
        db.session.commit()
        prerender_later(client)
    flash("Agenda saved.", "success")
    return redirect(url_for("clients.detail", client_id=client.id, _anchor="agenda-panel"))


@bp.route("/clients/<int:client_id>/audit")
@login_required
def audit(client_id: int):
    client = get_own_client(client_id)
    record(AuditAction.AUDIT_VIEW, client)  # before the query, so this visit is on the page too
    events = paginate(client_history(client), "events", row=history_line(client, current_user.id),
                      count=client_history_count(client))
    page = render_template("clients/audit.html", client=client, events=events)
    db.session.commit()
    return page
