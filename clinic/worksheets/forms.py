"""The WTForms form of a worksheet: built once per definition, filled with saved answers or posted data.

Each item type builds its own field and reads its own data (`clinic.worksheets.items`).
Fields take what a draft may hold (empty is fine; anything given must be
well-formed); `require_answers` adds what a submission must have.
"""

from __future__ import annotations

import weakref
from typing import Any

from flask_wtf import FlaskForm

from clinic.forms import BaseForm
from clinic.worksheets.conditions import Answers, hidden_items, is_answered
from clinic.worksheets.schema import Definition, Group

_form_classes: dict[int, type[FlaskForm]] = {}


def form_class(definition: Definition) -> type[FlaskForm]:
    """The form class of a definition, made once per definition object (they are immutable and cached)."""
    key = id(definition)
    cls = _form_classes.get(key)
    if cls is None:
        fields = {item.id: item.form_field() for item in definition.items}
        cls = _form_classes[key] = type(f"{definition.id}-v{definition.version}-form", (BaseForm,), fields)
        weakref.finalize(definition, _form_classes.pop, key, None)
    return cls


def build_form(definition: Definition, *, answers: Answers | None = None, **form_kwargs: Any) -> FlaskForm:
    """The form filled with saved `answers` (pass `formdata=None` to ignore the request)."""
    answers = answers or {}
    form = form_class(definition)(data=_form_data(definition, answers), meta={"csrf": False}, **form_kwargs)
    for group in (item for item in definition.items if isinstance(item, Group)):
        rows = form[group.id]
        while len(rows.entries) < group.rows_to_show(len(answers.get(group.id) or [])):
            rows.append_entry()
    return form


def _form_data(definition: Definition, answers: Answers) -> dict[str, Any]:
    return {item.id: answers[item.id] for item in definition.items if item.id in answers}


def answers_from_form(definition: Definition, form: FlaskForm) -> Answers:
    """The answers in a validated form, as stored: unanswered items left out."""
    answers: Answers = {}
    for item in definition.items:
        value = item.read(form[item.id])
        if is_answered(value):
            answers[item.id] = value
    return answers


def require_answers(definition: Definition, form: FlaskForm, answers: Answers) -> bool:
    """On submitting: every required item shown must be answered, and every started row complete.

    Items hidden by their `show_if` are asked nothing.
    """
    hidden = hidden_items(definition, answers)
    complete = True
    for item in definition.items:
        if item.id in hidden:
            continue
        field = form[item.id]
        if item.required and not is_answered(answers.get(item.id)):
            field.errors = [*field.errors, item.missing_message]
            complete = False
        if isinstance(item, Group):
            complete = item.check_rows(field) and complete
    return complete
