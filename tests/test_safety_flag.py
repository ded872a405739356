"""The partner-source lean and the safety flag, as the clinician and the client meet them.

One table of answer profiles, each with the reading it must give, checked on
the review page and in the worksheet's PDF (read back as text); then the
safety flag's path: the client's calm message right after sending, the flag
first on the review page and the packet cover, and beside the client on the
dashboard without evaluating answers there.
"""

from __future__ import annotations

import pytest
from markupsafe import escape
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from clinic.extensions import db
from clinic.models import Assignment
from tests.support.pdf_text import all_text, flat
from tests.support.portal import new_link, open_link
from tests.support.posting import csrf_token, login, post_form
from tests.support.samples import sample_answers

WORKSHEET = "partner-source-checklist"
SCREEN_CLEAR = {item: "no" for item in (
    "afraid", "checks-phone", "controls-people", "controls-money", "threats", "pushes-hits", "forced-sex",
    "uses-confided")}
PARTNER_HIGH = {
    "hot-cold": "know", "lying": "know", "dismissing": "suspect", "mixed-signals": "know", "disappointments": "know",
    "infidelity": "know", "infidelity-repair": "not-at-all",
    "outsider-concern": "yes", "insecurity-began": "after-change", "other-partners": "no",
}
HISTORY_HIGH = {
    "relief-fades": "often", "ordinary-triggers": "often", "stays-when-steady": "sometimes", "good-times": "often",
    "not-enough": "often", "bigger-than-event": "sometimes",
    "outsider-concern": "no", "insecurity-began": "every-relationship", "other-partners": "yes",
}
QUIET_PARTNER = {key: "no" for key in ("hot-cold", "lying", "dismissing", "mixed-signals", "disappointments",
                                       "infidelity")}
QUIET_HISTORY = {key: "rarely" for key in ("relief-fades", "ordinary-triggers", "stays-when-steady", "good-times",
                                           "not-enough", "bigger-than-event")}
SAFETY_SAY = "Safety screen: the client answered yes or sometimes"

# profile: (answers, the reading the clinician reads, relationship points, history points)
PROFILES = {
    "partner high": ({**SCREEN_CLEAR, **PARTNER_HIGH, **QUIET_HISTORY}, "Mostly the relationship", 17, 0),
    "history high": ({**SCREEN_CLEAR, **QUIET_PARTNER, **HISTORY_HIGH}, "Mostly history", 0, 16),
    "both high": ({**SCREEN_CLEAR, **HISTORY_HIGH, **{k: v for k, v in PARTNER_HIGH.items() if k in QUIET_PARTNER
                                                       or k == "infidelity-repair"}},
                  "Both high: the relationship and history both matter", 11, 16),
    "neither": ({**SCREEN_CLEAR, **QUIET_PARTNER, **QUIET_HISTORY, "outsider-concern": "unsure",
                 "insecurity-began": "not-sure", "other-partners": "unsure"}, "Both low: neither side stands out", 0, 0),
    "sometimes does not outweigh a clear history": (
        {**SCREEN_CLEAR, **HISTORY_HIGH, "hot-cold": "suspect", "lying": "suspect", "mixed-signals": "suspect",
         "dismissing": "suspect", "disappointments": "suspect"}, "Mostly history", 5, 16),
    "safety screen fired": ({**SCREEN_CLEAR, **PARTNER_HIGH, **QUIET_HISTORY, "afraid": "sometimes"}, SAFETY_SAY, 17, 0),
    "all skipped": ({}, "Too few answers to read", 0, 0),
}


@pytest.mark.parametrize("profile", PROFILES)
def test_each_answer_profile_gives_its_reading_on_the_review_page_and_in_the_pdf(signed_in, make, robin, profile):
    answers, reading, relationship, history = PROFILES[profile]
    assignment = make.assignment(robin, WORKSHEET, status="submitted", answers=answers)

    page = signed_in.get(f"/assignments/{assignment.id}").get_data(as_text=True)
    pdf = all_text(signed_in.get(f"/assignments/{assignment.id}/pdf").data)

    assert str(escape(reading)) in page and reading in pdf
    glance = page[page.index('id="glance-title"'):]
    assert "Signs in the relationship</span>" in glance
    assert f"{relationship} of 18" in glance and f"{history} of 18" in glance
    assert f"Signs in the relationship {relationship} of 18" in pdf and f"Signs from history {history} of 18" in pdf
    for bare in ("Mostly the relationship", "Mostly history", "Both high", "Both low"):
        if bare not in reading:
            assert bare not in page and bare not in pdf  # one reading, never two
    fired = profile == "safety screen fired"
    assert (assignment.flag_level == "safety") is fired
    if fired:  # the flag leads the page, above the summaries it sets aside
        assert page.index("flag--safety") < page.index('id="glance-title"')
        assert pdf.index(SAFETY_SAY) < pdf.index("Where the worry seems to come from")


