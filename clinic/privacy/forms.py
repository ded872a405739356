"""The typed confirmation that stands between a clinician and erasing a client."""

from __future__ import annotations

from wtforms import StringField
from wtforms.validators import DataRequired, ValidationError

from clinic.forms import BaseForm


class EraseForm(BaseForm):
    confirmation = StringField(
        "Type the client's name or initials to confirm",
        validators=[DataRequired("Type the client's name or initials, exactly as shown, to erase them.")],
        render_kw={"autocomplete": "off", "spellcheck": "false"})

    def __init__(self, *args, expected: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.expected = expected

    def validate_confirmation(self, field) -> None:
        if field.data != self.expected:
            raise ValidationError(f"That is not “{self.expected}”. Type it exactly as shown to erase this client.")
