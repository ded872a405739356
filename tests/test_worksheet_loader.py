"""The loader accepts every shipped definition and names each kind of mistake precisely."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from clinic.config import PROJECT_ROOT
from clinic.worksheets import Definition, DefinitionError, load_definition, load_library
from tests.support.worksheet_files import MINIMAL, problems, write

SHIPPED = sorted((PROJECT_ROOT / "worksheets").glob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_shipped_definition_loads(path: Path):
    definition = load_definition(path)
    assert definition.id == path.stem
    assert definition.version >= 1
    assert definition.intro and definition.summary  # flags only where they fit (not every sheet has one)


def test_the_eight_article_worksheets_ship():
    library = load_library(PROJECT_ROOT / "worksheets")
    assert set(library) == {
        "origins-mapping", "partner-source-checklist", "security-building-plan", "behaviour-log", "jealousy",
        "comparison-and-cycle", "talking-to-my-partner", "weekly-check-in"}


def test_a_minimal_definition_loads(tmp_path):
    definition = load_definition(write(tmp_path, MINIMAL))
    assert [item.id for item in definition.items] == ["mood", "why", "pick", "goals"]
    assert definition.items_by_id["why"].required is False


def test_a_snapshot_reads_back_as_the_same_definition(tmp_path):
    for path in SHIPPED:
        definition = load_definition(path)
        assert Definition.from_snapshot(definition.snapshot()) == definition


def mutated(change) -> dict:
    data = copy.deepcopy(MINIMAL)
    change(data)
    return data


def item(data: dict, index: int) -> dict:
    return data["sections"][0]["items"][index]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: item(d, 0).update(type="slider"),
         "sections[0] (only) > items[0] (mood): unknown item type 'slider' (expected one of: date, frequency, group,"),
        (lambda d: item(d, 1).update(id="mood"), "id 'mood' is used twice"),
        (lambda d: item(d, 1).pop("label"), "sections[0] (only) > items[1] (why): 'label' is missing"),
        (lambda d: item(d, 2).update(options=[{"value": "a", "label": "A"}]),
         "items[2] (pick) > options: Tuple should have at least 2 items"),
        (lambda d: item(d, 2).update(options=[{"value": "a", "label": "A"}, {"value": "a", "label": "B"}]),
         "items[2] (pick) > options: option value 'a' appears twice"),
        (lambda d: item(d, 2).update(options=[{"value": "a"}, {"value": "b", "label": "B"}]),
         "items[2] (pick) > options[0]: 'label' is missing"),
        (lambda d: item(d, 0).update(anchors={0: "Low"}), "anchors must label both ends of the scale; missing [4]"),
        (lambda d: item(d, 0).update(colour="red"), "items[0] (mood): unknown field 'colour'"),
        (lambda d: item(d, 3)["items"][0].update(type="group"), "items[3] (goals) > items[0] (goal): unknown item type 'group'"),
        (lambda d: d.update(version=0), "version: Input should be greater than or equal to 1"),
        (lambda d: d["flags"][0].update(when={"item": "nope", "in": ["x"]}), "flag 'low' refers to unknown item 'nope'"),
        (lambda d: d["flags"][0].update(when={"item": "pick", "in": [True]}), "yes/no values must be written in quotes"),
        (lambda d: d["flags"][0].update(when={"colour": "mood"}), "a condition needs one of 'item', 'tags', 'any' or 'all'"),
        (lambda d: d["summary"][0].update(items=["why"]), "summary 'mood-profile': item 'why' is not a scale"),
        (lambda d: d["summary"][0].update(kind="pie"), "summary[0] (mood-profile): Input tag 'pie'"),
        (lambda d: d["sections"][0].update(items=[]), "sections[0] (only) > items: Tuple should have at least 1 item"),
        (lambda d: item(d, 1).update(max_length=99999), "items[1] (why) > max_length: Input should be less than or equal to 10000"),
    ],
    ids=["unknown-type", "duplicate-id", "missing-label", "too-few-options", "duplicate-option", "option-label",
         "scale-anchors", "unknown-field", "nested-group", "bad-version", "unknown-reference", "unquoted-yes",
         "bad-condition", "profile-of-text", "unknown-summary-kind", "empty-section", "limit-too-high"],
)
def test_each_kind_of_mistake_is_named_with_its_place(tmp_path, change, expected):
    assert expected in problems(tmp_path, mutated(change))


def test_the_id_must_match_the_file_name(tmp_path):
    assert "id: 'tiny' must match the file name 'other'" in problems(tmp_path, MINIMAL, name="other")


def test_a_file_that_is_not_yaml_is_named(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("id: [unclosed\n")
    with pytest.raises(DefinitionError, match=r"broken\.yaml is not valid:\n  - not valid YAML"):
        load_definition(path)


def test_a_broken_file_stops_the_app(tmp_path):
    from clinic import create_app

    write(tmp_path, mutated(lambda d: item(d, 0).update(type="slider")))
    with pytest.raises(DefinitionError, match="unknown item type 'slider'"):
        create_app({"SECRET_KEY": "x", "WORKSHEETS_DIR": str(tmp_path),
                    "SQLALCHEMY_DATABASE_URI": "sqlite://"})
