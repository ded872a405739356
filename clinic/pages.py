"""Rendering a page of client data, shared by every blueprint's views (and importing none of them)."""

from __future__ import annotations

from typing import Any

from flask import render_template

from clinic.audit import record
from clinic.extensions import db
from clinic.models import AuditAction


def audited_page(template: str, action: AuditAction, obj: Any = None, *, status: int = 200, **context: Any):
    """Render a page of client data and record that it was seen, in one transaction.

    Committing after rendering keeps the loaded objects fresh for the template
    (no reloading), and a page that fails to render is not recorded as seen.
    """
    record(action, obj)
    page = render_template(template, **context)
    db.session.commit()
    return page, status
