"""Throttling of repeated failures (sign-ins, client links), shared by every worker.

Counts live in the database (`ThrottleBucket`), so several gunicorn workers or
machines see the same numbers and a restart forgets nothing. Each key (for
example "login:account:alex@example.org" or "login:address:10.0.0.7") has a fixed window;
reaching the maximum within it blocks the key until the window ends.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from clinic.extensions import db
from clinic.models import ThrottleBucket, utcnow


def blocked_for(keys: Iterable[str]) -> dt.timedelta | None:
    """How long the most restricted of these keys is still blocked, if at all."""
    now = utcnow()
    until = db.session.scalars(
        select(ThrottleBucket.blocked_until).where(
            ThrottleBucket.key.in_(list(keys)), ThrottleBucket.blocked_until > now
        )
    ).all()
    return max(until) - now if until else None


def record_failure(keys: Iterable[str], *, limit: int, window: dt.timedelta) -> None:
    """Count one failure against each key, blocking those that reach `limit`.

    The row is locked while it is updated (SELECT … FOR UPDATE on PostgreSQL;
    SQLite serialises writers), so concurrent failures are all counted.
    """
    now = utcnow()
    for key in keys:
        bucket = db.session.scalar(select(ThrottleBucket).where(ThrottleBucket.key == key).with_for_update())
        if bucket is None:
            bucket = _create(key, now)
        if bucket.window_start + window <= now:
            bucket.window_start, bucket.failures, bucket.blocked_until = now, 0, None
        bucket.failures += 1
        if bucket.failures >= limit:
            bucket.blocked_until = bucket.window_start + window
    db.session.commit()


def _create(key: str, now: dt.datetime) -> ThrottleBucket:
    """A new bucket; if another worker created it first, use theirs."""
    try:
        with db.session.begin_nested():
            bucket = ThrottleBucket(key=key, window_start=now, failures=0)
            db.session.add(bucket)
        return bucket
    except IntegrityError:
        return db.session.scalar(select(ThrottleBucket).where(ThrottleBucket.key == key).with_for_update())


def reset(key: str) -> None:
    """Forget the failures of one key (after a successful sign-in)."""
    bucket = db.session.get(ThrottleBucket, key)
    if bucket is not None:
        db.session.delete(bucket)


def minutes(delta: dt.timedelta) -> int:
    """Whole minutes to tell a person to wait (never 0)."""
    return max(1, math.ceil(delta.total_seconds() / 60))
