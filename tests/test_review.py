"""The review page: sections, questions, answers, the declared summaries and flags, comments."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from clinic.assignments.services import definition_of
from clinic.demo import PARTNER_SOURCE_ANSWERS
from clinic.extensions import db
from clinic.models import COMMENT_MAX, AuditEvent, Comment
from clinic.worksheets import evaluate, is_answered
from tests.support.pdf_text import flat, page_texts
from tests.support.posting import post_form
from tests.support.samples import sample_answers

WORKSHEET = "partner-source-checklist"


@pytest.fixture
def sent(make, clinician):
    record = make.client(clinician, display_name="Robin A.")
    return make.assignment(record, WORKSHEET, status="submitted", answers=dict(PARTNER_SOURCE_ANSWERS))


def comment_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Comment))


def test_a_sent_worksheet_reads_section_by_section_with_every_answer(signed_in, sent):
    response = signed_in.get(f"/assignments/{sent.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    definition = definition_of(sent)
    hidden = evaluate(definition, PARTNER_SOURCE_ANSWERS).hidden  # items whose show_if does not hold
    for section in definition.sections:
        assert f">{escape(section.title)}</h2>" in page
        for item in section.items:
            assert (str(escape(item.label)) in page) is (item.id not in hidden)
    unanswered = [item for item in definition.items
                  if item.id not in hidden and not is_answered(PARTNER_SOURCE_ANSWERS.get(item.id))]
    assert unanswered and page.count("Not answered") >= len(unanswered)
    assert str(escape(PARTNER_SOURCE_ANSWERS["hot-cold-example"])) in page
    assert definition.items_by_id["hot-cold"].display("often") in page


def test_a_scale_answer_reads_with_its_scale_on_the_page_and_in_the_pdf(signed_in, make, clinician):
    record = make.client(clinician, display_name="Robin A.")
    answers = {**sample_answers("weekly-check-in"), "felt-secure": 6, "worried": 10}
    check_in = make.assignment(record, "weekly-check-in", status="submitted", answers=answers)

    page = " ".join(re.sub(r"<[^>]*>", " ", signed_in.get(f"/assignments/{check_in.id}").get_data(as_text=True)).split())
    pdf = flat(" ".join(page_texts(signed_in.get(f"/assignments/{check_in.id}/pdf").data)))

    for shown in (page, pdf):
        assert "How secure did you feel in your relationship? 6 of 10" in shown
        assert "How much did you worry about the relationship? 10 of 10 – All the time" in shown


def test_the_declared_summaries_and_flags_are_shown(signed_in, sent):
    page = signed_in.get(f"/assignments/{sent.id}").get_data(as_text=True)
    evaluation = evaluate(definition_of(sent), sent.response.answers)
    assert evaluation.flags and evaluation.summaries
    for flag in evaluation.flags:
        assert str(escape(flag.say)) in page
    for summary in evaluation.summaries:
        assert str(escape(summary.label)) in page


def test_a_draft_stays_private_until_the_client_sends_it(signed_in, make, clinician):
    record = make.client(clinician)
    draft = make.assignment(record, WORKSHEET, status="in_progress",
                            answers={"hot-cold": "know", "hot-cold-example": "my private draft"})
    page = signed_in.get(f"/assignments/{draft.id}").get_data(as_text=True)
    assert "my private draft" not in page
    assert "is working on it" in page and "So far 2 of" in page
    assert "Mark as reviewed" not in page


def test_the_review_buttons_match_the_status(signed_in, make, clinician):
    record = make.client(clinician)
    pages = {status: signed_in.get(f"/assignments/{make.assignment(record, status=status).id}").get_data(as_text=True)
             for status in ("assigned", "submitted", "reviewed")}
    assert "Cancel this worksheet" in pages["assigned"] and "Mark as reviewed" not in pages["assigned"]
    assert "Mark as reviewed" in pages["submitted"] and "Reopen for" in pages["submitted"]
    assert "Mark as reviewed" not in pages["reviewed"] and "Reopen for" in pages["reviewed"]


def test_opening_a_response_is_audited(signed_in, sent):
    signed_in.get(f"/assignments/{sent.id}")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "assignment.view"))
    assert (event.object_type, event.object_id, event.client_id) == ("assignment", sent.id, sent.client_id)


def comment(browser, assignment, body, section_id=None):
    path = f"/assignments/{assignment.id}"
    action = f"{path}/sections/{section_id}/comments" if section_id else f"{path}/comments"
    key = section_id or "whole_response"
    return post_form(browser, action, {f"comment-{key}-body": body}, token_from=path)


def test_the_clinician_comments_on_the_whole_response_and_on_a_section(signed_in, sent, clinician):
    section = definition_of(sent).sections[1]
    whole = comment(signed_in, sent, "Ask how the week went.")
    assert whole.status_code == 302 and whole.headers["Location"].endswith("#comments-whole_response")
    assert comment(signed_in, sent, "Explore the sister's view.", section.id).status_code == 302
    saved = {c.section_id: c for c in db.session.scalars(select(Comment))}
    assert saved[None].body == "Ask how the week went." and saved[None].clinician_id == clinician.id
    assert saved[section.id].body == "Explore the sister's view."
    page = signed_in.get(f"/assignments/{sent.id}").get_data(as_text=True)
    section_start = page.index(f'id="answers-{section.id}"')
    assert page.index("Explore the sister&#39;s view.") > section_start
    assert page.index("Ask how the week went.") > page.index("Comments on the whole worksheet")
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "comment.create")) == 2


@pytest.mark.parametrize(("body", "status", "message"), [
    ("   ", 400, "Please write a comment first."),
    ("c" * (COMMENT_MAX + 1), 400, f"Please shorten the comment to {COMMENT_MAX} characters or fewer"),
    ("bad\x00byte", 400, "invisible control character"),
])
def test_a_comment_that_cannot_be_saved_says_why_and_saves_nothing(signed_in, sent, body, status, message):
    response = comment(signed_in, sent, body, definition_of(sent).sections[0].id)
    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert message in page and "There is a problem" in page
    assert page.count('<details class="comment-add" open>') == 1  # the box with the problem stays open
    assert comment_count() == 0


def test_comment_boxes_start_closed_and_say_they_are_private(signed_in, sent):
    page = signed_in.get(f"/assignments/{sent.id}").get_data(as_text=True)
    boxes = len(definition_of(sent).sections) + 1  # one per section and one for the whole worksheet
    assert page.count('<details class="comment-add">') == boxes
    assert page.count("Private to you: the client never sees this.") == boxes


def test_a_comment_sent_twice_is_saved_once(signed_in, sent):
    assert comment(signed_in, sent, "Same words").status_code == 302
    again = comment(signed_in, sent, "Same words")
    assert again.status_code == 409
    assert "This comment is already saved" in again.get_data(as_text=True)
    assert comment_count() == 1


def test_a_comment_on_an_unknown_section_is_a_404(signed_in, sent):
    assert comment(signed_in, sent, "Hello", "no-such-section").status_code == 404
    assert comment_count() == 0


def test_there_is_nothing_to_comment_on_before_the_client_sends(signed_in, make, clinician):
    unsent = make.assignment(make.client(clinician), status="in_progress")
    response = comment(signed_in, unsent, "Too early")
    assert response.status_code == 409
    assert "once your client has sent their answers" in response.get_data(as_text=True)
    assert comment_count() == 0


def test_what_the_client_typed_is_escaped_on_the_review_page(signed_in, make, clinician):
    record = make.client(clinician)
    sent = make.assignment(record, WORKSHEET, status="submitted",
                           answers={"hot-cold": "know", "hot-cold-example": "<script>alert('x')</script>"})
    page = signed_in.get(f"/assignments/{sent.id}").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;" in page
