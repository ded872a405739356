"""Build a WTForms form from a worksheet definition, and map answers in and out.

Drafts accept anything well-formed; "required" is enforced only on the final
submission (`final=True`), so a client can always save what they have.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from flask_wtf import FlaskForm
from wtforms import Field, FieldList, Form, FormField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from clinic.forms import BaseForm
from clinic.worksheets.conditions import Answers, hidden_items, is_answered
from clinic.worksheets.schema import (
    DateItem,
    Definition,
    Group,
    LongText,
    MultiChoice,
    NumberItem,
    Scale,
    ShortText,
)

REQUIRED_MESSAGE = "Please answer this question before you submit."
CHOICE_MESSAGE = "Please choose one of the options shown."


class TextLimit:
    """Length check with a message that says by how much, not just 'too long'."""

    def __init__(self, maximum: int):
        self.maximum = maximum

    def __call__(self, form: Form, field: Field) -> None:
        length = len(field.data or "")
        if length > self.maximum:
            raise ValidationError(
                f"This answer is {length:,} characters long; the limit is {self.maximum:,}. "
                f"Please shorten it by {_characters(length - self.maximum)}."
            )


def _characters(count: int) -> str:
    return f"{count:,} character{'' if count == 1 else 's'}"


class DateInputField(StringField):
    """A date typed or picked as YYYY-MM-DD; a bad date keeps its text and says why."""

    widget = TextInput(input_type="date")

    def process_formdata(self, valuelist: list[str]) -> None:
        super().process_formdata(valuelist)
        text = (self.data or "").strip()
        self.data = text
        if text:
            try:
                day = dt.date.fromisoformat(text)
            except ValueError:
                raise ValueError("Please enter a real date as year-month-day, for example 2026-12-01.") from None
            if not 1900 <= day.year <= 2200:
                raise ValueError("Please enter a date between the years 1900 and 2200.")
            self.data = day.isoformat()


class NumberInputField(StringField):
    """A number typed as text (so nothing typed is silently dropped by the browser)."""

    def __init__(self, *args: Any, integer: bool = True, minimum=None, maximum=None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.integer, self.minimum, self.maximum = integer, minimum, maximum

    def process_formdata(self, valuelist: list[str]) -> None:
        super().process_formdata(valuelist)
        text = (self.data or "").strip().replace(",", ".")
        self.data = None
        if not text:
            return
        try:
            number = float(text) if len(text) <= 30 else math.nan
        except ValueError:
            number = math.nan
        if not math.isfinite(number) or (self.integer and not number.is_integer()):
            kind = "a whole number" if self.integer else "a number"
            raise ValueError(f"Please enter {kind}, for example 3.")
        if (self.minimum is not None and number < self.minimum) or (
            self.maximum is not None and number > self.maximum
        ):
            raise ValueError(f"Please enter a number from {_plain(self.minimum)} to {_plain(self.maximum)}.")
        self.data = int(number) if self.integer else number

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)


def _plain(number: float | None) -> str:
    if number is None:
        return "any"
    return str(int(number)) if float(number).is_integer() else str(number)


class OptionsField(RadioField):
    """Radio buttons whose refusals say what to do, not 'Not a valid choice.'"""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(CHOICE_MESSAGE) from None

    def pre_validate(self, form: Form) -> None:
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(CHOICE_MESSAGE) from None


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form: Form) -> None:
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError("Please tick only the options shown.") from None


class MaxSelected:
    def __init__(self, maximum: int):
        self.maximum = maximum

    def __call__(self, form: Form, field: Field) -> None:
        if len(field.data or []) > self.maximum:
            raise ValidationError(f"Please choose at most {self.maximum}.")


class MaxRows:
    """More rows than the group allows are refused, never silently cut off."""

    def __init__(self, group: Group):
        self.group = group

    def __call__(self, form: Form, field: Field) -> None:
        if len(field.entries) > self.group.max_rows:
            raise StopValidation(f"Please keep to at most {self.group.max_rows} "
                                 f"{self.group.row_label.lower()}s.")


class RequiredRows:
    """A required group needs one row with something in it."""

    def __init__(self, group: Group):
        self.group = group

    def __call__(self, form: Form, field: Field) -> None:
        if not any(_row_answers(self.group, entry) for entry in field.entries):
            raise StopValidation(f"Please add at least one {self.group.row_label.lower()} before you submit.")


class NothingChosen:
    """Like Optional, for checkboxes: skip validation only when nothing at all was sent.

    (Optional also stops when the first value is blank, which would let a forged
    ['', 'anything'] through unchecked.)
    """

    field_flags = {"optional": True}

    def __call__(self, form: Form, field: Field) -> None:
        if not field.raw_data:
            field.errors[:] = []
            raise StopValidation()


def _presence(item: Any, final: bool) -> list[Any]:
    if final and item.required:
        return [InputRequired(message=REQUIRED_MESSAGE)]
    return [NothingChosen() if isinstance(item, MultiChoice) else Optional()]


def _field(item: Any, final: bool) -> Field:
    """The WTForms field for one leaf item (groups are handled by `_group_field`)."""
    validators = _presence(item, final)
    kwargs: dict[str, Any] = {"label": item.label, "description": item.help or ""}
    if isinstance(item, (ShortText, LongText)):
        field_class = TextAreaField if isinstance(item, LongText) else StringField
        return field_class(validators=[*validators, TextLimit(item.max_length)],
                           render_kw={"data-max-length": item.max_length}, **kwargs)
    if isinstance(item, MultiChoice):
        extra = [MaxSelected(item.max_selected)] if item.max_selected else []
        return CheckboxesField(choices=_choices(item), validators=[*validators, *extra], **kwargs)
    if isinstance(item, Scale):
        return OptionsField(choices=_choices(item), coerce=int, validators=validators, **kwargs)
    if isinstance(item, DateItem):
        return DateInputField(validators=validators, **kwargs)
    if isinstance(item, NumberItem):
        return NumberInputField(validators=validators, integer=item.integer, minimum=item.min,
                                maximum=item.max, render_kw={"inputmode": "numeric" if item.integer else "decimal"},
                                **kwargs)
    return OptionsField(choices=_choices(item), validators=validators, **kwargs)


def _choices(item: Any) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in item.choices]


def _group_field(group: Group, final: bool, rows_shown: int) -> Field:
    fields = {sub.id: _field(sub, final=False) for sub in group.items}
    row_form = type(f"{group.id}-row", (Form,), {"Meta": BaseForm.Meta, **fields})
    validators = [MaxRows(group), *([RequiredRows(group)] if final and group.required else [])]
    return FieldList(
        FormField(row_form),
        label=group.label,
        description=group.help or "",
        min_entries=rows_shown,
        validators=validators,
    )


def rows_to_show(group: Group, answers: Answers) -> int:
    """The saved rows plus one empty row to write in, within the group's limits."""
    saved = len(answers.get(group.id) or [])
    return min(group.max_rows, max(group.min_rows, saved + 1, 1))


