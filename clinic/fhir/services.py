"""Build FHIR R4 resources from worksheet definitions and answers, as plain JSON-ready dicts.

Everything is read from the definition: each section is a group, each item keeps
its id as its linkId, choices become answer options, and a repeating group
becomes a repeating FHIR group. Nothing here knows a particular worksheet.
Only the client's display name leaves with the answers (no email, no notes).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from clinic.assignments.services import definition_of
from clinic.models import Assignment, AssignmentStatus, Client, utcnow
from clinic.worksheets import Definition, Group, hidden_items, is_answered
from clinic.worksheets.conditions import holds
from clinic.worksheets.schema import (
    AllCondition,
    AnyCondition,
    DateItem,
    ItemCondition,
    LongText,
    MultiChoice,
    NumberItem,
    Scale,
)

CANONICAL_BASE = "urn:groundwork:questionnaire"
# Fixed, so the same client or worksheet always gets the same urn:uuid in every export.
NAMESPACE = uuid.UUID("6f1d4e0c-3b1a-5c2e-9d7f-2a9e8c1b4d60")
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
UNIT = "http://hl7.org/fhir/StructureDefinition/questionnaire-unit"
ENABLE_WHEN_EXPRESSION = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-enableWhenExpression"
FHIR_JSON = "application/fhir+json"


def canonical(definition: Definition) -> str:
    return f"{CANONICAL_BASE}:{definition.id}"


def full_url(kind: str, key: str) -> str:
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, f'{kind}/{key}')}"


def questionnaire_id(definition: Definition) -> str:
    """A FHIR id (at most 64 characters) naming the worksheet and its version."""
    suffix = f"-v{definition.version}"
    return definition.id[: 64 - len(suffix)] + suffix


# --- Questionnaire ----------------------------------------------------------------------


def questionnaire(definition: Definition) -> dict[str, Any]:
    """The worksheet definition as a Questionnaire: one group per section, linkIds = item ids."""
    return {
        "resourceType": "Questionnaire",
        "id": questionnaire_id(definition),
        "url": canonical(definition),
        "version": str(definition.version),
        "name": "".join(part.title() for part in definition.id.split("-"))[:255],
        "title": definition.title,
        "status": "active",
        "subjectType": ["Patient"],
        "description": definition.intro,
        "item": [
            {"linkId": section.id, "text": section.title, "type": "group", "required": False,
             "item": [_question(definition, item) for item in section.items]}
            for section in definition.sections
        ],
    }


def _question(definition: Definition, item: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"linkId": item.id, "text": item.label, "type": _fhir_type(item)}
    if item.short_label:
        entry["prefix"] = item.short_label
    if item.show_if is not None:
        entry.update(enable_when(definition, item.show_if))
    if isinstance(item, Group):
        entry.update(required=item.min_rows > 0, repeats=True,
                     item=[_question(definition, sub) for sub in item.items])
        return entry
    entry["required"] = item.required
    if isinstance(item, MultiChoice):
        entry["repeats"] = True
    if item.choices:
        entry["answerOption"] = [{"valueCoding": _coding(definition, item, value)} for value, _ in item.choices]
    if getattr(item, "max_length", None):
        entry["maxLength"] = item.max_length
    if isinstance(item, NumberItem):
        kind = "valueInteger" if item.integer else "valueDecimal"
        limits = [{"url": url, kind: int(bound) if item.integer else bound}
                  for url, bound in ((MIN_VALUE, item.min), (MAX_VALUE, item.max)) if bound is not None]
        unit = [{"url": UNIT, "valueCoding": {"display": item.unit}}] if item.unit else []
        if limits or unit:
            entry["extension"] = entry.get("extension", []) + limits + unit
    return entry


# --- show_if as enableWhen ----------------------------------------------------------------


def enable_when(definition: Definition, condition: Any) -> dict[str, Any]:
    """A `show_if` as FHIR's enableWhen list where one enableBehavior can say it; otherwise
    (an "any" inside an "all", say) as the SDC enableWhenExpression in FHIRPath."""
    tests = _enable_tests(definition, condition)
    if tests is None:
        return {"extension": [{"url": ENABLE_WHEN_EXPRESSION, "valueExpression": {
            "language": "text/fhirpath", "expression": _fhirpath(definition, condition)}}]}
    found, behaviour = tests
    return {"enableWhen": found, "enableBehavior": behaviour} if len(found) > 1 else {"enableWhen": found}


def _enable_tests(definition: Definition, condition: Any) -> tuple[list[dict[str, Any]], str] | None:
    """(enableWhen entries, "any" or "all"), or None when a single behaviour cannot express the condition."""
    if isinstance(condition, (AnyCondition, AllCondition)):
        behaviour = "any" if isinstance(condition, AnyCondition) else "all"
        merged: list[dict[str, Any]] = []
        for inner in condition.any if behaviour == "any" else condition.all:
            tests = _enable_tests(definition, inner)
            if tests is None or (len(tests[0]) > 1 and tests[1] != behaviour):
                return None
            merged += tests[0]
        return merged, behaviour
    assert isinstance(condition, ItemCondition)
    source = definition.items_by_id[condition.item]
    if source.choices and (condition.not_in is None or not isinstance(source, MultiChoice)):
        # The options the condition lets through, decided by the engine's own rule.
        allowed = [value for value, _ in source.choices
                   if holds(definition, condition, {source.id: [value] if isinstance(source, MultiChoice) else value})]
        tests = [_test(source, "=", {"answerCoding": _bare_coding(definition, source, value)}) for value in allowed]
        return (tests, "any") if tests else None
    kind = _answer_kind(source)
    if condition.in_ is not None:
        if len(condition.in_) > 1 and (condition.not_in, condition.gte, condition.lte) != (None, None, None):
            return None
        tests = [_test(source, "=", {kind: _typed(source, value)}) for value in condition.in_]
        if len(tests) > 1:
            return tests, "any"
    else:
        tests = [_test(source, "exists", {"answerBoolean": True})]
    tests += [_test(source, "!=", {kind: _typed(source, value)}) for value in condition.not_in or ()]
    tests += [_test(source, operator, {kind: _typed(source, bound)})
              for operator, bound in ((">=", condition.gte), ("<=", condition.lte)) if bound is not None]
    return tests, "all"


def _test(source: Any, operator: str, answer: dict[str, Any]) -> dict[str, Any]:
    return {"question": source.id, "operator": operator, **answer}


def _answer_kind(item: Any) -> str:
    return {"integer": "answerInteger", "decimal": "answerDecimal", "date": "answerDate"}.get(
        _fhir_type(item), "answerString")


def _typed(item: Any, value: Any) -> Any:
    kind = _fhir_type(item)
    if kind == "integer":
        return int(value)
    if kind == "decimal":
        return float(value)
    return str(value)


def _fhirpath(definition: Definition, condition: Any) -> str:
    """The condition in FHIRPath over the response being filled in."""
    if isinstance(condition, (AnyCondition, AllCondition)):
        inner = condition.any if isinstance(condition, AnyCondition) else condition.all
        joiner = " or " if isinstance(condition, AnyCondition) else " and "
        return "(" + joiner.join(_fhirpath(definition, c) for c in inner) + ")"
    source = definition.items_by_id[condition.item]
    values = f"%resource.repeat(item).where(linkId = '{source.id}').answer.value"
    if source.choices:
        values += ".code"

    def literals(found: tuple[Any, ...]) -> str:
        return " | ".join(_literal(source, value) for value in found)

    parts = [f"{values}.exists()"]
    if condition.in_ is not None:
        parts.append(f"{values}.where($this in ({literals(condition.in_)})).exists()")
    if condition.not_in is not None:
        parts.append(f"{values}.where($this in ({literals(condition.not_in)})).empty()")
    number = f"{values}.toDecimal()" if source.choices else values
    for operator, bound in ((">=", condition.gte), ("<=", condition.lte)):
        if bound is not None:
            parts.append(f"{number}.all($this {operator} {bound})")
    return "(" + " and ".join(parts) + ")"


def _literal(item: Any, value: Any) -> str:
    if not item.choices and _fhir_type(item) in ("integer", "decimal"):
        return str(value)
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def _fhir_type(item: Any) -> str:
    if isinstance(item, Group):
        return "group"
    if item.choices:
        return "choice"
    if isinstance(item, DateItem):
        return "date"
    if isinstance(item, NumberItem):
        return "integer" if item.integer else "decimal"
    return "text" if isinstance(item, LongText) else "string"


def _bare_coding(definition: Definition, item: Any, value: Any) -> dict[str, Any]:
    """An option's Coding in a code system of its own item."""
    return {"system": f"{canonical(definition)}:{item.id}", "code": str(value),
            "display": dict(item.choices).get(value, str(value))}


