"""FHIR R4 export: every worksheet as a Questionnaire, every sent worksheet as a
QuestionnaireResponse, validated with fhir.resources (R4B models) and read back."""

from __future__ import annotations

import json

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from sqlalchemy import select

from clinic.assignments.services import definition_of
from clinic.extensions import db
from clinic.fhir.services import questionnaire, questionnaire_response
from clinic.models import AuditEvent
from clinic.worksheets import Group, hidden_items, is_answered, load_definition, load_library
from clinic.config import PROJECT_ROOT
from clinic.worksheets.schema import DateItem, MultiChoice, NumberItem
from tests.support.samples import SAMPLE_ANSWERS, WORKSHEETS, sample_answers
from tests.support.worksheet_files import CHANGED_TO_NEVER, CONDITIONAL, with_items, write


LIBRARY = tuple(load_library(PROJECT_ROOT / "worksheets"))  # every shipped worksheet, however many
# fhir.resources checks structure and data types but not these code lists (R4 value sets).
R4_ITEM_TYPES = {"group", "display", "boolean", "decimal", "integer", "date", "dateTime", "time", "string",
                 "text", "url", "choice", "open-choice", "attachment", "reference", "quantity"}


def all_items(items):
    """FHIR items depth first."""
    for item in items or []:
        yield item
        yield from all_items(item.get("item"))


def plain(answer: dict):
    """A FHIR answer back to the value Groundwork stores (a scale point by its ordinalValue)."""
    (kind, value), = answer.items()
    if kind == "valueCoding":
        ordinal = [e["valueDecimal"] for e in value.get("extension", []) if e["url"].endswith("/ordinalValue")]
        return ordinal[0] if ordinal else value["code"]
    return value


def answers_read_back(resource: dict, definition) -> dict:
    """A QuestionnaireResponse read back into Groundwork's answers (sections flattened, rows as dicts)."""
    groups = {item.id for item in definition.items if isinstance(item, Group)}
    multi = {item.id for item in definition.items if isinstance(item, MultiChoice)}
    answers: dict = {}
    for section in resource.get("item", []):
        for entry in section["item"]:
            if entry["linkId"] in groups:
                answers.setdefault(entry["linkId"], []).append(
                    {cell["linkId"]: plain(cell["answer"][0]) for cell in entry["item"]})
            else:
                values = [plain(a) for a in entry["answer"]]
                answers[entry["linkId"]] = values if entry["linkId"] in multi else values[0]
    return answers


def stored(answers: dict) -> dict:
    """Answers as they would read back: what was answered."""
    kept = {}
    for item_id, value in answers.items():
        if not is_answered(value):
            continue
        if isinstance(value, list) and value and isinstance(value[0], dict):
            value = [{k: v for k, v in row.items() if is_answered(v)} for row in value]
            value = [row for row in value if row]
        kept[item_id] = value
    return kept


@pytest.fixture
def robin(make, clinician):
    return make.client(clinician, display_name="Robin A.", email="robin@example.test", notes="Private notes")


@pytest.mark.parametrize("worksheet_id", LIBRARY)
def test_every_worksheet_is_a_valid_questionnaire_with_its_items_types_and_options(app, worksheet_id):
    definition = app.extensions["worksheets"][worksheet_id]
    resource = questionnaire(definition)
    Questionnaire.model_validate(resource)
    assert resource["status"] in {"draft", "active", "retired", "unknown"}
    assert {item["type"] for item in all_items(resource["item"])} <= R4_ITEM_TYPES
    by_link = {item["linkId"]: item for item in all_items(resource["item"])}
    assert [item["linkId"] for item in resource["item"]] == [section.id for section in definition.sections]
    for item in definition.items:
        exported = by_link[item.id]
        assert exported["text"] == item.label
        if isinstance(item, Group):
            assert exported["type"] == "group" and exported["repeats"] is True
            assert [sub["linkId"] for sub in exported["item"]] == [sub.id for sub in item.items]
        else:
            assert exported["required"] is item.required
        if item.choices:
            assert exported["type"] == "choice"
            assert [(o["valueCoding"]["code"], o["valueCoding"]["display"]) for o in exported["answerOption"]] == [
                (str(value), label) for value, label in item.choices]
        assert exported.get("repeats", False) is isinstance(item, (Group, MultiChoice))


