"""Yes, no, or not sure."""

from __future__ import annotations

from typing import ClassVar, Literal

from clinic.worksheets.items.base import ChoiceItem, register

YES_NO_UNSURE_OPTIONS = (("yes", "Yes"), ("no", "No"), ("unsure", "Not sure"))


@register
class YesNoUnsure(ChoiceItem):
    type: Literal["yes_no_unsure"]

    fixed_choices: ClassVar[tuple[tuple[str, str], ...]] = YES_NO_UNSURE_OPTIONS
