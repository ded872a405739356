"""OWASP's device cookie: a browser where a clinician has signed in is recognised there.

Failed sign-ins on a recognised browser count against that browser only, so
someone guessing the password elsewhere can never lock the clinician out of it.
The cookie is signed with the app's secret key and names the account, a random
nonce and a keyed digest of the password hash, so that changing the password
forgets every browser but the one it was changed on. It carries no session
and signs nobody in.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import Response, current_app, request
from itsdangerous import BadData, URLSafeTimedSerializer

from clinic.models import Clinician

DEVICE_COOKIE = "groundwork_device"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="groundwork.device-cookie")


def _max_age() -> int:
    return current_app.config["DEVICE_COOKIE_DAYS"] * 24 * 60 * 60


def _password_mark(clinician: Clinician) -> str:
    """Changes whenever the password does; says nothing about the password itself."""
    secret = current_app.secret_key
    key = secret if isinstance(secret, bytes) else str(secret).encode()
    return hmac.new(key, b"device-password:" + clinician.password_hash.encode(), hashlib.sha256).hexdigest()[:24]


def device_key_prefix(clinician: Clinician) -> str:
    """What the throttle keys of every browser recognised for this clinician start with."""
    return f"login:device:{clinician.id}:"


def device_key(clinician: Clinician | None) -> str | None:
    """The throttle key of this browser if its device cookie is valid for this clinician."""
    cookie = request.cookies.get(DEVICE_COOKIE)
    if clinician is None or not cookie:
        return None
    try:
        content = _serializer().loads(cookie, max_age=_max_age())
    except BadData:
        return None
    if not isinstance(content, dict) or content.get("clinician") != clinician.id:
        return None
    if content.get("password") != _password_mark(clinician):
        return None
    nonce = content.get("nonce")
    return f"{device_key_prefix(clinician)}{nonce}" if isinstance(nonce, str) else None


def remember_device(response: Response, clinician: Clinician) -> None:
    """Give this browser a new device cookie for the clinician who just signed in on it."""
    cookie = _serializer().dumps({"clinician": clinician.id, "nonce": secrets.token_urlsafe(16),
                                  "password": _password_mark(clinician)})
    response.set_cookie(DEVICE_COOKIE, cookie, max_age=_max_age(), httponly=True, samesite="Strict",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])
