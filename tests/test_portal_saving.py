"""Filling in a worksheet: saving drafts, versions, submitting, bad input, and nothing lost."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from clinic.extensions import db
from clinic.models import AssignmentEvent, AuditEvent
from clinic.portal.services import SAVE_AUDIT_MINUTES, Draft, SaveRefused, save_answers
from clinic.worksheets import load_definition
from tests.support.portal import assignment_of, new_link, open_link, page_url, post, stored
from tests.support.posting import csrf_token
from tests.support.worksheet_files import ALL_TYPES, COMPLETE, INVALID_ANSWERS, write


@pytest.fixture
def worksheet(make, robin, tmp_path: Path):
    """An assignment of a worksheet with every item type."""
    definition = load_definition(write(tmp_path, {**ALL_TYPES, "title": "Every kind of question"}, name="all-types"))
    return assignment_of(make, robin, definition)


@pytest.fixture
def portal(client, robin):
    open_link(client, new_link(robin))
    return client


# --- the page -----------------------------------------------------------------------------------


def test_the_page_opens_with_intro_time_progress_and_both_ways_to_save(portal, worksheet):
    response = portal.get(page_url(worksheet))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for expected in ["Every kind of question", "About 5 minutes", "About this worksheet", "Hello.",
                     "Part 1 of 1", "0 of 10 answered · 4 required left", 'name="version" value="0"',
                     "Save and finish later", "Next: check and send", "Nothing saved yet", 'aria-live="polite"',
                     "js/portal.js", 'data-max-length="10"', 'id="name-count"']:
        assert expected in page, expected
    assert "maxlength" not in page  # a hard limit would silently cut pasted text
    assert "<fieldset" in page and "<legend" in page
    assert 'for="name"' in page


def test_a_real_worksheet_shows_one_part_at_a_time_with_its_position(portal, make, robin):
    plan = make.assignment(robin, "security-building-plan")
    first = portal.get(page_url(plan)).get_data(as_text=True)
    assert "Part 1 of 7" in first and "Part 2 of 7" not in first and 'name="part" value="1"' in first
    assert 'value="next"' in first and 'value="back"' not in first  # nothing before the first part
    last = portal.get(f"{page_url(plan)}?part=7").get_data(as_text=True)
    assert "Part 7 of 7" in last and "Next: check and send" in last and 'value="back"' in last
    assert "Add another goal" in last and 'value="add-row:goals"' in last
    assert "Add another goal" not in first


# --- saving a draft -----------------------------------------------------------------------------


def test_save_draft_without_javascript_keeps_every_answer_and_starts_the_worksheet(portal, worksheet):
    response = post(portal, worksheet, {"name": "Robin", "story": "It began", "many": ["x", "z"]},
                    version=0, action="save")
    assert response.status_code == 302 and response.headers["Location"] == f"{page_url(worksheet)}?part=1"
    saved = stored(worksheet)
    assert saved.answers == {"name": "Robin", "story": "It began", "many": ["x", "z"]}
    assert saved.version == 1 and saved.saved_at is not None
    assert saved.assignment.status == "in_progress"
    assert saved.assignment.events[-1].actor == "client"
    page = portal.get(page_url(worksheet)).get_data(as_text=True)
    assert "Your answers are saved" in page
    assert 'value="Robin"' in page and "It began</textarea>" in page
    assert 'name="version" value="1"' in page and "Saved at " in page


def test_autosave_answers_with_the_new_version_and_progress(portal, worksheet):
    response = post(portal, worksheet, {"name": "Robin", "mood": "2"}, version=0, json=True)
    assert response.status_code == 200
    assert response.json["status"] == "saved" and response.json["version"] == 1
    assert (response.json["answered"], response.json["total"]) == (2, 10)
    assert response.json["saved_at"].endswith("+00:00")
    again = post(portal, worksheet, {"name": "Robin", "mood": "3"}, version=1, json=True)
    assert again.json["version"] == 2
    assert stored(worksheet).answers == {"name": "Robin", "mood": 3}
    assert db.session.scalars(select(AssignmentEvent.to_status)).all().count("in_progress") == 1


def test_autosaves_leave_the_session_cookie_alone(portal, worksheet):
    """A save every few seconds need not sign and send the session again: on a phone line that is
    a cookie each way per save. (Its idle clock runs to the minute, and there is no clinician to check.)"""
    post(portal, worksheet, {"name": "Robin"}, version=0, json=True)
    again = post(portal, worksheet, {"name": "Robin B"}, version=1, json=True)
    assert again.status_code == 200 and again.headers.getlist("Set-Cookie") == []


def test_the_first_save_of_a_sitting_is_audited_as_the_client(portal, worksheet, robin):
    post(portal, worksheet, {"name": "Robin"}, version=0, json=True)
    event_ = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "response.saved")).one()
    assert (event_.actor_type, event_.actor_id, event_.detail) == ("client", robin.id, {"version": 1})


def test_autosaves_are_audited_once_per_sitting_and_submitting_always(portal, worksheet):
    def audited() -> list[tuple[str, dict]]:
        return db.session.execute(select(AuditEvent.action, AuditEvent.detail)
                                  .where(AuditEvent.action.like("response.%")).order_by(AuditEvent.id)).all()

    for version in range(3):
        assert post(portal, worksheet, {"name": f"Robin {version}"}, version=version, json=True).status_code == 200
    assert audited() == [("response.saved", {"version": 1})]
    response = stored(worksheet)
    response.audited_at -= dt.timedelta(minutes=SAVE_AUDIT_MINUTES)  # the sitting is over
    db.session.commit()
    assert post(portal, worksheet, {"name": "Later"}, version=3, json=True).status_code == 200
    assert post(portal, worksheet, {"name": "Later on"}, version=4, json=True).status_code == 200
    assert audited() == [("response.saved", {"version": 1}), ("response.saved", {"version": 4})]
    assert post(portal, worksheet, COMPLETE, version=5, action="submit").status_code == 302
    assert audited()[-1] == ("response.submitted", {"version": 6})


def test_an_autosave_costs_a_fixed_handful_of_queries(portal, worksheet, count_queries):
    token = csrf_token(portal, "/portal")
    small = {"csrf_token": token, "version": "0", "name": "R"}
    large = {"csrf_token": token, "version": "1", **{k: v for k, v in COMPLETE.items() if k != "many"}}
    with count_queries() as first:
        assert portal.post(page_url(worksheet) + "/save", data=small).status_code == 200
    with count_queries() as second:
        assert portal.post(page_url(worksheet) + "/save", data=large).status_code == 200
    assert second.count <= first.count <= 16, first.statements


def test_add_another_row_works_without_javascript(portal, make, robin):
    plan = make.assignment(robin, "security-building-plan")
    response = post(portal, plan, {"goals-0-goal": "See a friend every week"}, version=0, action="add-row:goals",
                    part="7")
    assert response.status_code == 302
    assert response.headers["Location"] == f"{page_url(plan)}?part=7&add=goals&rows=2#goals-1"
    assert stored(plan).answers == {"goals": [{"goal": "See a friend every week"}]}
    page = portal.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="goals-0"' in page and 'id="goals-1"' in page and 'id="goals-2"' not in page
    assert 'value="See a friend every week"' in page
    assert "A new goal has been added below" in page


@pytest.mark.parametrize("rows", ["²", "99999999999", "-1", "x"])
def test_odd_row_counts_in_the_address_are_ignored(portal, make, robin, rows):
    plan = make.assignment(robin, "security-building-plan")
    response = portal.get(f"{page_url(plan)}?part=7&add=goals&rows={rows}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="goals-0"' in page and 'id="goals-1"' not in page


def test_add_another_row_adds_one_even_when_the_empty_row_was_left_empty(portal, make, robin):
    plan = make.assignment(robin, "security-building-plan")
    response = post(portal, plan, {"goals-0-goal": "One", "goals-1-goal": ""}, version=0, action="add-row:goals",
                    part="7")
    page = portal.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="goals-2"' in page and 'id="goals-3"' not in page


def test_line_breaks_count_as_one_character_as_the_client_sees_them(portal, worksheet):
    text = "\r\n".join(["abcd"] * 10)  # 49 characters as typed, 58 as a browser sends them
    response = post(portal, worksheet, {"story": text}, version=0, json=True)
    assert response.status_code == 200, response.json
    assert stored(worksheet).answers == {"story": text.replace("\r\n", "\n")}


# --- nothing lost: versions and transactions ------------------------------------------------


def test_a_save_from_a_stale_page_is_refused_and_the_newer_answers_stay(portal, worksheet):
    assert post(portal, worksheet, {"name": "Newer"}, version=0, json=True).status_code == 200
    stale = post(portal, worksheet, {"name": "Older tab"}, version=0, json=True)
    assert stale.status_code == 409
    assert stale.json["status"] == "stale" and stale.json["version"] == 1
    assert "another tab or device" in stale.json["message"]
    assert stored(worksheet).answers == {"name": "Newer"} and stored(worksheet).version == 1


def test_a_stale_form_keeps_what_was_typed_and_lets_the_client_choose(portal, worksheet):
    post(portal, worksheet, {"name": "Newer"}, version=0, json=True)
    response = post(portal, worksheet, {"name": "Mine <b>"}, version=0, action="save")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "this worksheet changed somewhere else" in page
    assert 'value="Mine &lt;b&gt;"' in page  # the typed words are still on the page
    assert 'name="version" value="1"' in page  # pressing Save again is a deliberate choice
    assert "data-conflict" in page
    assert stored(worksheet).answers == {"name": "Newer"}
    assert post(portal, worksheet, {"name": "Mine <b>"}, version=1, action="save").status_code == 302
    assert stored(worksheet).answers == {"name": "Mine <b>"}


def test_a_failed_commit_leaves_the_previous_version_intact(portal, worksheet, app):
    post(portal, worksheet, {"name": "Before"}, version=0, json=True)

    def fail(session):
        raise RuntimeError("the database went away during commit")

    event.listen(Session, "before_commit", fail)
    try:
        response = post(portal, worksheet, {"name": "After", "story": "more"}, version=1, json=True)
    finally:
        event.remove(Session, "before_commit", fail)
    assert response.status_code == 500
    saved = stored(worksheet)
    assert (saved.answers, saved.version) == ({"name": "Before"}, 1)
    assert saved.assignment.status == "in_progress"
    assert len(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "response.saved")).all()) == 1
    assert post(portal, worksheet, {"name": "After"}, version=1, json=True).status_code == 200


def test_the_save_service_refuses_a_stale_version_without_changing_anything(worksheet):
    save_answers(Draft.of(worksheet), {"name": "First"}, expected_version=0)
    with pytest.raises(SaveRefused) as refused:
        save_answers(Draft.of(worksheet), {"name": "Second"}, expected_version=0)
    assert (refused.value.reason, refused.value.current_version) == ("stale", 1)
    assert stored(worksheet).answers == {"name": "First"}


# --- submitting ------------------------------------------------------------------------------------


def test_required_answers_are_checked_only_on_submit(portal, worksheet):
    assert post(portal, worksheet, {"story": "Only this"}, version=0, action="save").status_code == 302
    response = post(portal, worksheet, {"story": "Only this", "name": "Robin"}, version=1, action="submit")
    assert response.status_code == 302 and response.headers["Location"] == f"{page_url(worksheet)}/check"
    page = portal.get(response.headers["Location"]).get_data(as_text=True)
    assert "3 answers are still needed before you can send" in page
    for field_id in ["pick", "mood", "goals"]:
        assert f'href="{page_url(worksheet)}?part=1#{field_id}"' in page
    assert "Send to your therapist" not in page
    saved = stored(worksheet)
    assert saved.answers == {"story": "Only this", "name": "Robin"}  # the draft was saved anyway
    assert saved.version == 2 and saved.assignment.status == "in_progress"


def test_a_complete_submission_is_sent_and_then_read_only(portal, worksheet):
    response = post(portal, worksheet, COMPLETE, version=0, action="submit")
    assert response.status_code == 302
    saved = stored(worksheet)
    assert saved.assignment.status == "submitted" and saved.assignment.submitted_at is not None
    assert [e.to_status for e in saved.assignment.events][-2:] == ["in_progress", "submitted"]
    page = portal.get(page_url(worksheet)).get_data(as_text=True)
    assert "Your answers have been sent to your therapist" in page
    assert "ask your therapist: they can reopen it" in page
    assert "<textarea" not in page and "Save and finish later" not in page
    assert f'data-clear-draft="{worksheet.id}"' in page  # the script forgets the local copy


@pytest.mark.parametrize("json", [True, False])
def test_a_submitted_worksheet_refuses_further_saves(portal, worksheet, json):
    post(portal, worksheet, COMPLETE, version=0, action="submit")
    response = post(portal, worksheet, {**COMPLETE, "name": "Changed"}, version=1, json=json, action="save")
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "already been sent to your therapist" in text
    assert stored(worksheet).answers["name"] == "Robin"


# --- bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("field", "value", "message"), INVALID_ANSWERS)
def test_bad_input_on_every_item_type_is_refused_by_autosave_with_a_message(portal, worksheet, field, value,
                                                                            message):
    post(portal, worksheet, {"name": "Kept"}, version=0, json=True)
    response = post(portal, worksheet, {"name": "Kept", field: value}, version=1, json=True)
    assert response.status_code == 400
    assert response.json["status"] == "invalid"
    [error] = response.json["errors"]
    assert error["id"] == field and message in error["message"]
    assert (stored(worksheet).answers, stored(worksheet).version) == ({"name": "Kept"}, 1)


@pytest.mark.parametrize(("field", "value", "message"), INVALID_ANSWERS)
@pytest.mark.parametrize("action", ["save", "next"])
def test_bad_input_on_every_item_type_is_shown_with_what_was_typed(portal, worksheet, field, value, message,
                                                                   action):
    response = post(portal, worksheet, {**COMPLETE, field: value}, version=0, action=action, part="1")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and f'href="#{field}"' in page
    kept = 'value="Robin"' if field != "name" else "Sleep earlier"
    assert kept in page  # the rest of what was typed is still there
    saved = stored(worksheet)
    assert (saved.answers, saved.version, saved.assignment.status) == ({}, 0, "assigned")


@pytest.mark.parametrize("forged", [
    {"not-an-item": "x"},
    {"goals-0-not-a-column": "x"},
    {"goals-3-goal": "beyond the row limit"},
    {"goals-x-goal": "x"},
    {"name-0-goal": "x"},
    {"goals-¹-goal": "x"},
    {"goals-١-goal": "x"},
])
@pytest.mark.parametrize("json", [True, False])
def test_forged_item_ids_are_refused_and_nothing_is_saved(portal, worksheet, forged, json):
    response = post(portal, worksheet, {"name": "Robin", **forged}, version=0, json=json, action="save")
    assert response.status_code == 400
    assert "do not belong to this worksheet" in response.get_data(as_text=True)
    assert stored(worksheet).version == 0


@pytest.mark.parametrize("version", ["", "abc", "-1", "1.5", "9" * 30, "¹", "٣", " 1"])
def test_a_missing_or_malformed_version_is_refused(portal, worksheet, version):
    response = post(portal, worksheet, {"name": "Robin"}, version=version, json=True)
    assert response.status_code == 400
    assert stored(worksheet).version == 0


def test_too_many_rows_are_refused_not_cut(portal, worksheet):
    rows = {f"goals-{i}-goal": f"Goal {i}" for i in range(3)}
    assert post(portal, worksheet, rows, version=0, json=True).status_code == 200
    assert len(stored(worksheet).answers["goals"]) == 3


def test_an_oversized_request_gets_a_friendly_413(portal, worksheet, app):
    app.config["MAX_CONTENT_LENGTH"] = 5000
    token = csrf_token(portal, "/portal")
    page = portal.post(page_url(worksheet), data={"csrf_token": token, "version": "0", "story": "z" * 6000})
    assert page.status_code == 413
    text = page.get_data(as_text=True)
    assert "more than we can accept at once" in text and "If you are in danger" in text
    autosave = portal.post(page_url(worksheet) + "/save", data={"csrf_token": token, "version": "0",
                                                                "story": "z" * 6000})
    assert autosave.status_code == 413 and autosave.json["status"] == "too_large"
    assert stored(worksheet).version == 0


def test_an_expired_page_gets_a_json_answer_from_autosave(portal, worksheet):
    response = portal.post(page_url(worksheet) + "/save", data={"csrf_token": "stale", "version": "0", "name": "R"})
    assert response.status_code == 400 and response.json["status"] == "expired"
    assert "kept on this device" in response.json["message"]


def test_autosave_after_the_idle_timeout_says_signed_out_in_json(portal, worksheet, app):
    token = csrf_token(portal, "/portal")
    with portal.session_transaction() as session:
        session["portal_seen_at"] -= app.config["PORTAL_IDLE_MINUTES"] * 60 + 1
    response = portal.post(page_url(worksheet) + "/save", data={"csrf_token": token, "version": "0", "name": "R"})
    assert response.status_code == 401 and response.json["status"] == "signed_out"
    assert stored(worksheet).version == 0


# --- HTML stays text -------------------------------------------------------------------------------


SCRIPT = "<script>alert('hi')</script> & <b>bold</b>"


def test_html_in_answers_is_stored_as_typed_and_shown_escaped_everywhere(portal, worksheet):
    answers = {**COMPLETE, "name": "<i>x</i>", "story": SCRIPT, "goals-0-goal": "<img src=x onerror=alert(1)>"}
    assert post(portal, worksheet, answers, version=0, action="save").status_code == 302
    saved = stored(worksheet).answers
    assert saved["story"] == SCRIPT and saved["goals"][0]["goal"] == "<img src=x onerror=alert(1)>"
    editing = portal.get(page_url(worksheet)).get_data(as_text=True)
    assert post(portal, worksheet, answers, version=1, action="submit").status_code == 302
    reading = portal.get(page_url(worksheet)).get_data(as_text=True)
    for page in (editing, reading):
        assert "<script>alert" not in page and "<img src=x" not in page and "<i>x</i>" not in page
        assert "&lt;script&gt;alert(&#39;hi&#39;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in page


def test_two_devices_saving_the_same_version_at_once_never_both_win(app, robin, worksheet):
    """Real concurrency: one save wins, the other is told it is stale, every round."""
    token = new_link(robin)
    devices = [app.test_client(), app.test_client()]
    for device in devices:
        open_link(device, token)
    csrf = [csrf_token(device, "/portal") for device in devices]
    url = page_url(worksheet) + "/save"
    for version in range(5):
        barrier = threading.Barrier(2)
        codes: list[int] = []

        def save(index: int) -> None:
            with app.app_context():  # each device's request is its own, as in production
                barrier.wait()
                response = devices[index].post(url, data={
                    "csrf_token": csrf[index], "version": str(version), "name": f"Device {index}"})
                codes.append(response.status_code)

        threads = [threading.Thread(target=save, args=(index,)) for index in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(codes) == [200, 409]
        assert stored(worksheet).version == version + 1


@pytest.mark.parametrize("expiry", ["idle", "session cookie gone"])
def test_without_javascript_words_sent_after_sign_out_are_shown_back_to_copy(portal, worksheet, app, expiry):
    token = csrf_token(portal, "/portal")
    if expiry == "idle":
        with portal.session_transaction() as session:
            session["portal_seen_at"] -= app.config["PORTAL_IDLE_MINUTES"] * 60 + 1
    else:
        portal.delete_cookie(app.config["SESSION_COOKIE_NAME"])
    response = portal.post(page_url(worksheet), data={
        "csrf_token": token, "version": "0", "story": "A long <night> of thinking", "often": "sometimes"})
    assert response.status_code in (400, 401)
    page = response.get_data(as_text=True)
    assert "What you just typed" in page and "A long &lt;night&gt; of thinking" in page
    assert ">sometimes<" not in page  # a choice is no typing to lose
    assert "If you are in danger" in page
    assert stored(worksheet).version == 0


def test_a_retried_save_whose_reply_was_lost_is_not_a_conflict(portal, worksheet):
    first = post(portal, worksheet, {"name": "Robin", "mood": "2"}, version=0, json=True)
    retry = post(portal, worksheet, {"name": "Robin", "mood": "2"}, version=0, json=True)
    assert (first.status_code, retry.status_code) == (200, 200)
    assert retry.json["version"] == 1 and stored(worksheet).version == 1
    different = post(portal, worksheet, {"name": "Robin", "mood": "3"}, version=0, json=True)
    assert different.status_code == 409


# --- text is stored as the client meant it (issue 11) ------------------------------------------

UNWANTED = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x0e", "\x1b", "\x1f", "\x7f", "\x80", "\x85", "\x9f"]


@pytest.mark.parametrize("character", UNWANTED, ids=[f"U+{ord(c):04X}" for c in UNWANTED])
def test_each_control_character_is_stripped_from_what_is_stored(portal, worksheet, character):
    response = post(portal, worksheet, {"name": f"Ro{character}bin", "story": f"Line one{character}\nLine two"},
                    version=0, json=True)
    assert response.status_code == 200, response.json
    assert stored(worksheet).answers == {"name": "Robin", "story": "Line one\nLine two"}
    assert portal.get(page_url(worksheet)).status_code == 200


def test_tabs_and_line_breaks_stay_and_blank_lines_collapse_to_one(portal, worksheet):
    story = "First\tpart\r\n\r\n\r\n\r\nSecond\n \n\t\n\nThird\rFourth\n\nFifth"
    post(portal, worksheet, {"story": story}, version=0, json=True)
    assert stored(worksheet).answers == {"story": "First\tpart\n\nSecond\n\nThird\nFourth\n\nFifth"}
