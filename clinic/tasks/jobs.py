"""The tasks the queue runs: thin calls into the services that do the work.

Every task is idempotent: run twice (a consumer that died half-way, a retry), it
does the work once.
"""

from __future__ import annotations

from typing import Any

from clinic.models import utcnow


def send_email(delivery_id: int, link: str | None = None, link_expires: str | None = None, *,
               task: Any = None) -> None:
    """Send one queued email; retried with backoff, recorded as failed after the last try."""
    from clinic.mail.services import deliver

    deliver(delivery_id, link=link, link_expires=link_expires, last_attempt=not task.retries)


def prerender_pdfs(client_id: int, assignment_ids: list[int], *, task: Any = None) -> None:
    """Render the changed worksheets' PDFs and the client's packet into the cache before anyone asks."""
    from clinic.pdf.background import prerender

    prerender(client_id, assignment_ids)


def hourly_round() -> None:
    """Every hour: the next assignments of repeating series, and at the practice's hour, reminders."""
    from clinic.tasks import rounds

    rounds.hourly_round(utcnow())


# (task, periodic): the periodic ones run at the start of every hour.
TASKS = ((send_email, False), (prerender_pdfs, False), (hourly_round, True))