def build_form(definition: Definition, *, final: bool = False, answers: Answers | None = None,
               base: type[FlaskForm] = BaseForm, **form_kwargs: Any) -> FlaskForm:
    """A form for the definition; on GET it is filled with `answers`, on POST with the request."""
    answers = answers or {}
    fields: dict[str, Any] = {}
    for item in definition.items:
        if isinstance(item, Group):
            fields[item.id] = _group_field(item, final, rows_to_show(item, answers))
        else:
            fields[item.id] = _field(item, final)
    form_class = type(f"{definition.id}-form", (base,), fields)
    return form_class(data=_form_data(definition, answers), **form_kwargs)


def _form_data(definition: Definition, answers: Answers) -> dict[str, Any]:
    return {item.id: answers[item.id] for item in definition.items if item.id in answers}


def _validate_required_in_rows(definition: Definition, form: FlaskForm, hidden: frozenset[str]) -> bool:
    """In each non-empty row of a group shown, the group's required sub-items must be answered."""
    ok = True
    for group in (i for i in definition.items if isinstance(i, Group) and i.id not in hidden):
        for entry in form[group.id].entries:
            if not _row_answers(group, entry):
                continue
            for sub in group.items:
                if sub.required and not is_answered(_clean(entry[sub.id].data)):
                    entry[sub.id].errors = [*entry[sub.id].errors, REQUIRED_MESSAGE]
                    ok = False
    return ok


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
    return _validate_required_in_rows(definition, form, hidden) and valid


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
    return value if is_answered(value) else None


def _row_answers(group: Group, entry: Any) -> dict[str, Any]:
    row = {sub.id: _clean(entry[sub.id].data) for sub in group.items}
    return {key: value for key, value in row.items() if value is not None}


def answers_from_form(definition: Definition, form: FlaskForm) -> Answers:
    """The answers in a validated form, as stored: unanswered items left out."""
    answers: Answers = {}
    for item in definition.items:
        field = form[item.id]
        if isinstance(item, Group):
            value = [row for row in (_row_answers(item, e) for e in field.entries) if row]
        else:
            value = _clean(field.data)
        if is_answered(value):
            answers[item.id] = value
    return answers
