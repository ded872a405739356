"""Configuration: defaults here, then `instance/config.py`, then environment.

Environment variables prefixed `GROUNDWORK_` override any setting (values are
parsed as JSON where they can be, e.g. `GROUNDWORK_IDLE_MINUTES=30`), and
`DATABASE_URL` picks the database.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Defaults:
    WORKSHEETS_DIR = str(PROJECT_ROOT / "worksheets")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}  # see `database.engine_options`
    # Clinicians are signed out after this many idle minutes.
    IDLE_MINUTES = 15
    # Clients are signed out of the portal after this many idle minutes.
    PORTAL_IDLE_MINUTES = 60
    # Client links stop working after this many days (or when revoked or replaced).
    PORTAL_LINK_DAYS = 14
    # Sign-in failures from unknown browsers (per account, per address) and from a recognised
    # browser (per device cookie): this many are free, then each further attempt waits,
    # twice as long each time, from LOGIN_FIRST_DELAY_SECONDS up to LOGIN_LONGEST_DELAY_MINUTES.
    # Counts are forgotten LOGIN_FORGET_HOURS after they began, or on a successful sign-in.
    LOGIN_MAX_FAILURES = 5
    LOGIN_FIRST_DELAY_SECONDS = 60
    LOGIN_LONGEST_DELAY_MINUTES = 60
    LOGIN_FORGET_HOURS = 24
    # A browser where a clinician signed in is recognised (device cookie) for this long.
    DEVICE_COOKIE_DAYS = 90
    # A clinician's session ends this long after sign-in, however active.
    SESSION_MAX_HOURS = 12
    # Client links: failures allowed per address in one window.
    LOGIN_WINDOW_MINUTES = 15
    LINK_MAX_FAILURES = 20
    MAX_CONTENT_LENGTH = 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None  # the session's idle limit already bounds a token's life
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # set True (GROUNDWORK_SESSION_COOKIE_SECURE=true) behind HTTPS
    SESSION_COOKIE_NAME = "groundwork_session"
    # Shown under the standard crisis note on every portal page.
    CRISIS_LINE = ""
    PAPER_SIZE = "A4"  # or "letter"
    # A PDF that takes longer than this many seconds to make is refused (its renderer is killed).
    PDF_TIME_LIMIT = 30
    # No PDF is longer than this; a packet leaves out the worksheets that would not fit.
    PDF_MAX_PAGES = 200
    # A packet holds at most this many worksheets; its contents page names any left out.
    PACKET_MAX_WORKSHEETS = 12
    # The practice's time zone (IANA name, e.g. "Europe/London") for every date and time shown;
    # empty means the server's own.
    TIMEZONE = ""
    PER_PAGE = 20
    # Archived clients are erased by `flask purge` this many days after archiving (None: never).
    RETENTION_DAYS = None
    # The task queue: a SQLite file (default instance/queue.sqlite), or Redis when REDIS_URL is set.
    QUEUE_FILE = ""
    REDIS_URL = ""
    # Email: with no MAIL_SERVER, emails are written to the log instead of sent.
    MAIL_SERVER = ""
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USERNAME = ""
    MAIL_PASSWORD = ""
    MAIL_SENDER = "groundwork@localhost"
    MAIL_TIMEOUT_SECONDS = 20
    PRACTICE_NAME = "Your therapy practice"
    # Reminders go out once a day at this hour in the practice's time zone (TIMEZONE).
    REMINDER_HOUR = 9
    # The address links in emails start with (emails are built outside any request).
    PUBLIC_URL = "http://127.0.0.1:5000"


def sqlite_url(instance_path: str) -> str:
    return "sqlite:///" + str(Path(instance_path) / "groundwork.sqlite")


def load_secret_key(instance_path: str) -> str:
    """The secret key from `instance/secret_key`, generated (0600) on first start."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".secret_key.{os.getpid()}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(draft, path)  # atomic: when several workers start at once, one key wins
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()
