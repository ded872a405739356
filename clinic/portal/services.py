"""Portal links: 256-bit tokens of which only the SHA-256 is stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from flask import current_app
from sqlalchemy import select

from clinic.extensions import db
from clinic.models import Client, PortalLink, utcnow


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_link(client: Client, *, days: int | None = None) -> tuple[PortalLink, str]:
    """A new link for the client; the token is returned once and never stored."""
    token = secrets.token_urlsafe(32)  # 32 bytes = 256 bits of randomness
    now = utcnow()
    link = PortalLink(
        client=client,
        token_hash=hash_token(token),
        created_at=now,
        expires_at=now + dt.timedelta(days=days or current_app.config["PORTAL_LINK_DAYS"]),
    )
    db.session.add(link)
    return link, token


def find_usable_link(token: str) -> PortalLink | None:
    """The link for a token if it exists, is not revoked and has not expired."""
    if not token or len(token) > 100:
        return None
    link = db.session.scalar(select(PortalLink).where(PortalLink.token_hash == hash_token(token)))
    if link is None or link.revoked_at is not None or link.expires_at <= utcnow():
        return None
    return link
