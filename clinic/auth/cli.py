"""Administrators' commands for sign-in: `flask --app clinic require-2fa`, `unlock-clinician`, `reset-2fa`."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import delete, or_

from clinic.audit import record
from clinic.auth import two_step
from clinic.auth.devices import device_key_prefix
from clinic.auth.services import account_key, current_password_key, find_clinician, second_step_key
from clinic.extensions import db
from clinic.models import AuditAction, Clinician, ThrottleBucket


def init_app(app: Flask) -> None:
    for command in (require_two_step, unlock_clinician, reset_two_step):
        app.cli.add_command(command)


def _clinician(email: str) -> Clinician:
    clinician = find_clinician(email)
    if clinician is None:
        raise click.ClickException(f"There is no clinician with the email {email}.")
    return clinician


@click.command("require-2fa")
@click.option("--off", is_flag=True, help="Make two-step sign-in optional again.")
def require_two_step(off: bool) -> None:
    """Require two-step sign-in of every clinician: those without it set it up at their next sign-in."""
    two_step.set_required(not off)
    record(AuditAction.TWO_STEP_REQUIRED if not off else AuditAction.TWO_STEP_OPTIONAL)
    db.session.commit()
    if off:
        click.echo("Two-step sign-in is now optional.")
    else:
        click.echo("Two-step sign-in is now required: clinicians without it set it up at their next sign-in.")


@click.command("unlock-clinician")
@click.argument("email")
def unlock_clinician(email: str) -> None:
    """End the waits that failed sign-ins put on this clinician's account and browsers."""
    clinician = _clinician(email)
    keys = [account_key(clinician.email), second_step_key(clinician), current_password_key(clinician)]
    cleared = db.session.execute(delete(ThrottleBucket).where(or_(
        ThrottleBucket.key.in_(keys), ThrottleBucket.key.startswith(device_key_prefix(clinician), autoescape=True))))
    record(AuditAction.UNLOCK, clinician)
    db.session.commit()
    click.echo(f"Unlocked {clinician.email} ({cleared.rowcount} counter{'s' if cleared.rowcount != 1 else ''} "
               "of failed attempts cleared). Waits on addresses are left alone.")


@click.command("reset-2fa")
@click.argument("email")
def reset_two_step(email: str) -> None:
    """Turn off two-step sign-in for a clinician who lost their phone and recovery codes, and sign them out."""
    clinician = _clinician(email)
    two_step.turn_off(clinician)
    clinician.session_version += 1  # a lost phone may be signed in: every session ends
    record(AuditAction.TWO_STEP_RESET, clinician)
    db.session.commit()
    required = " They will set it up again at their next sign-in." if two_step.required() else ""
    click.echo(f"Two-step sign-in is reset for {clinician.email} and every session of theirs has ended: "
               f"they sign in with their password alone.{required}")
