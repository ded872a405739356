"""Clinician accounts: argon2id password hashing and account creation."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

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
    try:
        hasher.verify(clinician.password_hash if clinician else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if clinician is None:
        return None
    if hasher.check_needs_rehash(clinician.password_hash):
        clinician.password_hash = hasher.hash(password)
    clinician.last_login_at = utcnow()
    return clinician


def set_password(clinician: Clinician, password: str) -> None:
    check_new_password(password)
    clinician.password_hash = hasher.hash(password)
    clinician.session_version += 1
