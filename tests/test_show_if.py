"""Items shown on a condition (`show_if`): checked at load, honoured on every page, the PDF and the summaries."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from markupsafe import escape

from clinic.pdf.services import blank_pdf
from clinic.worksheets import evaluate, hidden_items, load_definition, show_if_words
from tests.support.pdf_text import all_text
from tests.support.portal import assignment_of, new_link, open_link, page_url, post, stored
from tests.support.worksheet_files import CHANGED_TO_NEVER, CONDITIONAL, problems, with_items, write


@pytest.fixture
def definition(tmp_path: Path):
    return load_definition(write(tmp_path, CONDITIONAL, name="conditional"))


# --- checked when the file loads ------------------------------------------------------------------


@pytest.mark.parametrize("changes, message", [
    ({"hot-cold-example": {"show_if": {"item": "upset", "in": ["a-lot"]}}},
     "item 'hot-cold-example': show_if refers to 'upset', which is not an item asked before this one"),
    ({"hot-cold-example": {"show_if": {"item": "hot-cold", "not_in": ["Never"]}}},
     "'Never' is not an option of item 'hot-cold' (its options are never, often, rarely, sometimes)"),
    ({"hot-cold-example": {"show_if": {"item": "nowhere", "in": ["often"]}}},
     "which is not an item asked before this one"),
    ({"upset": {"show_if": {"tags": ["partner"], "in": ["often"]}}}, "show_if must name an item, not tags"),
    ({"hot-cold-example": {"show_if": {"item": "hot-cold"}}}, "needs 'in', 'not_in', 'gte' or 'lte'"),
])
def test_a_condition_that_cannot_work_stops_the_file_with_a_clear_message(tmp_path, changes, message):
    assert message in problems(tmp_path, with_items(**changes), name="conditional")


def test_show_if_may_not_depend_on_a_group_nor_sit_inside_one(tmp_path):
    data = copy.deepcopy(CONDITIONAL)
    data["sections"][0]["items"].insert(0, {
        "id": "goals", "type": "group", "label": "Goals",
        "items": [{"id": "goal", "type": "short_text", "label": "Goal",
                   "show_if": {"item": "hot-cold", "in": ["often"]}}]})
    assert "item 'goal': show_if is not available inside a group" in problems(tmp_path, data, name="conditional")
    del data["sections"][0]["items"][0]["items"][0]["show_if"]
    data["sections"][0]["items"][2]["show_if"] = {"item": "goals", "in": ["often"]}
    assert "refers to group 'goals'" in problems(tmp_path, data, name="conditional")


def test_the_condition_reads_in_plain_words(definition):
    words = {item.id: show_if_words(definition, item) for item in definition.items}
    assert words == {
        "hot-cold": "",
        "hot-cold-example": "Answer this if you chose something other than “Never” above.",
        "upset": "Answer this if you chose “Often” for “Warm one day and cold the next”, "
                 "or if you chose “Sometimes” for “Warm one day and cold the next”.",
        "upset-detail": "Answer this if you chose “A lot” above.",
        "anything-else": "",
    }


# --- what is shown, counted and flagged -------------------------------------------------------------


def test_answers_to_hidden_items_are_neither_counted_nor_flagged(definition):
    evaluation = evaluate(definition, CHANGED_TO_NEVER)
    assert evaluation.hidden == {"hot-cold-example", "upset", "upset-detail"}
    assert evaluation.flags == ()
    assert evaluation.summaries[0].text == "0 of 2"
    assert (evaluation.answered, evaluation.total) == (2, 2)


def test_the_same_answers_count_once_the_items_apply(definition):
    evaluation = evaluate(definition, {**CHANGED_TO_NEVER, "hot-cold": "often"})
    assert evaluation.hidden == frozenset()
    assert [flag.id for flag in evaluation.flags] == ["very-upset"]
    assert evaluation.summaries[0].text == "2 of 2"
    assert (evaluation.answered, evaluation.total) == (5, 5)


def test_an_item_that_depends_on_a_hidden_item_is_hidden_too(definition):
    assert hidden_items(definition, {**CHANGED_TO_NEVER, "hot-cold": "rarely"}) == {"upset", "upset-detail"}
    assert hidden_items(definition, {"hot-cold": "often"}) == {"upset-detail"}
    assert hidden_items(definition, {}) == {"hot-cold-example", "upset", "upset-detail"}


# --- the client's page, submitting, the review and the PDF ---------------------------------------------


@pytest.fixture
def assignment(make, robin, definition):
    return assignment_of(make, robin, definition)


@pytest.fixture
def portal(app, robin):
    """Robin's browser, apart from the clinician's."""
    browser = app.test_client()
    open_link(browser, new_link(robin))
    return browser


def test_without_javascript_every_item_shows_with_its_condition_in_words(portal, assignment):
    page = portal.get(page_url(assignment)).get_data(as_text=True)
    assert str(escape("Answer this if you chose something other than “Never” above.")) in page
    assert "data-show-if='{\"item\": \"hot-cold\", \"not_in\": [\"never\"]}'" in page
    assert 'id="hot-cold-example"' in page and 'id="upset-detail"' in page
    assert " hidden" not in page.split('data-show-if', 1)[1].split(">", 1)[0]


def test_a_hidden_required_item_does_not_hold_up_submitting_and_its_answer_is_kept(portal, assignment):
    response = post(portal, assignment, {key: value for key, value in CHANGED_TO_NEVER.items()
                                         if key != "hot-cold-example"}, version=0, action="submit")
    assert response.status_code == 302
    saved = stored(assignment)
    assert saved.assignment.status == "submitted"
    assert saved.answers["upset"] == "a-lot" and saved.answers["upset-detail"] == "The silence"


def test_a_shown_required_item_must_be_answered_before_submitting(portal, assignment):
    response = post(portal, assignment, {"hot-cold": "often", "upset": "a-little"}, version=0, action="submit")
    assert response.status_code == 302
    page = portal.get(response.headers["Location"]).get_data(as_text=True)
    assert "One answer is still needed" in page
    assert f'href="{page_url(assignment)}?part=1#hot-cold-example"' in page and "#upset-detail" not in page
    assert stored(assignment).assignment.status == "in_progress"


def test_the_review_page_and_the_clients_copy_leave_hidden_items_out(signed_in, portal, assignment):
    post(portal, assignment, CHANGED_TO_NEVER, version=0, action="submit")
    for page in (signed_in.get(f"/assignments/{assignment.id}").get_data(as_text=True),
                 portal.get(page_url(assignment)).get_data(as_text=True)):
        assert "Warm one day and cold the next" in page and "Anything else" in page
        for hidden in ("A time your partner ran hot and cold", "How much did it upset you?", "What upset you most",
                       "The weekend in May", "The silence", "The client was very upset"):
            assert hidden not in page


def test_the_pdf_leaves_hidden_items_out_and_the_blank_one_says_when_to_answer(signed_in, make, robin, definition):
    assignment = assignment_of(make, robin, definition, status="submitted", answers=dict(CHANGED_TO_NEVER))
    text = all_text(signed_in.get(f"/assignments/{assignment.id}/pdf").data)
    assert "Warm one day and cold the next" in text and "Anything else" in text
    for hidden in ("A time your partner ran hot and cold", "How much did it upset you?", "The weekend in May",
                   "The silence", "The client was very upset"):
        assert hidden not in text
    assert "Strong answers 0 of 2" in text


def test_the_blank_printable_says_when_to_answer_each_conditional_item(app, clinician, definition):
    with app.test_request_context():
        pdf, _ = blank_pdf(definition, clinician, "A4")
    text = all_text(pdf)
    assert "A time your partner ran hot and cold" in text
    assert "Answer this if you chose something other than “Never” above." in text


def test_the_blank_printable_speaks_to_the_client_calmly_and_says_what_happens_next(app, clinician, definition):
    with app.test_request_context():
        pdf, _ = blank_pdf(definition, clinician, "A4")
    text = " ".join(all_text(pdf).split())
    assert "write as much or as little as feels right, and skip anything you would rather talk about" in text
    assert "Bring this sheet to your next session: you and your therapist will look at it together." in text
    assert "This is yours and private." in text
