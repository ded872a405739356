"""Command-line tools of the queue: `flask serve` (app and consumer together) and `flask send-reminders`."""

from __future__ import annotations

import signal
import subprocess
import sys

import click
from flask import Flask, current_app
from flask.cli import run_command

from clinic.mail.reminders import queue_reminders
from clinic.models import utcnow


def init_app(app: Flask) -> None:
    app.cli.add_command(serve)
    app.cli.add_command(send_reminders)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
def serve(host: str, port: int) -> None:
    """Serve the app with a task consumer (and its hourly scheduler) running beside it.

    For one computer (`make run`); in production run gunicorn and huey_consumer
    as separate services (see the README).
    """
    if not current_app.config["MAIL_SERVER"]:
        click.echo("No GROUNDWORK_MAIL_SERVER is set: emails are written to this log instead of sent.")
    consumer = subprocess.Popen([sys.executable, "-m", "huey.bin.huey_consumer", "clinic.tasks.consumer.huey",
                                 "--workers", "2", "--quiet"])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stopped either way, the consumer stops too
    try:
        click.get_current_context().invoke(run_command, host=host, port=port, reload=False, debugger=False)
    finally:
        consumer.terminate()
        consumer.wait(timeout=30)


@click.command("send-reminders")
def send_reminders() -> None:
    """Queue today's reminders now (the same work as the daily one at REMINDER_HOUR)."""
    queued = queue_reminders(utcnow())
    click.echo(f"{len(queued)} reminder email{'s' if len(queued) != 1 else ''} queued.")
