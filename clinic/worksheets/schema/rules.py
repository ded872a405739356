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


Summary = Annotated[
    Union[CountSummary, LeanSummary, ProfileSummary, RowsSummary, AnswerSummary],
    Field(discriminator="kind"),
]


class Flag(Strict):
    id: Slug
    when: Condition
    say: Text
    severity: Literal["attention", "safety"] = "attention"
