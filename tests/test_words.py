"""Dates and times read one way everywhere, on the practice's clock; pages stay out of search engines."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

from sqlalchemy import select

from clinic import words
from clinic.extensions import db
from clinic.models import AuditEvent
from tests.support.posting import login
from tests.support.samples import sample_answers

SUMMER_EVENING_UTC = dt.datetime(2026, 7, 3, 23, 30, tzinfo=dt.timezone.utc)


def test_one_date_format_in_the_practice_time_zone(app):
    app.config["TIMEZONE"] = "America/New_York"
    assert words.date(dt.date(2026, 3, 5)) == "5 Mar 2026"
    assert words.date_time(SUMMER_EVENING_UTC) == "3 Jul 2026, 19:30"
    assert words.weekday_date(SUMMER_EVENING_UTC) == "Friday 3 Jul 2026"
    app.config["TIMEZONE"] = "Australia/Sydney"
    assert words.date_time(SUMMER_EVENING_UTC) == "4 Jul 2026, 09:30"
    assert words.date(SUMMER_EVENING_UTC) == "4 Jul 2026"


def test_the_time_zone_is_named_as_people_say_it(app, signed_in):
    app.config["TIMEZONE"] = "America/New_York"
    page = signed_in.get("/").get_data(as_text=True)
    assert "Times are shown in New York time." in page  # not the database name "America/New_York"
    assert words.zone_label("America/Argentina/Buenos_Aires") == "Buenos Aires"
    assert words.zone_label("UTC") == "UTC"


def test_an_unknown_time_zone_falls_back_to_the_servers_own():
    assert words.zone_name_setting("Mars/Olympus_Mons") == words.zone_name_setting(None)
    assert words.zone_name_setting("Europe/Lisbon") == "Europe/Lisbon"


def test_the_audit_history_shows_times_on_the_practice_clock(app, signed_in, make, clinician):
    app.config["TIMEZONE"] = "Asia/Kolkata"  # UTC+05:30 all year
    person = make.client(clinician, display_name="Sam K.")
    signed_in.get(f"/clients/{person.id}")
    viewed = db.session.scalars(select(AuditEvent).where(AuditEvent.client_id == person.id)).first()
    kolkata = viewed.at.astimezone(zoneinfo.ZoneInfo("Asia/Kolkata"))

    page = signed_in.get(f"/clients/{person.id}/audit").get_data(as_text=True)

    assert f"{kolkata.day} {kolkata:%b %Y, %H:%M}" in page
    assert "Times are shown in Kolkata time." in page
    assert "UTC" not in page


def test_no_page_is_offered_to_search_engines(client, make, clinician):
    sign_in_page = client.get("/login")
    login(client, clinician)
    dashboard = client.get("/")

    for response in (sign_in_page, dashboard):
        assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
        assert '<meta name="robots" content="noindex, nofollow">' in response.get_data(as_text=True)
    assert '<meta name="description"' in sign_in_page.get_data(as_text=True)


def test_the_browsers_favicon_request_finds_an_icon(client):
    moved = client.get("/favicon.ico")
    assert moved.status_code == 301
    with client.get(moved.headers["Location"]) as icon:
        assert icon.status_code == 200
        assert icon.mimetype == "image/svg+xml"


def test_a_client_sends_a_worksheet_in_every_word_never_submits_it(app, signed_in, make, clinician):
    app.config["TIMEZONE"] = "UTC"
    person = make.client(clinician, display_name="Sam K.")
    sent = make.assignment(person, "origins-mapping", status="submitted", answers=sample_answers("origins-mapping"))
    sent.submitted_at = SUMMER_EVENING_UTC
    db.session.commit()

    assert words.status_dated("submitted", submitted_at=SUMMER_EVENING_UTC, saved_at=None) == "Sent 3 Jul 2026"
    assert words.status_dated("reviewed", submitted_at=SUMMER_EVENING_UTC, saved_at=None) == "Reviewed; sent 3 Jul 2026"
    page = signed_in.get(f"/clients/{person.id}").get_data(as_text=True)
    assert f"{sent.title} (Sent 3 Jul 2026)" in page  # the packet form's choice, as the history and dashboard say it
    assert "Sent and reviewed worksheets are ticked" in page
    assert "ubmitted" not in re.sub(r"<[^>]*>", " ", page)  # no "Submitted"/"submitted" anywhere a person reads


def test_the_worksheet_library_counts_sections_in_plain_english(app, signed_in):
    one_part = [d for d in app.extensions["worksheets"].values() if len(d.sections) == 1]
    assert one_part, "the behaviour log has a single section"
    cards = re.sub(r"<[^>]*>", " ", signed_in.get("/worksheets/").get_data(as_text=True))

    assert " 1 sections" not in cards
    assert cards.count(" 1 section ·") == len(one_part)
