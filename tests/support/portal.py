"""The client portal as a client uses it: a link, opening it, and a worksheet's page, posts and stored answers."""

from __future__ import annotations

from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from clinic.extensions import db
from clinic.models import Response
from clinic.portal.services import issue_link
from tests.support.posting import csrf_token, post_form


def new_link(client_record, **kwargs) -> str:
    """A committed link for a client; returns the token."""
    _, token = issue_link(client_record, **kwargs)
    db.session.commit()
    return token


def open_link(browser: FlaskClient, token: str):
    """Open a client's link as a person does: the landing page, then "Continue"."""
    return post_form(browser, f"/p/{token}")


def assignment_of(make, client_record, definition, **fields):
    """An assignment of a definition that is not in worksheets/ (its snapshot is what every page reads)."""
    assignment = make.assignment(client_record, "origins-mapping", **fields)
    assignment.worksheet_id, assignment.worksheet_version = definition.id, definition.version
    assignment.definition_snapshot = definition.snapshot()
    db.session.commit()
    return assignment


def page_url(assignment) -> str:
    return f"/portal/worksheets/{assignment.id}"


def post(portal, assignment, data: dict, *, version: int | str, action: str | None = None, json: bool = False,
         part: str | None = None):
    """POST answers as a page does: a part's form (action button), the autosave (JSON), or, with
    action "submit", the confirmed sending. Without `part` the form carries the whole worksheet."""
    payload = MultiDict({"csrf_token": csrf_token(portal, "/portal"), "version": str(version)})
    for key, value in data.items():
        payload.setlist(key, value if isinstance(value, list) else [value])
    if action:
        payload["action"] = action
    if part:
        payload["part"] = part
    suffix = "/save" if json else "/send" if action == "submit" else ""
    return portal.post(page_url(assignment) + suffix, data=payload)


def stored(assignment) -> Response:
    db.session.expire_all()
    return db.session.get(Response, assignment.response.id)