def full_answers(definition) -> dict:
    """The sample answers where there are some, else an answer to every item, made from the definition."""
    if definition.id in SAMPLE_ANSWERS:
        return sample_answers(definition.id)

    def answer(item):
        if isinstance(item, Group):
            return [{sub.id: answer(sub) for sub in item.items}]
        if item.choices:
            values = [value for value, _ in item.choices]
            return values[:2] if isinstance(item, MultiChoice) else values[-1]
        if isinstance(item, NumberItem):
            return int(item.min or 1) if item.integer else (item.min or 0) + 0.5
        return "2026-10-01" if isinstance(item, DateItem) else f"Words for {item.id}"

    return {item.id: answer(item) for item in definition.items if item.show_if is None}


@pytest.mark.parametrize("worksheet_id", LIBRARY)
def test_a_sent_worksheet_round_trips_every_answer(app, make, robin, worksheet_id):
    answers = full_answers(app.extensions["worksheets"][worksheet_id])
    sent = make.assignment(robin, worksheet_id, status="submitted", answers=answers)
    resource = questionnaire_response(sent)
    QuestionnaireResponse.model_validate(resource)
    definition = definition_of(sent)
    assert resource["questionnaire"] == f"{questionnaire(definition)['url']}|{definition.version}"
    assert resource["status"] == "completed"  # of in-progress, completed, amended, entered-in-error, stopped
    assert answers_read_back(resource, definition) == stored(answers)


def test_unanswered_items_and_empty_sections_are_left_out(app, make, robin):
    definition = app.extensions["worksheets"]["partner-source-checklist"]
    last = definition.sections[-1]
    answered = last.items[0].id
    sent = make.assignment(robin, definition.id, status="submitted",
                           answers={answered: full_answers(definition)[answered]})
    resource = questionnaire_response(sent)
    QuestionnaireResponse.model_validate(resource)
    assert [(s["linkId"], [i["linkId"] for i in s["item"]]) for s in resource["item"]] == [(last.id, [answered])]


def test_the_review_page_offers_the_download_and_it_is_a_valid_audited_bundle(signed_in, make, robin):
    sent = make.assignment(robin, "origins-mapping", status="submitted", answers=sample_answers("origins-mapping"))
    page = signed_in.get(f"/assignments/{sent.id}").get_data(as_text=True)
    assert f'href="/assignments/{sent.id}/fhir" download>FHIR (JSON)</a>' in page

    response = signed_in.get(f"/assignments/{sent.id}/fhir")
    assert response.status_code == 200
    assert response.mimetype == "application/fhir+json"
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    resource = response.get_json(force=True)
    Bundle.model_validate(resource)
    kinds = [entry["resource"]["resourceType"] for entry in resource["entry"]]
    assert kinds == ["Patient", "Questionnaire", "QuestionnaireResponse"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "fhir_worksheet_exported"))
    assert (event.object_id, event.client_id, event.actor_type) == (sent.id, robin.id, "clinician")


def test_a_draft_is_not_exported(signed_in, make, robin):
    draft = make.assignment(robin, "origins-mapping", status="in_progress", answers={"caregiving-resonance": 2})
    assert "FHIR (JSON)" not in signed_in.get(f"/assignments/{draft.id}").get_data(as_text=True)
    assert signed_in.get(f"/assignments/{draft.id}/fhir").status_code == 404


