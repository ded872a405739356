"""`flask --app clinic export-fhir --client ID`: a client's FHIR Bundle, for another system."""

from __future__ import annotations

import json

import click
from flask import Flask

from clinic import audit
from clinic.assignments.services import sent_history
from clinic.extensions import db
from clinic.fhir import services
from clinic.models import AuditAction, Client


def init_app(app: Flask) -> None:
    app.cli.add_command(export_fhir)


@click.command("export-fhir")
@click.option("--client", "client_id", type=int, required=True, help="The client's number (as in /clients/ID).")
@click.option("--output", type=click.File("w", encoding="utf-8"), default="-",
              help="File to write (default: standard output).")
def export_fhir(client_id: int, output) -> None:
    """Write everything a client has sent as a FHIR R4 Bundle (JSON). The export is audited."""
    client = db.session.get(Client, client_id)
    if client is None:
        raise click.ClickException(f"There is no client {client_id}.")
    assignments = sent_history(client)
    resource = services.bundle(client, assignments)
    audit.record(AuditAction.FHIR_CLIENT_EXPORTED, client, assignments=[a.id for a in assignments], via="command line")
    db.session.commit()
    json.dump(resource, output, ensure_ascii=False, indent=2)
    output.write("\n")
