"""`flask --app clinic seed-scale`: a practice of any size to measure against."""

from __future__ import annotations

import time

import click
from flask import Flask
from sqlalchemy import func, select

from clinic.auth.services import PasswordProblem, check_new_password
from clinic.extensions import db
from clinic.models import Clinician
from clinic.scale.seed import Made, email_of, real_clinicians, seed_assignments, seed_people


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_scale)


@click.command("seed-scale")
@click.option("--clinicians", type=click.IntRange(1, 1000), required=True, help="How many clinicians.")
@click.option("--clients-per-clinician", type=click.IntRange(1, 100_000), required=True,
              help="Clients of each clinician (clinician1 has half as many again).")
@click.option("--assignments", type=click.IntRange(0, 10_000_000), required=True,
              help="Worksheets in all, spread over every client (a tenth to clinician1's long-standing client).")
@click.option("--password", required=True, help="The password every seeded clinician signs in with.")
def seed_scale(clinicians: int, clients_per_clinician: int, assignments: int, password: str) -> None:
    """Seed realistic data at scale into an empty database (never one with real accounts)."""
    try:
        check_new_password(password, email=email_of(1))
    except PasswordProblem as problem:
        raise click.BadParameter(str(problem), param_hint="--password") from None
    real = real_clinicians()
    if real:
        raise click.ClickException(f"This database holds {real} real clinician account{'s' if real != 1 else ''}; "
                                   "seed-scale only seeds a database of its own. Nothing was added.")
    if db.session.scalar(select(func.count()).select_from(Clinician)):
        raise click.ClickException("This database is already seeded. Start from an empty database.")
    started = time.perf_counter()
    made = Made()
    seed_people(clinicians, clients_per_clinician, password, made)
    click.echo(f"Seeding {assignments:,} worksheets…")
    seed_assignments(assignments, made)
    click.echo(f"Made {made} in {time.perf_counter() - started:.0f} s.")
    last = f" … {email_of(clinicians)}" if clinicians > 1 else ""
    click.echo(f"Sign in as {email_of(1)}{last} with the password you gave; "
               f"{email_of(1)} has the most clients.")
