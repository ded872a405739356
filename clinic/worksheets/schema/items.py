"""Item types: what each kind of question in a worksheet may say and how its answer reads."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, Union

from pydantic import Field, field_validator, model_validator

from clinic.worksheets.schema.base import OptionValue, ShortLabel, Slug, Strict, Text


class Option(Strict):
    value: OptionValue
    label: Text


def _unique_values(options: tuple[Option, ...]) -> tuple[Option, ...]:
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

    @property
    def title(self) -> str:
        """The shortest name that still says what the item is (bars, tables)."""
        return self.short_label or self.label

    @property
    def choices(self) -> tuple[tuple[Any, str], ...]:
        """(value, label) pairs for items answered by choosing; empty otherwise."""
        return ()

    def display(self, value: Any) -> str:
        """An answer as a person reads it (option labels, dates spelled out)."""
        labels = dict(self.choices)
        if isinstance(value, list):
            return "; ".join(str(labels.get(v, v)) for v in value)
        return str(labels.get(value, value))


class ShortText(ItemBase):
    type: Literal["short_text"]
    max_length: int = Field(200, ge=1, le=500)


class LongText(ItemBase):
    type: Literal["long_text"]
    max_length: int = Field(2000, ge=1, le=10000)


class SingleChoice(ItemBase):
    type: Literal["single_choice"]
    options: tuple[Option, ...] = Field(min_length=2, max_length=20)

    _check_options = field_validator("options")(_unique_values)

    @property
    def choices(self):
        return tuple((o.value, o.label) for o in self.options)


class MultiChoice(ItemBase):
    type: Literal["multi_choice"]
    options: tuple[Option, ...] = Field(min_length=2, max_length=30)
    max_selected: int | None = Field(None, ge=1)

    _check_options = field_validator("options")(_unique_values)

    @property
    def choices(self):
        return tuple((o.value, o.label) for o in self.options)


class Scale(ItemBase):
    type: Literal["scale"]
    min: int = Field(ge=0, le=10)
    max: int = Field(ge=1, le=10)
    anchors: dict[int, ShortLabel]

    @model_validator(mode="after")
    def _anchors_in_range(self) -> Scale:
        if self.min >= self.max:
            raise ValueError(f"min ({self.min}) must be below max ({self.max})")
        missing = [end for end in (self.min, self.max) if end not in self.anchors]
        if missing:
            raise ValueError(f"anchors must label both ends of the scale; missing {missing}")
        outside = [k for k in self.anchors if not self.min <= k <= self.max]
        if outside:
            raise ValueError(f"anchors {outside} lie outside {self.min}..{self.max}")
        return self

    @property
    def choices(self):
        return tuple(
            (n, f"{n} – {self.anchors[n]}" if n in self.anchors else str(n))
            for n in range(self.min, self.max + 1)
        )


FREQUENCY_OPTIONS = (("never", "Never"), ("rarely", "Rarely"), ("sometimes", "Sometimes"), ("often", "Often"))
YES_NO_UNSURE_OPTIONS = (("yes", "Yes"), ("no", "No"), ("unsure", "Not sure"))


class Frequency(ItemBase):
    type: Literal["frequency"]

    @property
    def choices(self):
        return FREQUENCY_OPTIONS


class YesNoUnsure(ItemBase):
    type: Literal["yes_no_unsure"]

    @property
    def choices(self):
        return YES_NO_UNSURE_OPTIONS


class DateItem(ItemBase):
    type: Literal["date"]

    def display(self, value: Any) -> str:
        try:
            day = dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            return str(value)
        return f"{day.day} {day:%B %Y}"


class NumberItem(ItemBase):
    type: Literal["number"]
    min: float | None = None
    max: float | None = None
    unit: ShortLabel | None = None
    integer: bool = True

    @model_validator(mode="after")
    def _range(self) -> NumberItem:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) must not be above max ({self.max})")
        return self

    def display(self, value: Any) -> str:
        return f"{value} {self.unit}" if self.unit else str(value)


LeafItem = Annotated[
    Union[ShortText, LongText, SingleChoice, MultiChoice, Scale, Frequency, YesNoUnsure, DateItem, NumberItem],
    Field(discriminator="type"),
]


class Group(ItemBase):
    """Repeating rows of sub-items (e.g. goals with steps and a check-in date)."""

    type: Literal["group"]
    items: tuple[LeafItem, ...] = Field(min_length=1, max_length=10)
    row_label: ShortLabel = "Row"
    add_label: ShortLabel = "Add another"
    min_rows: int = Field(0, ge=0, le=20)
    max_rows: int = Field(10, ge=1, le=20)

    @model_validator(mode="after")
    def _rows(self) -> Group:
        if self.min_rows > self.max_rows:
            raise ValueError(f"min_rows ({self.min_rows}) must not be above max_rows ({self.max_rows})")
        return self

    def display(self, value: Any) -> str:
        rows = value if isinstance(value, list) else []
        return f"{len(rows)} {self.row_label.lower()}{'' if len(rows) == 1 else 's'}"


Item = Annotated[Union[LeafItem, Group], Field(discriminator="type")]
ITEM_TYPES = (
    "short_text", "long_text", "single_choice", "multi_choice", "scale",
    "frequency", "yes_no_unsure", "date", "number", "group",
)
