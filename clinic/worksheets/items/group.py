"""Repeating rows of sub-items (e.g. goals with steps and a check-in date)."""

from __future__ import annotations

import re
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import Field, model_validator
from wtforms import FieldList, Form, FormField

from clinic.forms import BaseForm
from clinic.worksheets.items.base import AskTheForm, ItemBase, is_answered, register
from clinic.worksheets.schema.base import ShortLabel

if TYPE_CHECKING:  # built from the registry once every type is loaded; see the package
    from clinic.worksheets.items import LeafItem


class Rows(FieldList):
    """A group's rows, each labelled as the client reads it ("Goal 2"), so that an error names its row."""

    def __init__(self, *args: Any, row_label: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.row_label = row_label

    def _add_entry(self, *args: Any, **kwargs: Any) -> Any:
        entry = super()._add_entry(*args, **kwargs)
        entry.label.text = f"{self.row_label} {len(self.entries)}"
        return entry


@register
class Group(ItemBase):
    type: Literal["group"]
    items: tuple[LeafItem, ...] = Field(min_length=1, max_length=10)
    row_label: ShortLabel = "Row"
    add_label: ShortLabel = "Add another"
    min_rows: int = Field(0, ge=0, le=20)
    max_rows: int = Field(10, ge=1, le=20)

    template_name: ClassVar[str] = "group"

    @model_validator(mode="after")
    def _rows(self) -> Group:
        if self.min_rows > self.max_rows:
            raise ValueError(f"min_rows ({self.min_rows}) must not be above max_rows ({self.max_rows})")
        for sub in self.items:
            if sub.show_if is not None:
                raise ValueError(f"item {sub.id!r}: show_if is not available inside a group; put it on the group")
        return self

    @property
    def tick_hint(self) -> str:
        return ""

    def display(self, value: Any) -> str:
        rows = value if isinstance(value, list) else []
        return f"{len(rows)} {self.row_label.lower()}{'' if len(rows) == 1 else 's'}"

    def plain_value(self, value: Any) -> Any:
        subs = {sub.id: sub for sub in self.items}
        return [{key: subs[key].plain_value(cell) for key, cell in row.items() if key in subs}
                for row in value if isinstance(row, dict)]

    def rows_to_show(self, saved: int) -> int:
        """The saved rows plus one empty row to write in, within the group's limits."""
        return min(self.max_rows, max(self.min_rows, saved + 1, 1))

    @property
    def missing_message(self) -> str:
        return f"Please add at least one {self.row_label.lower()} before you send."

    def form_field(self):
        fields = {sub.id: sub.form_field() for sub in self.items}
        row_form = type(f"{self.id}-row", (Form,), {"Meta": BaseForm.Meta, **fields})
        return Rows(FormField(row_form), label=self.label, description=self.help or "",
                    min_entries=self.rows_to_show(0), row_label=self.row_label)

    @cached_property
    def posted_key(self) -> tuple[re.Pattern[str], int]:
        """Rows are posted as `<group>-<row>-<item>`."""
        subs = "|".join(re.escape(sub.id) for sub in self.items)
        return re.compile(rf"{re.escape(self.id)}-([0-9]{{1,2}})-({subs})"), self.max_rows

    def read_row(self, entry: Any) -> dict[str, Any]:
        row = {sub.id: sub.read(entry[sub.id]) for sub in self.items}
        return {key: value for key, value in row.items() if value is not None}

    def read(self, field: Any) -> Any:
        rows = [row for row in (self.read_row(entry) for entry in field.entries) if row]
        return rows or None

    def quick_answer(self, posted: dict[str, list[str]]) -> list[dict[str, Any]] | None:
        """`quick_read` for the rows posted as `<group>-<row>-<item>` (see `posted_key`), in row order.

        A row number written otherwise than the form writes it ("01") is the form's to read.
        """
        rows: dict[int, dict[str, list[str]]] = {}
        pattern, _ = self.posted_key
        for key, values in posted.items():
            if (match := pattern.fullmatch(key)) is None:
                continue
            row_text, sub_id = match.groups()
            if str(int(row_text)) != row_text:
                raise AskTheForm
            rows.setdefault(int(row_text), {})[sub_id] = values
        read = [{sub.id: value for sub in self.items
                 if (value := sub.quick_read(rows[number].get(sub.id, []))) is not None}
                for number in sorted(rows)]
        return [row for row in read if row] or None

    def check_rows(self, field: Any) -> bool:
        """In each row with something in it, the required sub-items must be answered (on submitting)."""
        ok = True
        for entry in field.entries:
            if not self.read_row(entry):
                continue
            for sub in self.items:
                if sub.required and not is_answered(sub.read(entry[sub.id])):
                    entry[sub.id].errors = [*entry[sub.id].errors, self.row_message(entry.label.text)]
                    ok = False
        return ok

    def row_message(self, row: str) -> str:
        """What a started row missing a required answer says: finish it, or remove it."""
        return f"Please answer this, or remove {row.lower()} if you do not need it."
