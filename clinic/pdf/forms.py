"""The session-prep packet form: which session, what to look back on, what to include, which paper."""

from __future__ import annotations

import datetime as dt

from wtforms import RadioField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from clinic import words
from clinic.forms import BaseForm
from clinic.models import Client
from clinic.pdf.services import (
    PAPER_SIZES,
    PacketChoice,
    PacketOptions,
    default_packet_options,
    last_packet,
    packet_candidates,
)
from clinic.worksheets.fields import DateInputField

SINCE_LAST_PACKET = "last-packet"
SINCE_DATE = "date"


class WorksheetChoices(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PacketForm(BaseForm):
    session_date = DateInputField("Session date", validators=[InputRequired(message="Enter the date of the session.")])
    changes_since = RadioField("Show what changed", default=SINCE_LAST_PACKET,
                               validators=[InputRequired(message="Choose what the cover should look back on.")])
    since_date = DateInputField("Since this date", description="Only needed if you chose “since a date”.")
    assignments = WorksheetChoices("Worksheets to include", coerce=int)
    paper = RadioField("Paper size", choices=[SelectChoice(size, label) for size, label in PAPER_SIZES.items()],
                       validators=[InputRequired(message="Choose a paper size.")])

    def validate_since_date(self, field: DateInputField) -> None:
        if self.changes_since.data == SINCE_DATE and not field.data:
            raise ValidationError("Enter the date to look back to, or choose “since the last packet”.")

    def options(self) -> PacketOptions:
        since = self.since_date.data if self.changes_since.data == SINCE_DATE else None
        return PacketOptions(
            session_date=dt.date.fromisoformat(self.session_date.data),
            since_date=dt.date.fromisoformat(since) if since else None,
            assignment_ids=tuple(self.assignments.data or ()),
            paper=self.paper.data,
        )


def _worksheet_label(choice: PacketChoice) -> str:
    status = words.status_dated(choice.status, submitted_at=choice.submitted_at, saved_at=choice.saved_at)
    return f"{choice.title} ({status})"


def packet_form(client: Client, formdata=None) -> PacketForm:
    """The packet form for one client: their printable worksheets, submitted ones ticked.

    Pass `formdata` to read a submitted form; without it the form shows its defaults
    (as on the client page, whatever else that page was posted).
    """
    candidates = packet_candidates(client)
    defaults = default_packet_options(client, candidates)
    previous = last_packet(client)
    last_label = (f"Since the last packet (made {words.date(previous.created_at)} for the session on "
                  f"{words.date(previous.session_date)})" if previous else
                  "Since the last packet (none yet, so everything is listed)")
    form = PacketForm(
        formdata=formdata,
        prefix="packet",
        meta={"csrf": False},  # CSRFProtect checks every POST; the template carries its token

        data={
            "session_date": defaults.session_date.isoformat(),
            "assignments": list(defaults.assignment_ids),
            "paper": defaults.paper,
        },
    )
    form.changes_since.choices = [SelectChoice(SINCE_LAST_PACKET, last_label),
                                  SelectChoice(SINCE_DATE, "Since a date I choose")]
    form.assignments.choices = [SelectChoice(a.id, _worksheet_label(a)) for a in candidates]
    return form
