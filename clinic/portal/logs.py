"""Access logs show a client link as `/p/<redacted>`: its token opens a client's answers.

The filter sits on the loggers that write request lines: werkzeug's (the
development server that `make run` starts) and gunicorn's access log. A
logger keeps its filters whoever configures its handlers, so gunicorn's own
logging setup leaves this in place.
"""

from __future__ import annotations

import logging
import re

REQUEST_LOGGERS = ("werkzeug", "gunicorn.access")
TOKEN_IN_PATH = re.compile(r"/p/[^\s/?#\"']+")
REDACTED = "/p/<redacted>"


def redact(text: str) -> str:
    return TOKEN_IN_PATH.sub(REDACTED, text)


class RedactLinkTokens(logging.Filter):
    """Rewrites a record whose message holds a client link, so no handler ever sees the token."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def redact_request_logs() -> None:
    """Install the filter once per process (the app factory may run many times, as in the tests)."""
    for name in REQUEST_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, RedactLinkTokens) for existing in logger.filters):
            logger.addFilter(RedactLinkTokens())
