"""The clinician's dashboard, client pages, client details, agenda and audit history."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from clinic import words
from clinic.assignments.forms import AssignForm
from clinic.assignments.services import (
    assignments_of,
    open_worksheet_ids,
    overdue,
    recent_activity,
    waiting_for_review,
)
from clinic.audit import record
from clinic.clients.forms import AgendaForm, ClientForm
from clinic.clients.pagination import paginate
from clinic.clients.services import (
    ClientProblem,
    client_overview,
    clients_of,
    create_client,
    get_own_client,
    save_agenda,
    set_archived,
    update_client,
)
from clinic.extensions import db
from clinic.models import AuditEvent, Client
from clinic.pdf.background import prerender_later
from clinic.portal.services import link_panel

bp = Blueprint("clients", __name__)


def audited_page(template: str, action: str, obj: Any = None, *, status: int = 200, **context: Any):
    """Render a page of client data and record that it was seen, in one transaction.

    Committing after rendering keeps the loaded objects fresh for the template
    (no reloading), and a page that fails to render is not recorded as seen.
    """
    record(action, obj)
    page = render_template(template, **context)
    db.session.commit()
    return page, status


@bp.route("/")
@login_required
def dashboard():
    return audited_page(
        "clients/dashboard.html", "dashboard.view",
        waiting=paginate(waiting_for_review(current_user.id), "waiting"),
        overdue=paginate(overdue(current_user.id), "overdue"),
        activity=recent_activity(current_user.id),
        clients=client_overview(paginate(clients_of(current_user.id), "clients")),
        today=words.today(),
    )


@bp.route("/clients/archived")
@login_required
def archived():
    return audited_page("clients/archived.html", "clients.archived_view",
                        clients=client_overview(paginate(clients_of(current_user.id, archived=True), "clients")))


@bp.route("/clients/new", methods=["GET", "POST"])
@login_required
def new():
    return _client_details_form(None)


@bp.route("/clients/<int:client_id>")
@login_required
def detail(client_id: int):
    return render_client_page(get_own_client(client_id))


def render_client_page(client: Client, *, agenda_form: AgendaForm | None = None,
                       assign_form: AssignForm | None = None, status: int = 200):
    """The client page, also re-shown with a form's errors by the routes that post to it."""
    return audited_page(
        "clients/detail.html", "client.view", client,
        status=status,
        client=client,
        agenda_form=agenda_form or AgendaForm(formdata=None, agenda=client.agenda),
        assign_form=assign_form or AssignForm(formdata=None),
        assignments=paginate(assignments_of(client), "worksheets"),
        open_worksheets=open_worksheet_ids(client),
        portal_links=link_panel(client),
        today=words.today(),
    )


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
                record("client.create", client)
                message = f"{client.display_name} is added. You can assign worksheets below."
            else:
                changed = update_client(client, **details)
                if changed:
                    record("client.update", client, fields=changed)
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
    return audited_page("clients/form.html", "client.view", client, status=status, form=form, client=client)


@bp.route("/clients/<int:client_id>/archive", methods=["POST"])
@login_required
def archive(client_id: int):
    client = get_own_client(client_id)
    if not client.archived:
        set_archived(client, True)
        record("client.archive", client)
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
        record("client.unarchive", client)
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
        record("client.agenda_update", client)
        db.session.commit()
        prerender_later(client)
    flash("Agenda saved.", "success")
    return redirect(url_for("clients.detail", client_id=client.id, _anchor="agenda-panel"))


@bp.route("/clients/<int:client_id>/audit")
@login_required
def audit(client_id: int):
    client = get_own_client(client_id)
    record("client.audit_view", client)  # before the query, so this visit is on the page too
    events = paginate(select(AuditEvent).where(AuditEvent.client_id == client.id)
                      .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()), "events")
    page = render_template("clients/audit.html", client=client, events=events)
    db.session.commit()
    return page
