"""TOTP secrets are stored encrypted, so a copy of the database alone cannot make sign-in codes.

Each secret is encrypted with Fernet (AES-CBC with an HMAC-SHA256 tag, from the
`cryptography` library) under a key derived with HKDF from the app's secret key,
which is kept apart from the database (`instance/secret_key` or
GROUNDWORK_SECRET_KEY). Secrets are encrypted under the current secret key and
decrypted with it or any key in SECRET_KEY_FALLBACKS, so the secret key can be
rotated: a secret stays encrypted under the key it was set up with, so keep the
old key there until the clinicians who set up under it have set up again.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

# Kept apart from every other use of the secret key (sessions, device cookies).
KEY_PURPOSE = b"groundwork totp secret"


class SecretUnreadable(Exception):
    """The secret was encrypted under a secret key the app no longer has."""


def app_secret_keys() -> list[str | bytes]:
    """The app's secret key, then the old ones in SECRET_KEY_FALLBACKS."""
    return [current_app.secret_key, *(current_app.config.get("SECRET_KEY_FALLBACKS") or [])]


def _fernet(secret_key: str | bytes) -> Fernet:
    material = secret_key.encode() if isinstance(secret_key, str) else secret_key
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=KEY_PURPOSE).derive(material)
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_secret(secret: str, secret_key: str | bytes) -> str:
    """The secret as stored: a Fernet token (ASCII, 140 characters for a 32-character secret)."""
    return _fernet(secret_key).encrypt(secret.encode()).decode()


def decrypt_secret(stored: str, secret_keys: Sequence[str | bytes]) -> str:
    """The secret, decrypted with the first of the keys that fits; SecretUnreadable if none does."""
    try:
        return MultiFernet([_fernet(key) for key in secret_keys]).decrypt(stored.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable from None
