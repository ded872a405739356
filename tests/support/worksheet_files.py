"""Worksheet definitions written as YAML files for a test: a minimal one, one with every item
type (with complete and invalid answers), one whose items depend on each other, and the
loader's error message for a broken one."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from clinic.worksheets import DefinitionError, load_definition


MINIMAL = {
    "id": "tiny",
    "version": 1,
    "title": "A tiny worksheet",
    "estimated_minutes": 5,
    "intro": "Hello.",
    "sections": [
        {
            "id": "only",
            "title": "Only section",
            "items": [
                {"id": "mood", "type": "scale", "label": "How are you?", "min": 0, "max": 4,
                 "anchors": {0: "Low", 4: "High"}, "tags": ["feeling"]},
                {"id": "why", "type": "long_text", "label": "Why?", "required": False},
                {"id": "pick", "type": "single_choice", "label": "Pick one",
                 "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]},
                {"id": "goals", "type": "group", "label": "Goals", "row_label": "Goal",
                 "items": [{"id": "goal", "type": "short_text", "label": "Goal"}]},
            ],
        }
    ],
    "summary": [{"id": "mood-profile", "kind": "profile", "label": "Mood", "items": ["mood"]}],
    "flags": [{"id": "low", "when": {"item": "mood", "lte": 1}, "say": "Low mood"}],
}


def write(tmp_path: Path, data: dict, name: str = "tiny") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def problems(tmp_path: Path, data: dict, name: str = "tiny") -> str:
    with pytest.raises(DefinitionError) as caught:
        load_definition(write(tmp_path, data, name))
    message = str(caught.value)
    assert f"{name}.yaml" in message
    return message


ALL_TYPES = {
    **MINIMAL,
    "id": "all-types",
    "sections": [
        {
            "id": "everything",
            "title": "Every item type",
            "items": [
                {"id": "name", "type": "short_text", "label": "Name", "max_length": 10},
                {"id": "story", "type": "long_text", "label": "Story", "max_length": 50, "required": False},
                {"id": "pick", "type": "single_choice", "label": "Pick",
                 "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]},
                {"id": "many", "type": "multi_choice", "label": "Many", "max_selected": 2, "required": False,
                 "options": [{"value": "x", "label": "X"}, {"value": "y", "label": "Y"}, {"value": "z", "label": "Z"}]},
                {"id": "mood", "type": "scale", "label": "Mood", "min": 0, "max": 4,
                 "anchors": {0: "Low", 4: "High"}, "tags": ["feeling"]},
                {"id": "often", "type": "frequency", "label": "How often", "required": False},
                {"id": "sure", "type": "yes_no_unsure", "label": "Sure?", "required": False},
                {"id": "when", "type": "date", "label": "When", "required": False},
                {"id": "count", "type": "number", "label": "How many", "min": 0, "max": 20, "required": False},
                {"id": "goals", "type": "group", "label": "Goals", "row_label": "Goal", "max_rows": 3,
                 "items": [{"id": "goal", "type": "short_text", "label": "Goal"},
                           {"id": "check-in", "type": "date", "label": "Check-in", "required": False}]},
            ],
        }
    ],
    "summary": [],
    "flags": [],
}


COMPLETE = {
    "name": "Robin", "story": "<b>It began</b>", "pick": "a", "many": ["x", "z"], "mood": "3",
    "often": "sometimes", "sure": "unsure", "when": "2026-12-01", "count": "4",
    "goals-0-goal": "Sleep earlier", "goals-0-check-in": "2027-01-05",
}


INVALID_ANSWERS = [
    ("name", "x" * 11, "This answer is 11 characters long; the limit is 10. Please shorten it by 1 character."),
    ("story", "y" * 60, "the limit is 50"),
    ("pick", "c", "Please choose one of the options shown."),
    ("many", "w", "Please tick only the options shown."),
    ("mood", "9", "Please choose one of the options shown."),
    ("mood", "lots", "Please choose one of the options shown."),
    ("often", "always", "Please choose one of the options shown."),
    ("sure", "maybe", "Please choose one of the options shown."),
    ("when", "2026-02-30", "Please enter a real date as year-month-day, for example 2026-12-01."),
    ("when", "31/12/2026", "Please enter a real date"),
    ("when", "0001-01-01", "between the years 1900 and 2200"),
    ("count", "four", "Please enter a whole number, for example 3."),
    ("count", "2.5", "Please enter a whole number"),
    ("count", "NaN", "Please enter a whole number"),
    ("count", "1e400", "Please enter a whole number"),
    ("count", "21", "Please enter a number from 0 to 20."),
    ("goals-0-check-in", "soon", "Please enter a real date"),
    ("goals-0-goal", "g" * 201, "the limit is 200"),
]


CONDITIONAL = {
    "id": "conditional",
    "version": 1,
    "title": "Questions that depend on each other",
    "estimated_minutes": 5,
    "intro": "Hello.",
    "sections": [
        {
            "id": "signs",
            "title": "What happens",
            "items": [
                {"id": "hot-cold", "type": "frequency", "label": "Warm one day and cold the next",
                 "tags": ["partner"]},
                {"id": "hot-cold-example", "type": "long_text", "label": "A time your partner ran hot and cold",
                 "show_if": {"item": "hot-cold", "not_in": ["never"]}},
                {"id": "upset", "type": "single_choice", "label": "How much did it upset you?", "tags": ["partner"],
                 "short_label": "How upset",
                 "options": [{"value": "a-little", "label": "A little"}, {"value": "a-lot", "label": "A lot"}],
                 "show_if": {"any": [{"item": "hot-cold", "in": ["often"]},
                                     {"item": "hot-cold", "in": ["sometimes"]}]}},
                {"id": "upset-detail", "type": "short_text", "label": "What upset you most", "required": False,
                 "show_if": {"item": "upset", "in": ["a-lot"]}},
                {"id": "anything-else", "type": "short_text", "label": "Anything else", "required": False},
            ],
        }
    ],
    "summary": [{"id": "partner-count", "kind": "count", "label": "Strong answers", "tags": ["partner"],
                 "values": ["often", "a-lot"]}],
    "flags": [{"id": "very-upset", "when": {"item": "upset", "in": ["a-lot"]}, "say": "The client was very upset"}],
}


# Answers a client gave, then changed "hot-cold" to "never": the later answers stay stored but no longer apply.
CHANGED_TO_NEVER = {"hot-cold": "never", "hot-cold-example": "The weekend in May", "upset": "a-lot",
                    "upset-detail": "The silence", "anything-else": "No"}


def with_items(**changes) -> dict:
    """CONDITIONAL with some of its items changed (by id) — for the load-time checks."""
    data = copy.deepcopy(CONDITIONAL)
    items = data["sections"][0]["items"]
    for position, item in enumerate(items):
        if item["id"] in changes:
            items[position] = {**item, **changes[item["id"]]}
    return data
