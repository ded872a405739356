"""What every item type shares, and the registry that makes a new type a module of its own.

An item type is a pydantic model registered under its `type` name. It owns its
schema fields and their checks, its WTForms field (`form_field`), how it reads
posted data (`read`), its answer in words (`display`) and as plain data
(`plain_value`), and a template of macros beside it,
`templates/worksheets/items/<template>.html`, with `page(item, field, disabled)`,
`answer(item, value)` and `paper(item)` for the client's page, the review and
the blank printable.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cached_property
from typing import Any, ClassVar, get_args

from pydantic import Field, field_validator
from wtforms import Field as FormField

from clinic.worksheets.fields import REQUIRED_MESSAGE, OptionsField, choices_of, optional
from clinic.worksheets.schema.base import OptionValue, ShortLabel, Slug, Strict, Text
from clinic.worksheets.schema.rules import Condition

REGISTRY: dict[str, type[ItemBase]] = {}


def register(item_type: type[ItemBase]) -> type[ItemBase]:
    """Make an item type usable in definitions under the name in its `type` field."""
    (name,) = get_args(item_type.model_fields["type"].annotation)
    REGISTRY[name] = item_type
    return item_type


def is_answered(value: Any) -> bool:
    return value not in (None, "", [], {})


class AskTheForm(Exception):
    """A posted value `quick_read` does not take as it is: the WTForms form reads it and says what is wrong."""


def read_typed(values: list[str], parse: Callable[[str], Any]) -> Any:
    """`quick_read` of a typed answer: one value, blank for none, else what `parse` makes of it
    (a ValueError from `parse` is the form's to word)."""
    if len(values) > 1:
        raise AskTheForm
    text = values[0].strip() if values else ""
    if not text:
        return None
    try:
        return parse(text)
    except ValueError:
        raise AskTheForm from None


class Option(Strict):
    value: OptionValue
    label: Text


def unique_values(options: tuple[Option, ...]) -> tuple[Option, ...]:
    seen: set[str] = set()
    for option in options:
        if option.value in seen:
            raise ValueError(f"option value {option.value!r} appears twice")
        seen.add(option.value)
    return options


class ItemBase(Strict):
    id: Slug
    label: Text
    short_label: ShortLabel | None = None
    help: Text | None = None
    required: bool = True
    tags: tuple[Slug, ...] = ()
    show_if: Condition | None = None

    # The macros that show this type (templates/worksheets/items/<template>.html).
    template_name: ClassVar[str] = "choices"

    @property
    def template(self) -> str:
        return f"worksheets/items/{self.template_name}.html"

    @property
    def title(self) -> str:
        """The shortest name that still says what the item is (bars, tables)."""
        return self.short_label or self.label

    @property
    def choices(self) -> tuple[tuple[Any, str], ...]:
        """(value, label) pairs for items answered by choosing; empty otherwise."""
        return ()

    @property
    def tick_hint(self) -> str:
        """What to do on paper, beside the question."""
        return "(tick one)" if self.choices else ""

    def display(self, value: Any) -> str:
        """An answer as a person reads it (option labels, dates spelled out)."""
        labels = dict(self.choices)
        if isinstance(value, list):
            return "; ".join(str(labels.get(v, v)) for v in value)
        return str(labels.get(value, value))

    def plain_value(self, value: Any) -> Any:
        """An answer as plain data, for summaries and export: option values, numbers, ISO dates, text."""
        return value

    @property
    def missing_message(self) -> str:
        """What a required item without an answer says when the client sends the worksheet."""
        return REQUIRED_MESSAGE

    def form_field(self) -> FormField:
        """The WTForms field, as a draft takes it: empty is fine, anything given must be well-formed."""
        return OptionsField(choices=choices_of(self), validators=optional(),
                            **self.field_text())

    def field_text(self) -> dict[str, str]:
        return {"label": self.label, "description": self.help or ""}

    @cached_property
    def posted_key(self) -> tuple[re.Pattern[str], int]:
        """The form key this item is posted under, and how many rows it may have (group 1 is the row)."""
        return re.compile(rf"{re.escape(self.id)}()"), 1

    def read(self, field: FormField) -> Any:
        """The answer in a validated field, as stored: text trimmed, nothing given as None."""
        value = field.data.strip() if isinstance(field.data, str) else field.data
        return value if is_answered(value) else None

    def quick_read(self, values: list[str]) -> Any:
        """The answer `read` gives for these posted (cleaned) values, without building the form.

        Autosave posts a whole part every few seconds, and building and
        validating its WTForms form was most of a save's cost. This takes what a
        page posts when all is well, and raises AskTheForm for anything else
        (blank, repeated, unknown or ill-formed values), so the form stays the
        one place that refuses and words the refusal. `tests/test_quick_read.py`
        holds the two to the same answers for anything a browser might post.
        """
        if not values:
            return None
        if len(values) > 1 or values[0] not in self.choice_by_text:
            raise AskTheForm
        return self.choice_by_text[values[0]]

    def quick_answer(self, posted: dict[str, list[str]]) -> Any:
        """`quick_read` of this item's values among all the posted ones (a group reads its rows)."""
        return self.quick_read(posted.get(self.id, []))

    @cached_property
    def choice_by_text(self) -> dict[str, Any]:
        """Each choice's value by the text a page posts for it (a scale posts "6" for 6)."""
        return {str(value): value for value, _ in self.choices}


class ChoiceItem(ItemBase):
    """Chosen from a fixed list of options given by the type (frequency, yes/no/unsure …)."""

    fixed_choices: ClassVar[tuple[tuple[str, str], ...]] = ()

    @property
    def choices(self):
        return self.fixed_choices


class OptionsItem(ItemBase):
    """Chosen from the options the definition lists."""

    options: tuple[Option, ...] = Field(min_length=2, max_length=20)

    _check_options = field_validator("options")(unique_values)

    @property
    def choices(self):
        return tuple((o.value, o.label) for o in self.options)
