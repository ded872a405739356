"""The definition: a worksheet's sections and rules, checked for consistent references."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from pydantic import Field, model_validator

from clinic.worksheets.schema.base import Slug, Strict, Text
from clinic.worksheets.items import Group, Item, Scale
from clinic.worksheets.schema.rules import (
    AnswerSummary,
    AverageSummary,
    ColumnSummary,
    CountSummary,
    EntriesSummary,
    Flag,
    ItemCondition,
    LeanSummary,
    ProfileSummary,
    RowsSummary,
    Summary,
    TagCondition,
    TwoAxisSummary,
    axis_maximum,
)


class Section(Strict):
    id: Slug
    title: Text
    intro: Text | None = None
    items: tuple[Item, ...] = Field(min_length=1)


class Definition(Strict):
    id: Slug
    version: int = Field(ge=1)
    title: Text
    subtitle: Text | None = None
    estimated_minutes: int = Field(ge=1, le=180)
    intro: Text
    sections: tuple[Section, ...] = Field(min_length=1)
    summary: tuple[Summary, ...] = ()
    flags: tuple[Flag, ...] = ()

    @model_validator(mode="after")
    def _references(self) -> Definition:
        ids: set[str] = set()
        for section in self.sections:
            for name in [section.id, *(i.id for i in section.items),
                         *(s.id for i in section.items if isinstance(i, Group) for s in i.items)]:
                if name in ids:
                    raise ValueError(f"id {name!r} is used twice; every section and item id must be unique")
                ids.add(name)
        for entry_id in _duplicates([s.id for s in self.summary]):
            raise ValueError(f"summary id {entry_id!r} is used twice")
        for entry_id in _duplicates([f.id for f in self.flags]):
            raise ValueError(f"flag id {entry_id!r} is used twice")
        for summary in self.summary:
            self._check_summary(summary)
        for flag in self.flags:
            self._check_condition(flag.when, f"flag {flag.id!r}")
        earlier: dict[str, Any] = {}
        for item in self.items:
            if item.show_if is not None:
                self._check_show_if(item.show_if, f"item {item.id!r}: show_if", earlier)
            earlier[item.id] = item
        return self

    def _check_show_if(self, condition: Any, where: str, earlier: dict[str, Any]) -> None:
        """A shown-if names items asked before it, by id, with values those items can have."""
        if isinstance(condition, TagCondition):
            raise ValueError(f"{where} must name an item, not tags")
        if not isinstance(condition, ItemCondition):
            for inner in getattr(condition, "any", None) or getattr(condition, "all", ()):
                self._check_show_if(inner, where, earlier)
            return
        source = earlier.get(condition.item)
        if source is None:
            raise ValueError(f"{where} refers to {condition.item!r}, which is not an item asked before this one")
        if isinstance(source, Group):
            raise ValueError(f"{where} refers to group {condition.item!r}; it can only depend on a single question")
        known = {str(value) for value, _ in source.choices}
        for value in (*(condition.in_ or ()), *(condition.not_in or ())):
            if known and str(value) not in known:
                raise ValueError(f"{where}: {value!r} is not an option of item {condition.item!r} "
                                 f"(its options are {', '.join(sorted(known))})")

    def _check_summary(self, summary: Any) -> None:
        where = f"summary {summary.id!r}"
        if isinstance(summary, CountSummary) and summary.items:
            for item_id in summary.items:
                self._need_item(item_id, where)
        if isinstance(summary, CountSummary) and summary.tags:
            self._need_tags(summary.tags, where)
        if isinstance(summary, LeanSummary):
            for side in summary.sides:
                for signal in side.signals:
                    if signal.item:
                        self._need_item(signal.item, where)
                    else:
                        self._need_tags(signal.tags or (), where)
        if isinstance(summary, ProfileSummary):
            for item_id in summary.items:
                if not isinstance(self._need_item(item_id, where), Scale):
                    raise ValueError(f"{where}: item {item_id!r} is not a scale")
        if isinstance(summary, RowsSummary):
            group = self._need_item(summary.item, where)
            if not isinstance(group, Group):
                raise ValueError(f"{where}: item {summary.item!r} is not a group")
            sub_ids = {s.id for s in group.items}
            for column in summary.columns:
                if column not in sub_ids:
                    raise ValueError(f"{where}: {column!r} is not an item of group {group.id!r}")
        if isinstance(summary, AnswerSummary):
            self._need_item(summary.item, where)
        if isinstance(summary, TwoAxisSummary):
            self._check_axes(summary, where)
        if isinstance(summary, ColumnSummary):
            target = self._need_column(summary.item, summary.column, where)
            if isinstance(summary, AverageSummary) and target.type not in ("scale", "number"):
                raise ValueError(f"{where}: an average needs a scale or number item, not {target.type}")
        if isinstance(summary, EntriesSummary) and not isinstance(self._need_item(summary.item, where), Group):
            raise ValueError(f"{where}: item {summary.item!r} is not a group")

    def _check_axes(self, summary: TwoAxisSummary, where: str) -> None:
        for axis in summary.axes:
            for signal in axis.signals:
                if signal.item:
                    self._need_item(signal.item, where)
                else:
                    self._need_tags(signal.tags or (), where)
        maxima = [axis_maximum(axis, self.items) for axis in summary.axes]
        if maxima[0] != maxima[1]:
            raise ValueError(f"{where}: the axes must have equal maxima so neither outweighs the other; "
                             f"{summary.axes[0].label!r} can reach {maxima[0]}, "
                             f"{summary.axes[1].label!r} {maxima[1]}")
        if summary.high_from > maxima[0]:
            raise ValueError(f"{where}: high_from ({summary.high_from}) is above the axes' maximum ({maxima[0]})")

    def _need_column(self, item_id: str, column: str | None, where: str):
        item = self._need_item(item_id, where)
        if column is None:
            return item
        if not isinstance(item, Group):
            raise ValueError(f"{where}: item {item_id!r} has no columns (it is not a group)")
        sub = next((s for s in item.items if s.id == column), None)
        if sub is None:
            raise ValueError(f"{where}: {column!r} is not an item of group {item_id!r}")
        return sub

    def _check_condition(self, condition: Any, where: str) -> None:
        if isinstance(condition, ItemCondition):
            self._need_item(condition.item, where)
        elif isinstance(condition, TagCondition):
            self._need_tags(condition.tags, where)
        else:
            for inner in getattr(condition, "any", None) or getattr(condition, "all", ()):
                self._check_condition(inner, where)

    def _need_item(self, item_id: str, where: str):
        item = self.items_by_id.get(item_id)
        if item is None:
            raise ValueError(f"{where} refers to unknown item {item_id!r}")
        return item

    def _need_tags(self, tags: tuple[str, ...], where: str) -> None:
        known = {t for item in self.items_by_id.values() for t in item.tags}
        for tag in tags:
            if tag not in known:
                raise ValueError(f"{where} refers to tag {tag!r}, which no item has")

    @property
    def items_by_id(self) -> dict[str, Any]:
        """Top-level items (groups included, their sub-items not) by id."""
        return {item.id: item for section in self.sections for item in section.items}

    @property
    def items(self) -> list[Any]:
        return [item for section in self.sections for item in section.items]

    def snapshot(self) -> dict[str, Any]:
        """JSON-ready form of this definition, stored with each assignment."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> Definition:
        """The definition stored with an assignment, parsed once per distinct snapshot (it never changes)."""
        return _parse_snapshot(json.dumps(data, sort_keys=True))

    @classmethod
    def from_stored(cls, digest: str, load: Callable[[], dict[str, Any]]) -> Definition:
        """The definition of a stored snapshot known by its SHA-256 `digest`, loaded and parsed once per process.

        The digest names the content, so the same digest is the same definition in any database.
        """
        found = _by_digest.get(digest)
        if found is None:
            if len(_by_digest) >= STORED_CACHE_SIZE:
                _by_digest.clear()
            found = _by_digest[digest] = cls.from_snapshot(load())
        return found


def _duplicates(values: list[str]) -> list[str]:
    seen: set[str] = set()
    return [v for v in values if v in seen or seen.add(v)]


STORED_CACHE_SIZE = 256
_by_digest: dict[str, Definition] = {}


@lru_cache(maxsize=256)
def _parse_snapshot(text: str) -> Definition:
    return Definition.model_validate(json.loads(text))
