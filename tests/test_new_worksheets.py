"""The five worksheets added from the article, as stories: what a client answers, what the clinician reads."""

from __future__ import annotations

import html
import re

import pytest

from clinic.trends.services import figures
from clinic.worksheets import evaluate
from tests.support.pdf_text import all_text
from tests.support.samples import sample_answers

NEW = ("behaviour-log", "jealousy", "comparison-and-cycle", "talking-to-my-partner", "weekly-check-in")


def glance(signed_in, assignment) -> str:
    """The review page's 'At a glance' panel as plain text."""
    page = signed_in.get(f"/assignments/{assignment.id}").get_data(as_text=True)
    panel = page[page.index('id="glance-title"'): page.index("</section>", page.index('id="glance-title"'))]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", panel)).split())


def flags_panel(signed_in, assignment) -> str:
    page = signed_in.get(f"/assignments/{assignment.id}").get_data(as_text=True)
    if 'id="flags-title"' not in page:
        return ""
    start = page.index('id="flags-title"')
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page[start: page.index("</section>", start)])).split())


@pytest.mark.parametrize("worksheet_id", NEW)
def test_each_new_worksheet_has_a_preview_and_a_blank_printable(signed_in, worksheet_id, app):
    definition = app.extensions["worksheets"][worksheet_id]
    preview = signed_in.get(f"/worksheets/{worksheet_id}")
    assert preview.status_code == 200 and html.escape(definition.title) in preview.get_data(as_text=True)
    blank = signed_in.get(f"/worksheets/{worksheet_id}/blank.pdf")
    assert blank.status_code == 200 and definition.title in all_text(blank.data)


def test_a_week_of_logged_urges_reads_as_counts_an_average_a_share_and_the_typical_relief(signed_in, make, robin):
    log = make.assignment(robin, "behaviour-log", status="submitted", answers=sample_answers("behaviour-log"))

    read = glance(signed_in, log)

    assert "Entries logged 3" in read
    assert "Average strength of the worry 6 of 10 (from 3)" in read
    assert "Urges acted on 2 of 3 (67%)" in read
    assert "Most common urge Ask if things are okay (2 of 3)" in read
    assert "Typical relief time A few hours (2 of 3)" in read
    assert "No reply to my text for three hours." in read  # the entries table


def test_a_log_of_one_entry_and_a_log_with_none_say_so_plainly(make, robin, app):
    definition = app.extensions["worksheets"]["behaviour-log"]
    one = {"episodes": [{"when": "2026-03-02", "trigger": "A late reply", "intensity": 7, "urge": "checking",
                         "acted": "no"}]}
    results = {s.id: s for s in evaluate(definition, one).summaries}
    assert results["acted-share"].text == "0 of 1 (0%)" and results["average-intensity"].figure == 7
    assert results["typical-relief"].text == ""  # not answered: the page says "Not answered"
    empty = {s.id: s for s in evaluate(definition, {}).summaries}
    assert empty["episode-count"].text == "0" and empty["average-intensity"].text == ""


def test_jealousy_shows_how_strong_it_felt_beside_how_likely_it_is(signed_in, make, robin):
    answers = {**sample_answers("jealousy"), "urge-to-do": ["check", "limit"]}
    sheet = make.assignment(robin, "jealousy", status="submitted", answers=answers)

    read = glance(signed_in, sheet)

    assert "How strong it felt 9 of 10" in read and "How likely it is 2 of 10" in read
    assert "The strength of a feeling is not evidence." in read
    assert "That someone else would take my place; That I am not enough" in read
    assert "jealousy that turns into control" in flags_panel(signed_in, sheet)
    assert sheet.flag_level == "attention"


def test_the_cycle_map_reads_from_fear_to_where_to_break_it(signed_in, make, robin):
    sheet = make.assignment(robin, "comparison-and-cycle", status="submitted",
                            answers=sample_answers("comparison-and-cycle"))

    read = glance(signed_in, sheet)

    order = ["That Sam is pulling away from me.", "Asked three times in one evening",
             "That I was right, and Sam is pulling away.", "After the first ask, write the worry down"]
    assert [read.index(step) for step in order] == sorted(read.index(step) for step in order)
    assert "Feeling after comparing 1 of 4" in read
    assert flags_panel(signed_in, sheet) == ""


@pytest.mark.parametrize(("received", "level", "says"), [
    ("listened", None, ""),
    ("dismissed", "attention", "brushed off what they shared"),
    ("used-against", "safety", "used what they shared against them"),
])
def test_how_the_partner_took_the_talk_raises_the_flag_it_should(signed_in, make, robin, received, level, says):
    answers = {**sample_answers("talking-to-my-partner"), "how-received": received}
    sheet = make.assignment(robin, "talking-to-my-partner", status="submitted", answers=answers)

    assert sheet.flag_level == level
    assert says in flags_panel(signed_in, sheet)


def test_not_feeling_safe_to_talk_is_a_safety_flag_and_the_plan_for_the_therapist_is_shown(signed_in, make, robin):
    answers = {"safe-to-tell": "no", "therapist-first": "He gets angry when I bring up feelings."}
    sheet = make.assignment(robin, "talking-to-my-partner", status="submitted", answers=answers)

    assert sheet.flag_level == "safety"
    assert "would not feel safe telling their partner" in flags_panel(signed_in, sheet)
    page = signed_in.get(f"/assignments/{sheet.id}").get_data(as_text=True)
    assert "He gets angry when I bring up feelings." in page


def test_the_weekly_check_in_gives_four_figures_to_chart_and_notices_a_hard_week(signed_in, make, robin, app):
    definition = app.extensions["worksheets"]["weekly-check-in"]
    ratings = {s.id: s for s in evaluate(definition, sample_answers("weekly-check-in")).summaries}["week-ratings"]
    assert [(bar.label, bar.value, bar.maximum) for bar in ratings.bars] == [
        ("Felt secure", 6, 10), ("Worried", 5, 10), ("Acted on urges", 3, 10), ("Felt close", 7, 10)]
    assert definition.estimated_minutes <= 5

    hard = make.assignment(robin, "weekly-check-in", status="submitted",
                           answers={**sample_answers("weekly-check-in"), "felt-secure": 1, "worried": 9})
    read = glance(signed_in, hard)
    assert "Felt secure 1 of 10" in read and "Worried 9 of 10" in read
    assert "felt very insecure and worried most of this week" in flags_panel(signed_in, hard)


def test_the_behaviour_log_gives_figures_to_chart_week_by_week(app):
    definition = app.extensions["worksheets"]["behaviour-log"]
    charted = {figure.series: figure.value for figure in figures(definition, sample_answers("behaviour-log"))}
    assert charted["Entries logged"] == 3
    assert charted["Average strength of the worry"] == 6
    assert charted["Urges acted on"] == 2