def check_client_bundle(resource: dict, robin, sent: list) -> None:
    Bundle.model_validate(resource)
    entries = resource["entry"]
    patients = [e for e in entries if e["resource"]["resourceType"] == "Patient"]
    questionnaires = {f"{e['resource']['url']}|{e['resource']['version']}"
                      for e in entries if e["resource"]["resourceType"] == "Questionnaire"}
    responses = [e["resource"] for e in entries if e["resource"]["resourceType"] == "QuestionnaireResponse"]
    assert len(patients) == 1 and patients[0]["resource"]["name"] == [{"text": robin.display_name}]
    assert robin.email not in json.dumps(resource) and robin.notes not in json.dumps(resource)
    assert [r["id"] for r in responses] == [f"assignment-{a.id}" for a in sent]
    assert {r["questionnaire"] for r in responses} == questionnaires
    assert {r["subject"]["reference"] for r in responses} == {patients[0]["fullUrl"]}


def test_the_client_bundle_holds_everything_they_sent_and_nothing_else(signed_in, make, robin):
    sent = [make.assignment(robin, worksheet_id, status=status, answers=sample_answers(worksheet_id))
            for worksheet_id, status in zip(WORKSHEETS, ("submitted", "reviewed", "submitted"))]
    sent.append(make.assignment(robin, WORKSHEETS[0], status="submitted", answers=sample_answers(WORKSHEETS[0])))
    make.assignment(robin, WORKSHEETS[1], status="in_progress", answers={})
    page = signed_in.get(f"/clients/{robin.id}").get_data(as_text=True)
    assert f'href="/clients/{robin.id}/fhir" download>FHIR (JSON)</a>' in page

    response = signed_in.get(f"/clients/{robin.id}/fhir")
    assert response.status_code == 200 and response.mimetype == "application/fhir+json"
    check_client_bundle(response.get_json(force=True), robin, sent)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "fhir_client_exported"))
    assert event.client_id == robin.id and event.detail["assignments"] == [a.id for a in sent]


def test_the_command_line_export_is_the_same_bundle_and_audited(app, runner, make, robin):
    sent = [make.assignment(robin, "security-building-plan", status="submitted",
                            answers=sample_answers("security-building-plan"))]
    result = runner.invoke(args=["export-fhir", "--client", str(robin.id)])
    assert result.exit_code == 0, result.output
    check_client_bundle(json.loads(result.output), robin, sent)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "fhir_client_exported"))
    assert (event.actor_type, event.client_id) == ("system", robin.id)


def test_the_command_line_says_plainly_when_there_is_no_such_client(app, runner):
    result = runner.invoke(args=["export-fhir", "--client", "404"])
    assert result.exit_code != 0 and "There is no client 404." in result.output


def test_another_clinicians_client_and_worksheets_are_not_exported(signed_in, make):
    other = make.client(make.clinician())
    sent = make.assignment(other, "origins-mapping", status="submitted", answers=sample_answers("origins-mapping"))
    assert signed_in.get(f"/clients/{other.id}/fhir").status_code == 404
    assert signed_in.get(f"/assignments/{sent.id}/fhir").status_code == 404
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action.like("fhir%"))) is None


# --- conditional items (show_if) --------------------------------------------------------------


@pytest.fixture
def conditional(tmp_path):
    return load_definition(write(tmp_path, CONDITIONAL, name="conditional"))


def sent_with(make, person, definition, answers):
    """A sent worksheet of a definition that is not in the library (its snapshot is what counts)."""
    assignment = make.assignment(person, "origins-mapping", status="submitted", answers=answers)
    assignment.worksheet_id = definition.id
    assignment.definition_snapshot = definition.snapshot()
    db.session.commit()
    return assignment


