"""tests/support/samples.py is complete and valid: the PDF tests (and others) rely on it."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from clinic.worksheets import read_posted
from clinic.worksheets.conditions import hidden_items
from tests.support.samples import SAMPLE_ANSWERS, sample_answers


def as_formdata(definition, answers) -> MultiDict:
    """The answers as a browser would post them."""
    data = MultiDict()
    for item in definition.items:
        if item.id not in answers:
            continue
        value = answers[item.id]
        if item.type == "group":
            for number, row in enumerate(value):
                for key, cell in row.items():
                    data.add(f"{item.id}-{number}-{key}", str(cell))
        elif isinstance(value, list):
            for choice in value:
                data.add(item.id, choice)
        else:
            data.add(item.id, str(value))
    return data


def test_there_is_a_sample_for_every_shipped_worksheet(app):
    assert set(SAMPLE_ANSWERS) == set(app.extensions["worksheets"])


@pytest.mark.parametrize("worksheet_id", sorted(SAMPLE_ANSWERS))
def test_every_item_and_every_cell_is_answered(app, worksheet_id):
    definition = app.extensions["worksheets"][worksheet_id]
    answers = SAMPLE_ANSWERS[worksheet_id]

    hidden = hidden_items(definition, answers)
    assert set(answers) == {item.id for item in definition.items if item.id not in hidden}
    for item in definition.items:
        if item.type == "group":
            assert answers[item.id], item.id
            for row in answers[item.id]:
                assert set(row) == {sub.id for sub in item.items}


@pytest.mark.parametrize("worksheet_id", sorted(SAMPLE_ANSWERS))
def test_each_sample_passes_final_validation_and_reads_back_unchanged(app, worksheet_id):
    definition = app.extensions["worksheets"][worksheet_id]
    answers = sample_answers(worksheet_id)

    with app.test_request_context(method="POST"):
        posted = read_posted(definition, as_formdata(definition, answers), submit=True)
    assert posted.status == "ok", posted.errors
    assert posted.answers == answers


def test_sample_answers_hands_out_copies(app):
    copy = sample_answers("security-building-plan")
    copy["goals"][0]["goal"] = "changed"

    assert SAMPLE_ANSWERS["security-building-plan"]["goals"][0]["goal"] != "changed"
