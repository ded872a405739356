"""Forms of the clinician's link panel (the client's worksheet forms come from the engine)."""

from __future__ import annotations

from flask import current_app
from wtforms import HiddenField, IntegerField
from wtforms.validators import InputRequired, NumberRange

from clinic.forms import BaseForm
from clinic.portal.services import LINK_DAYS_MAX


class LinkForm(BaseForm):
    """Create or replace a link: how many days it works, and the page to come back to."""

    days = IntegerField(
        "Link works for (days)",
        validators=[InputRequired("Please say for how many days the link should work."),
                    NumberRange(min=1, max=LINK_DAYS_MAX,
                                message=f"Please choose from 1 to {LINK_DAYS_MAX} days.")],
        render_kw={"inputmode": "numeric", "min": 1, "max": LINK_DAYS_MAX},
    )
    next = HiddenField()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("days", current_app.config["PORTAL_LINK_DAYS"])
        super().__init__(*args, **kwargs)


class BackForm(BaseForm):
    """A button-only form (revoke) that remembers the page to come back to."""

    next = HiddenField()
