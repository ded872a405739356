"""Client links: created and shown once, GET changes nothing, POST signs in, expiry,
revocation, replacement, throttling, and the clinician's panel."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from clinic.extensions import db
from clinic.models import AuditEvent, PortalLink, utcnow
from clinic.portal.services import hash_token
from tests.support.portal import new_link, open_link
from tests.support.posting import csrf_token, post_form

LINK_PATTERN = re.compile(r'value="http://localhost/p/([A-Za-z0-9_-]+)"')


def links() -> list[PortalLink]:
    return list(db.session.scalars(select(PortalLink).order_by(PortalLink.id)))


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def create(browser, client_record, **data):
    return post_form(browser, f"/clients/{client_record.id}/links",
                     {"days": "30", "next": f"/clients/{client_record.id}", **data}, token_from="/")


# --- creating, copying, replacing, revoking ----------------------------------------------------


def test_a_new_link_is_shown_once_with_a_copy_button_and_only_its_hash_is_stored(signed_in, robin):
    response = create(signed_in, robin)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Copy link" in page and "shown only this once" in page
    token = LINK_PATTERN.search(page).group(1)
    assert len(token) >= 43  # 32 random bytes, base64
    [link] = links()
    assert link.token_hash == hash_token(token) and token not in link.token_hash
    assert not any(token in value for value in response.headers.getlist("Set-Cookie"))
    assert response.headers["Cache-Control"] == "no-store"
    assert f'href="/clients/{robin.id}"' in page  # back to where the clinician was
    assert actions()[-1] == "portal_link.created"
    # the token is nowhere else: the next page (and its flashes) do not show it
    assert token not in signed_in.get("/").get_data(as_text=True)


def test_a_link_works_for_14_days_by_default_or_as_many_as_chosen(signed_in, robin):
    page = signed_in.get(f"/clients/{robin.id}").get_data(as_text=True)
    assert 'name="days" value="14"' in page
    create(signed_in, robin, days="14")
    create(signed_in, robin, days="3")
    default, short = links()
    assert default.expires_at - default.created_at == dt.timedelta(days=14)
    assert short.expires_at - short.created_at == dt.timedelta(days=3)


@pytest.mark.parametrize("days", ["0", "366", "soon", ""])
def test_an_impossible_lifetime_is_refused_with_a_message(signed_in, robin, days):
    response = create(signed_in, robin, days=days)
    assert response.status_code == 302 and response.headers["Location"] == f"/clients/{robin.id}"
    assert links() == []
    page = signed_in.get("/").get_data(as_text=True)
    assert "days" in page and "flash--error" in page


def test_a_link_cannot_send_the_clinician_to_another_site_afterwards(signed_in, robin):
    response = create(signed_in, robin, days="0", next="https://evil.example/")
    assert response.headers["Location"] == "/"


def test_an_archived_client_gets_no_link_and_their_links_stop_working(signed_in, client, make, clinician):
    archived = make.client(clinician, archived_at=utcnow())
    token = new_link(archived)
    create(signed_in, archived)
    assert len(links()) == 1
    assert client.get(f"/p/{token}").status_code == 404


def test_revoking_a_link_stops_it_and_ends_the_session_it_started(signed_in, app, robin):
    token = new_link(robin)
    client_browser = app.test_client()
    open_link(client_browser, token)
    assert client_browser.get("/portal").status_code == 200
    [link] = links()
    response = post_form(signed_in, f"/clients/{robin.id}/links/{link.id}/revoke",
                         {"next": f"/clients/{robin.id}"}, token_from="/")
    assert response.status_code == 302
    db.session.refresh(link)
    assert link.revoked_at is not None
    assert client_browser.get("/portal").status_code == 401
    assert client_browser.get(f"/p/{token}").status_code == 404
    assert "portal_link.revoked" in actions()


def test_replacing_a_link_revokes_the_old_one_and_shows_a_new_one(signed_in, app, robin):
    old_token = new_link(robin)
    [old] = links()
    response = post_form(signed_in, f"/clients/{robin.id}/links/{old.id}/replace", {"days": "30"}, token_from="/")
    assert response.status_code == 200
    new_token = LINK_PATTERN.search(response.get_data(as_text=True)).group(1)
    browser = app.test_client()
    assert browser.get(f"/p/{old_token}").status_code == 404
    assert open_link(browser, new_token).status_code == 302
    old_link, new = links()
    assert old_link.revoked_at is not None and new.revoked_at is None


@pytest.mark.parametrize("action", ["links", "links/{link}/revoke", "links/{link}/replace"])
def test_link_routes_are_not_found_for_another_clinicians_client(signed_in, make, action):
    stranger = make.client(make.clinician(), display_name="Kit C.")
    new_link(stranger)
    [link] = links()
    path = f"/clients/{stranger.id}/" + action.format(link=link.id)
    response = post_form(signed_in, path, {"days": "30"}, token_from="/")
    assert response.status_code == 404
    assert len(links()) == 1 and links()[0].revoked_at is None


@pytest.mark.parametrize("action", ["revoke", "replace"])
def test_a_link_of_another_client_is_not_found_through_this_one(signed_in, make, clinician, robin, action):
    sibling = make.client(clinician)
    new_link(sibling)
    [link] = links()
    response = post_form(signed_in, f"/clients/{robin.id}/links/{link.id}/{action}", {"days": "30"},
                         token_from="/")
    assert response.status_code == 404
    assert links()[0].revoked_at is None


@pytest.mark.parametrize("action", ["links", "links/1/revoke", "links/1/replace"])
def test_link_routes_need_a_signed_in_clinician(client, robin, action):
    new_link(robin)
    response = post_form(client, f"/clients/{robin.id}/{action}", {"days": "30"}, token_from="/login")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert links()[0].revoked_at is None and len(links()) == 1


# --- opening a link ------------------------------------------------------------------------------


def test_opening_a_link_with_get_changes_nothing(client, robin):
    token = new_link(robin)
    response = client.get(f"/p/{token}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Continue" in page and "Robin" not in page  # a mail scanner learns nothing about the client
    assert links()[0].last_used_at is None
    assert actions() == []
    assert client.get("/portal").status_code == 401
    assert client.get(f"/p/{token}").status_code == 200  # still unused


def test_continue_starts_the_session_and_lands_on_a_clean_address(client, robin):
    token = new_link(robin)
    response = open_link(client, token)
    assert response.status_code == 302
    assert response.headers["Location"] == "/portal" and token not in response.headers["Location"]
    assert links()[0].last_used_at is not None
    assert actions() == ["portal.signed_in"]
    home = client.get("/portal")
    assert home.status_code == 200 and "Your worksheets" in home.get_data(as_text=True)
    assert home.headers["Referrer-Policy"] == "no-referrer" and home.headers["Cache-Control"] == "no-store"


def test_a_link_brings_the_client_back_after_signing_out(client, robin):
    token = new_link(robin)
    open_link(client, token)
    post_form(client, "/portal/leave", token_from="/portal")
    assert open_link(client, token).status_code == 302
    assert client.get("/portal").status_code == 200


def test_signing_in_by_link_signs_a_clinician_out_of_that_browser(signed_in, robin):
    open_link(signed_in, new_link(robin))
    assert signed_in.get("/").status_code == 302  # the clinician's pages now ask for a sign-in
    assert signed_in.get("/portal").status_code == 200


def _expired(robin) -> str:
    token = new_link(robin)
    link = links()[-1]
    link.created_at -= dt.timedelta(days=31)
    link.expires_at = utcnow() - dt.timedelta(days=1)
    db.session.commit()
    return token


def _revoked(robin) -> str:
    token = new_link(robin)
    links()[-1].revoked_at = utcnow()
    db.session.commit()
    return token


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_unknown_expired_and_revoked_links_all_look_the_same(client, robin, method):
    tokens = {"unknown": "x" * 43, "revoked": _revoked(robin), "expired": _expired(robin)}
    bodies = set()
    for kind, token in tokens.items():
        data = {"csrf_token": csrf_token(client, "/login")} if method == "POST" else None
        response = client.open(f"/p/{token}", method=method, data=data)
        assert response.status_code == 404, kind
        bodies.add(response.get_data(as_text=True))
    assert len(bodies) == 1
    assert "This link does not work" in bodies.pop()
    assert client.get("/portal").status_code == 401


def test_an_expired_link_ends_its_session(client, robin):
    token = new_link(robin)
    open_link(client, token)
    link = links()[0]
    link.created_at -= dt.timedelta(days=31)
    link.expires_at = utcnow() - dt.timedelta(seconds=1)
    db.session.commit()
    assert client.get("/portal").status_code == 401


def test_bad_link_attempts_are_throttled_per_address_but_never_block_a_valid_link(client, app, make, clinician,
                                                                                  robin):
    """20 guesses from a clinic's Wi-Fi must not lock out the clients behind it."""
    token = new_link(robin)
    for attempt in range(app.config["LINK_MAX_FAILURES"]):
        assert client.get(f"/p/guess-{attempt}").status_code == 404
    blocked = client.get("/p/one-more-guess")
    assert blocked.status_code == 429
    assert "Please wait a little" in blocked.get_data(as_text=True)
    assert client.get(f"/p/{token}").status_code == 200
    assert open_link(client, token).status_code == 302
    assert client.get("/portal").status_code == 200
    neighbour = app.test_client()  # another client of the practice, on the same Wi-Fi
    assert open_link(neighbour, new_link(make.client(clinician, display_name="Sam B."))).status_code == 302
    assert neighbour.get("/portal").status_code == 200
    assert neighbour.get("/p/another-guess").status_code == 429
    other_address = app.test_client()
    other_address.environ_base["REMOTE_ADDR"] = "10.9.8.7"
    assert other_address.get("/p/a-first-guess").status_code == 404


