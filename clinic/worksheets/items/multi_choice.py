"""Any number of the options the definition lists (ticked boxes), optionally at most `max_selected`."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from clinic.worksheets.fields import CheckboxesField, MaxSelected, choices_of, optional
from clinic.worksheets.items.base import AskTheForm, Option, OptionsItem, register


@register
class MultiChoice(OptionsItem):
    type: Literal["multi_choice"]
    options: tuple[Option, ...] = Field(min_length=2, max_length=30)
    max_selected: int | None = Field(None, ge=1)

    template_name: ClassVar[str] = "multi_choice"

    @property
    def tick_hint(self) -> str:
        return "(tick any that fit)"

    def quick_read(self, values: list[str]) -> list[str] | None:
        if any(value not in self.choice_by_text for value in values) or (
                self.max_selected is not None and len(values) > self.max_selected):
            raise AskTheForm
        return list(values) or None

    def form_field(self):
        extra = [MaxSelected(self.max_selected)] if self.max_selected else []
        return CheckboxesField(choices=choices_of(self), validators=[*optional(several=True),
                                                                     *extra], **self.field_text())
