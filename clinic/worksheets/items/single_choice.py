"""One option out of those the definition lists."""

from __future__ import annotations

from typing import Literal

from clinic.worksheets.items.base import OptionsItem, register


@register
class SingleChoice(OptionsItem):
    type: Literal["single_choice"]
