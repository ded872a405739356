"""Item types, one module each, registered under their `type` name (see `base`).

Every module in this package is imported here, so adding a type is adding its
module (and its template of macros); the unions the definition schema reads
are built from the registry.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Annotated, Union

from pydantic import Field

from clinic.worksheets.items.base import REGISTRY, AskTheForm, ItemBase, Option, is_answered

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

from clinic.worksheets.items.date import DateItem  # noqa: E402
from clinic.worksheets.items.frequency import FREQUENCY_OPTIONS, Frequency  # noqa: E402
from clinic.worksheets.items.group import Group  # noqa: E402
from clinic.worksheets.items.multi_choice import MultiChoice  # noqa: E402
from clinic.worksheets.items.number import NumberItem  # noqa: E402
from clinic.worksheets.items.scale import Scale  # noqa: E402
from clinic.worksheets.items.short_text import LongText, ShortText  # noqa: E402
from clinic.worksheets.items.single_choice import SingleChoice  # noqa: E402
from clinic.worksheets.items.yes_no_unsure import YES_NO_UNSURE_OPTIONS, YesNoUnsure  # noqa: E402

LeafItem = Annotated[Union[tuple(t for t in REGISTRY.values() if t is not Group)], Field(discriminator="type")]
Group.model_rebuild(_types_namespace={"LeafItem": LeafItem})
Item = Annotated[Union[tuple(REGISTRY.values())], Field(discriminator="type")]
ITEM_TYPES = tuple(sorted(REGISTRY))

__all__ = [
    "AskTheForm", "FREQUENCY_OPTIONS", "ITEM_TYPES", "REGISTRY", "YES_NO_UNSURE_OPTIONS", "DateItem", "Frequency", "Group",
    "Item", "ItemBase", "LeafItem", "LongText", "MultiChoice", "NumberItem", "Option", "Scale",
    "ShortText", "SingleChoice", "YesNoUnsure", "is_answered",
]
