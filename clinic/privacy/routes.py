"""A client's data rights for their clinician: download everything held, or erase it.

Each route loads the client, checks they are the signed-in clinician's (404
otherwise) and records what was done in the audit trail.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from clinic import audit
from clinic.clients.services import get_own_client
from clinic.extensions import db
from clinic.models import AuditAction
from clinic.privacy.forms import EraseForm
from clinic.privacy.services import erase_client, export_zip, forget_deleted_pages

bp = Blueprint("privacy", __name__)


@bp.route("/clients/<int:client_id>/export")
@login_required
def export(client_id: int):
    client = get_own_client(client_id)
    archive = export_zip(client, current_user._get_current_object())
    audit.record(AuditAction.CLIENT_EXPORTED, client)
    db.session.commit()
    return Response(archive, mimetype="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="client-{client.id}-export.zip"'})


@bp.route("/clients/<int:client_id>/erase", methods=["GET", "POST"])
@login_required
def erase(client_id: int):
    client = get_own_client(client_id)
    form = EraseForm(expected=client.display_name)
    if form.validate_on_submit():
        name = client.display_name
        erase_client(client)
        db.session.commit()
        forget_deleted_pages()
        flash(f"{name}'s data is erased. The audit trail keeps only that an erasure happened, "
              "when and by whom.", "success")
        return redirect(url_for("clients.dashboard"))
    audit.record(AuditAction.ERASE_FORM_VIEW, client)
    page = render_template("privacy/erase.html", client=client, form=form)
    db.session.commit()
    return page, 400 if form.errors else 200