def _coding(definition: Definition, item: Any, value: Any) -> dict[str, Any]:
    """An answer option as a Coding; a scale point keeps its number."""
    coding = _bare_coding(definition, item, value)
    if isinstance(item, Scale):
        coding["extension"] = [{"url": ORDINAL_VALUE, "valueDecimal": value}]
    return coding


# --- QuestionnaireResponse --------------------------------------------------------------

# FHIR R4 QuestionnaireResponse.status of the worksheets that can be exported (those sent).
QUESTIONNAIRE_RESPONSE_STATUS = {AssignmentStatus.SUBMITTED: "completed", AssignmentStatus.REVIEWED: "completed"}


def questionnaire_response(assignment: Assignment) -> dict[str, Any]:
    """A sent worksheet's answers, item by item under their sections; unanswered items and
    items their `show_if` hides are left out."""
    definition = definition_of(assignment)
    response = assignment.response
    hidden = hidden_items(definition, response.answers or {})
    answers = {key: value for key, value in (response.answers or {}).items() if key not in hidden}
    sections = []
    for section in definition.sections:
        items = [entry for item in section.items for entry in _answer_items(definition, item, answers.get(item.id))]
        if items:
            sections.append({"linkId": section.id, "text": section.title, "item": items})
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": f"assignment-{assignment.id}",
        "questionnaire": f"{canonical(definition)}|{definition.version}",
        "status": QUESTIONNAIRE_RESPONSE_STATUS[assignment.status],
        "subject": {"reference": full_url("Patient", str(assignment.client_id)),
                    "display": assignment.client.display_name},
        "authored": _instant(assignment.submitted_at),
    }
    if sections:
        resource["item"] = sections
    return resource


