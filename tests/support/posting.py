"""Posting like a browser: the CSRF token read from the page, forms, and signing in."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient

from clinic.models import Clinician

PASSWORD = "correct horse battery"


CSRF_PATTERN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str) -> str:
    """The CSRF token a page gives its forms (as a browser would read it)."""
    page = client.get(path)
    match = CSRF_PATTERN.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path} (status {page.status_code})"
    return match.group(1)


def post_form(client: FlaskClient, path: str, data: dict[str, Any] | None = None, *, token_from: str | None = None,
              **kwargs: Any):
    """POST like a browser: with the CSRF token read from the page the form is on."""
    payload = dict(data or {})
    payload.setdefault("csrf_token", csrf_token(client, token_from or path))
    return client.post(path, data=payload, **kwargs)


def login(client: FlaskClient, clinician: Clinician, password: str = PASSWORD):
    return post_form(client, "/login", {"email": clinician.email, "password": password})


