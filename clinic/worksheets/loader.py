"""Load and validate every worksheet definition at start-up.

A broken file stops the app with a message a content author can act on: the
file, the place inside it (with the ids along the way) and what is wrong.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from clinic.worksheets.schema import ITEM_TYPES, Definition


class DefinitionError(Exception):
    """A worksheet file that cannot be used, with every problem found in it."""

    def __init__(self, path: Path, problems: list[str]):
        self.path = path
        self.problems = problems
        listing = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"Worksheet definition {path} is not valid:\n{listing}")


class WorksheetLibrary(Mapping[str, Definition]):
    """The current definitions by id, in a stable order (by title)."""

    def __init__(self, definitions: list[Definition]):
        self._by_id = {d.id: d for d in sorted(definitions, key=lambda d: d.title.lower())}

    def __getitem__(self, worksheet_id: str) -> Definition:
        return self._by_id[worksheet_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)


def load_library(directory: Path) -> WorksheetLibrary:
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise DefinitionError(directory, ["no worksheet definitions (*.yaml) found in this folder"])
    return WorksheetLibrary([load_definition(path) for path in files])


def load_definition(path: Path) -> Definition:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DefinitionError(path, [f"not valid YAML: {exc}"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError(path, [f"cannot be read: {exc}"]) from None
    if not isinstance(raw, dict):
        raise DefinitionError(path, ["the file must hold a mapping (id, version, title, sections, …)"])
    try:
        definition = Definition.model_validate(raw)
    except ValidationError as exc:
        raise DefinitionError(path, [_describe(error, raw) for error in _root_causes(exc.errors())]) from None
    if definition.id != path.stem:
        raise DefinitionError(path, [f"id: {definition.id!r} must match the file name {path.stem!r}"])
    return definition


def _root_causes(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Leave out 'too short' errors that only echo a broken entry inside the list."""
    def inside(outer: tuple, inner: tuple) -> bool:
        return len(inner) > len(outer) and inner[: len(outer)] == outer

    return [
        error for error in errors
        if not (error["type"] == "too_short" and any(inside(error["loc"], other["loc"]) for other in errors))
    ]


def _describe(error: dict[str, Any], raw: dict[str, Any]) -> str:
    """One pydantic error as 'place: what is wrong', with ids along the place."""
    loc = _without_union_tags(list(error["loc"]), raw)
    place = _place(loc, raw) or "top level"
    kind = error["type"]
    ctx = error.get("ctx") or {}
    parent = _place(loc[:-1], raw) or "top level"
    if kind == "missing":
        return f"{parent}: '{loc[-1]}' is missing"
    if kind == "extra_forbidden":
        return f"{parent}: unknown field '{loc[-1]}'"
    if kind == "union_tag_invalid" and "type" in ctx.get("discriminator", ""):
        return f"{place}: unknown item type {ctx['tag']!r} (expected one of: {', '.join(ITEM_TYPES)})"
    if kind == "union_tag_not_found" and "type" in ctx.get("discriminator", ""):
        return f"{place}: the item has no 'type' (expected one of: {', '.join(ITEM_TYPES)})"
    message = error["msg"].removeprefix("Value error, ")
    return f"{place}: {message}"


CONDITION_TAGS = ("item", "tags", "any", "all")


def _without_union_tags(loc: list[Any], raw: Any) -> list[Any]:
    """Drop the union tags pydantic puts in locations ('scale', 'lean', 'item' …)."""
    kept: list[Any] = []
    node = raw
    skipped = False
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str) and not skipped:
            names_variant = part in (node.get("type"), node.get("kind"))
            in_condition = kept[-1:] == ["when"] or (
                len(kept) >= 2 and isinstance(kept[-1], int) and kept[-2] in ("any", "all")
            )
            if names_variant or (in_condition and part in CONDITION_TAGS):
                skipped = True
                continue
        skipped = False
        kept.append(part)
        if isinstance(part, int):
            node = node[part] if isinstance(node, list) and part < len(node) else None
        else:
            node = node.get(part) if isinstance(node, dict) else None
    return kept


def _place(loc: list[Any], raw: Any) -> str:
    """Render a location like sections[1] (early-caregiving) > items[0] > label."""
    parts: list[str] = []
    node = raw
    for part in loc:
        if isinstance(part, int):
            node = node[part] if isinstance(node, list) and part < len(node) else None
            label = f"[{part}]"
            if isinstance(node, dict) and isinstance(node.get("id"), str):
                label += f" ({node['id']})"
            parts[-1:] = [f"{parts[-1] if parts else ''}{label}"]
        else:
            node = node.get(part) if isinstance(node, dict) else None
            parts.append(str(part))
    return " > ".join(parts)
