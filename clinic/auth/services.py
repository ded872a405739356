"""Clinician accounts: argon2id password hashing, account creation, sign-in throttling."""

from __future__ import annotations

import datetime as dt
import hashlib

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import select

from clinic import throttle
from clinic.extensions import db
from clinic.models import EMAIL_MAX, NAME_MAX, Clinician, utcnow

PASSWORD_MIN = 12
PASSWORD_MAX = 256
hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified against when the email is unknown, so both cases take the same time.
_DUMMY_HASH = hasher.hash("groundwork-timing-equaliser")


class PasswordProblem(ValueError):
    """A password or account detail that cannot be accepted, in words for the user."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_new_password(password: str) -> None:
    if len(password) < PASSWORD_MIN:
        raise PasswordProblem(f"Please choose a password of at least {PASSWORD_MIN} characters.")
    if len(password) > PASSWORD_MAX:
        raise PasswordProblem(f"Please choose a password of at most {PASSWORD_MAX} characters.")


def create_account(email: str, password: str, *, name: str = "") -> Clinician:
    email = normalise_email(email)
    if not email or "@" not in email or len(email) > EMAIL_MAX:
        raise PasswordProblem("Please give a valid email address.")
    if db.session.scalar(select(Clinician).where(Clinician.email == email)):
        raise PasswordProblem(f"There is already an account for {email}.")
    check_new_password(password)
    clinician = Clinician(
        email=email,
        name=(name.strip() or email.split("@")[0])[:NAME_MAX],
        password_hash=hasher.hash(password),
    )
    db.session.add(clinician)
    return clinician


def authenticate(email: str, password: str) -> Clinician | None:
    """The clinician with these credentials, or None; rehashes outdated hashes."""
    clinician = db.session.scalar(select(Clinician).where(Clinician.email == normalise_email(email)))
    if not password_matches(clinician.password_hash if clinician else _DUMMY_HASH, password) or clinician is None:
        return None
    if hasher.check_needs_rehash(clinician.password_hash):
        clinician.password_hash = hasher.hash(password)
    clinician.last_login_at = utcnow()
    return clinician


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def set_password(clinician: Clinician, password: str) -> None:
    check_new_password(password)
    clinician.password_hash = hasher.hash(password)
    clinician.session_version += 1


def account_key(email: str) -> str:
    """Throttle key of an account; hashed, so a password typed into the email box is never stored."""
    return "login:account:" + hashlib.sha256(normalise_email(email).encode()).hexdigest()[:32]


def sign_in_keys(email: str, address: str | None) -> list[str]:
    """Failures count against the account tried and against the address trying."""
    return [account_key(email), f"login:address:{address or 'unknown'}"]


def record_sign_in_failure(keys: list[str]) -> None:
    """Count a failed sign-in (commits, so every worker sees it at once)."""
    config = current_app.config
    throttle.record_failure(keys, limit=config["LOGIN_MAX_FAILURES"],
                            window=dt.timedelta(minutes=config["LOGIN_WINDOW_MINUTES"]))
