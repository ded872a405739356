"""Whether something happens, as the client knows it: "I know this happens", "I suspect it" or "No".

Suspicion is kept apart from knowledge: summaries and flags can count `know`
and `suspect` separately, and the review marks a suspected answer as such.
`labels` rewords the options for one question (e.g. `know: Yes, it happened`).
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import field_validator

from clinic.worksheets.items.base import ItemBase, register
from clinic.worksheets.schema.base import Text

KNOW_SUSPECT_OPTIONS = (("know", "I know this happens"), ("suspect", "I suspect it"), ("no", "No"))


@register
class KnowSuspect(ItemBase):
    type: Literal["know_suspect"]
    labels: dict[str, Text] = {}

    template_name: ClassVar[str] = "know_suspect"

    @field_validator("labels")
    @classmethod
    def _known_values(cls, labels: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(labels) - {value for value, _ in KNOW_SUSPECT_OPTIONS})
        if unknown:
            raise ValueError(f"labels can only reword 'know', 'suspect' and 'no', not {', '.join(unknown)}")
        return labels

    @property
    def choices(self):
        return tuple((value, self.labels.get(value, label)) for value, label in KNOW_SUSPECT_OPTIONS)
