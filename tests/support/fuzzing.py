"""Hypothesis settings and strategies for hostile input, and the check that fuzzed answers are storable."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from clinic.worksheets import Definition, Group
from clinic.worksheets.schema import DateItem, LongText, MultiChoice, NumberItem, Scale, ShortText


# Seeded by default, so that every run of `make test` tries the same examples and a red
# build is reproducible; GROUNDWORK_FUZZ=explore tries ten times as many, fresh ones.
EXPLORE = os.environ.get("GROUNDWORK_FUZZ") == "explore"


def fuzz_settings(examples: int) -> settings:
    return settings(max_examples=examples * (10 if EXPLORE else 1), derandomize=not EXPLORE, database=None,
                    deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


MARKUP = "<script>alert(1)</script>"


# Text as people and attackers type it: any unicode (no lone surrogates, which
# no browser can send as UTF-8), control characters and NUL included.
any_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)


nasty_text = st.sampled_from([
    "", " ", "\x00", "\u202e", "e\u0301", "🧠💔", MARKUP, "' OR 1=1 --", "{{ 7*7 }}", "%s%n", "\r\n", "NaN",
    "Infinity", "-0", "1e400", "0x10", "١٢", "¹", "1_000", "2026-02-30", "0000-00-00", "9999-12-31", "1899-12-31",
    "2026-1-1",
])


# What a number or a version might arrive as: digits Python's int() refuses ("¹") or
# accepts ("١٢"), signs, spaces, exponents, and numbers too large for any column.
ODD_NUMBERS = ["¹", "١٢", "-1", "9" * 30, "1e3", " 1 ", "²³", "٣", "½", "Ⅻ", "𝟗", "+1", "1.0", "0x1", "1_0", ""]


number_like = st.integers(-(2**70), 2**70).map(str) | st.sampled_from(ODD_NUMBERS)


def huge_text(limit: int) -> st.SearchStrategy[str]:
    """Text around and far beyond a length limit, in one- and multi-byte characters."""
    return st.builds(lambda n, char: char * n, st.integers(max(0, limit - 2), limit * 3 + 10),
                     st.sampled_from(["x", "é", "語", "🙂", " "]))


def assert_allowed(item: Any, value: Any) -> None:
    """One stored value is what the item's type, choices and limits allow."""
    if isinstance(item, (ShortText, LongText)):
        assert isinstance(value, str) and value == value.strip() and 0 < len(value) <= item.max_length
    elif isinstance(item, MultiChoice):
        allowed = {v for v, _ in item.choices}
        assert isinstance(value, list) and value and set(value) <= allowed
        assert len(value) <= (item.max_selected or len(allowed))
    elif isinstance(item, Scale):
        assert type(value) is int and item.min <= value <= item.max
    elif item.choices:
        assert isinstance(value, str) and value in {v for v, _ in item.choices}
    elif isinstance(item, DateItem):
        assert isinstance(value, str) and 1900 <= dt.date.fromisoformat(value).year <= 2200
        assert value == dt.date.fromisoformat(value).isoformat()
    elif isinstance(item, NumberItem):
        assert type(value) in ((int,) if item.integer else (int, float)) and math.isfinite(value)
        assert (item.min is None or value >= item.min) and (item.max is None or value <= item.max)
    else:
        raise AssertionError(f"no rule for item type {item.type}")


def assert_storable(definition: Definition, answers: dict[str, Any]) -> None:
    """Answers as they would be saved: known ids only, every value allowed, valid JSON."""
    items = {item.id: item for item in definition.items}
    assert set(answers) <= set(items)
    for item_id, value in answers.items():
        item = items[item_id]
        if isinstance(item, Group):
            assert isinstance(value, list) and 0 < len(value) <= item.max_rows
            subs = {sub.id: sub for sub in item.items}
            for row in value:
                assert row and set(row) <= set(subs)
                for sub_id, cell in row.items():
                    assert_allowed(subs[sub_id], cell)
        else:
            assert_allowed(item, value)
    json.dumps(answers, allow_nan=False)


def raw_values(item: Any) -> st.SearchStrategy[str]:
    """What might arrive in the request for one leaf item: plausible, wrong and hostile."""
    wrong = any_text | nasty_text
    if isinstance(item, (ShortText, LongText)):
        return wrong | huge_text(item.max_length)
    if item.choices:
        return st.sampled_from([str(value) for value, _ in item.choices]) | wrong
    if isinstance(item, DateItem):
        return st.dates().map(dt.date.isoformat) | wrong
    if isinstance(item, NumberItem):
        floats = st.floats(allow_nan=True, allow_infinity=True).map(str)
        return number_like | floats | wrong | huge_text(40).map(lambda s: "9" * len(s))
    return wrong


def field_values(item: Any) -> st.SearchStrategy[list[str]]:
    """Usually one value, sometimes none or several (a tampered request repeats fields)."""
    size = (0, 6) if isinstance(item, MultiChoice) else (0, 3)
    return st.lists(raw_values(item), min_size=size[0], max_size=size[1])


@st.composite
def form_data(draw: st.DrawFn, definition: Definition) -> MultiDict:
    """A POST body for the worksheet: any subset of its fields, rows past the limit, strangers."""
    data = MultiDict()
    for item in definition.items:
        if isinstance(item, Group):
            rows = draw(st.lists(st.integers(0, item.max_rows + 2), max_size=item.max_rows + 3, unique=True))
            for row in rows:
                for sub in item.items:
                    for value in draw(field_values(sub)):
                        data.add(f"{item.id}-{row}-{sub.id}", value)
        elif draw(st.booleans()):
            for value in draw(field_values(item)):
                data.add(item.id, value)
    for name in draw(st.lists(any_text | st.sampled_from(["csrf_token", "__proto__", "id", "-1"]), max_size=3)):
        data.add(name, draw(any_text))
    return data