def test_show_if_becomes_enable_when(conditional):
    resource = questionnaire(conditional)
    Questionnaire.model_validate(resource)
    by_link = {item["linkId"]: item for item in all_items(resource["item"])}
    system = f"{resource['url']}:hot-cold"
    # not_in [never] on a choice: enabled by each of the other options.
    assert by_link["hot-cold-example"]["enableBehavior"] == "any"
    assert [(t["question"], t["operator"], t["answerCoding"]["code"], t["answerCoding"]["system"])
            for t in by_link["hot-cold-example"]["enableWhen"]] == [
        ("hot-cold", "=", code, system) for code in ("rarely", "sometimes", "often")]
    assert [t["answerCoding"]["code"] for t in by_link["upset"]["enableWhen"]] == ["often", "sometimes"]
    assert [(t["question"], t["answerCoding"]["code"]) for t in by_link["upset-detail"]["enableWhen"]] == [
        ("upset", "a-lot")]
    assert "enableBehavior" not in by_link["upset-detail"]
    assert "enableWhen" not in by_link["anything-else"]


@pytest.mark.parametrize("show_if, expected", [
    ({"item": "count", "gte": 3}, ([("count", "exists", True), ("count", ">=", 3)], "all")),
    ({"item": "count", "in": [1, 2]}, ([("count", "=", 1), ("count", "=", 2)], "any")),
    ({"item": "count", "not_in": [0]}, ([("count", "exists", True), ("count", "!=", 0)], "all")),
    ({"all": [{"item": "count", "gte": 1}, {"item": "count", "lte": 5}]},
     ([("count", "exists", True), ("count", ">=", 1), ("count", "exists", True), ("count", "<=", 5)], "all")),
])
def test_number_conditions_become_comparisons(tmp_path, show_if, expected):
    data = {**CONDITIONAL, "sections": [{"id": "numbers", "title": "Numbers", "items": [
        {"id": "count", "type": "number", "label": "How many times?", "min": 0, "max": 50},
        {"id": "which", "type": "short_text", "label": "Which ones?", "show_if": show_if}]}],
        "summary": [], "flags": []}
    which = {item["linkId"]: item for item in all_items(questionnaire(load_definition(
        write(tmp_path, data, name="conditional")))["item"])}["which"]
    tests, behaviour = expected
    assert [(t["question"], t["operator"], t.get("answerInteger", t.get("answerBoolean")))
            for t in which["enableWhen"]] == tests
    assert which.get("enableBehavior", "any" if len(tests) == 1 else None) == behaviour


def test_a_condition_one_behaviour_cannot_say_becomes_a_fhirpath_expression(tmp_path):
    data = with_items(**{"upset-detail": {"show_if": {"all": [
        {"any": [{"item": "hot-cold", "in": ["often"]}, {"item": "upset", "in": ["a-lot"]}]},
        {"item": "hot-cold", "not_in": ["never"]}]}}})
    resource = questionnaire(load_definition(write(tmp_path, data, name="conditional")))
    Questionnaire.model_validate(resource)
    detail = {item["linkId"]: item for item in all_items(resource["item"])}["upset-detail"]
    assert "enableWhen" not in detail
    [extension] = detail["extension"]
    assert extension["url"].endswith("sdc-questionnaire-enableWhenExpression")
    expression = extension["valueExpression"]["expression"]
    assert "linkId = 'hot-cold'" in expression and "in ('often')" in expression and " or " in expression
    assert ".where($this in ('never')).empty()" in expression


def test_hidden_answers_are_left_out_of_the_response(app, make, robin, conditional):
    sent = sent_with(make, robin, conditional, dict(CHANGED_TO_NEVER))
    resource = questionnaire_response(sent)
    QuestionnaireResponse.model_validate(resource)
    exported = {item["linkId"]: item for item in all_items(resource["item"])}
    assert set(exported) == {"signs", "hot-cold", "anything-else"}
    assert set(hidden_items(conditional, CHANGED_TO_NEVER)) == {"hot-cold-example", "upset", "upset-detail"}


def test_shown_conditional_answers_round_trip(app, make, robin, conditional):
    answers = {"hot-cold": "often", "hot-cold-example": "Saturday", "upset": "a-lot", "upset-detail": "Silence"}
    sent = sent_with(make, robin, conditional, answers)
    resource = questionnaire_response(sent)
    QuestionnaireResponse.model_validate(resource)
    assert answers_read_back(resource, conditional) == answers
