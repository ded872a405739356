"""The clinician's side of portal links: create, replace and revoke (shown on the client page)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import login_required

from clinic import audit
from clinic.clients.services import get_own_client
from clinic.extensions import db
from clinic.mail.services import send_invitation
from clinic.models import AuditAction, Client, PortalLink, utcnow
from clinic.portal.blueprint import bp
from clinic.portal.forms import BackForm, LinkForm
from clinic.portal.services import (
    LINK_DAYS_MAX,
    issue_link,
    revoke_link,
    revoke_links_of,
)
from clinic.urls import safe_next


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
        audit.record(AuditAction.LINK_REVOKED, link)
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
    audit.record(AuditAction.LINK_CREATED, link, days=form.days.data, replaces=[old.id for old in replaced])
    db.session.commit()
    url = url_for("portal.landing", token=token, _external=True)
    emailed = bool(form.send_email.data) and send_invitation(client, url, link.expires_at) is not None
    return render_template("portal/link_created.html", client=client, link=link, replaced=bool(replaced),
                           url=url, back=_back(form), emailed=emailed)
