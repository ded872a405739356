"""The portal's one blueprint; `access`, `pages`, `saving` and `links` register its routes."""

from __future__ import annotations

from flask import Blueprint

from clinic.portal.logs import redact_request_logs

bp = Blueprint("portal", __name__)
bp.record_once(lambda state: redact_request_logs())
