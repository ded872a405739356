"""WTForms fields and checks the item types build their form fields from.

Every refusal says what to do in plain words, never "Not a valid choice."
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from wtforms import Field, Form, RadioField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

REQUIRED_MESSAGE = "Please answer this question before you send."
CHOICE_MESSAGE = "Please choose one of the options shown."


class TextLimit:
    """Length check with a message that says by how much, not just 'too long'."""

    def __init__(self, maximum: int):
        self.maximum = maximum

    def __call__(self, form: Form, field: Field) -> None:
        try:
            text_within(field.data or "", self.maximum)
        except ValueError as error:
            raise ValidationError(str(error)) from None


def text_within(text: str, maximum: int) -> str:
    """The text if it is at most `maximum` characters long, or ValueError saying by how much to shorten it."""
    if len(text) > maximum:
        raise ValueError(f"This answer is {len(text):,} characters long; the limit is {maximum:,}. "
                         f"Please shorten it by {_characters(len(text) - maximum)}.")
    return text


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
            self.data = date_from_text(text)


def date_from_text(text: str) -> str:
    """A typed date as stored (ISO), or ValueError saying what to type."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError("Please enter a real date as year-month-day, for example 2026-12-01.") from None
    if not 1900 <= day.year <= 2200:
        raise ValueError("Please enter a date between the years 1900 and 2200.")
    return day.isoformat()


class NumberInputField(StringField):
    """A number typed as text (so nothing typed is silently dropped by the browser)."""

    def __init__(self, *args: Any, integer: bool = True, minimum=None, maximum=None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.integer, self.minimum, self.maximum = integer, minimum, maximum

    def process_formdata(self, valuelist: list[str]) -> None:
        super().process_formdata(valuelist)
        text = (self.data or "").strip()
        self.data = None
        if text:
            self.data = number_from_text(text, integer=self.integer, minimum=self.minimum, maximum=self.maximum)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)


def number_from_text(text: str, *, integer: bool, minimum: float | None, maximum: float | None) -> int | float:
    """A typed number as stored (a decimal comma read as a point), or ValueError saying what to type."""
    try:
        number = float(text.replace(",", ".")) if len(text) <= 30 else math.nan
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or (integer and not number.is_integer()):
        kind = "a whole number" if integer else "a number"
        raise ValueError(f"Please enter {kind}, for example 3.")
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise ValueError(f"Please enter a number from {_plain(minimum)} to {_plain(maximum)}.")
    return int(number) if integer else number


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


def optional(*, several: bool = False) -> list[Any]:
    """Empty is fine while drafting (checkboxes: see NothingChosen); submitting checks what is required."""
    return [NothingChosen() if several else Optional()]


def choices_of(item: Any) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in item.choices]
