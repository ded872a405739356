"""A calendar date, typed or picked as year-month-day and read back spelled out."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, Literal

from clinic.worksheets.fields import DateInputField, date_from_text, optional
from clinic.worksheets.items.base import ItemBase, read_typed, register


@register
class DateItem(ItemBase):
    type: Literal["date"]

    template_name: ClassVar[str] = "date"

    def display(self, value: Any) -> str:
        try:
            day = dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            return str(value)
        return f"{day.day} {day:%B %Y}"

    def quick_read(self, values: list[str]) -> str | None:
        return read_typed(values, date_from_text)

    def form_field(self):
        return DateInputField(validators=optional(), **self.field_text())
