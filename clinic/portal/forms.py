"""Forms of the clinician's link panel (the client's worksheet forms come from the engine)."""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, IntegerField
from wtforms.validators import NumberRange

from clinic.forms import BaseForm
from clinic.portal.services import LINK_DAYS_MAX


class BackForm(BaseForm):
    """A button-only form (revoke) that remembers the page to come back to."""

    next = HiddenField()


class LinkForm(BackForm):
    """Create or replace a link: how many days it works."""

    days = IntegerField("Link works for (days)", validators=[NumberRange(min=1, max=LINK_DAYS_MAX)])
    send_email = BooleanField("Send it by email too")
