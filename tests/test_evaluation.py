"""Summaries and flags are computed from answer sets, as each definition declares."""

from __future__ import annotations

import pytest

from clinic.worksheets import evaluate


@pytest.fixture
def library(app):
    return app.extensions["worksheets"]


def by_id(evaluation):
    return {s.id: s for s in evaluation.summaries}


RELATIONSHIP_SOURCED = {
    "hot-cold": "often", "lying": "sometimes", "infidelity": "never", "dismissing": "often",
    "mixed-signals": "often", "uses-vulnerability": "sometimes", "disappointments": "sometimes",
    "outsider-concern": "yes", "partner-response": "uses-against", "insecurity-began": "after-change",
    "other-partners": "no",
}
INTERNALLY_SOURCED = {
    "hot-cold": "never", "lying": "never", "infidelity": "never", "dismissing": "rarely",
    "mixed-signals": "never", "uses-vulnerability": "never", "disappointments": "rarely",
    "outsider-concern": "no", "partner-response": "takes-seriously", "insecurity-began": "every-relationship",
    "other-partners": "yes",
}


def test_partner_source_leans_to_the_relationship_and_flags_safety(library):
    evaluation = evaluate(library["partner-source-checklist"], RELATIONSHIP_SOURCED)
    summaries = by_id(evaluation)
    assert summaries["source-lean"].text == "Relationship-sourced"
    assert summaries["partner-signs-count"].text == "6 of 7"
    flags = {f.id: f for f in evaluation.flags}
    assert {"disclosures-used", "response-uses-against", "too-sensitive"} <= set(flags)
    assert flags["disclosures-used"].severity == "safety"


def test_partner_source_leans_inward_without_flags(library):
    evaluation = evaluate(library["partner-source-checklist"], INTERNALLY_SOURCED)
    assert by_id(evaluation)["source-lean"].text == "Internally sourced"
    assert by_id(evaluation)["partner-signs-count"].text == "0 of 7"
    assert evaluation.flags == ()


def test_an_even_picture_is_called_mixed(library):
    answers = {**INTERNALLY_SOURCED, "hot-cold": "often", "insecurity-began": "not-sure", "other-partners": "unsure",
               "partner-response": "varies"}
    assert by_id(evaluate(library["partner-source-checklist"], answers))["source-lean"].text == "Mixed"


def test_an_empty_answer_set_summarises_without_errors(library):
    for definition in library.values():
        evaluation = evaluate(definition, {})
        assert evaluation.flags == ()
        assert evaluation.answered == 0 and evaluation.total == len(definition.items)


def test_origins_profile_draws_one_bar_per_source(library):
    answers = {"caregiving-resonance": 4, "betrayal-resonance": 1, "worth-resonance": 2}
    evaluation = evaluate(library["origins-mapping"], answers)
    profile = by_id(evaluation)["origins-profile"]
    assert [(bar.value, bar.fraction) for bar in profile.bars] == [(4, 1.0), (1, 0.25), (2, 0.5), (None, 0.0)]
    assert "caregiving-strong" in {f.id for f in evaluation.flags}


def test_security_plan_lists_goals_with_check_in_dates(library):
    answers = {"goals": [{"goal": "Ask directly once", "goal-check-in": "2027-01-05"},
                         {"goal": "Phone away after 9pm"}],
               "safe-to-share": "no", "reassurance-seeking": "often", "monitoring": "sometimes"}
    evaluation = evaluate(library["security-building-plan"], answers)
    goals = by_id(evaluation)["goals-rows"]
    assert goals.rows[0][0] == "Ask directly once" and "5 January 2027" in goals.rows[0]
    assert goals.rows[1][0] == "Phone away after 9pm"
    assert by_id(evaluation)["behaviours-count"].text == "2 of 5"
    assert by_id(evaluation)["safe-to-share-answer"].text == "No"
    assert "not-safe-to-share" in {f.id for f in evaluation.flags}


def test_progress_counts_answered_items_per_section(library):
    evaluation = evaluate(library["origins-mapping"], {"caregiving-resonance": 2, "caregiving-memory": "A memory"})
    first = evaluation.sections[0]
    assert (first.answered, first.total) == (2, 4)
    assert evaluation.answered == 2
