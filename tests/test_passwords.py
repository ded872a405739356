"""Passwords that are easy to guess or personal are refused, with the reason in plain words."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from clinic.demo import DEMO_EMAIL, DEMO_PASSWORD
from clinic.extensions import db
from clinic.models import Clinician
from tests.support.posting import PASSWORD, login, post_form

EASY = "That password would be easy to guess."
PERSONAL = "Please leave your email address and your name out of your password"


def change_password(client, new):
    return post_form(client, "/account/password",
                     {"current_password": PASSWORD, "new_password": new, "confirm_password": new})


@pytest.mark.parametrize(("new", "message"), [
    ("password1234", EASY),
    ("qwertyuiopasdf", EASY),
    ("aaaaaaaaaaaaaaaa", EASY),
    ("iloveyou2020", EASY),
    ("therapist is my secret word", PERSONAL),
    ("alex morgan forever and ever", PERSONAL),
    ("THERAPIST@EXAMPLE.TEST!", PERSONAL),
])
def test_a_weak_or_personal_new_password_is_refused_and_the_old_one_still_works(app, signed_in, clinician, new,
                                                                                 message):
    response = change_password(signed_in, new)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.get(Clinician, clinician.id).session_version == clinician.session_version
    assert login(app.test_client(), clinician).status_code == 302


def test_an_easy_password_is_explained_in_plain_words(signed_in):
    page = change_password(signed_in, "password1234").get_data(as_text=True)
    assert "This is a very common password." in page
    assert "Try three or four unrelated words together" in page


def test_a_strong_unrelated_password_is_taken(app, signed_in, clinician):
    assert change_password(signed_in, "tangerine oboe glacier").status_code == 302
    assert login(app.test_client(), clinician, "tangerine oboe glacier").status_code == 302


@pytest.mark.parametrize(("password", "message"), [("password1234", EASY), ("newcomer 4 ever and ever", PERSONAL)])
def test_create_clinician_refuses_a_weak_or_personal_password(runner, password, message):
    result = runner.invoke(args=["create-clinician", "newcomer@example.test", "--password-stdin"], input=password + "\n")
    assert result.exit_code != 0 and message in result.output
    assert db.session.scalar(select(func.count()).select_from(Clinician)) == 0


def test_the_demo_clinician_signs_in_with_the_password_make_run_prints(runner, client):
    assert f"{DEMO_EMAIL} / {DEMO_PASSWORD}" in runner.invoke(args=["seed-demo"]).output
    response = post_form(client, "/login", {"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
    assert response.status_code == 302