def test_a_long_or_odd_token_is_just_an_unknown_link(client):
    for token in ["a" * 5000, "%00", "..", "<script>"]:
        assert client.get(f"/p/{token}").status_code == 404


# --- the clinician's panel on the client page ---------------------------------------------------


def panel(signed_in, robin) -> str:
    """The link panel as the client page shows it (the page's view passes the links in)."""
    html = signed_in.get(f"/clients/{robin.id}").get_data(as_text=True)
    return html[html.index('<section class="panel portal-links"'):]


def test_the_panel_lists_links_with_status_and_offers_actions_only_for_active_ones(app, signed_in, robin):
    _revoked(robin)
    new_link(robin)
    new_link(robin)  # replaces the one before
    html = panel(signed_in, robin)
    assert html.count('badge--link-active') == 1 and html.count('badge--link-revoked') == 2
    assert html.count(">Revoke<") == 1 and html.count(">Replace<") == 1
    assert f'action="/clients/{robin.id}/links"' in html and 'name="days"' in html
    assert f'name="next" value="/clients/{robin.id}"' in html
    assert "creating or replacing a link stops the old one working" in html
    _expired(robin)
    html = panel(signed_in, robin)
    assert html.count('badge--link-expired') == 1 and html.count('badge--link-revoked') == 3
    assert ">Revoke<" not in html and ">Replace<" not in html


