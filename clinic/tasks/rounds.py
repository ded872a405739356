"""The hourly round the queue's scheduler runs (and tests call with the time they choose)."""

from __future__ import annotations

import datetime as dt

from flask import current_app

from clinic.assignments.series import advance_series
from clinic.mail.reminders import queue_reminders
from clinic import words
from clinic.mail.services import practice_day


def hourly_round(now: dt.datetime) -> None:
    """Next assignments of repeating series every hour; reminders once a day, at the practice's hour."""
    advance_series(practice_day(now))
    if words.local(now).hour == int(current_app.config["REMINDER_HOUR"]):
        queue_reminders(now)
