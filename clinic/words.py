"""One vocabulary: how dates and times read, everywhere (pages, PDFs, emails, exports).

Times are stored in UTC and shown in the practice's time zone (`TIMEZONE`, by
default the server's own). Each rendering has one name here and one filter of
the same name in the templates, so a date never reads two ways.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import lru_cache

from flask import Flask, current_app, has_app_context
from tzlocal import get_localzone_name

DEFAULT_ZONE = "UTC"


@lru_cache(maxsize=16)
def _zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def zone_name_setting(configured: str | None) -> str:
    """The configured zone if it exists, else the server's own, else UTC."""
    for candidate in (configured, get_localzone_name()):
        if candidate:
            try:
                _zone(candidate)
                return candidate
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                continue
    return DEFAULT_ZONE


def practice_zone() -> zoneinfo.ZoneInfo:
    """The time zone every shown time is read in."""
    name = current_app.config["TIMEZONE"] if has_app_context() else DEFAULT_ZONE
    return _zone(name)


def local(moment: dt.datetime) -> dt.datetime:
    """A stored (UTC) moment as the practice's clock shows it."""
    return moment.astimezone(practice_zone())


def today() -> dt.date:
    """Today on the practice's calendar (not the server's, not UTC's)."""
    return dt.datetime.now(practice_zone()).date()


def _calendar_day(value: dt.date | dt.datetime) -> dt.date:
    return local(value).date() if isinstance(value, dt.datetime) else value


def date(value: dt.date | dt.datetime | None) -> str:
    """'4 Dec 2026': the one way a date reads."""
    if value is None:
        return ""
    day = _calendar_day(value)
    return f"{day.day} {day:%b %Y}"


def day_month(value: dt.date | dt.datetime) -> str:
    """'4 Dec': a date where the year is plain from around it (a chart's axis)."""
    day = _calendar_day(value)
    return f"{day.day} {day:%b}"


def weekday_date(value: dt.date | dt.datetime | None) -> str:
    """'Friday 4 Dec 2026': a date someone has to act by, with its weekday."""
    if value is None:
        return ""
    day = _calendar_day(value)
    return f"{day:%A} {date(day)}"


def date_time(value: dt.datetime | None) -> str:
    """'4 Dec 2026, 14:05': a moment on the practice's clock."""
    if value is None:
        return ""
    moment = local(value)
    return f"{date(moment.date())}, {moment:%H:%M}"


def clock(value: dt.datetime | None) -> str:
    """'14:05': a time of day on the practice's clock."""
    return f"{local(value):%H:%M}" if value else ""


def ago(moment: dt.datetime | None) -> str:
    """How long ago: 'just now', '5 minutes ago', '3 hours ago', else 'on Friday 4 Dec 2026'."""
    if moment is None:
        return ""
    minutes = int((dt.datetime.now(dt.timezone.utc) - moment).total_seconds() // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''} ago"
    if minutes < 24 * 60:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''} ago"
    return f"on {weekday_date(moment)}"


def saved_at(moment: dt.datetime | None) -> str:
    """'Saved at 21:14' today, else 'Saved on Friday 4 Dec 2026 at 21:14': the save status, in practice time."""
    if moment is None:
        return ""
    when = local(moment)
    if when.date() == today():
        return f"Saved at {when:%H:%M}"
    return f"Saved on {weekday_date(when)} at {when:%H:%M}"


def progress(answered: int, total: int, required_left: int) -> str:
    """'12 of 30 answered · 3 required left': how far along, and what still stands before sending."""
    left = "no required questions left" if required_left == 0 else f"{required_left} required left"
    return f"{answered} of {total} answered · {left}"


FILTERS = {"date": date, "weekday_date": weekday_date, "date_time": date_time, "clock": clock, "ago": ago,
           "saved_at": saved_at}


def init_app(app: Flask) -> None:
    app.config["TIMEZONE"] = zone_name_setting(app.config.get("TIMEZONE"))
    app.jinja_env.filters.update(FILTERS)
    app.jinja_env.globals["practice_zone_name"] = lambda: app.config["TIMEZONE"]
