"""Hypothesis fills every shipped worksheet with anything a browser (or an attacker) could send.

Whatever arrives — unicode, control characters, markup, huge text, values
that are not among the choices, repeated fields, rows beyond the limit — the
engine either refuses it with a message on the field or stores answers that
the definition allows. It never raises, never renders user text as markup, and
never stores a value of the wrong type, out of range or over its length limit.
"""

from __future__ import annotations

import pytest
from flask import Flask, render_template_string
from hypothesis import given
from werkzeug.datastructures import MultiDict

from clinic.worksheets import Definition, build_form, evaluate, read_posted
from clinic.worksheets.schema import MultiChoice
from tests.support.form_fields import as_form_fields
from tests.support.fuzzing import MARKUP, assert_storable, form_data, fuzz_settings
from tests.support.samples import SHIPPED


FUZZ = fuzz_settings(40)


ITEMS = """{% from "worksheets/_items.html" import render_section %}
{% for section in definition.sections %}{{ render_section(definition, section, form) }}{% endfor %}"""


FORGED = "(refused: not this worksheet's form)"


def fill_in(app: Flask, definition: Definition, data: MultiDict, final: bool) -> tuple[bool, dict, str]:
    """Post the data to the worksheet's form: (valid, answers stored, the page re-rendered)."""
    with app.test_request_context(method="POST"):
        posted = read_posted(definition, data, submit=final)
        valid = posted.status == "ok"
        if posted.status == "forged":  # keys that are not the worksheet's: refused whole, with a message
            return False, {}, FORGED
        page = render_template_string(ITEMS, definition=definition, form=posted.form)
    return valid, posted.answers if valid else {}, page


def shipped(app: Flask) -> list[Definition]:
    return list(app.extensions["worksheets"].values())


@pytest.mark.parametrize("final", [False, True], ids=["draft", "submission"])
@pytest.mark.parametrize("worksheet_id", SHIPPED)
def test_any_input_is_refused_with_a_message_or_stored_as_the_definition_allows(app, worksheet_id, final):
    definition = app.extensions["worksheets"][worksheet_id]

    @FUZZ
    @given(data=form_data(definition))
    def check(data: MultiDict) -> None:
        valid, answers, page = fill_in(app, definition, data, final)
        if valid:
            assert_storable(definition, answers)
            evaluate(definition, answers)
        else:
            assert page == FORGED or 'class="field-errors"' in page
        assert MARKUP not in page

    check()


def test_a_blank_first_checkbox_value_does_not_let_an_unknown_choice_through(app):
    """Found by the fuzzer: WTForms' Optional() looks only at the first value sent."""
    definition = app.extensions["worksheets"]["origins-mapping"]
    multi = next(item for item in definition.items if isinstance(item, MultiChoice))
    valid, answers, _ = fill_in(app, definition, MultiDict([(multi.id, ""), (multi.id, "made-up")]), final=False)
    assert not valid or multi.id not in answers or set(answers[multi.id]) <= {v for v, _ in multi.choices}


def test_every_shipped_worksheet_is_fuzzed(app):
    """The parametrization above reads the shipped worksheets from their samples; none may be missing."""
    assert sorted(d.id for d in shipped(app)) == list(SHIPPED)


@pytest.mark.parametrize("worksheet_id", SHIPPED)
def test_stored_answers_come_back_into_the_form_unchanged(app, worksheet_id):
    """What a draft saved is what the client sees when they return (and saves again as is)."""
    definition = app.extensions["worksheets"][worksheet_id]

    @FUZZ
    @given(data=form_data(definition))
    def check(data: MultiDict) -> None:
        valid, answers, _ = fill_in(app, definition, data, final=False)
        if not valid:
            return
        with app.test_request_context():
            form = build_form(definition, answers=answers, formdata=None)
            page = render_template_string(ITEMS, definition=definition, form=form)
        assert MARKUP not in page
        resubmitted = MultiDict()
        for name, value in as_form_fields(definition, answers):
            resubmitted.add(name, value)
        valid_again, answers_again, _ = fill_in(app, definition, resubmitted, final=False)
        assert valid_again and answers_again == answers

    check()

