"""Answers to a worksheet's first version read and print as they did, whatever the engine or the YAML become.

`tests/fixtures/worksheets-v1/` holds the three worksheets as first shipped
(version 1), a full answer set for each, and what the review page and the PDF
said for those answers, recorded with the engine as it was before issue 10
(commit 1918b60). An assignment keeps the snapshot of the definition it was
made with, so neither a newer engine nor a newer version of the YAML may
change a word of what the clinician reads.

After an intended change to how every review page or PDF reads (not to a
worksheet's YAML: that never reaches old assignments), record again with
GROUNDWORK_RECORD_V1=1 and read the diff: it writes the `.review.txt` and
`.pdf.txt` files and fails, so a recording is never mistaken for a check.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

import clinic.auth.services as auth_services
from clinic import MIGRATIONS_DIR, create_app
from clinic.extensions import db
from clinic import words
from clinic.models import WorksheetSnapshot
from clinic.worksheets import load_definition
from tests.support.apps import base_config
from tests.support.migrations import logging_untouched
from tests.support.pdf_text import all_text
from tests.support.posting import PASSWORD, login

V1 = Path(__file__).parent / "fixtures" / "worksheets-v1"
WORKSHEETS = ["origins-mapping", "partner-source-checklist", "security-building-plan"]
RECORDING = os.environ.get("GROUNDWORK_RECORD_V1") == "1"


def submitted_v1(make, clinician, worksheet_id: str):
    """A submitted assignment made when the worksheet was at version 1, as the database holds it."""
    definition = load_definition(V1 / f"{worksheet_id}.yaml")
    answers = json.loads((V1 / f"{worksheet_id}.answers.json").read_text(encoding="utf-8"))
    assignment = make.assignment(make.client(clinician, display_name="Robin A."), worksheet_id,
                                 status="submitted", answers=answers)
    # A snapshot row of its own: the rows are shared, so one is never rewritten in place.
    assignment.worksheet_version, assignment.snapshot = 1, WorksheetSnapshot.of(definition.snapshot())
    db.session.commit()
    return assignment


def without_dates(text: str) -> str:
    return text.replace(words.date(dt.datetime.now(dt.timezone.utc)), "<today>")


def as_words(part: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", part)).split())


def review_text(page: str) -> str:
    """The review page's flags (shown first) and everything from "At a glance" to the last section's answers."""
    flags = page[page.index('id="flags-title"'):page.index("</section>", page.index('id="flags-title"'))] \
        if 'id="flags-title"' in page else ""
    part = page[page.index('id="glance-title"'):page.index('id="overall-title"')]
    return without_dates(" ".join(filter(None, [as_words(flags.split(">", 1)[1]) if flags else "",
                                                as_words(part.split(">", 1)[1])])))


def check_or_record(name: str, text: str) -> None:
    path = V1 / name
    if RECORDING:
        path.write_text(text + "\n", encoding="utf-8")
        pytest.fail(f"recorded {path}; run again without GROUNDWORK_RECORD_V1 to check")
    assert text == path.read_text(encoding="utf-8").removesuffix("\n")


@pytest.mark.parametrize("worksheet_id", WORKSHEETS)
def test_v1_answers_review_exactly_as_before(signed_in, make, clinician, worksheet_id):
    assignment = submitted_v1(make, clinician, worksheet_id)
    page = signed_in.get(f"/assignments/{assignment.id}").get_data(as_text=True)
    check_or_record(f"{worksheet_id}.review.txt", review_text(page))


@pytest.mark.parametrize("worksheet_id", WORKSHEETS)
def test_v1_answers_print_exactly_as_before(signed_in, make, clinician, worksheet_id):
    assignment = submitted_v1(make, clinician, worksheet_id)
    pdf = signed_in.get(f"/assignments/{assignment.id}/pdf").data
    check_or_record(f"{worksheet_id}.pdf.txt", without_dates(all_text(pdf)))


def test_a_new_assignment_gets_the_current_version_and_an_old_one_keeps_its_own(app, make, clinician):
    old = submitted_v1(make, clinician, "partner-source-checklist")
    new = make.assignment(old.client, "partner-source-checklist")
    current = app.extensions["worksheets"]["partner-source-checklist"]
    assert (new.worksheet_version, new.definition_snapshot) == (current.version, current.snapshot())
    assert old.worksheet_version == 1
    assert old.definition_snapshot == load_definition(V1 / "partner-source-checklist.yaml").snapshot()


@pytest.mark.parametrize("worksheet_id", WORKSHEETS)
def test_a_database_upgraded_with_v1_answers_reviews_and_prints_them_as_before(empty_database, tmp_path,
                                                                                worksheet_id):
    """Answers sent before issue 10, stored by the first schema, then `flask db upgrade` to today's."""
    app = create_app(base_config(empty_database, tmp_path))
    snapshot = load_definition(V1 / f"{worksheet_id}.yaml").snapshot()
    answers = (V1 / f"{worksheet_id}.answers.json").read_text(encoding="utf-8")
    with app.app_context(), logging_untouched():
        upgrade(directory=MIGRATIONS_DIR, revision="79a070f00fc1")
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO clinician (id, email, name, password_hash, session_version, created_at) "
                "VALUES (1, 'before@example.test', 'Dr Before', :hash, 1, CURRENT_TIMESTAMP)"),
                {"hash": auth_services.hasher.hash(PASSWORD)})
            connection.execute(text("INSERT INTO client (id, clinician_id, display_name, notes, agenda, created_at) "
                                    "VALUES (1, 1, 'Robin A.', '', '', CURRENT_TIMESTAMP)"))
            connection.execute(text(
                "INSERT INTO assignment (id, client_id, worksheet_id, worksheet_version, definition_snapshot, status, "
                "note_to_client, created_at, status_changed_at) VALUES (1, 1, :worksheet, 1, :snapshot, 'submitted', "
                "'', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"), {"worksheet": worksheet_id, "snapshot": json.dumps(snapshot)})
            connection.execute(text(
                "INSERT INTO response (assignment_id, answers, version, created_at, saved_at, submitted_at) "
                "VALUES (1, :answers, 3, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
                {"answers": answers})
        upgrade(directory=MIGRATIONS_DIR)

        browser = app.test_client()
        assert login(browser, SimpleNamespace(email="before@example.test")).status_code == 302
        page = browser.get("/assignments/1").get_data(as_text=True)
        pdf = browser.get("/assignments/1/pdf").data
        db.session.remove()
        db.engine.dispose()

    assert review_text(page) == (V1 / f"{worksheet_id}.review.txt").read_text(encoding="utf-8").removesuffix("\n")
    assert without_dates(all_text(pdf)) == (V1 / f"{worksheet_id}.pdf.txt").read_text(encoding="utf-8").removesuffix("\n")
