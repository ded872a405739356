"""`read_posted` is the one way from a request to answers, and it cleans what it reads."""

from __future__ import annotations

import ast
from pathlib import Path

from werkzeug.datastructures import MultiDict

import clinic.worksheets
from clinic.assignments.services import definition_of
from clinic.config import PROJECT_ROOT
from clinic.worksheets import read_posted
from clinic.worksheets.forms import form_class

APP_MODULES = [path for path in (PROJECT_ROOT / "clinic").rglob("*.py")
               if PROJECT_ROOT / "clinic" / "worksheets" not in path.parents]
# (clinic.worksheets.fields, the engine's WTForms fields, may be reused: the PDF form's date field is one.)
ENGINE_INTERNALS = ("clinic.worksheets.forms", "clinic.worksheets.posted", "clinic.worksheets.items")


def calls_and_imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield "import", node.module, [alias.name for alias in node.names]
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "build_form":
            yield "build_form", {k.arg: ast.unparse(k.value) for k in node.keywords}, []


def test_no_route_reads_answers_but_through_read_posted():
    assert not hasattr(clinic.worksheets, "answers_from_form") and not hasattr(clinic.worksheets, "validate")
    for path in APP_MODULES:
        for kind, what, names in calls_and_imports(path):
            if kind == "import":
                assert not what.startswith(ENGINE_INTERNALS), f"{path} imports engine internals from {what}"
            else:
                assert what.get("formdata") == "None", f"{path} builds a worksheet form from posted data"


def test_the_portal_reads_through_read_posted():
    saving = (PROJECT_ROOT / "clinic" / "portal" / "saving.py").read_text(encoding="utf-8")
    assert "read_posted(definition, request.form" in saving


# --- what is cleaned ---------------------------------------------------------------------------------

def test_lone_surrogates_are_stripped(app, tmp_path):
    definition = app.extensions["worksheets"]["origins-mapping"]
    text_item = next(item for item in definition.items if item.type == "long_text")
    with app.test_request_context(method="POST"):
        posted = read_posted(definition, MultiDict({text_item.id: "half \ud83d of a smile"}), submit=False)
    assert posted.status == "ok" and posted.answers == {text_item.id: "half  of a smile"}


def test_keys_that_are_not_the_worksheets_are_refused_before_anything_is_read(app):
    definition = app.extensions["worksheets"]["security-building-plan"]
    with app.test_request_context(method="POST"):
        for key in ("nonsense", "goals-0-nonsense", "goals-99-goal", "goals-¹-goal"):
            posted = read_posted(definition, MultiDict({key: "x"}), submit=False)
            assert (posted.status, posted.answers, posted.form) == ("forged", {}, None), key


def test_a_snapshot_is_parsed_once_and_its_form_class_made_once(make, clinician):
    first, second = (make.assignment(make.client(clinician), "security-building-plan") for _ in range(2))
    assert definition_of(first) is definition_of(second)
    assert form_class(definition_of(first)) is form_class(definition_of(second))
