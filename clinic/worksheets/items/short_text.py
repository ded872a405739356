"""Text answers: one line (`short_text`) or several paragraphs (`long_text`)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field
from wtforms import StringField, TextAreaField

from clinic.worksheets.fields import TextLimit, optional, text_within
from clinic.worksheets.items.base import ItemBase, read_typed, register


@register
class ShortText(ItemBase):
    type: Literal["short_text"]
    max_length: int = Field(200, ge=1, le=500)

    template_name: ClassVar[str] = "text"
    field_class: ClassVar[type[StringField]] = StringField
    input_rows: ClassVar[int | None] = None  # lines of the box on the page (None: one line)

    def quick_read(self, values: list[str]) -> str | None:
        return read_typed(values, lambda text: text_within(text, self.max_length))

    def form_field(self):
        return self.field_class(validators=[*optional(), TextLimit(self.max_length)],
                                render_kw={"data-max-length": self.max_length}, **self.field_text())


@register
class LongText(ShortText):
    type: Literal["long_text"]  # type: ignore[assignment]
    max_length: int = Field(2000, ge=1, le=10000)

    field_class: ClassVar[type[StringField]] = TextAreaField
    input_rows: ClassVar[int | None] = 5
