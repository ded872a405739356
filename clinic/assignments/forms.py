"""Assigning worksheets and commenting on responses."""

from __future__ import annotations

import datetime as dt

from flask import current_app
from wtforms import DateField, IntegerField, RadioField, SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, NumberRange, Optional, ValidationError

from clinic import words
from clinic.clients.forms import at_most, no_nul
from clinic.forms import BaseForm
from clinic.models import COMMENT_MAX, NOTE_TO_CLIENT_MAX, SERIES_TIMES_MAX


class DueDateField(DateField):
    """A date field whose complaint about a date it cannot read is plain."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError("Please enter a real date, for example 2026-03-14.") from error


class AssignForm(BaseForm):
    worksheets = SelectMultipleField("Worksheets", validate_choice=False)
    due_date = DueDateField(
        "Due date", validators=[Optional()],
        description="Optional. Your client sees it as a gentle target, not a deadline.")
    note = TextAreaField(
        "Note to your client", default="",
        description="Optional. Shown to your client with each of these worksheets.",
        validators=[no_nul, at_most(NOTE_TO_CLIENT_MAX, "the note")])
    repeat = RadioField("Repeat", default=0, choices=[SelectChoice(0, "Once"), SelectChoice(1, "Every week"),
                                                   SelectChoice(2, "Every 2 weeks")],
                        coerce=int, validate_choice=True)
    repeat_times = IntegerField(
        "How many times in all", validators=[Optional(), NumberRange(
            min=2, max=SERIES_TIMES_MAX, message=f"Please choose from 2 to {SERIES_TIMES_MAX} times.")],
        description="Only if it repeats. Each time is a new copy with its own due date, one interval after the "
                    "last; the next appears when the previous one's due date has passed.",
        render_kw={"inputmode": "numeric"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.library = current_app.extensions["worksheets"]  # the choices; the template lists them

    def validate_worksheets(self, field):
        field.data = list(dict.fromkeys(field.data or []))  # a box sent twice counts once
        if not field.data:
            raise ValidationError("Please tick at least one worksheet.")
        if any(worksheet_id not in self.library for worksheet_id in field.data):
            raise ValidationError("One of the chosen worksheets does not exist. Please choose from the list.")

    def validate_repeat(self, field):
        if field.data and not self.due_date.data:
            raise ValidationError("A repeating worksheet needs a due date for its first time.")
        if field.data and not self.repeat_times.data:
            raise ValidationError("Please say how many times in all it should repeat (from 2).")

    def validate_due_date(self, field):
        # A day of grace: "today" where the clinician is may already be yesterday in UTC.
        if field.data and field.data < words.today() - dt.timedelta(days=1):
            raise ValidationError("That date has passed. Please choose today or a later date.")


class CommentForm(BaseForm):
    body = TextAreaField("Comment", validators=[DataRequired("Please write a comment first."), no_nul,
                                                at_most(COMMENT_MAX, "the comment")],
                         description="Private to you: the client never sees this.",
                         render_kw={"rows": 3})
