"""Command-line tools: `flask --app clinic <command>`."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from sqlalchemy import func, select

from clinic.extensions import db
from clinic.models import Clinician


def init_app(app: Flask) -> None:
    app.cli.add_command(create_clinician)
    app.cli.add_command(seed_demo)
    app.cli.add_command(check_worksheets)


@click.command("create-clinician")
@click.argument("email")
@click.option("--name", default="", help="Name shown on PDFs (defaults to the email's first part).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_clinician(email: str, name: str, password_stdin: bool) -> None:
    """Create a clinician account."""
    from clinic.auth.services import PasswordProblem, create_account

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        clinician = create_account(email, password, name=name)
    except PasswordProblem as problem:
        raise click.ClickException(str(problem)) from None
    db.session.commit()
    click.echo(f"Created clinician {clinician.email}.")


@click.command("seed-demo")
def seed_demo() -> None:
    """Add demo data (a clinician, two clients, worksheets) to an empty database.

    When the demo data is already there, print a fresh client link for it instead,
    so every `make run` shows a link that works.
    """
    from clinic.demo import DEMO_EMAIL, DEMO_PASSWORD, fresh_link, seed

    if db.session.scalar(select(Clinician).where(Clinician.email == DEMO_EMAIL)):
        link = fresh_link()
        click.echo("Demo data is already there.")
    elif db.session.scalar(select(func.count()).select_from(Clinician)):
        click.echo("The database has real accounts; demo data not added.")
        return
    else:
        link = seed()
        click.echo("Demo data added.")
    click.echo(f"  Clinician sign-in: {DEMO_EMAIL} / {DEMO_PASSWORD}")
    click.echo(f"  Client link (Robin A.): {link}")


@click.command("check-worksheets")
def check_worksheets() -> None:
    """Validate every worksheet definition and list them."""
    library = current_app.extensions["worksheets"]
    for definition in library.values():
        items = sum(len(section.items) for section in definition.sections)
        click.echo(f"{definition.id}  version {definition.version}  "
                   f"{len(definition.sections)} sections  {items} items")
    click.echo(f"{len(library)} worksheets valid.")
