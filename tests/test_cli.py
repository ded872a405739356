"""The command-line tools."""

from __future__ import annotations

from sqlalchemy import func, select

from clinic.demo import CHECK_IN, CHECK_IN_ANSWERS
from clinic.extensions import db
from clinic.models import Assignment, Client, Clinician, PortalLink
from clinic.portal.services import find_usable_link


def test_check_worksheets_lists_every_definition(app, runner):
    result = runner.invoke(args=["check-worksheets"])
    assert result.exit_code == 0
    library = app.extensions["worksheets"]
    for definition in library.values():
        assert f"{definition.id}  version {definition.version}  {len(definition.sections)} sections" in result.output
    assert len(library) == 8 and "8 worksheets valid." in result.output


def test_create_clinician_reads_the_password_from_stdin(runner):
    result = runner.invoke(args=["create-clinician", "New@Example.test", "--password-stdin"],
                           input="a long enough password\n")
    assert result.exit_code == 0, result.output
    assert "Created clinician new@example.test." in result.output
    assert db.session.scalar(select(Clinician.email)) == "new@example.test"


def test_create_clinician_prompts_twice_for_the_password(runner):
    result = runner.invoke(args=["create-clinician", "prompted@example.test"],
                           input="a long enough password\na long enough password\n")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count()).select_from(Clinician)) == 1


def test_create_clinician_refuses_a_short_password_and_a_duplicate(runner, make):
    result = runner.invoke(args=["create-clinician", "a@example.test", "--password-stdin"], input="short\n")
    assert result.exit_code != 0 and "at least 12 characters" in result.output
    make.clinician(email="taken@example.test")
    result = runner.invoke(args=["create-clinician", "taken@example.test", "--password-stdin"],
                           input="a long enough password\n")
    assert result.exit_code != 0 and "already an account for taken@example.test" in result.output


def test_seed_demo_fills_an_empty_database_once(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "demo@groundwork.test / calm harbour lantern" in result.output
    token = result.output.split("/p/")[1].split()[0]
    assert find_usable_link(token) is not None
    assert db.session.scalar(select(func.count()).select_from(Client)) == 2
    statuses = db.session.scalars(select(Assignment.status)).all()
    library = runner.app.extensions["worksheets"]
    check_ins = len(CHECK_IN_ANSWERS) if CHECK_IN in library else 0  # Robin's weeks already sent
    assert len(statuses) == 2 * len(library) + check_ins and statuses.count("submitted") == 1 + check_ins

    again = runner.invoke(args=["seed-demo"])
    assert "Demo data is already there." in again.output
    assert db.session.scalar(select(func.count()).select_from(Client)) == 2
    new_token = again.output.split("/p/")[1].split()[0]
    assert new_token != token and find_usable_link(new_token) is not None


def test_seed_demo_leaves_a_real_database_alone(runner, make):
    make.clinician(email="real@clinic.example")
    result = runner.invoke(args=["seed-demo"])
    assert "demo data not added" in result.output
    assert db.session.scalar(select(func.count()).select_from(PortalLink)) == 0
