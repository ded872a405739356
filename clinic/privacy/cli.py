"""Command-line tools for the audit trail and data retention: `flask --app clinic <command>`."""

from __future__ import annotations

import click
from flask import Flask

from clinic.audit import verify_chain


def init_app(app: Flask) -> None:
    app.cli.add_command(verify_audit)


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
