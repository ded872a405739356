"""The dashboard answers "what needs me?", in pages, with a query count that does not grow."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest

from sqlalchemy import func, select

from clinic import words
from clinic.assignments.services import add_comment, assign, transition
from clinic.extensions import db
from clinic.models import OPEN_STATUSES, Assignment, AssignmentSeries, utcnow
from tests.support.posting import login
from tests.support.samples import sample_answers

LAST_WEEK = utcnow().date() - dt.timedelta(days=7)
STEPS = {"assigned": [], "in_progress": ["in_progress"], "submitted": ["in_progress", "submitted"],
         "reviewed": ["in_progress", "submitted", "reviewed"]}


def test_the_dashboard_shows_what_waits_what_is_overdue_recent_activity_and_the_clients(signed_in, make, clinician):
    robin = make.client(clinician, display_name="Robin A.")
    jordan = make.client(clinician, display_name="J. K.")
    checklist = make.assignment(robin, "partner-source-checklist")
    for step in ("in_progress", "submitted"):
        transition(checklist, step, actor="client")
    plan = make.assignment(jordan, "security-building-plan", status="submitted")
    transition(plan, "reviewed", actor=f"clinician:{clinician.id}")
    db.session.commit()
    make.assignment(robin, "origins-mapping", status="in_progress", due_date=LAST_WEEK)
    page = signed_in.get("/").get_data(as_text=True)

    waiting = section(page, "waiting")
    assert "Robin A.: Is it me, or is it the relationship?" in waiting
    assert "J. K." not in waiting
    overdue = section(page, "overdue")
    assert "Robin A.: Where does your insecurity come from?" in overdue and "Overdue since" in overdue
    activity = section(page, "activity")
    assert "You reviewed" in activity and "Robin A. sent" in activity
    clients = section(page, "clients")
    robin_row = clients[clients.index("Robin A."):].split("</tr>")[0]
    assert cells(robin_row) == ["1", "<strong>1</strong>", '<strong class="overdue">1</strong>']


def client_row(page: str, name: str) -> str:
    clients = section(page, "clients")
    return clients[clients.index(f">{name}</a>"):].split("</tr>")[0]


def test_each_client_row_shows_open_flags_safety_first(signed_in, make, clinician):
    robin = make.client(clinician, display_name="Robin A.")
    unsafe = {**sample_answers("partner-source-checklist"), "checks-phone": "sometimes"}
    make.assignment(robin, "origins-mapping", status="submitted", answers=sample_answers("origins-mapping"))
    make.assignment(robin, "partner-source-checklist", status="submitted", answers=unsafe)
    casey = make.client(clinician, display_name="Casey B.")
    make.assignment(casey, "origins-mapping", status="reviewed", answers=sample_answers("origins-mapping"))
    make.assignment(casey, "weekly-check-in", status="submitted", answers=sample_answers("weekly-check-in"))
    page = signed_in.get("/").get_data(as_text=True)

    robin_row = client_row(page, "Robin A.")
    assert robin_row.index("Safety flag") < robin_row.index("Flag to look at")
    assert cells(robin_row)[1] == "<strong>2</strong>"  # waiting for review
    casey_row = client_row(page, "Casey B.")  # its flag was read at review: no longer open
    assert '<span class="muted">No flags</span>' in casey_row and "None" not in casey_row
    assert "flag" not in casey_row.replace("No flags", "").lower()
    assert cells(casey_row)[1] == "<strong>1</strong>"


def test_a_client_row_counts_current_work_and_shows_the_last_change_of_any_worksheet(signed_in, make, clinician):
    robin = make.client(clinician, display_name="Robin A.")
    make.client(clinician, display_name="Casey B.")
    make.assignment(robin, "origins-mapping", status="in_progress")
    done = make.assignment(robin, "partner-source-checklist", status="submitted")
    transition(done, "reviewed", actor=f"clinician:{clinician.id}")
    done.status_changed_at = utcnow() + dt.timedelta(minutes=5)  # the latest change is the review
    db.session.commit()
    page = signed_in.get("/").get_data(as_text=True)

    robin_row = client_row(page, "Robin A.")
    assert cells(robin_row) == ["1", "0", "0"]
    assert words.date_time(done.status_changed_at) in robin_row
    assert client_row(page, "Casey B.").split("<td>")[-1].startswith("—")


def weekly_series(make, client_record, sent: int) -> list[Assignment]:
    series = AssignmentSeries(client=client_record, worksheet_id="weekly-check-in", every_weeks=1, times=4,
                              first_due_date=LAST_WEEK)
    return [make.assignment(client_record, "weekly-check-in", status="submitted",
                            answers=sample_answers("weekly-check-in"), series=series, series_position=position)
            for position in range(1, sent + 1)]


def test_the_sent_copies_of_a_repeating_worksheet_wait_for_review_on_one_line(signed_in, make, clinician):
    robin = make.client(clinician, display_name="Robin A.")
    first, *_ = weekly_series(make, robin, sent=3)
    make.assignment(robin, "origins-mapping", status="submitted", answers=sample_answers("origins-mapping"))
    waiting = section(signed_in.get("/").get_data(as_text=True), "waiting")

    assert waiting.count("Your weekly check-in") == 1
    line = " ".join(re.sub(r"<[^>]*>", " ", waiting).split())
    # one sentence: how many wait and when the first came, not "· 3 waiting first sent ..."
    assert re.search(r"Robin A\.: Your weekly check-in · 3 waiting, the first sent \d+ \w{3} \d{4}, \d\d:\d\d", line)
    assert f'href="/assignments/{first.id}"' in waiting  # the earliest copy is the one to read first
    assert "Where does your insecurity come from?" in waiting and waiting.count("<li>") == 2


def test_a_series_line_counts_its_copies_and_flags_past_the_end_of_its_page(signed_in, make, clinician, app):
    app.config["PER_PAGE"] = 2
    robin = make.client(clinician, display_name="Robin A.")
    series = AssignmentSeries(client=robin, worksheet_id="partner-source-checklist", every_weeks=1, times=4,
                              first_due_date=LAST_WEEK)

    def copy(position: int, **answers) -> Assignment:
        return make.assignment(robin, "partner-source-checklist", status="submitted", series=series,
                               series_position=position,
                               answers={**sample_answers("partner-source-checklist"), **answers})

    first = copy(1)
    make.assignment(robin, "origins-mapping", status="submitted", answers=sample_answers("origins-mapping"))
    make.assignment(robin, "security-building-plan", status="submitted")
    copy(2, **{"checks-phone": "sometimes"})  # assigned after the page's last line, with a safety flag
    page = signed_in.get("/").get_data(as_text=True)

    waiting = section(page, "waiting")
    lines = [" ".join(re.sub(r"<[^>]*>", " ", line).split()) for line in waiting.split("<li>")[1:]]
    assert len(lines) == 2 and "Page 1 of 2" in waiting
    assert re.match(r"Robin A\.: Is it me, or is it the relationship\? · 2 waiting, the first sent .* Safety flag$",
                    lines[0])
    assert f'href="/assignments/{first.id}"' in waiting
    assert lines[1].startswith("Robin A.: Where does your insecurity come from?")
    heading = " ".join(re.sub(r"<[^>]*>", " ", waiting.split("</h2>")[0]).split())
    assert heading.endswith("Waiting for your review 3 worksheets · 4 copies")
    last = section(signed_in.get("/?waiting=2").get_data(as_text=True), "waiting")
    assert "Building security that lasts" in last and "relationship?" not in last


def test_the_waiting_count_says_worksheets_and_copies_so_it_agrees_with_the_client_row(signed_in, make, clinician):
    robin = make.client(clinician, display_name="Robin A.")
    weekly_series(make, robin, sent=6)  # one line in the queue, six copies in the client row
    make.assignment(robin, "origins-mapping", status="submitted", answers=sample_answers("origins-mapping"))
    page = signed_in.get("/").get_data(as_text=True)

    heading = " ".join(re.sub(r"<[^>]*>", " ", section(page, "waiting").split("</h2>")[0]).split())
    assert heading.endswith("Waiting for your review 2 worksheets · 7 copies")
    assert cells(client_row(page, "Robin A."))[1] == "<strong>7</strong>"


def test_the_waiting_count_is_one_number_when_each_line_is_one_copy(signed_in, make, clinician):
    robin = make.client(clinician, display_name="Robin A.")
    make.assignment(robin, "origins-mapping", status="submitted", answers=sample_answers("origins-mapping"))
    heading = section(signed_in.get("/").get_data(as_text=True), "waiting").split("</h2>")[0]
    assert heading.endswith('Waiting for your review <span class="count">1</span>')


def test_the_clients_table_says_it_scrolls_sideways_and_takes_focus_to_scroll(signed_in, make, clinician, app):
    make.client(clinician, display_name="Robin A.")
    clients = section(signed_in.get("/").get_data(as_text=True), "clients")

    assert "Scroll sideways for more" in clients
    assert re.search(r'<section class="table-scroll" tabindex="0" aria-label="Your clients, with their '
                     r'worksheets \(scrolls sideways\)">', clients)  # a named section is a region
    css = (app.static_folder + "/css/app.css")
    with open(css, encoding="utf-8") as sheet:
        assert re.search(r"@media \(max-width: 40rem\) \{\s*\.table-scroll__hint \{ display: block; \}", sheet.read())


def test_the_review_queue_follows_the_order_worksheets_were_assigned_not_sent(signed_in, make, clinician):
    robin = make.client(clinician, display_name="Robin A.")
    origins = make.assignment(robin, "origins-mapping", status="in_progress")
    make.assignment(robin, "partner-source-checklist", status="submitted")
    transition(origins, "submitted", actor="client")  # sent last, assigned first
    db.session.commit()
    waiting = section(signed_in.get("/").get_data(as_text=True), "waiting")
    assert waiting.index("Where does your insecurity come from?") < waiting.index("Is it me, or is it the relationship?")


def section(page: str, section_id: str) -> str:
    start = page.index(f'id="{section_id}"')
    depth = 0
    for tag in re.finditer(r"<(/?)section\b", page[start:]):  # a section may hold a section (the table's region)
        depth += -1 if tag.group(1) else 1
        if depth < 0:
            return page[start:start + tag.start()]
    raise AssertionError(f"section {section_id!r} is not closed")


def cells(row: str) -> list[str]:
    """The three count cells of a client row."""
    return [part.split("</td>")[0] for part in row.split('<td class="num">')[1:]]


def test_only_the_clinicians_own_current_clients_appear(signed_in, make, clinician):
    other = make.clinician()
    make.assignment(make.client(other, display_name="Not yours"), status="submitted")
    make.assignment(make.client(clinician, display_name="Archived one", archived_at=utcnow()), status="submitted")
    page = signed_in.get("/").get_data(as_text=True)
    assert "Not yours" not in page and "Archived one" not in page
    assert "Nothing is waiting for you." in page


def test_every_list_is_paginated_on_its_own(signed_in, make, clinician, app):
    app.config["PER_PAGE"] = 2
    for number in range(5):
        record = make.client(clinician, display_name=f"Client {number}")
        make.assignment(record, status="submitted")
    first = signed_in.get("/").get_data(as_text=True)
    assert "Page 1 of 3" in section(first, "clients") and "Page 1 of 3" in section(first, "waiting")
    assert "Client 0" in section(first, "clients") and "Client 4" not in section(first, "clients")
    last = signed_in.get("/?clients=3").get_data(as_text=True)
    assert "Client 4" in section(last, "clients") and "Client 0" not in section(last, "clients")
    assert "Page 1 of 3" in section(last, "waiting")
    assert 'href="/?clients=3&amp;waiting=2#waiting"' in last
    for odd in ("99999999999999999999", "-4", "abc"):
        assert signed_in.get(f"/?clients={odd}").status_code == 200


@pytest.mark.parametrize("query", ["_anchor=x", "_method=x", "_external=1", "_scheme=javascript", "client_id=x",
                                   "client_id=99", "clients=2&clients=x&waiting=%00"])
def test_odd_query_parameters_never_break_a_paged_list_or_its_links(signed_in, make, clinician, app, query):
    app.config["PER_PAGE"] = 2
    for number in range(3):
        record = make.client(clinician, display_name=f"Client {number}")
        make.assignment(record, status="submitted")
        make.assignment(record, "partner-source-checklist", status="submitted")
    make.assignment(record, "security-building-plan")  # three worksheets: the client page has two pages too
    for path in ("/", f"/clients/{record.id}", "/clients/archived", f"/clients/{record.id}/audit"):
        response = signed_in.get(f"{path}?{query}")
        assert response.status_code == 200, f"{path}?{query} answered {response.status_code}"
        page = response.get_data(as_text=True)
        for link in re.findall(r'href="([^"]*[?&][a-z]+=2[^"]*)"', page):
            assert link.startswith(f"{path}?"), f"a page link leaves {path}: {link}"
    page = signed_in.get(f"/?{query}").get_data(as_text=True)
    assert "of 2" in section(page, "clients") and "#clients" in section(page, "clients")


def add_assignments(clients, count: int) -> None:
    """`count` assignments spread over the clients, in every status, a third of them overdue.

    A client has at most one open copy of a worksheet: the later ones are sent.
    """
    statuses = itertools.cycle(STEPS)
    open_copies = {(record.id, "origins-mapping") for record in clients for assignment in record.assignments
                   if assignment.status in OPEN_STATUSES}
    for number in range(count):
        record = clients[number % len(clients)]
        with db.session.no_autoflush:  # a second copy is written only once it is sent
            assignment = assign(record, "origins-mapping", actor="test",
                                due_date=LAST_WEEK if number % 3 == 0 else None)
            status = next(statuses)
            if status in OPEN_STATUSES:
                status = "submitted" if (record.id, "origins-mapping") in open_copies else status
                open_copies.add((record.id, "origins-mapping"))
            for step in STEPS[status]:
                transition(assignment, step, actor="client")
    db.session.commit()


def test_pages_make_as_many_queries_at_300_assignments_as_at_3(app, make, clinician, count_queries):
    browser = app.test_client()
    login(browser, clinician)
    busy = make.client(clinician, display_name="Busy")
    reviewed = make.assignment(busy, "partner-source-checklist", status="submitted", answers={"hot-cold": "often"})
    make.client(clinician, display_name="Gone", archived_at=utcnow())
    pages = {"dashboard": "/", "client page": f"/clients/{busy.id}", "review page": f"/assignments/{reviewed.id}",
             "archived clients": "/clients/archived", "client history": f"/clients/{busy.id}/audit"}

    def measure() -> dict[str, int]:
        counts = {}
        for name, path in pages.items():
            with count_queries() as counter:
                assert browser.get(path).status_code == 200
            counts[name] = counter.count
        return counts

    add_assignments([busy], 2)
    at_3 = measure()
    others = [make.client(clinician, display_name=f"Client {n}") for n in range(30)]
    add_assignments([busy, *others], 297)
    for number in range(20):
        add_comment(reviewed, clinician_id=clinician.id, body=f"Comment {number}", section_id=None)
    db.session.commit()
    at_300 = measure()
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 300
    assert at_300 == at_3
