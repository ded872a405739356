"""Conditions on answers: when a flag is raised, and which items a client is shown.

An item with `show_if` is shown only while its condition holds on the answers
shown before it. Answers to hidden items stay in the stored draft (nothing is
lost) but count as not given: they are not required, not read back, not
printed, and not summarised or flagged.
"""

from __future__ import annotations

from typing import Any

from clinic.worksheets.schema import AllCondition, AnyCondition, Definition, ItemCondition, TagCondition

Answers = dict[str, Any]


def is_answered(value: Any) -> bool:
    return value not in (None, "", [], {})


def matches(value: Any, wanted: tuple[Any, ...]) -> bool:
    """Whether an answer is one of the wanted values (any of them, for multi-choice)."""
    if not is_answered(value):
        return False
    wanted_text = {str(w) for w in wanted}
    values = value if isinstance(value, list) else [value]
    return any(str(v) in wanted_text for v in values)


def tagged(definition: Definition, tags: tuple[str, ...]) -> list[Any]:
    return [item for item in definition.items if set(tags) & set(item.tags)]


def holds(definition: Definition, condition: Any, answers: Answers) -> bool:
    if isinstance(condition, AnyCondition):
        return any(holds(definition, c, answers) for c in condition.any)
    if isinstance(condition, AllCondition):
        return all(holds(definition, c, answers) for c in condition.all)
    if isinstance(condition, TagCondition):
        hits = sum(matches(answers.get(i.id), condition.in_) for i in tagged(definition, condition.tags))
        return hits >= condition.min_count
    assert isinstance(condition, ItemCondition)
    value = answers.get(condition.item)
    if not is_answered(value):
        return False
    if condition.in_ is not None and not matches(value, condition.in_):
        return False
    if condition.not_in is not None and matches(value, condition.not_in):
        return False
    number = as_number(value)
    if condition.gte is not None and (number is None or number < condition.gte):
        return False
    if condition.lte is not None and (number is None or number > condition.lte):
        return False
    return True


def as_number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def hidden_items(definition: Definition, answers: Answers) -> frozenset[str]:
    """Ids of the items whose `show_if` does not hold (read in order: hidden answers count as none)."""
    hidden: set[str] = set()
    shown: Answers = {}
    for item in definition.items:
        if item.show_if is not None and not holds(definition, item.show_if, shown):
            hidden.add(item.id)
        elif item.id in answers:
            shown[item.id] = answers[item.id]
    return frozenset(hidden)


def condition_items(condition: Any) -> set[str]:
    """Ids of the items a condition reads (tag conditions read none by id)."""
    if isinstance(condition, (AnyCondition, AllCondition)):
        inner = condition.any if isinstance(condition, AnyCondition) else condition.all
        return set().union(*(condition_items(c) for c in inner))
    return {condition.item} if isinstance(condition, ItemCondition) else set()


def reads_only(condition: Any, item_ids: set[str]) -> bool:
    """Whether a condition reads nothing but these items (a tag condition may read any item)."""
    if isinstance(condition, (AnyCondition, AllCondition)):
        inner = condition.any if isinstance(condition, AnyCondition) else condition.all
        return all(reads_only(c, item_ids) for c in inner)
    return isinstance(condition, ItemCondition) and condition.item in item_ids


def show_if_words(definition: Definition, item: Any) -> str:
    """The item's condition in the client's words, for pages without JavaScript and for paper."""
    if item.show_if is None:
        return ""
    position = [i.id for i in definition.items].index(item.id)
    previous = definition.items[position - 1].id if position else None
    return f"Answer this if {_words(definition, item.show_if, previous)}."


def _words(definition: Definition, condition: Any, previous: str | None) -> str:
    if isinstance(condition, (AnyCondition, AllCondition)):
        inner = condition.any if isinstance(condition, AnyCondition) else condition.all
        joiner = ", or if " if isinstance(condition, AnyCondition) else ", and "
        return joiner.join(_words(definition, c, previous) for c in inner)
    source = definition.items_by_id[condition.item]
    where = "above" if condition.item == previous else f"for “{source.title}”"
    if condition.in_ is not None:
        return f"you chose {_options(source, condition.in_)} {where}"
    if condition.not_in is not None:
        return f"you chose something other than {_options(source, condition.not_in)} {where}"
    if condition.gte is not None and condition.lte is not None:
        return f"your answer {where} was from {_plain(condition.gte)} to {_plain(condition.lte)}"
    if condition.gte is not None:
        return f"your answer {where} was {_plain(condition.gte)} or more"
    return f"your answer {where} was {_plain(condition.lte)} or less"


def _options(item: Any, values: tuple[Any, ...]) -> str:
    labels = dict(item.choices)
    return " or ".join(f"“{labels.get(value, value)}”" for value in values)


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)
