"""How often: never, rarely, sometimes, often."""

from __future__ import annotations

from typing import ClassVar, Literal

from clinic.worksheets.items.base import ChoiceItem, register

FREQUENCY_OPTIONS = (("never", "Never"), ("rarely", "Rarely"), ("sometimes", "Sometimes"), ("often", "Often"))


@register
class Frequency(ChoiceItem):
    type: Literal["frequency"]

    fixed_choices: ClassVar[tuple[tuple[str, str], ...]] = FREQUENCY_OPTIONS
