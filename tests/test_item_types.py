"""Item types are registered classes, each with its own module and its own template of macros."""

from __future__ import annotations

import pytest

from clinic.worksheets import load_definition
from clinic.worksheets.items import REGISTRY, ItemBase
from tests.support.worksheet_files import ALL_TYPES, write


@pytest.mark.parametrize("type_name", sorted(REGISTRY))
def test_every_registered_type_has_page_answer_and_paper_macros(app, type_name):
    item_type = REGISTRY[type_name]
    assert issubclass(item_type, ItemBase)
    macros = app.jinja_env.get_template(f"worksheets/items/{item_type.template_name}.html").module
    for name in ("page", "answer", "paper"):
        assert callable(getattr(macros, name)), f"{item_type.template_name}.html has no macro {name!r}"


def test_each_answer_has_a_plain_value_and_words(tmp_path):
    definition = load_definition(write(tmp_path, ALL_TYPES, name="all-types"))
    items = definition.items_by_id
    goals = [{"goal": "Sleep earlier", "check-in": "2027-01-05"}]
    assert items["goals"].plain_value(goals) == goals
    assert items["goals"].display(goals) == "1 goal"
    assert (items["when"].plain_value("2027-01-05"), items["when"].display("2027-01-05")) == (
        "2027-01-05", "5 January 2027")
    assert (items["often"].plain_value("sometimes"), items["often"].display("sometimes")) == ("sometimes", "Sometimes")
    assert items["many"].display(["x", "z"]) == "X; Z"
    assert (items["mood"].plain_value(4), items["mood"].display(4)) == (4, "4 of 4 – High")
