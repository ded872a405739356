"""Clients: adding, editing, archiving, the agenda, the client page and its audit history."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from clinic.assignments.services import add_comment
from clinic.extensions import db
from clinic.models import NAME_MAX, NOTES_MAX, AuditAction, AuditEvent, Client, utcnow
from tests.support.packets import make_packet
from tests.support.posting import post_form


def audit_actions(client_id: int) -> list[str]:
    return db.session.scalars(select(AuditEvent.action).where(AuditEvent.client_id == client_id)
                              .order_by(AuditEvent.id)).all()


def client_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Client))


def add_client(browser, **fields):
    data = {"display_name": "R. A.", "email": "", "notes": ""} | fields
    return post_form(browser, "/clients/new", data)


def test_a_clinician_adds_a_client_and_lands_on_their_page(signed_in, clinician):
    response = add_client(signed_in, display_name="  Robin A. ", email="robin@example.org", notes="Prefers evenings.")
    assert response.status_code == 302
    added = db.session.scalar(select(Client))
    assert response.headers["Location"] == f"/clients/{added.id}"
    assert (added.display_name, added.email, added.notes, added.clinician_id) == (
        "Robin A.", "robin@example.org", "Prefers evenings.", clinician.id)
    page = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "Robin A. is added." in page and "Prefers evenings." in page
    assert audit_actions(added.id)[0] == "client.create"


@pytest.mark.parametrize(("fields", "message"), [
    ({"display_name": "   "}, "Please enter a name or initials."),
    ({"display_name": "x" * (NAME_MAX + 1)}, f"Please shorten the name to {NAME_MAX} characters or fewer (it has {NAME_MAX + 1})."),
    ({"notes": "n" * (NOTES_MAX + 1)}, f"Please shorten the notes to {NOTES_MAX} characters or fewer"),
    ({"email": "not an address"}, "Please enter an email address like name@example.org."),
])
def test_a_client_that_cannot_be_added_says_why_and_saves_nothing(signed_in, fields, message):
    response = add_client(signed_in, **fields)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert "There is a problem" in page
    assert client_count() == 0


def test_sending_the_add_form_twice_adds_the_client_once(signed_in):
    assert add_client(signed_in, display_name="J. K.").status_code == 302
    again = add_client(signed_in, display_name="j. k.")
    assert again.status_code == 409
    assert "You already have a client called “j. k.”" in again.get_data(as_text=True)
    assert client_count() == 1


def test_another_clinicians_client_of_the_same_name_is_no_clash(signed_in, make):
    make.client(make.clinician(), display_name="J. K.")
    assert add_client(signed_in, display_name="J. K.").status_code == 302


def test_editing_a_client_saves_the_changes_and_audits_which_fields(signed_in, make, clinician):
    record = make.client(clinician, display_name="R. A.", notes="old")
    path = f"/clients/{record.id}/edit"
    assert "old" in signed_in.get(path).get_data(as_text=True)
    response = post_form(signed_in, path, {"display_name": "Robin A.", "email": "", "notes": "old"})
    assert response.status_code == 302
    assert db.session.get(Client, record.id).display_name == "Robin A."
    update = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "client.update"))
    assert update.detail == {"fields": ["display_name"]}


def test_an_over_long_edit_changes_nothing(signed_in, make, clinician):
    record = make.client(clinician, display_name="R. A.")
    response = post_form(signed_in, f"/clients/{record.id}/edit",
                         {"display_name": "R. B.", "notes": "n" * (NOTES_MAX + 1)})
    assert response.status_code == 400
    assert db.session.get(Client, record.id).display_name == "R. A."


def test_archived_clients_leave_the_lists_but_keep_their_records(signed_in, make, clinician):
    record = make.client(clinician, display_name="Archie")
    make.assignment(record, status="submitted")
    response = post_form(signed_in, f"/clients/{record.id}/archive", token_from=f"/clients/{record.id}")
    assert response.status_code == 302
    assert "Archie is archived" in signed_in.get("/").get_data(as_text=True)
    assert "Archie" not in signed_in.get("/").get_data(as_text=True)
    assert "Archie" in signed_in.get("/clients/archived").get_data(as_text=True)
    page = signed_in.get(f"/clients/{record.id}").get_data(as_text=True)
    assert "Archived" in page and "Where does your insecurity come from?" in page
    assert db.session.get(Client, record.id).archived_at is not None

    restored = post_form(signed_in, f"/clients/{record.id}/unarchive", token_from=f"/clients/{record.id}")
    assert restored.status_code == 302
    assert "Archie" in signed_in.get("/").get_data(as_text=True)
    actions = audit_actions(record.id)
    assert actions.index("client.archive") < actions.index("client.unarchive")


def test_an_archived_client_cannot_come_back_beside_a_namesake(signed_in, make, clinician):
    archived = make.client(clinician, display_name="J. K.", archived_at=utcnow())
    make.client(clinician, display_name="J. K.")
    response = post_form(signed_in, f"/clients/{archived.id}/unarchive", token_from=f"/clients/{archived.id}")
    assert response.status_code == 409
    assert "could not be restored" in response.get_data(as_text=True)
    assert db.session.get(Client, archived.id).archived_at is not None


def test_the_agenda_for_the_next_session_is_saved_on_the_client_page(signed_in, make, clinician):
    record = make.client(clinician)
    path = f"/clients/{record.id}"
    response = post_form(signed_in, f"{path}/agenda", {"agenda": "Ask about the late nights."}, token_from=path)
    assert response.status_code == 302
    saved = db.session.get(Client, record.id)
    assert saved.agenda == "Ask about the late nights." and saved.agenda_updated_at is not None
    page = signed_in.get(path).get_data(as_text=True)
    assert "Ask about the late nights." in page and "Last saved" in page
    assert "client.agenda_update" in audit_actions(record.id)


def test_an_over_long_agenda_is_refused_and_the_old_one_kept(signed_in, make, clinician):
    record = make.client(clinician, agenda="Keep me")
    path = f"/clients/{record.id}"
    response = post_form(signed_in, f"{path}/agenda", {"agenda": "a" * (NOTES_MAX + 1)}, token_from=path)
    assert response.status_code == 400
    assert f"Please shorten the agenda to {NOTES_MAX} characters" in response.get_data(as_text=True)
    assert db.session.get(Client, record.id).agenda == "Keep me"


def test_the_client_page_lists_every_worksheet_newest_first(signed_in, make, clinician, app):
    record = make.client(clinician)
    library = app.extensions["worksheets"]
    titles = []
    for days_ago, worksheet_id in enumerate(library):
        assignment = make.assignment(record, worksheet_id)
        assignment.created_at = utcnow() - dt.timedelta(days=days_ago)
        titles.append(library[worksheet_id].title)
    db.session.commit()
    page = signed_in.get(f"/clients/{record.id}").get_data(as_text=True)
    positions = [page.index(f">{title}</a>") for title in titles]
    assert positions == sorted(positions)


def test_opening_a_client_page_is_audited(signed_in, make, clinician):
    record = make.client(clinician)
    signed_in.get(f"/clients/{record.id}")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.client_id == record.id))
    assert (event.action, event.actor_type, event.actor_id, event.address) == (
        "client.view", "clinician", clinician.id, "127.0.0.1")


def test_the_history_page_shows_the_clients_audit_trail_newest_first(signed_in, make, clinician):
    record = make.client(clinician)
    other = make.client(clinician, display_name="Someone else")
    signed_in.get(f"/clients/{other.id}")
    post_form(signed_in, f"/clients/{record.id}/agenda", {"agenda": "Plan"}, token_from=f"/clients/{record.id}")
    page = signed_in.get(f"/clients/{record.id}/audit").get_data(as_text=True)
    opened = page.index("You opened this history")
    changed = page.index("You changed the agenda for the next session")
    viewed = page.index("You opened the client&#39;s page")
    assert opened < changed < viewed
    assert page.count("<tr>") == 1 + 3  # the header row and this client's three events, not the other's


def test_the_history_says_who_did_what_to_which_worksheet_in_words(signed_in, make, clinician):
    robin = make.client(clinician, display_name="Robin A.")
    origins = make.assignment(robin, "origins-mapping", status="submitted")
    comment = add_comment(origins, clinician_id=clinician.id, body="Ask about Sundays.", section_id=None)
    lee = make.clinician(name="Dr Lee")
    happened = [("client", robin.id, AuditAction.RESPONSE_SAVED, origins.response),
                ("clinician", clinician.id, AuditAction.COMMENT_CREATE, comment),
                ("clinician", lee.id, AuditAction.PDF_PACKET_DOWNLOADED, robin),
                ("clinician", clinician.id, AuditAction.PDF_PACKET_DOWNLOADED, robin),
                ("system", None, AuditAction.EMAIL_SENT, robin)]
    for actor_type, actor_id, action, obj in happened:
        db.session.add(AuditEvent(actor_type=actor_type, actor_id=actor_id, action=action,
                                  object_type=type(obj).__name__.lower(), object_id=obj.id, client_id=robin.id,
                                  clinician_id=clinician.id))
    db.session.commit()
    signed_in.get(f"/assignments/{origins.id}")
    page = signed_in.get(f"/clients/{robin.id}/audit").get_data(as_text=True)

    in_order = ["You opened “Where does your insecurity come from?”", "Groundwork emailed the client",
                "You downloaded the packet", "Dr Lee downloaded the packet",
                "You commented on “Where does your insecurity come from?”",
                "Robin A. saved answers to “Where does your insecurity come from?”"]
    assert [page.index(sentence) for sentence in in_order] == sorted(page.index(sentence) for sentence in in_order)
    for raw in ("response.saved", "pdf_packet_downloaded", "comment.create", f"response {origins.response.id}",
                f"assignment {origins.id}", "Clinician account"):
        assert raw not in page


def test_the_history_says_for_which_session_and_on_what_paper_the_packet_was_downloaded(signed_in, make,
                                                                                        clinician):
    robin = make.client(clinician, display_name="Robin A.")
    assert make_packet(signed_in, robin, session="2026-03-10", assignments=[], paper="letter").status_code == 200
    # an event recorded before the detail was read (or without it) still reads as a sentence
    db.session.add(AuditEvent(actor_type="clinician", actor_id=clinician.id, action=AuditAction.PDF_PACKET_DOWNLOADED,
                              object_type="client", object_id=robin.id, client_id=robin.id,
                              clinician_id=clinician.id, detail={}))
    db.session.commit()

    page = signed_in.get(f"/clients/{robin.id}/audit").get_data(as_text=True)

    assert "You downloaded the packet for the session on 10 Mar 2026 (US Letter)" in page
    assert page.count("You downloaded the packet") == 2


def test_the_history_is_paginated(signed_in, make, clinician, app):
    app.config["PER_PAGE"] = 2
    record = make.client(clinician)
    for _ in range(4):
        signed_in.get(f"/clients/{record.id}")
    first = signed_in.get(f"/clients/{record.id}/audit").get_data(as_text=True)
    assert "Page 1 of 3" in first and "Next →" in first
    last = signed_in.get(f"/clients/{record.id}/audit?events=3").get_data(as_text=True)
    assert "Page 3 of 3" in last and "← Previous" in last


def test_user_text_is_escaped_everywhere_it_is_shown(signed_in, make, clinician):
    record = make.client(clinician, display_name="<b>x</b>", notes="<script>alert(1)</script>")
    page = signed_in.get(f"/clients/{record.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "<b>x</b>" not in signed_in.get("/").get_data(as_text=True)
