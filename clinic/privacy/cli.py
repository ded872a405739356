"""Command-line tools for the audit trail and data retention: `flask --app clinic <command>`."""

from __future__ import annotations

import click
from flask import Flask, current_app

from clinic.audit import verify_chain
from clinic.extensions import db
from clinic.privacy.services import due_for_erasure, erase_client, forget_deleted_pages


def init_app(app: Flask) -> None:
    app.cli.add_command(verify_audit)
    app.cli.add_command(purge)


@click.command("verify-audit")
def verify_audit() -> None:
    """Check the audit trail's hash chain and name the first row that was changed or removed."""
    report = verify_chain()
    if report.unchained:
        click.echo(f"{report.unchained} events from before the chain began were not checked.")
    if report.broken_at is not None:
        raise click.ClickException(f"The audit trail is broken at event {report.broken_at}: {report.problem}. "
                                   f"{report.checked - 1} events before it are intact.")
    click.echo(f"The audit trail is intact: {report.checked} events checked.")


@click.command("purge")
def purge() -> None:
    """Erase archived clients whose archiving is older than RETENTION_DAYS, and say who."""
    days = current_app.config.get("RETENTION_DAYS")
    if days is None:
        click.echo("RETENTION_DAYS is not set: nothing is erased. Set GROUNDWORK_RETENTION_DAYS to use purge.")
        return
    if not isinstance(days, int) or isinstance(days, bool) or days < 0:
        raise click.ClickException(f"RETENTION_DAYS must be a whole number of days, not {days!r}.")
    clients = due_for_erasure(days)
    for client in clients:
        archived = client.archived_at
        erase_client(client)
        db.session.commit()
        click.echo(f"Erased client {client.id} (archived {archived:%Y-%m-%d}).")
    forget_deleted_pages()
    click.echo(f"{len(clients)} archived client{'s' if len(clients) != 1 else ''} erased, "
               f"archived more than {days} days ago.")