def _answer_items(definition: Definition, item: Any, value: Any) -> list[dict[str, Any]]:
    """The QuestionnaireResponse items for one answer: one per row for a repeating group."""
    if not is_answered(value):
        return []
    if isinstance(item, Group):
        rows = []
        for row in value if isinstance(value, list) else []:
            cells = [entry for sub in item.items for entry in _answer_items(definition, sub, (row or {}).get(sub.id))]
            if cells:
                rows.append({"linkId": item.id, "text": item.label, "item": cells})
        return rows
    plain = item.plain_value(value)
    values = plain if isinstance(plain, list) else [plain]
    return [{"linkId": item.id, "text": item.label,
             "answer": [_answer_value(definition, item, v) for v in values]}]


def _answer_value(definition: Definition, item: Any, value: Any) -> dict[str, Any]:
    if item.choices:
        return {"valueCoding": _coding(definition, item, value)}
    if isinstance(item, DateItem):
        return {"valueDate": str(value)}
    if isinstance(item, NumberItem):
        return {"valueInteger": int(value)} if item.integer else {"valueDecimal": float(value)}
    return {"valueString": str(value)}


def _instant(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="seconds")


# --- Bundles ----------------------------------------------------------------------------


def patient(client: Client) -> dict[str, Any]:
    """The client as little as the answers need: their display name."""
    return {"resourceType": "Patient", "id": f"client-{client.id}", "name": [{"text": client.display_name}]}


def bundle(client: Client, assignments: list[Assignment]) -> dict[str, Any]:
    """A collection Bundle: the client, each worksheet version answered, and each response."""
    definitions = {}
    for assignment in assignments:
        definition = definition_of(assignment)
        definitions.setdefault((definition.id, definition.version), definition)
    entries = [{"fullUrl": full_url("Patient", str(client.id)), "resource": patient(client)}]
    entries += [{"fullUrl": full_url("Questionnaire", f"{key[0]}|{key[1]}"), "resource": questionnaire(d)}
                for key, d in definitions.items()]
    entries += [{"fullUrl": full_url("QuestionnaireResponse", str(a.id)), "resource": questionnaire_response(a)}
                for a in assignments]
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "type": "collection",
        "timestamp": _instant(utcnow()),
        "entry": entries,
    }

