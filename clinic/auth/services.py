"""Clinician accounts: argon2id password hashing, password strength, account creation, sign-in throttling."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import select
from zxcvbn import zxcvbn

from clinic import throttle
from clinic.extensions import db
from clinic.models import EMAIL_MAX, NAME_MAX, Clinician

PASSWORD_MIN = 12
PASSWORD_MAX = 256
# zxcvbn's score from 0 (guessed at once) to 4 (very hard to guess); below this is refused.
PASSWORD_MIN_SCORE = 3
# zxcvbn's own bound: longer passwords are scored on their beginning.
_ZXCVBN_LENGTH = 72
hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified against when the email is unknown, so both cases take the same time.
_DUMMY_HASH = hasher.hash("groundwork-timing-equaliser")


class PasswordProblem(ValueError):
    """A password or account detail that cannot be accepted, in words for the user."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _personal_words(email: str, name: str) -> list[str]:
    """The parts of an email and name someone who knows the clinician would try first."""
    local_part = email.split("@")[0]
    words = [email, local_part, *re.split(r"[^\w]+|_", local_part), *re.split(r"[^\w]+", name)]
    return [word.lower() for word in words if len(word) >= 3]


def check_new_password(password: str, *, email: str = "", name: str = "") -> None:
    """Refuse a password that is short, long, personal or easy to guess, saying why in plain words."""
    if len(password) < PASSWORD_MIN:
        raise PasswordProblem(f"Please choose a password of at least {PASSWORD_MIN} characters.")
    if len(password) > PASSWORD_MAX:
        raise PasswordProblem(f"Please choose a password of at most {PASSWORD_MAX} characters.")
    personal = _personal_words(email, name)
    if any(word in password.lower() for word in personal):
        raise PasswordProblem("Please leave your email address and your name out of your password: "
                              "they are the first things someone who knows you would try.")
    strength = zxcvbn(password[:_ZXCVBN_LENGTH], user_inputs=personal)
    if strength["score"] < PASSWORD_MIN_SCORE:
        reason = strength["feedback"]["warning"] or "It follows a pattern that is quick to guess."
        raise PasswordProblem(f"That password would be easy to guess. {reason} "
                              "Try three or four unrelated words together: long and unusual is strong.")


def create_account(email: str, password: str, *, name: str = "") -> Clinician:
    email = normalise_email(email)
    if not email or "@" not in email or len(email) > EMAIL_MAX:
        raise PasswordProblem("Please give a valid email address.")
    if db.session.scalar(select(Clinician).where(Clinician.email == email)):
        raise PasswordProblem(f"There is already an account for {email}.")
    name = (name.strip() or email.split("@")[0])[:NAME_MAX]
    check_new_password(password, email=email, name=name)
    clinician = Clinician(
        email=email,
        name=name,
        password_hash=hasher.hash(password),
    )
    db.session.add(clinician)
    return clinician


def find_clinician(email: str) -> Clinician | None:
    return db.session.scalar(select(Clinician).where(Clinician.email == normalise_email(email)))


def password_is_right(clinician: Clinician | None, password: str) -> bool:
    """Whether the password is the clinician's; as slow for an unknown email. Rehashes outdated hashes."""
    if not password_matches(clinician.password_hash if clinician else _DUMMY_HASH, password) or clinician is None:
        return False
    if hasher.check_needs_rehash(clinician.password_hash):
        clinician.password_hash = hasher.hash(password)
    return True


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def set_password(clinician: Clinician, password: str) -> None:
    check_new_password(password, email=clinician.email, name=clinician.name)
    clinician.password_hash = hasher.hash(password)
    clinician.session_version += 1


def account_key(email: str) -> str:
    """Throttle key of an account tried from unknown browsers; hashed, so a password typed
    into the email box is never stored."""
    return "login:account:" + hashlib.sha256(normalise_email(email).encode()).hexdigest()[:32]


def address_key(address: str | None) -> str:
    return f"login:address:{address or 'unknown'}"


def sign_in_keys(email: str, address: str | None, device_key: str | None) -> list[str]:
    """What a sign-in attempt counts against (OWASP's device cookie pattern).

    A browser recognised for this account counts only against itself, so failures
    elsewhere never lock it out; an unknown browser counts against the account
    and against its address.
    """
    if device_key is not None:
        return [device_key]
    return [address_key(address), account_key(email)]


def current_password_key(clinician: Clinician) -> str:
    """Guesses of the current password by a signed-in session, apart from sign-in failures."""
    return f"account:{clinician.id}:current-password"


def second_step_key(clinician: Clinician) -> str:
    """Wrong codes after a right password; whoever types them already knows the password."""
    return f"login:second-step:{clinician.id}"


def sign_in_backoff() -> throttle.Backoff:
    config = current_app.config
    return throttle.Backoff(
        free=config["LOGIN_MAX_FAILURES"],
        window=dt.timedelta(hours=config["LOGIN_FORGET_HOURS"]),
        first_delay=dt.timedelta(seconds=config["LOGIN_FIRST_DELAY_SECONDS"]),
        longest_delay=dt.timedelta(minutes=config["LOGIN_LONGEST_DELAY_MINUTES"]),
    )
