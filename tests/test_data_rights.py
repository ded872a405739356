"""A client's data rights: export everything held as a zip, erase it without a trace, and
erase archived clients after the retention period (`flask purge`)."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import JSON, String, Text, func, select
from sqlalchemy.engine import make_url

from clinic.assignments.services import add_comment
from clinic.extensions import db
from clinic.models import AuditEvent, Client, PdfCacheEntry, utcnow
from clinic.portal.services import issue_link
from tests.support.posting import post_form
from tests.support.samples import sample_answers

# Strings that appear nowhere but in this client's data.
LABEL = "Quillon Marsh-Ebbe"
EMAIL = "quillon.private@example.test"
NOTES = "Notes: met through Wexbridge clinic"
AGENDA = "Agenda: talk about the Harrowgate trip"
ANSWER = "My mother Ottoline left every Sunday"
DRAFT = "Draft: the Fenwick letter I never sent"
COMMENT = "Comment: ask about Ottoline's Sundays"
PERSONAL = (LABEL, EMAIL, NOTES, AGENDA, ANSWER, DRAFT, COMMENT)


@pytest.fixture
def quillon(make, clinician, signed_in):
    """A client with a sent worksheet (answers, a comment, a cached PDF), a draft, a link and an agenda."""
    person = make.client(clinician, display_name=LABEL, email=EMAIL, notes=NOTES, agenda=AGENDA)
    sent = make.assignment(person, "origins-mapping", status="submitted",
                           answers=sample_answers("origins-mapping") | {"caregiving-memory": ANSWER})
    make.assignment(person, "partner-source-checklist", status="in_progress",
                    answers={"hot-cold-example": DRAFT})
    add_comment(sent, clinician_id=clinician.id, body=COMMENT, section_id=None)
    issue_link(person)
    db.session.commit()
    assert signed_in.get(f"/assignments/{sent.id}/pdf").status_code == 200
    return person


def test_the_export_holds_the_answers_comments_audit_events_and_each_sent_worksheets_pdf(signed_in, quillon):
    response = signed_in.get(f"/clients/{quillon.id}/export")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = archive.namelist()
    assert names[:2] == ["README.txt", "client.json"]
    pdfs = [name for name in names if name.endswith(".pdf")]
    assert len(pdfs) == 1 and pdfs[0].startswith("worksheets/") and "origins-mapping" in pdfs[0]
    assert archive.read(pdfs[0]).startswith(b"%PDF")
    readme = archive.read("README.txt").decode()
    assert "client.json" in readme and "worksheets/" in readme and "draft" in readme
    held = json.loads(archive.read("client.json"))
    assert held["client"]["name"] == LABEL and held["client"]["email"] == EMAIL
    assert held["client"]["notes"] == NOTES and held["client"]["agenda"] == AGENDA
    sent, draft = held["worksheets"]
    assert sent["answers"]["caregiving-memory"] == ANSWER and sent["submitted_at"]
    assert [comment["body"] for comment in sent["comments"]] == [COMMENT]
    assert draft["answers"] == {"hot-cold-example": DRAFT} and draft["submitted_at"] is None
    assert "pdf_worksheet_downloaded" in {event["action"] for event in held["audit_events"]}
    latest = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (latest.action, latest.client_id, latest.actor_type) == ("client.exported", quillon.id, "clinician")


def test_erasing_needs_the_name_typed_exactly(signed_in, quillon):
    page = f"/clients/{quillon.id}/erase"
    assert LABEL in signed_in.get(page).get_data(as_text=True)
    for typed in ("", "quillon marsh-ebbe", "yes"):
        refused = post_form(signed_in, page, {"confirmation": typed})
        assert refused.status_code == 400
        assert "to erase" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Client, quillon.id).display_name == LABEL


def stored_texts() -> list[tuple[str, str, str]]:
    """(table, column, value) for every text and JSON value in every table."""
    found = []
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, (String, Text, JSON))]
        if columns:
            for row in db.session.execute(select(*columns)):
                found.extend((table.name, column.name, json.dumps(value, ensure_ascii=False))
                             for column, value in zip(columns, row) if value is not None)
    return found


def files_holding(app, secrets: tuple[str, ...]) -> dict[str, list[str]]:
    """Files of the instance folder and the SQLite database's folder that hold any of these strings."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    folders = {Path(app.instance_path)}
    if url.get_backend_name() == "sqlite":
        folders.add(Path(url.database).parent)
    found = {}
    for path in (p for folder in folders for p in folder.rglob("*") if p.is_file()):
        content = path.read_bytes()
        if held := [secret for secret in secrets if secret.encode() in content]:
            found[str(path)] = held
    return found


def test_erasure_leaves_no_trace_in_any_table_or_file_but_an_audit_stub(app, signed_in, clinician, quillon):
    assert any(LABEL in value for _, _, value in stored_texts())  # the scans see the data before
    if db.engine.dialect.name == "sqlite":
        assert files_holding(app, (LABEL,))
    response = post_form(signed_in, f"/clients/{quillon.id}/erase", {"confirmation": LABEL})
    assert response.status_code == 302
    assert "erased" in signed_in.get(response.headers["Location"]).get_data(as_text=True)

    db.session.expire_all()
    leftovers = [(table, column) for table, column, value in stored_texts()
                 for secret in PERSONAL if secret in value or secret.lower() in value.lower()]
    assert leftovers == []
    assert db.session.scalar(select(func.count()).select_from(PdfCacheEntry)
                             .where(PdfCacheEntry.clinician_id == clinician.id)) == 0
    stub = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "client.erased")).one()
    assert (stub.client_id, stub.actor_type, stub.actor_id, stub.detail) == (quillon.id, "clinician", clinician.id, {})
    assert signed_in.get(f"/clients/{quillon.id}").status_code == 404
    assert LABEL not in signed_in.get("/clients/archived").get_data(as_text=True)
    assert files_holding(app, PERSONAL) == {}


def archive_days_ago(make, clinician, name: str, days: int | None) -> Client:
    return make.client(clinician, display_name=name,
                       archived_at=None if days is None else utcnow() - dt.timedelta(days=days))


def test_purge_erases_archived_clients_past_the_retention_period_and_says_so(app, runner, make, clinician):
    old = archive_days_ago(make, clinician, LABEL, 40)
    make.assignment(old, "origins-mapping", status="submitted", answers={"caregiving-memory": ANSWER})
    recent = archive_days_ago(make, clinician, "Recently archived", 10)
    current = archive_days_ago(make, clinician, "Still seen", None)

    unset = runner.invoke(args=["purge"])
    assert unset.exit_code == 0 and "RETENTION_DAYS is not set: nothing is erased" in unset.output

    app.config["RETENTION_DAYS"] = 30
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert f"Erased client {old.id} (archived" in result.output
    assert "1 archived client erased, archived more than 30 days ago." in result.output
    db.session.expire_all()
    assert [c.display_name for c in db.session.scalars(select(Client).order_by(Client.id))] == [
        "Erased client", "Recently archived", "Still seen"]
    assert not any(ANSWER in value for _, _, value in stored_texts())
    assert recent.erased_at is None and current.erased_at is None
    stub = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (stub.action, stub.client_id, stub.actor_type) == ("client.erased", old.id, "system")
    assert "0 archived clients erased" in runner.invoke(args=["purge"]).output


def test_purge_refuses_a_retention_period_that_is_not_a_number_of_days(app, runner):
    app.config["RETENTION_DAYS"] = "a year"
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 1 and "RETENTION_DAYS must be a whole number of days" in result.output
