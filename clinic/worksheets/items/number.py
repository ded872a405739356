"""A number, whole unless `integer: false`, within `min`..`max`, with an optional unit."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import model_validator

from clinic.worksheets.fields import NumberInputField, number_from_text, optional
from clinic.worksheets.items.base import ItemBase, read_typed, register
from clinic.worksheets.schema.base import ShortLabel


@register
class NumberItem(ItemBase):
    type: Literal["number"]
    min: float | None = None
    max: float | None = None
    unit: ShortLabel | None = None
    integer: bool = True

    template_name: ClassVar[str] = "number"

    @model_validator(mode="after")
    def _range(self) -> NumberItem:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) must not be above max ({self.max})")
        return self

    def display(self, value: Any) -> str:
        return f"{value} {self.unit}" if self.unit else str(value)

    def quick_read(self, values: list[str]) -> int | float | None:
        return read_typed(values, lambda text: number_from_text(text, integer=self.integer, minimum=self.min,
                                                                maximum=self.max))

    def form_field(self):
        return NumberInputField(validators=optional(), integer=self.integer, minimum=self.min,
                                maximum=self.max, render_kw={"inputmode": "numeric" if self.integer else "decimal"},
                                **self.field_text())
