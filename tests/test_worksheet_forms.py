"""The form builder: right field, validators and choices for every item type."""

from __future__ import annotations

from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from clinic.worksheets import build_form, load_definition, read_posted
from tests.support.samples import SHIPPED
from tests.support.worksheet_files import ALL_TYPES, COMPLETE, INVALID_ANSWERS, write


@pytest.fixture
def definition(tmp_path: Path):
    return load_definition(write(tmp_path, ALL_TYPES, name="all-types"))


def submit(app, definition, data: dict, *, final: bool):
    with app.test_request_context(method="POST"):
        posted = read_posted(definition, MultiDict(data), submit=final)
        errors: dict[str, list[str]] = {}
        for field_id, _, message in posted.errors:
            errors.setdefault(field_id, []).append(message)
        return posted.status == "ok", errors, posted.answers if posted.status == "ok" else None


def test_a_complete_answer_set_is_accepted_and_stored_typed(app, definition):
    data = MultiDict(COMPLETE)
    data.setlist("many", ["x", "z"])
    with app.test_request_context(method="POST"):
        posted = read_posted(definition, data, submit=True)
    assert posted.status == "ok", posted.errors
    assert posted.answers == {
        "name": "Robin", "story": "<b>It began</b>", "pick": "a", "many": ["x", "z"], "mood": 3,
        "often": "sometimes", "sure": "unsure", "when": "2026-12-01", "count": 4,
        "goals": [{"goal": "Sleep earlier", "check-in": "2027-01-05"}],
    }


def test_a_draft_with_required_answers_missing_is_accepted(app, definition):
    ok, errors, answers = submit(app, definition, {"story": "Only this"}, final=False)
    assert ok and answers == {"story": "Only this"}


def test_final_submission_names_every_missing_required_answer(app, definition):
    ok, errors, _ = submit(app, definition, {"story": "Only this"}, final=True)
    assert not ok
    assert set(errors) == {"name", "pick", "mood", "goals"}
    assert errors["name"] == ["Please answer this question before you send."]
    assert errors["goals"] == ["Please add at least one goal before you send."]


def test_a_started_row_needs_its_required_cells_on_submission(app, definition):
    ok, errors, _ = submit(app, definition, {**COMPLETE, "goals-0-goal": "", "goals-0-check-in": "2027-01-05"},
                           final=True)
    assert not ok
    assert errors == {"goals-0-goal": ["Please answer this, or remove goal 1 if you do not need it."]}


@pytest.mark.parametrize(("field", "value", "message"), INVALID_ANSWERS)
def test_invalid_input_on_every_item_type_gets_a_clear_message(app, definition, field, value, message):
    for final in (False, True):
        ok, errors, _ = submit(app, definition, {**COMPLETE, field: value}, final=final)
        assert not ok
        assert any(message in m for m in errors[field]), errors


def test_too_many_choices_are_refused(app, definition):
    data = MultiDict(COMPLETE)
    data.setlist("many", ["x", "y", "z"])
    with app.test_request_context(method="POST"):
        posted = read_posted(definition, data, submit=False)
    assert posted.status == "invalid"
    assert posted.errors == [("many", "Many", "Please choose at most 2.")]


def test_empty_rows_are_dropped_and_rows_beyond_the_limit_refused(app, definition):
    ok, _, answers = submit(app, definition, {**COMPLETE, "goals-1-goal": "", "goals-1-check-in": ""}, final=False)
    assert ok and len(answers["goals"]) == 1
    rows = {f"goals-{n}-goal": f"Goal {n}" for n in range(4)}
    with app.test_request_context(method="POST"):
        assert read_posted(definition, MultiDict({**COMPLETE, **rows}), submit=False).status == "forged"


def test_saved_answers_fill_the_form_with_one_empty_row_to_add(app, definition):
    answers = {"name": "Robin", "mood": 2, "many": ["y"], "goals": [{"goal": "Walk", "check-in": "2027-01-05"}]}
    with app.test_request_context():
        form = build_form(definition, answers=answers, formdata=None)
        assert 'value="Robin"' in form["name"]()
        assert [option.checked for option in form["mood"]] == [False, False, True, False, False]
        assert [option.checked for option in form["many"]] == [False, True, False]
        assert len(form["goals"].entries) == 2
        assert form["goals"].entries[0].form["goal"].data == "Walk"


@pytest.mark.parametrize("worksheet_id", SHIPPED)
def test_every_shipped_worksheet_saves_an_empty_draft_and_refuses_an_empty_submission(app, worksheet_id):
    definition = app.extensions["worksheets"][worksheet_id]
    ok, _, answers = submit_shipped(app, definition, {}, final=False)
    assert ok and answers == {}
    ok, errors, _ = submit_shipped(app, definition, {}, final=True)
    required = {item.id for item in definition.items if item.required}
    assert not ok and required <= set(errors)


def submit_shipped(app, definition, data, *, final):
    with app.test_request_context(method="POST"):
        posted = read_posted(definition, MultiDict(data), submit=final)
        return posted.status == "ok", {field_id for field_id, _, _ in posted.errors}, posted.answers


@pytest.mark.parametrize("sent", [[""], ["", "forged"], ["x", ""]])
def test_blank_or_forged_checkbox_values_are_refused_not_stored(app, definition, sent):
    data = MultiDict(COMPLETE)
    data.setlist("many", sent)
    with app.test_request_context(method="POST"):
        posted = read_posted(definition, data, submit=False)
    assert posted.status == "invalid"
    assert [field_id for field_id, _, _ in posted.errors] == ["many"]
