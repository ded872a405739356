"""Two-step sign-in: a code from an authenticator app (TOTP, RFC 6238), or a one-time recovery code.

The TOTP secret is shown once as a QR code (inline SVG, drawn by segno) and as
text, and stored encrypted under the app's secret key (clinic/auth/totp_encryption.py);
recovery codes are shown once and stored only as SHA-256 hashes (they are
random, 80 bits each, so a fast hash is enough). Every code works once: a TOTP
code's 30-second step and a recovery code's use are each claimed by one
conditional row update.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time

import pyotp
import segno
from flask import current_app
from markupsafe import Markup
from sqlalchemy import delete, func, or_, select, update

from clinic.auth.totp_encryption import app_secret_keys, decrypt_secret, encrypt_secret
from clinic.extensions import db
from clinic.models import Clinician, RecoveryCode, Setting, utcnow

ISSUER = "Groundwork"
STEP_SECONDS = 30
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
_RECOVERY_GROUPS, _RECOVERY_GROUP_LENGTH = 4, 4
REQUIRED_SETTING = "two_step_required"


def secret_of(clinician: Clinician) -> str | None:
    """The clinician's TOTP secret, decrypted (None before setting up); SecretUnreadable after a key change."""
    if clinician.encrypted_totp_secret is None:
        return None
    return decrypt_secret(clinician.encrypted_totp_secret, app_secret_keys())


def start_setup(clinician: Clinician) -> str:
    """A new secret, not in use until the clinician confirms a code from it; the secret, to show."""
    secret = pyotp.random_base32()
    clinician.encrypted_totp_secret = encrypt_secret(secret, current_app.secret_key)
    clinician.totp_confirmed_at = None
    clinician.totp_last_step = None
    return secret


def qr_code_svg(secret: str, email: str) -> Markup:
    """The secret as a QR code an authenticator app can scan: inline SVG, no script, no style."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)
    svg = segno.make(uri, error="m").svg_inline(scale=5, title="QR code for your authenticator app")
    return Markup(svg.replace("<svg ", '<svg role="img" aria-label="QR code for your authenticator app" ', 1))


def secret_as_text(secret: str) -> str:
    """The secret in groups of four, for typing into an app by hand."""
    return " ".join(secret[start:start + 4] for start in range(0, len(secret), 4))


def _matching_step(secret: str, code: str) -> int | None:
    """The 30-second step this code belongs to (now, or one step either side for a slow clock)."""
    totp, now = pyotp.TOTP(secret), int(time.time()) // STEP_SECONDS
    for step in (now, now - 1, now + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def use_authenticator_code(clinician: Clinician, code: str) -> bool:
    """Whether the code is right and not used before; claims its step so it cannot be replayed.

    Raises SecretUnreadable when the secret was stored under a secret key the app no longer has.
    """
    secret = secret_of(clinician)
    step = _matching_step(secret, code) if secret else None
    if step is None:
        return False
    claimed = db.session.execute(
        update(Clinician)
        .where(Clinician.id == clinician.id,
               or_(Clinician.totp_last_step.is_(None), Clinician.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1


def confirm_setup(clinician: Clinician, code: str) -> list[str] | None:
    """Turn two-step sign-in on if the code is right; the new recovery codes, to show once."""
    if clinician.two_step_on or not use_authenticator_code(clinician, code):
        return None
    clinician.totp_confirmed_at = utcnow()
    return new_recovery_codes(clinician)


def turn_off(clinician: Clinician) -> None:
    clinician.encrypted_totp_secret = clinician.totp_confirmed_at = clinician.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.clinician_id == clinician.id))


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _normalise(code: str) -> str:
    return re.sub(r"[\s-]", "", code).lower()


def new_recovery_codes(clinician: Clinician) -> list[str]:
    """Ten new codes, replacing any earlier ones."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.clinician_id == clinician.id))
    codes = ["-".join("".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_GROUP_LENGTH))
                      for _ in range(_RECOVERY_GROUPS)) for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(clinician_id=clinician.id, code_hash=_hash(_normalise(code))) for code in codes)
    return codes


def use_recovery_code(clinician: Clinician, typed: str) -> bool:
    """Whether the code is one of the clinician's unused recovery codes; uses it up."""
    used = db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.clinician_id == clinician.id, RecoveryCode.code_hash == _hash(_normalise(typed)),
               RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
    )
    return used.rowcount == 1


def recovery_codes_left(clinician: Clinician) -> int:
    return db.session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.clinician_id == clinician.id, RecoveryCode.used_at.is_(None)))


def second_step_passed(clinician: Clinician, typed: str) -> str | None:
    """How the clinician passed the second step ("authenticator app" or "recovery code"), or None.

    Raises SecretUnreadable for an app code when the secret cannot be decrypted.
    """
    code = re.sub(r"\s", "", typed)
    if re.fullmatch(r"\d{6}", code):
        return "authenticator app" if use_authenticator_code(clinician, code) else None
    return "recovery code" if use_recovery_code(clinician, code) else None


def required() -> bool:
    """Whether the practice requires two-step sign-in of every clinician (`flask require-2fa`)."""
    setting = db.session.get(Setting, REQUIRED_SETTING)
    return setting is not None and setting.value == "yes"


def set_required(on: bool) -> None:
    setting = db.session.get(Setting, REQUIRED_SETTING) or Setting(name=REQUIRED_SETTING)
    setting.value = "yes" if on else "no"
    db.session.add(setting)
