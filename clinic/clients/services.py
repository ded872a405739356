"""Loading a clinician's own clients: load the object, then authorize, then act."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from clinic.extensions import db
from clinic.models import Client


def get_own_client(client_id: int) -> Client:
    """The signed-in clinician's client, or 404 (another clinician's client does not exist for you)."""
    client = db.session.get(Client, client_id)
    if client is None or client.clinician_id != current_user.id:
        abort(404)
    return client