@pytest.mark.parametrize("screen_item", sorted(SCREEN_CLEAR))
@pytest.mark.parametrize("answer", ["yes", "sometimes"])
def test_any_yes_or_sometimes_on_the_screen_raises_the_safety_flag(make, robin, screen_item, answer):
    assignment = make.assignment(robin, WORKSHEET, status="submitted",
                                 answers={**SCREEN_CLEAR, screen_item: answer})
    assert assignment.flag_level == "safety"


def portal_post(portal, assignment, answers: dict, action: str):
    payload = MultiDict({"csrf_token": csrf_token(portal, "/portal"), "version": "0", "action": action})
    for key, value in answers.items():
        payload.setlist(key, value if isinstance(value, list) else [value])
    return portal.post(f"/portal/worksheets/{assignment.id}" + ("/send" if action == "submit" else ""), data=payload)


def test_a_client_who_screens_unsafe_is_met_calmly_and_the_clinician_sees_it_first(
        app, client, make, clinician, robin, count_queries):
    app.config["CRISIS_LINE"] = "Call 0800 123 456, day or night"
    checklist = make.assignment(robin, WORKSHEET)
    calm = make.client(clinician, display_name="Casey B.")
    make.assignment(calm, WORKSHEET, status="submitted", answers=sample_answers(WORKSHEET))
    open_link(client, new_link(robin))

    sent = portal_post(client, checklist, {**sample_answers(WORKSHEET), "checks-phone": "sometimes"}, "submit")
    assert sent.status_code == 302
    page = client.get(sent.headers["Location"]).get_data(as_text=True)

    assert "Your answers have been sent to your therapist" in page
    assert "you may not always feel safe with your partner" in page
    assert "talk it over with them before you share any of this with your partner" in page
    assert "Call 0800 123 456, day or night" in page
    assert "flag" not in page.lower()  # the client reads care, not the clinician's vocabulary
    db.session.expire_all()
    assert db.session.get(Assignment, checklist.id).flag_level == "safety"

    client.post("/portal/leave", data={"csrf_token": csrf_token(client, "/portal")})
    assert login(client, clinician).status_code == 302
    with count_queries() as queries:
        dashboard = client.get("/").get_data(as_text=True)
    rows = {name: dashboard[dashboard.index(f">{name}</a>"):].split("</tr>")[0] for name in ("Robin A.", "Casey B.")}
    assert "Safety flag" in rows["Robin A."] and "Safety flag" not in rows["Casey B."]
    assert not any("response" in statement.lower() for statement in queries.statements)  # no answers read per row

    review = client.get(f"/assignments/{checklist.id}").get_data(as_text=True)
    assert review.index("flag--safety") < review.index("At a glance")
    assert review.count("flag--safety") == 1


def test_the_packet_cover_puts_the_safety_flag_before_everything(signed_in, make, robin):
    origins = make.assignment(robin, "origins-mapping", status="submitted", answers=sample_answers("origins-mapping"))
    checklist = make.assignment(robin, WORKSHEET, status="submitted",
                                answers={**sample_answers(WORKSHEET), "pushes-hits": "yes"})
    response = post_form(signed_in, f"/clients/{robin.id}/packet", {
        "packet-session_date": "2026-03-10", "packet-changes_since": "last-packet", "packet-paper": "A4",
        "packet-assignments": [origins.id, checklist.id]})

    text = all_text(response.data)
    cover = text[: text.index("WORKSHEET ANSWERS")]
    assert cover.index(flat(SAFETY_SAY)) < cover.index("Everything so far")
    assert cover.index(flat(SAFETY_SAY)) < cover.index("The client rated unpredictable early caregiving")
    assert db.session.scalar(select(Assignment.flag_level).where(Assignment.id == origins.id)) == "attention"
