"""A point on a numbered scale with words at its ends (and wherever else the definition puts them).

A 0-10 rating is a scale: `min: 0`, `max: 10`, `anchors: {0: Not at all, 10: Completely}`.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field, model_validator

from clinic.worksheets.fields import OptionsField, choices_of, optional
from clinic.worksheets.items.base import ItemBase, register
from clinic.worksheets.schema.base import ShortLabel


@register
class Scale(ItemBase):
    type: Literal["scale"]
    min: int = Field(ge=0, le=10)
    max: int = Field(ge=1, le=10)
    anchors: dict[int, ShortLabel]

    template_name: ClassVar[str] = "scale"

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

    def display(self, value: Any) -> str:
        """'6 of 10', '10 of 10 – Fully': a point read with the scale it is on (a bare '6' says
        nothing), and the words at that point if the definition gives some. Export keeps the number
        (`plain_value`; FHIR codes the point and its ordinal value)."""
        of = f"of {self.max}" if self.min in (0, 1) else f"on a scale of {self.min} to {self.max}"
        anchor = self.anchors.get(value) if isinstance(value, int) and not isinstance(value, bool) else None
        return f"{value} {of}" + (f" – {anchor}" if anchor else "")

    def form_field(self):
        return OptionsField(choices=choices_of(self), coerce=int, validators=optional(),
                            **self.field_text())
