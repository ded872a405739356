"""Repeating assignments: the next copy appears once the previous one's due date has passed (the
hourly round, with the time the test chooses), each with its own due date, until the series ends
or is stopped; the client's portal shows only the current copy."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from clinic.assignments.services import transition
from clinic.extensions import db
from clinic.models import Assignment, AssignmentSeries
from clinic.tasks.rounds import hourly_round
from tests.support.portal import new_link, open_link
from tests.support.posting import post_form

FIRST_DUE = dt.date(2026, 12, 10)


def at_noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.timezone.utc)


def copies() -> list[Assignment]:
    db.session.expire_all()
    return list(db.session.scalars(select(Assignment).order_by(Assignment.id)))


def assign_repeating(browser, client_record, **fields):
    data = {"worksheets": "origins-mapping", "due_date": FIRST_DUE.isoformat(), "note": "Weekly, please.",
            "repeat": "1", "repeat_times": "3", **fields}
    return post_form(browser, f"/clients/{client_record.id}/assignments", data, token_from=f"/clients/{client_record.id}")


def test_a_weekly_worksheet_appears_each_week_after_the_last_due_date_and_stops_after_n(signed_in, robin):
    assert assign_repeating(signed_in, robin).status_code == 302
    [first] = copies()
    assert (first.series_position, first.due_date, first.series.times) == (1, FIRST_DUE, 3)

    hourly_round(at_noon(FIRST_DUE))  # due today: not passed yet
    assert len(copies()) == 1
    hourly_round(at_noon(FIRST_DUE + dt.timedelta(days=1)))
    hourly_round(at_noon(FIRST_DUE + dt.timedelta(days=1)))  # the round runs every hour: still one new copy
    first, second = copies()
    assert (second.series_position, second.due_date, second.status) == (2, FIRST_DUE + dt.timedelta(weeks=1), "assigned")
    assert second.note_to_client == "Weekly, please."
    assert first.status == "cancelled"  # never started: set aside, so only the current copy is to do

    transition(second, "in_progress", actor="client")
    transition(second, "submitted", actor="client")
    db.session.commit()
    hourly_round(at_noon(FIRST_DUE + dt.timedelta(weeks=1, days=1)))
    third = copies()[-1]
    assert (third.series_position, third.due_date) == (3, FIRST_DUE + dt.timedelta(weeks=2))
    hourly_round(at_noon(FIRST_DUE + dt.timedelta(weeks=5)))
    assert len(copies()) == 3  # three times in all


def test_a_copy_the_client_is_filling_in_is_kept_and_the_next_waits_for_it(robin, make, app):
    make.assignment(robin, "origins-mapping", due_date=FIRST_DUE)
    [first] = copies()
    first.series = AssignmentSeries(client=robin, worksheet_id="origins-mapping", every_weeks=2, times=4,
                                    first_due_date=FIRST_DUE)
    first.series_position = 1
    transition(first, "in_progress", actor="client")
    db.session.commit()
    hourly_round(at_noon(FIRST_DUE + dt.timedelta(days=3)))
    assert [c.status for c in copies()] == ["in_progress"]  # their words are never set aside

    first = copies()[0]
    transition(first, "submitted", actor="client")
    db.session.commit()
    late = FIRST_DUE + dt.timedelta(days=16)  # the second's own date (two weeks on) has passed already
    hourly_round(at_noon(late))
    second = copies()[-1]
    assert second.series_position == 2 and second.due_date == late + dt.timedelta(weeks=2)


def test_the_portal_shows_only_the_current_copy(app, signed_in, robin):
    assign_repeating(signed_in, robin)
    hourly_round(at_noon(FIRST_DUE + dt.timedelta(days=1)))
    portal = app.test_client()
    open_link(portal, new_link(robin))
    page = portal.get("/portal").get_data(as_text=True)
    first, current = copies()
    assert f'href="/portal/worksheets/{current.id}"' in page
    assert f'href="/portal/worksheets/{first.id}"' not in page


def test_the_clinician_stops_a_series_and_no_more_copies_appear(signed_in, robin):
    assign_repeating(signed_in, robin)
    page = signed_in.get(f"/clients/{robin.id}").get_data(as_text=True)
    assert "Repeating worksheets" in page and "every week: 1 of 3 so far" in page
    [first] = copies()
    response = post_form(signed_in, f"/assignments/{first.id}/stop-series", token_from=f"/clients/{robin.id}")
    assert response.status_code == 302
    assert "will not repeat again" in signed_in.get(response.location).get_data(as_text=True)
    hourly_round(at_noon(FIRST_DUE + dt.timedelta(days=1)))
    assert len(copies()) == 1
    assert "Repeating worksheets" not in signed_in.get(f"/clients/{robin.id}").get_data(as_text=True)


@pytest.mark.parametrize("fields, message", [
    ({"due_date": ""}, "A repeating worksheet needs a due date for its first time."),
    ({"repeat_times": ""}, "Please say how many times in all it should repeat (from 2)."),
    ({"repeat_times": "1"}, "Please choose from 2 to 52 times."),
    ({"repeat": "3"}, "Not a valid choice"),
])
def test_a_repeat_that_cannot_be_made_is_refused_in_words(signed_in, robin, fields, message):
    response = assign_repeating(signed_in, robin, **fields)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert copies() == []
