"""Build a WTForms form from a worksheet definition, and map answers in and out.

Each item type builds its own field and reads its own data (`clinic.worksheets.items`).
Drafts accept anything well-formed; "required" is enforced only on the final
submission (`final=True`), so a client can always save what they have.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm

from clinic.forms import BaseForm
from clinic.worksheets.conditions import Answers, hidden_items, is_answered
from clinic.worksheets.schema import Definition, Group


def build_form(definition: Definition, *, final: bool = False, answers: Answers | None = None,
               base: type[FlaskForm] = BaseForm, **form_kwargs: Any) -> FlaskForm:
    """A form for the definition; on GET it is filled with `answers`, on POST with the request."""
    answers = answers or {}
    fields = {item.id: item.form_field(final) for item in definition.items}
    form_class = type(f"{definition.id}-form", (base,), fields)
    form = form_class(data=_form_data(definition, answers), **form_kwargs)
    for group in (item for item in definition.items if isinstance(item, Group)):
        rows = form[group.id]
        while len(rows.entries) < group.rows_to_show(len(answers.get(group.id) or [])):
            rows.append_entry()
    return form


def _form_data(definition: Definition, answers: Answers) -> dict[str, Any]:
    return {item.id: answers[item.id] for item in definition.items if item.id in answers}


def validate(definition: Definition, form: FlaskForm, *, final: bool) -> bool:
    """Validate a worksheet form; on final submission also the required cells of rows.

    A final submission asks nothing of items hidden by their `show_if`; what a
    draft must be (well-formed, within limits) holds for hidden items too.
    """
    valid = form.validate()
    if not final:
        return valid
    hidden = hidden_items(definition, answers_from_form(definition, form))
    for item_id in hidden:
        form[item_id].errors = []
    valid = not form.errors
    for group in (i for i in definition.items if isinstance(i, Group) and i.id not in hidden):
        valid = group.check_rows(form[group.id]) and valid
    return valid


def answers_from_form(definition: Definition, form: FlaskForm) -> Answers:
    """The answers in a validated form, as stored: unanswered items left out."""
    answers: Answers = {}
    for item in definition.items:
        value = item.read(form[item.id])
        if is_answered(value):
            answers[item.id] = value
    return answers
