"""The worksheet definition schema: what a YAML file in `worksheets/` may say.

Definitions are immutable pydantic models. Each item type knows its own
choices and how to show an answer; the form builder, templates, PDFs and
summaries all read these models and nothing else.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, Union

from pydantic import (
    BaseModel,
    BeforeValidator,
    StrictInt,
    StrictStr,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

Slug = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$", max_length=60)]
# Option values are slugs; the portal relies on that to tell typed text from ticked options.
OPTION_VALUE_PATTERN = r"[a-z0-9][a-z0-9-]{0,59}"
OptionValue = Annotated[str, Field(pattern=f"^{OPTION_VALUE_PATTERN}$")]
Text = Annotated[str, Field(min_length=1, max_length=4000)]
ShortLabel = Annotated[str, Field(min_length=1, max_length=40)]


def _no_booleans(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("yes/no values must be written in quotes (\"yes\", \"no\"); YAML reads them as true/false")
    return value


MatchValue = Annotated[Union[StrictInt, StrictStr], BeforeValidator(_no_booleans)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Option(Strict):
    value: OptionValue
    label: Text


def _unique_values(options: tuple[Option, ...]) -> tuple[Option, ...]:
    seen: set[str] = set()
    for option in options:
        if option.value in seen:
            raise ValueError(f"option value {option.value!r} appears twice")
        seen.add(option.value)
    return options


class ItemBase(Strict):
    id: Slug
    label: Text
    short_label: ShortLabel | None = None
    help: Text | None = None
    required: bool = True
    tags: tuple[Slug, ...] = ()

    @property
    def title(self) -> str:
        """The shortest name that still says what the item is (bars, tables)."""
        return self.short_label or self.label

    @property
    def choices(self) -> tuple[tuple[Any, str], ...]:
        """(value, label) pairs for items answered by choosing; empty otherwise."""
        return ()

    def display(self, value: Any) -> str:
        """An answer as a person reads it (option labels, dates spelled out)."""
        labels = dict(self.choices)
        if isinstance(value, list):
            return "; ".join(str(labels.get(v, v)) for v in value)
        return str(labels.get(value, value))


class ShortText(ItemBase):
    type: Literal["short_text"]
    max_length: int = Field(200, ge=1, le=500)


class LongText(ItemBase):
    type: Literal["long_text"]
    max_length: int = Field(2000, ge=1, le=10000)


class SingleChoice(ItemBase):
    type: Literal["single_choice"]
    options: tuple[Option, ...] = Field(min_length=2, max_length=20)

    _check_options = field_validator("options")(_unique_values)

    @property
    def choices(self):
        return tuple((o.value, o.label) for o in self.options)


class MultiChoice(ItemBase):
    type: Literal["multi_choice"]
    options: tuple[Option, ...] = Field(min_length=2, max_length=30)
    max_selected: int | None = Field(None, ge=1)

    _check_options = field_validator("options")(_unique_values)

    @property
    def choices(self):
        return tuple((o.value, o.label) for o in self.options)


class Scale(ItemBase):
    type: Literal["scale"]
    min: int = Field(ge=0, le=10)
    max: int = Field(ge=1, le=10)
    anchors: dict[int, ShortLabel]

    @model_validator(mode="after")
    def _anchors_in_range(self) -> Scale:
        if self.min >= self.max:
            raise ValueError(f"min ({self.min}) must be below max ({self.max})")
        missing = [end for end in (self.min, self.max) if end not in self.anchors]
        if missing:
            raise ValueError(f"anchors must label both ends of the scale; missing {missing}")
        outside = [k for k in self.anchors if not self.min <= k <= self.max]
        if outside:
            raise ValueError(f"anchors {outside} lie outside {self.min}..{self.max}")
        return self

    @property
    def choices(self):
        return tuple(
            (n, f"{n} – {self.anchors[n]}" if n in self.anchors else str(n))
            for n in range(self.min, self.max + 1)
        )


FREQUENCY_OPTIONS = (("never", "Never"), ("rarely", "Rarely"), ("sometimes", "Sometimes"), ("often", "Often"))
YES_NO_UNSURE_OPTIONS = (("yes", "Yes"), ("no", "No"), ("unsure", "Not sure"))


class Frequency(ItemBase):
    type: Literal["frequency"]

    @property
    def choices(self):
        return FREQUENCY_OPTIONS


class YesNoUnsure(ItemBase):
    type: Literal["yes_no_unsure"]

    @property
    def choices(self):
        return YES_NO_UNSURE_OPTIONS


class DateItem(ItemBase):
    type: Literal["date"]

    def display(self, value: Any) -> str:
        try:
            day = dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            return str(value)
        return f"{day.day} {day:%B %Y}"


class NumberItem(ItemBase):
    type: Literal["number"]
    min: float | None = None
    max: float | None = None
    unit: ShortLabel | None = None
    integer: bool = True

    @model_validator(mode="after")
    def _range(self) -> NumberItem:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) must not be above max ({self.max})")
        return self

    def display(self, value: Any) -> str:
        return f"{value} {self.unit}" if self.unit else str(value)


LeafItem = Annotated[
    Union[ShortText, LongText, SingleChoice, MultiChoice, Scale, Frequency, YesNoUnsure, DateItem, NumberItem],
    Field(discriminator="type"),
]


class Group(ItemBase):
    """Repeating rows of sub-items (e.g. goals with steps and a check-in date)."""

    type: Literal["group"]
    items: tuple[LeafItem, ...] = Field(min_length=1, max_length=10)
    row_label: ShortLabel = "Row"
    add_label: ShortLabel = "Add another"
    min_rows: int = Field(0, ge=0, le=20)
    max_rows: int = Field(10, ge=1, le=20)

    @model_validator(mode="after")
    def _rows(self) -> Group:
        if self.min_rows > self.max_rows:
            raise ValueError(f"min_rows ({self.min_rows}) must not be above max_rows ({self.max_rows})")
        return self

    def display(self, value: Any) -> str:
        rows = value if isinstance(value, list) else []
        return f"{len(rows)} {self.row_label.lower()}{'' if len(rows) == 1 else 's'}"


Item = Annotated[Union[LeafItem, Group], Field(discriminator="type")]
ITEM_TYPES = (
    "short_text", "long_text", "single_choice", "multi_choice", "scale",
    "frequency", "yes_no_unsure", "date", "number", "group",
)


class Section(Strict):
    id: Slug
    title: Text
    intro: Text | None = None
    items: tuple[Item, ...] = Field(min_length=1)


# --- conditions (used by flags and lean signals) -------------------------------------


class ItemCondition(Strict):
    item: Slug
    in_: tuple[MatchValue, ...] | None = Field(None, alias="in", min_length=1)
    gte: float | None = None
    lte: float | None = None

    @model_validator(mode="after")
    def _one_test(self) -> ItemCondition:
        if self.in_ is None and self.gte is None and self.lte is None:
            raise ValueError("a condition on an item needs 'in', 'gte' or 'lte'")
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


# --- the definition ------------------------------------------------------------------


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
        return self

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
        return cls.model_validate(data)


def _duplicates(values: list[str]) -> list[str]:
    seen: set[str] = set()
    return [v for v in values if v in seen or seen.add(v)]