def test_creating_a_link_revokes_the_old_one_and_says_so(signed_in, app, robin):
    first = LINK_PATTERN.search(create(signed_in, robin).get_data(as_text=True)).group(1)
    browser = app.test_client()
    assert open_link(browser, first).status_code == 302
    page = create(signed_in, robin).get_data(as_text=True)
    assert "The old link no longer works" in page
    second = LINK_PATTERN.search(page).group(1)
    assert browser.get("/portal").status_code == 401  # signed out of the old link's session
    assert app.test_client().get(f"/p/{first}").status_code == 404
    assert open_link(app.test_client(), second).status_code == 302
    old, new = links()
    assert old.revoked_at is not None and new.revoked_at is None
    assert actions().count("portal_link.revoked") == 1


def test_the_database_keeps_one_unrevoked_link_per_client(robin):
    new_link(robin)
    db.session.add(PortalLink(client=robin, token_hash="0" * 64, expires_at=utcnow() + dt.timedelta(days=1)))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_leave_ends_the_session_on_the_server_so_a_copied_cookie_no_longer_works(app, robin):
    token = new_link(robin)
    phone = app.test_client()
    open_link(phone, token)
    cookie = phone.get_cookie(app.config["SESSION_COOKIE_NAME"])
    thief = app.test_client()
    thief.set_cookie(cookie.key, cookie.value)
    assert thief.get("/portal").status_code == 200  # a copied cookie is the same session
    assert post_form(phone, "/portal/leave", token_from="/portal").status_code == 200
    assert thief.get("/portal").status_code == 401
    assert phone.get("/portal").status_code == 401
    assert "portal.left" in actions()
    assert open_link(phone, token).status_code == 302  # the link itself still works
    assert phone.get("/portal").status_code == 200
    assert thief.get("/portal").status_code == 401


def test_the_panel_offers_no_new_link_for_an_archived_client(signed_in, make, clinician):
    archived = make.client(clinician, archived_at=utcnow())
    html = panel(signed_in, archived)
    assert "Create a link" not in html and "No link yet" in html


def test_tokens_are_never_stored_in_the_audit_trail(signed_in, robin):
    page = create(signed_in, robin).get_data(as_text=True)
    token = LINK_PATTERN.search(page).group(1)
    details = db.session.scalars(select(AuditEvent.detail)).all()
    assert details and all(token not in str(detail) for detail in details)
    assert db.session.scalar(select(func.count()).select_from(PortalLink)) == 1


def test_a_fresh_client_browser_signs_in_with_the_clinicians_link(signed_in, app, robin):
    page = create(signed_in, robin).get_data(as_text=True)
    token = LINK_PATTERN.search(page).group(1)
    browser = app.test_client()
    assert open_link(browser, token).status_code == 302
    assert browser.get("/portal").status_code == 200
