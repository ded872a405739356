"""One worksheet submitted week after week, with answers that move, for the trend charts."""

from __future__ import annotations

import datetime as dt

from clinic.extensions import db
from tests.support.samples import sample_answers


FIRST_SENT = dt.datetime(2026, 9, 7, 18, 30, tzinfo=dt.timezone.utc)


def answers_for_week(definition, week: int) -> dict:
    """The sample answers with every choice and rating moved along by `week` (so figures change)."""
    answers = sample_answers(definition.id)
    for position, item in enumerate(definition.items):
        if item.choices and not isinstance(answers.get(item.id), list):
            answers[item.id] = item.choices[(week + position) % len(item.choices)][0]
    return answers


def send_weekly(make, person, worksheet_id: str, weeks: int, first: dt.datetime = FIRST_SENT):
    """`weeks` submissions of one worksheet, a week apart, oldest first."""
    definition = make.app.extensions["worksheets"][worksheet_id]
    sent = []
    for week in range(weeks):
        assignment = make.assignment(person, worksheet_id, status="submitted",
                                     answers=answers_for_week(definition, week))
        assignment.submitted_at = first + dt.timedelta(weeks=week)
        sent.append(assignment)
    db.session.commit()
    return sent
