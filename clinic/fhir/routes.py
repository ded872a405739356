"""FHIR (JSON) downloads for the clinician: one sent worksheet, or everything a client has sent.

Each loads the object, checks it is the signed-in clinician's (404 otherwise) and
records the export in the audit trail before serving it.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, abort
from flask_login import login_required

from clinic import audit
from clinic.assignments.services import get_own_assignment, sent_history
from clinic.clients.services import get_own_client
from clinic.extensions import db
from clinic.fhir import services
from clinic.models import SENT_STATUSES, AuditAction

bp = Blueprint("fhir", __name__)


def _download(resource: dict[str, Any], filename: str) -> Response:
    return Response(json.dumps(resource, ensure_ascii=False, indent=2), mimetype=services.FHIR_JSON,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/assignments/<int:assignment_id>/fhir")
@login_required
def assignment_fhir(assignment_id: int):
    """The Questionnaire and the QuestionnaireResponse of one sent worksheet, in a Bundle."""
    assignment = get_own_assignment(assignment_id)
    if assignment.status not in SENT_STATUSES:
        abort(404)  # a draft stays the client's own
    resource = services.bundle(assignment.client, [assignment])
    audit.record(AuditAction.FHIR_WORKSHEET_EXPORTED, assignment)
    db.session.commit()
    return _download(resource, f"worksheet-{assignment.id}-{assignment.worksheet_id}.fhir.json")


@bp.route("/clients/<int:client_id>/fhir")
@login_required
def client_fhir(client_id: int):
    """Every worksheet the client has sent, with the Questionnaires they answer, in a Bundle."""
    client = get_own_client(client_id)
    assignments = sent_history(client)
    resource = services.bundle(client, assignments)
    audit.record(AuditAction.FHIR_CLIENT_EXPORTED, client, assignments=[a.id for a in assignments])
    db.session.commit()
    return _download(resource, f"client-{client.id}.fhir.json")
