"""Summaries and flags are computed from answer sets, as each definition declares."""

from __future__ import annotations

import pytest

from clinic.worksheets import evaluate
from clinic.worksheets.evaluation import progress
from tests.support.samples import sample_answers


@pytest.fixture
def library(app):
    return app.extensions["worksheets"]


def by_id(evaluation):
    return {s.id: s for s in evaluation.summaries}


SCREEN_CLEAR = {item: "no" for item in (
    "afraid", "checks-phone", "controls-people", "controls-money", "threats", "pushes-hits", "forced-sex",
    "uses-confided")}
RELATIONSHIP_SOURCED = {
    **SCREEN_CLEAR,
    "hot-cold": "know", "lying": "know", "dismissing": "know", "mixed-signals": "know", "disappointments": "suspect",
    "infidelity": "no", "relief-fades": "rarely", "ordinary-triggers": "sometimes", "stays-when-steady": "never",
    "outsider-concern": "yes", "partner-response": "dismisses", "insecurity-began": "after-change",
    "other-partners": "no",
}
HISTORY_SOURCED = {
    **SCREEN_CLEAR,
    "hot-cold": "no", "lying": "no", "dismissing": "no", "mixed-signals": "suspect", "disappointments": "no",
    "infidelity": "no", "relief-fades": "often", "ordinary-triggers": "often", "stays-when-steady": "often",
    "good-times": "sometimes", "not-enough": "sometimes", "outsider-concern": "no",
    "partner-response": "takes-seriously", "insecurity-began": "every-relationship", "other-partners": "yes",
}


def test_partner_source_reads_mostly_the_relationship_as_x_of_max(library):
    evaluation = evaluate(library["partner-source-checklist"], RELATIONSHIP_SOURCED)
    lean = by_id(evaluation)["source-lean"]
    assert lean.text == "Mostly the relationship"
    assert [(bar.label, bar.value, bar.maximum) for bar in lean.bars] == [
        ("Signs in the relationship", 15, 18), ("Signs from history", 1, 18)]
    assert by_id(evaluation)["partner-known"].text == "4 of 5"
    assert by_id(evaluation)["partner-suspected"].text == "1 of 5"
    assert [f.id for f in evaluation.flags] == ["too-sensitive"]
    assert evaluation.highest_level == "attention"


def test_a_safety_flag_comes_first_and_sets_the_reading_aside(library):
    answers = {**RELATIONSHIP_SOURCED, "partner-response": "uses-against", "threats": "sometimes"}
    evaluation = evaluate(library["partner-source-checklist"], answers)
    assert [f.severity for f in evaluation.flags] == ["safety", "safety", "attention"]
    assert evaluation.highest_level == "safety"
    lean = by_id(evaluation)["source-lean"]
    assert lean.set_aside and lean.text == evaluation.flags[0].say
    assert [bar.value for bar in lean.bars] == [15, 1]  # the figures stay; only the reading is set aside


def test_partner_source_reads_mostly_history_without_flags(library):
    evaluation = evaluate(library["partner-source-checklist"], HISTORY_SOURCED)
    lean = by_id(evaluation)["source-lean"]
    assert lean.text == "Mostly history"
    assert [bar.value for bar in lean.bars] == [1, 14]
    assert evaluation.flags == () and evaluation.highest_level is None


def test_an_empty_answer_set_summarises_without_errors(library):
    for definition in library.values():
        evaluation = evaluate(definition, {})
        assert evaluation.flags == ()
        assert evaluation.answered == 0 and evaluation.total == len(definition.items) - len(evaluation.hidden)


def test_the_script_waits_behind_the_safety_question(library):
    for worksheet_id in ("security-building-plan", "talking-to-my-partner"):
        definition = library[worksheet_id]
        scripts = {item.id for item in definition.items if item.id.startswith("script")}
        assert scripts and scripts <= evaluate(definition, {}).hidden  # not asked until safety is answered
        for answer in ("no", "unsure"):
            hidden = evaluate(definition, {"safe-to-tell": answer}).hidden
            assert scripts <= hidden and "therapist-first" not in hidden
        hidden = evaluate(definition, {"safe-to-tell": "yes"}).hidden
        assert not scripts & hidden and "therapist-first" in hidden


def test_origins_profile_draws_one_bar_per_source(library):
    answers = {"caregiving-resonance": 4, "betrayal-resonance": 1, "worth-resonance": 2}
    evaluation = evaluate(library["origins-mapping"], answers)
    profile = by_id(evaluation)["origins-profile"]
    assert [(bar.value, bar.fraction) for bar in profile.bars] == [(4, 1.0), (1, 0.25), (2, 0.5), (None, 0.0)]
    assert "caregiving-strong" in {f.id for f in evaluation.flags}


def test_security_plan_lists_goals_with_check_in_dates(library):
    answers = {"goals": [{"goal": "Ask directly once", "goal-check-in": "2027-01-05"},
                         {"goal": "Phone away after 9pm"}],
               "safe-to-tell": "no", "habits-to-change": ["reassurance", "checking"]}
    evaluation = evaluate(library["security-building-plan"], answers)
    goals = by_id(evaluation)["goals-rows"]
    assert goals.rows[0][0] == "Ask directly once" and "5 January 2027" in goals.rows[0]
    assert goals.rows[1][0] == "Phone away after 9pm"
    assert by_id(evaluation)["habits-answer"].text == (
        "Asking again and again if things are okay; Checking their phone, location or social media")
    assert by_id(evaluation)["safe-to-tell-answer"].text == "No"
    assert evaluation.flags[0].id == "not-safe-to-tell" and evaluation.highest_level == "safety"


def test_the_plan_fits_in_twenty_questions(library):
    plan = library["security-building-plan"]
    questions = [item for item in plan.items if item.type != "group"] + [
        sub for item in plan.items if item.type == "group" for sub in item.items]
    assert len(questions) <= 20 and plan.estimated_minutes <= 20


def test_progress_counts_answered_items_per_section(library):
    evaluation = evaluate(library["origins-mapping"], {"caregiving-resonance": 2, "caregiving-memory": "A memory"})
    first = evaluation.sections[0]
    assert (first.answered, first.total) == (2, 4)
    assert evaluation.answered == 2


@pytest.mark.parametrize("worksheet_id", ["origins-mapping", "partner-source-checklist", "security-building-plan"])
def test_progress_counts_as_evaluate_does(library, worksheet_id):
    definition = library[worksheet_id]
    for answers in ({}, sample_answers(worksheet_id)):
        evaluation = evaluate(definition, answers)
        counted = progress(definition, answers)
        assert (counted.answered, counted.total, counted.required_left) == (
            evaluation.answered, evaluation.total, evaluation.required_left)
