"""Rules read from a definition: conditions, lean signals, summaries and flags."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, Discriminator, Field, Tag, model_validator

from clinic.worksheets.schema.base import MatchValue, ShortLabel, Slug, Strict, Text


# --- conditions (used by flags, lean signals and show_if) ----------------------------


class ItemCondition(Strict):
    item: Slug
    in_: tuple[MatchValue, ...] | None = Field(None, alias="in", min_length=1)
    not_in: tuple[MatchValue, ...] | None = Field(None, min_length=1)
    gte: float | None = None
    lte: float | None = None

    @model_validator(mode="after")
    def _one_test(self) -> ItemCondition:
        if all(test is None for test in (self.in_, self.not_in, self.gte, self.lte)):
            raise ValueError("a condition on an item needs 'in', 'not_in', 'gte' or 'lte'")
        return self


class TagCondition(Strict):
    tags: tuple[Slug, ...] = Field(min_length=1)
    in_: tuple[MatchValue, ...] = Field(alias="in", min_length=1)
    min_count: int = Field(1, ge=1)


class AnyCondition(Strict):
    any: tuple[Condition, ...] = Field(min_length=1)


class AllCondition(Strict):
    all: tuple[Condition, ...] = Field(min_length=1)


def _condition_kind(value: Any) -> str | None:
    if isinstance(value, BaseModel):
        return {ItemCondition: "item", TagCondition: "tags", AnyCondition: "any", AllCondition: "all"}[type(value)]
    if isinstance(value, dict):
        for key in ("any", "all", "item", "tags"):
            if key in value:
                return key
    return None


Condition = Annotated[
    Union[
        Annotated[ItemCondition, Tag("item")],
        Annotated[TagCondition, Tag("tags")],
        Annotated[AnyCondition, Tag("any")],
        Annotated[AllCondition, Tag("all")],
    ],
    Discriminator(
        _condition_kind,
        custom_error_type="condition_kind",
        custom_error_message="a condition needs one of 'item', 'tags', 'any' or 'all'",
    ),
]
AnyCondition.model_rebuild()
AllCondition.model_rebuild()


class Signal(Strict):
    """Weight added to a side of a lean for each matching answer."""

    item: Slug | None = None
    tags: tuple[Slug, ...] | None = None
    in_: tuple[MatchValue, ...] = Field(alias="in", min_length=1)
    weight: int = Field(1, ge=1, le=10)

    @model_validator(mode="after")
    def _one_target(self) -> Signal:
        if (self.item is None) == (self.tags is None):
            raise ValueError("a signal names either 'item' or 'tags'")
        return self


class LeanSide(Strict):
    label: ShortLabel
    signals: tuple[Signal, ...] = Field(min_length=1)


# --- summaries -------------------------------------------------------------------------


class SummaryBase(Strict):
    id: Slug
    label: Text
    note: Text | None = None


class CountSummary(SummaryBase):
    kind: Literal["count"]
    tags: tuple[Slug, ...] | None = None
    items: tuple[Slug, ...] | None = None
    values: tuple[MatchValue, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_target(self) -> CountSummary:
        if (self.items is None) == (self.tags is None):
            raise ValueError("a count names either 'items' or 'tags'")
        return self


class LeanSummary(SummaryBase):
    kind: Literal["lean"]
    sides: tuple[LeanSide, ...] = Field(min_length=2, max_length=4)
    margin: int = Field(2, ge=1)
    tie_label: ShortLabel = "Mixed"


class ProfileSummary(SummaryBase):
    kind: Literal["profile"]
    items: tuple[Slug, ...] = Field(min_length=1, max_length=12)


class RowsSummary(SummaryBase):
    kind: Literal["rows"]
    item: Slug
    columns: tuple[Slug, ...] = Field(min_length=1)


class AnswerSummary(SummaryBase):
    kind: Literal["answer"]
    item: Slug


class Axis(Strict):
    label: ShortLabel
    signals: tuple[Signal, ...] = Field(min_length=1)


class Readings(Strict):
    """What a two-axis summary says for each of its four quadrants, and when too little was answered."""

    first: Text
    second: Text
    both: Text
    neither: Text
    too_few: Text


class TwoAxisSummary(SummaryBase):
    """Two sides scored on equal maxima, each read as high or low (never one bare winner).

    The definition refuses axes whose maxima differ, so that one side cannot
    outweigh the other by having more questions.
    """

    kind: Literal["two_axis"]
    axes: tuple[Axis, Axis]
    high_from: int = Field(ge=1)
    min_answered: int = Field(1, ge=1)
    readings: Readings


class ColumnSummary(SummaryBase):
    """A figure over one item, or over one column of a group's rows (`column`)."""

    item: Slug
    column: Slug | None = None


class AverageSummary(ColumnSummary):
    kind: Literal["average"]


class ShareSummary(ColumnSummary):
    """How many of the answers (rows) are one of `values`, as 'x of n'."""

    kind: Literal["share"]
    values: tuple[MatchValue, ...] = Field(min_length=1)


class TypicalSummary(ColumnSummary):
    """The most common answer in a group's column."""

    kind: Literal["typical"]


class EntriesSummary(SummaryBase):
    """How many rows a group holds (e.g. episodes logged)."""

    kind: Literal["entries"]
    item: Slug


Summary = Annotated[
    Union[CountSummary, LeanSummary, ProfileSummary, RowsSummary, AnswerSummary, TwoAxisSummary,
          AverageSummary, ShareSummary, TypicalSummary, EntriesSummary],
    Field(discriminator="kind"),
]

# Flag levels, the most urgent first: a safety flag outranks everything on every page.
FLAG_LEVELS = ("safety", "attention")


class Flag(Strict):
    id: Slug
    when: Condition
    say: Text
    severity: Literal["attention", "safety"] = "attention"


def signal_items(signal: Signal, items: list[Any]) -> list[Any]:
    """The top-level items a lean signal reads: the one it names, or those with its tags."""
    if signal.item:
        return [item for item in items if item.id == signal.item]
    return [item for item in items if set(signal.tags or ()) & set(item.tags)]


def axis_maximum(axis: Axis, items: list[Any]) -> int:
    """The most points any answers can give an axis.

    A single answer matches one choice, so it scores its best choice; an item
    with several answers (or free text) can match every signal that reads it.
    """
    weights: dict[str, list[Signal]] = {}
    by_id = {}
    for signal in axis.signals:
        for item in signal_items(signal, items):
            weights.setdefault(item.id, []).append(signal)
            by_id[item.id] = item
    total = 0
    for item_id, signals in weights.items():
        item = by_id[item_id]
        if item.type == "multi_choice" or not item.choices:
            total += sum(s.weight for s in signals)
        else:
            total += max(sum(s.weight for s in signals if str(value) in {str(v) for v in s.in_})
                         for value, _ in item.choices)
    return total
