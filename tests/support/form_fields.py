"""Stored answers turned back into the (name, value) pairs a browser posts for them.

Shared by the fuzz tests (a saved draft must save again unchanged) and the load
benchmark (simulated clients post complete worksheets).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from clinic.worksheets import Definition, Group


def as_form_fields(definition: Definition, answers: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Leaf items by id, multiple choices repeated, group rows as `<group>-<row>-<item>`."""
    for item in definition.items:
        value = answers.get(item.id)
        if value is None:
            continue
        if isinstance(item, Group):
            for row_number, row in enumerate(value):
                for sub_id, cell in row.items():
                    yield f"{item.id}-{row_number}-{sub_id}", str(cell)
        elif isinstance(value, list):
            for choice in value:
                yield item.id, str(choice)
        else:
            yield item.id, str(value)
