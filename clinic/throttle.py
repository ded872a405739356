"""Throttling of repeated failures (sign-ins, client links), shared by every worker.

Counts live in the database (`ThrottleBucket`), so several gunicorn workers or
machines see the same numbers and a restart forgets nothing. A key names what
is counted (for example "login:account:<hash of the email>" or
"login:address:10.0.0.7").

Two ways to use it:

- `reserve` before a secret is checked: it takes the attempt with one atomic
  row update per key, so a burst of parallel requests can never check more
  secrets than the `Backoff` allows. A few attempts are free, then the waits
  between attempts grow. `release` gives the attempt back when it succeeded.
- `record_failure` after the fact, with a hard limit per fixed window
  (client links), and `blocked_for` to ask first.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import case, select, update
from sqlalchemy.exc import IntegrityError

from clinic.extensions import db
from clinic.models import ThrottleBucket, utcnow

# Each compare-and-set that loses a race reads again; after this many losses the caller waits.
_RACE_RETRIES = 50


@dataclass(frozen=True)
class Backoff:
    """`free` attempts per `window`, then waits that double from `first_delay` up to `longest_delay`."""

    free: int
    window: dt.timedelta
    first_delay: dt.timedelta
    longest_delay: dt.timedelta

    def delay_after(self, attempts: int) -> dt.timedelta | None:
        """How long the next attempt must wait after this many in the window (None: no wait)."""
        if attempts < self.free:
            return None
        doublings = min(attempts - self.free, 32)
        return min(self.first_delay * 2**doublings, self.longest_delay)


def blocked_for(keys: Iterable[str]) -> dt.timedelta | None:
    """How long the most restricted of these keys is still blocked, if at all."""
    now = utcnow()
    until = db.session.scalars(
        select(ThrottleBucket.blocked_until).where(
            ThrottleBucket.key.in_(list(keys)), ThrottleBucket.blocked_until > now
        )
    ).all()
    return max(until) - now if until else None


def reserve(keys: Iterable[str], backoff: Backoff) -> dt.timedelta | None:
    """Take one attempt on every key before checking a secret; or say how long to wait.

    The attempt counts as a failure (and may start a wait for the next one) until
    `release` gives it back. Commits.
    """
    keys = list(keys)
    wait = blocked_for(keys)
    if wait is not None:
        return wait
    for key in keys:
        wait = _take(key, backoff)
        if wait is not None:
            return wait
    return None


def _take(key: str, backoff: Backoff) -> dt.timedelta | None:
    """One attempt on one key, by compare-and-set: the UPDATE only applies to the row as it was read.

    Of several requests that read the same row, exactly one update matches (rowcount 1);
    the others read again and see the new count, on SQLite and PostgreSQL alike.
    """
    for _ in range(_RACE_RETRIES):
        now = utcnow()
        seen = db.session.execute(
            select(ThrottleBucket.failures, ThrottleBucket.window_start, ThrottleBucket.blocked_until)
            .where(ThrottleBucket.key == key)
        ).one_or_none()
        if seen is None:
            if _create(key, now, backoff.delay_after(1)):
                return None
            continue
        if seen.blocked_until is not None and seen.blocked_until > now:
            return seen.blocked_until - now
        new_window = seen.window_start + backoff.window <= now
        attempts = 1 if new_window else seen.failures + 1
        delay = backoff.delay_after(attempts)
        taken = db.session.execute(
            update(ThrottleBucket)
            .where(ThrottleBucket.key == key, ThrottleBucket.failures == seen.failures,
                   ThrottleBucket.window_start == seen.window_start)
            .values(failures=attempts, window_start=now if new_window else seen.window_start,
                    blocked_until=now + delay if delay else None)
        )
        db.session.commit()
        if taken.rowcount == 1:
            return None
    return backoff.first_delay


def _create(key: str, now: dt.datetime, delay: dt.timedelta | None) -> bool:
    """A new bucket holding one attempt; False if another worker created it first."""
    try:
        with db.session.begin_nested():
            db.session.add(ThrottleBucket(key=key, window_start=now, failures=1,
                                          blocked_until=now + delay if delay else None))
    except IntegrityError:
        return False
    db.session.commit()
    return True


def release(keys: Iterable[str], backoff: Backoff) -> None:
    """Give back a reserved attempt that succeeded, and the wait it started (commits)."""
    remaining = ThrottleBucket.failures - 1
    db.session.execute(
        update(ThrottleBucket)
        .where(ThrottleBucket.key.in_(list(keys)), ThrottleBucket.failures > 0)
        .values(failures=remaining,
                blocked_until=case((remaining < backoff.free, None), else_=ThrottleBucket.blocked_until))
    )
    db.session.commit()


def record_failure(keys: Iterable[str], *, limit: int, window: dt.timedelta) -> None:
    """Count one failure against each key, blocking those that reach `limit`.

    The row is locked while it is updated (SELECT … FOR UPDATE on PostgreSQL;
    SQLite serialises writers), so concurrent failures are all counted.
    """
    now = utcnow()
    for key in keys:
        bucket = db.session.scalar(select(ThrottleBucket).where(ThrottleBucket.key == key).with_for_update())
        if bucket is None:
            bucket = _create_empty(key, now)
        if bucket.window_start + window <= now:
            bucket.window_start, bucket.failures, bucket.blocked_until = now, 0, None
        bucket.failures += 1
        if bucket.failures >= limit:
            bucket.blocked_until = bucket.window_start + window
    db.session.commit()


def _create_empty(key: str, now: dt.datetime) -> ThrottleBucket:
    """A new bucket with no failures yet; if another worker created it first, use theirs."""
    try:
        with db.session.begin_nested():
            bucket = ThrottleBucket(key=key, window_start=now, failures=0)
            db.session.add(bucket)
        return bucket
    except IntegrityError:
        return db.session.scalar(select(ThrottleBucket).where(ThrottleBucket.key == key).with_for_update())


def reset(key: str) -> None:
    """Forget the failures of one key (after a successful sign-in, or an admin's unlock)."""
    bucket = db.session.get(ThrottleBucket, key)
    if bucket is not None:
        db.session.delete(bucket)


def minutes(delta: dt.timedelta) -> int:
    """Whole minutes to tell a person to wait (never 0)."""
    return max(1, math.ceil(delta.total_seconds() / 60))
