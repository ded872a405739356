"""Forms for a client's details and the next session's agenda."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from clinic.forms import BaseForm
from clinic.models import EMAIL_MAX, NAME_MAX, NOTES_MAX


def no_nul(form, field) -> None:
    """A NUL character is never typed on purpose, and databases cannot store it in text."""
    if field.data and "\x00" in field.data:
        raise ValidationError("This text holds an invisible control character (NUL). Please retype it.")


def at_most(limit: int, what: str) -> Length:
    """A length limit whose message says how long the text is now."""
    return Length(max=limit, message=f"Please shorten {what} to {limit} characters or fewer (it has %(length)d).")


class ClientForm(BaseForm):
    display_name = StringField(
        "Name or initials",
        description="What you call this client in Groundwork. Initials are enough; it appears on PDFs.",
        validators=[DataRequired("Please enter a name or initials."), no_nul, at_most(NAME_MAX, "the name")],
        render_kw={"autocomplete": "off"})
    email = EmailField(
        "Email", default="",
        description="Optional. Groundwork emails your client only if they agreed (below): links and reminders, "
                    "never anything clinical.",
        validators=[Optional(), no_nul, at_most(EMAIL_MAX, "the email address"),
                    Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="Please enter an email address like name@example.org.")],
        render_kw={"autocomplete": "off"})
    email_consent = BooleanField(
        "Client agreed to email",
        description="Tick only if your client said yes to emails from the practice. They can stop them with "
                    "the link in every email.")
    notes = TextAreaField(
        "Notes", default="",
        description="Optional and private to you. Keep them brief: practical details, not clinical notes.",
        validators=[no_nul, at_most(NOTES_MAX, "the notes")])


class AgendaForm(BaseForm):
    agenda = TextAreaField(
        "Agenda for the next session", default="",
        description="What you want to ask about or come back to. It is printed on the session-prep packet.",
        validators=[no_nul, at_most(NOTES_MAX, "the agenda")])
