"""Autosave reads a well-formed draft by the item types (`quick_read`), without building the form;
sending does too when nothing is missing.

The form stays the judge: whatever a browser or an attacker posts, a quick
read either gives exactly the answers the validated WTForms form gives, or
leaves the post to the form. And what pages post when all is well is read
quickly, so autosave really takes the cheap way.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from clinic.worksheets import Definition, Group, carried_items, missing_answers
from clinic.worksheets.forms import answers_from_form, build_form, require_answers
from clinic.worksheets.posted import clean, quick_answers, unknown_keys
from clinic.worksheets.schema import DateItem, LongText, MultiChoice, NumberItem, ShortText
from tests.support.form_fields import as_form_fields
from tests.support.fuzzing import form_data, fuzz_settings, huge_text
from tests.support.samples import SHIPPED, sample_answers

FUZZ = fuzz_settings(60)


def well_formed_values(item: Any) -> st.SearchStrategy[list[str]]:
    """What a page posts for one leaf item: nothing, or values the item takes (text with stray spaces)."""
    if isinstance(item, (ShortText, LongText)):
        value = st.text(max_size=20).map(lambda text: f" {text}\n") | huge_text(item.max_length)
    elif isinstance(item, MultiChoice):
        return st.lists(st.sampled_from([str(value) for value, _ in item.choices]), unique=True)
    elif item.choices:
        value = st.sampled_from([str(value) for value, _ in item.choices])
    elif isinstance(item, DateItem):
        value = st.dates(dt.date(1890, 1, 1), dt.date(2210, 1, 1)).map(dt.date.isoformat)
    elif isinstance(item, NumberItem):
        value = st.integers(-5, 200).map(str) | st.sampled_from(["", " ", "2,5", "3.0"])
    else:
        raise AssertionError(f"no strategy for {type(item).__name__}")
    return st.lists(value, max_size=1)


@st.composite
def well_formed(draw: st.DrawFn, definition: Definition) -> MultiDict:
    """A part or a whole worksheet as a page posts it."""
    data = MultiDict()
    for item in definition.items:
        if isinstance(item, Group):
            for row in draw(st.lists(st.integers(0, item.max_rows - 1), unique=True, max_size=3)):
                for sub in item.items:
                    for value in draw(well_formed_values(sub)):
                        data.add(f"{item.id}-{row}-{sub.id}", value)
        else:
            for value in draw(well_formed_values(item)):
                data.add(item.id, value)
    return data


def form_reading(app: Flask, definition: Definition, data: MultiDict, carried: frozenset[str]) -> dict | None:
    """The answers the validated form gives for the carried items, or None when it refuses the post."""
    with app.test_request_context(method="POST"):
        form = build_form(definition, formdata=clean(data))
        if not form.validate():
            return None
        return {key: value for key, value in answers_from_form(definition, form).items() if key in carried}


def form_finds_complete(app: Flask, definition: Definition, data: MultiDict, answers: dict) -> bool:
    with app.test_request_context(method="POST"):
        form = build_form(definition, formdata=clean(data))
        form.validate()
        return require_answers(definition, form, answers)


@pytest.mark.parametrize("worksheet_id", SHIPPED)
def test_a_quick_read_gives_the_forms_answers_or_leaves_the_post_to_the_form(app, worksheet_id):
    definition = app.extensions["worksheets"][worksheet_id]
    parts = [None, *(str(number) for number in range(1, len(definition.sections) + 1))]

    @FUZZ
    @given(data=well_formed(definition) | form_data(definition), part=st.sampled_from(parts))
    def check(data: MultiDict, part: str | None) -> None:
        carried = carried_items(definition, part)
        if unknown_keys(definition, data, carried):
            return  # refused before anything is read
        quick = quick_answers(definition, clean(data), carried)
        if quick is not None:
            assert quick == form_reading(app, definition, data, carried)
            if part is None:  # a whole worksheet sent: the form and `missing_answers` agree on what is missing
                assert not missing_answers(definition, quick) == form_finds_complete(app, definition, data, quick)

    check()


@pytest.mark.parametrize("worksheet_id", SHIPPED)
def test_what_a_page_posts_when_all_is_well_is_read_without_the_form(app, worksheet_id):
    definition = app.extensions["worksheets"][worksheet_id]
    answers = sample_answers(worksheet_id)
    posted = MultiDict(list(as_form_fields(definition, answers)))
    everything = carried_items(definition, None)
    assert quick_answers(definition, clean(posted), everything) == form_reading(app, definition, posted, everything)
    assert quick_answers(definition, clean(posted), everything) == answers
    assert form_finds_complete(app, definition, posted, answers) and not missing_answers(definition, answers)


def test_values_the_form_refuses_or_reads_its_own_way_are_left_to_it(app):
    definition = app.extensions["worksheets"]["security-building-plan"]
    group = next(item for item in definition.items if isinstance(item, Group))
    sub = group.items[0]
    everything = carried_items(definition, None)
    for data in ([(f"{group.id}-01-{sub.id}", "Walk together")],  # the form reads row 1 from "-1-" only
                 [(f"{group.id}-0-{sub.id}", "x" * 5000)]):  # too long: the form says by how much
        assert quick_answers(definition, MultiDict(data), everything) is None
