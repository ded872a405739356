"""The whole journey in Chromium, at a phone's width and at a desktop's.

A clinician signs in, adds a client, assigns the three worksheets and creates a
link. In a browser of their own the client opens the link and goes through the
origins mapping one part at a time: fills in the first part, reloads and finds
every answer, loses the network on the next part and keeps typing, sees the
page catch up when it is back, meets a stale second tab that is told of the
conflict and loses nothing, then finishes, checks, confirms and sends. The
clinician finds it waiting for review, comments, marks it reviewed and
downloads the session-prep packet, whose text holds the client's answers.

Everything is found by role and label, as a screen reader would find it.
"""

from __future__ import annotations

import re
import unicodedata
from io import BytesIO
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import BrowserContext, Locator, Page, expect
from pypdf import PdfReader

from clinic.extensions import db
from clinic.models import Assignment, Clinician
from clinic.worksheets import Definition
from tests.browser.browser_support import (
    PASSWORD,
    LiveServer,
    assert_accessible,
    assert_fits_the_width,
    sign_in,
    watch_for_problems,
)
from tests.support.samples import sample_answers

pytestmark = pytest.mark.browser

WIDTHS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 900}}
WORKSHEET = "origins-mapping"
SAVED = re.compile(r"Saved at \d\d:\d\d")
OFFLINE = "You’re offline. What you type is kept on this device and saved when you’re back."


def section_of(page: Page, title: str) -> Locator:
    return page.get_by_role("region", name=title, exact=True)


def label_of(item: Any) -> re.Pattern:
    """An item's label as it starts (optional items have "(optional)" after it)."""
    return re.compile("^" + re.escape(item.label))


def option_label(item: Any, value: Any) -> str:
    """The words beside an option on the form (a scale's '4 – Very much', not the review's '4 of 4')."""
    return dict(item.choices)[value]


def answer(region: Locator, item: Any, value: Any) -> None:
    """Answer one item as a person does: tick the options by their labels, or type."""
    if item.choices:
        group = region.get_by_role("group", name=label_of(item))
        for choice in value if isinstance(value, list) else [value]:
            group.get_by_label(option_label(item, choice), exact=True).check()
    else:
        region.get_by_label(label_of(item)).fill(str(value))


def expect_answered(region: Locator, item: Any, value: Any) -> None:
    if item.choices:
        group = region.get_by_role("group", name=label_of(item))
        for choice in value if isinstance(value, list) else [value]:
            expect(group.get_by_label(option_label(item, choice), exact=True)).to_be_checked()
    else:
        expect(region.get_by_label(label_of(item))).to_have_value(str(value))


def fill_sections(page: Page, definition: Definition, answers: dict[str, Any], sections: slice) -> None:
    for section in definition.sections[sections]:
        region = section_of(page, section.title)
        for item in section.items:
            if item.id in answers:
                answer(region, item, answers[item.id])


def save_status(page: Page) -> Locator:
    return page.locator("[data-save-status]")


def next_part(page: Page, title: str) -> None:
    """Press Next and arrive at the part called `title`, its heading focused."""
    page.get_by_role("button", name=re.compile("^Next")).click()
    heading = page.get_by_role("heading", level=2, name=title, exact=True)
    expect(heading).to_be_focused()


def check_and_send(page: Page) -> None:
    """From the last part: Next, the check screen, the confirmation, sent."""
    page.get_by_role("button", name="Next: check and send").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check and send")
    expect(page.get_by_text("Everything needed is answered")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Send to your therapist…").click()
    expect(page.get_by_text("You cannot change them after sending")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Yes, send it").click()
    expect(page.get_by_text("Your answers have been sent to your therapist")).to_be_visible()


def stored_answers(assignment_id: int) -> dict[str, Any]:
    db.session.expire_all()
    answers = db.session.get(Assignment, assignment_id).response.answers
    db.session.rollback()  # read, then let go of the database (SQLite: no lock held)
    return answers


def plain(text: str) -> str:
    """PDF text as words: ligatures undone, hyphenated line ends joined, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text).replace("\u00ad", "")
    return " ".join(text.split())


# --- the clinician -------------------------------------------------------------------------


def clinician_sets_up(page: Page, server: LiveServer, therapist: Clinician, titles: list[str]) -> str:
    """Sign in, add a client, assign every worksheet, create a link; returns the link."""
    sign_in(page, server, therapist.email, PASSWORD)
    page.get_by_role("link", name="Add a client").click()
    page.get_by_label("Name or initials").fill("J. K.")
    page.get_by_role("button", name="Add client").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("J. K.")

    assigning = page.get_by_role("region", name="Assign worksheets")
    for title in titles:
        assigning.get_by_label(title, exact=True).check()
    assigning.get_by_role("button", name="Assign").click()
    worksheets = page.get_by_role("region", name="Worksheets", exact=True)
    for title in titles:
        expect(worksheets.get_by_role("link", name=title)).to_be_visible()

    assert_fits_the_width(page)
    page.get_by_role("button", name="Create a link").click()
    assert_fits_the_width(page)
    link = page.get_by_label("Private link").input_value()
    assert link.startswith(server("/p/"))
    return link


def clinician_reviews(page: Page, server: LiveServer, definition: Definition, answers: dict[str, Any]) -> bytes:
    """Find the worksheet waiting, comment, mark it reviewed, download the packet; returns the PDF."""
    page.goto(server("/"))
    waiting = page.get_by_role("region", name=re.compile("^Waiting for your review"))
    waiting.get_by_role("link", name=f"J. K.: {definition.title}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(definition.title)
    first_text = next(value for value in answers.values() if isinstance(value, str) and " " in value)
    expect(page.get_by_text(first_text)).to_be_visible()
    assert_fits_the_width(page)

    whole = page.get_by_role("region", name="Comments on the whole worksheet")
    expect(whole.get_by_label("Comment")).to_be_hidden()  # collapsed until wanted
    whole.get_by_text("Add a comment").click()
    expect(whole.get_by_text("Private to you: the client never sees this.")).to_be_visible()
    whole.get_by_label("Comment").fill("Ask about the Sunday silences.")
    whole.get_by_role("button", name="Add comment").click()
    expect(page.get_by_text("Ask about the Sunday silences.")).to_be_visible()
    page.get_by_role("button", name="Mark as reviewed").click()
    expect(page.get_by_text("Reviewed", exact=True).first).to_be_visible()

    page.get_by_role("link", name="J. K.").first.click()
    assert_fits_the_width(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Make packet").click()
    return download.value.path().read_bytes()


# --- the client ----------------------------------------------------------------------------


def client_opens(context: BrowserContext, link: str, title: str) -> Page:
    page = context.new_page()
    page.goto(link)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your worksheets")
    assert_fits_the_width(page)
    page.get_by_role("link", name=f"Start: {title}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    assert_fits_the_width(page)
    return page


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_whole_journey(app: Flask, live_server: LiveServer, new_context, therapist: Clinician, width: str):
    library = app.extensions["worksheets"]
    definition = library[WORKSHEET]
    answers = sample_answers(WORKSHEET)
    problems: list[str] = []

    clinician_context = new_context(viewport=WIDTHS[width])
    clinician_context.on("page", lambda new_page: watch_for_problems(new_page, problems))
    clinician = clinician_context.new_page()
    link = clinician_sets_up(clinician, live_server, therapist, [d.title for d in library.values()])

    client_context = new_context(viewport=WIDTHS[width])
    client_context.on("page", lambda new_page: watch_for_problems(new_page, problems))
    client = client_opens(client_context, link, definition.title)
    assignment_id = int(client.url.rstrip("/").rsplit("/", 1)[1])
    first, second, *rest = definition.sections

    # The first part, then a reload once it says "Saved": every answer is still there.
    expect(client.get_by_text(f"Part 1 of {len(definition.sections)}")).to_be_visible()
    fill_sections(client, definition, answers, slice(0, 1))
    expect(save_status(client)).to_have_text(SAVED, timeout=10_000)
    assert_accessible(client)
    client.reload()
    for item in first.items:
        if item.id in answers:
            expect_answered(section_of(client, first.title), item, answers[item.id])

    # Next part; offline there: the page keeps what is typed and says so calmly; back online, it saves.
    next_part(client, second.title)
    assert "part=2" in client.url
    client_context.set_offline(True)
    fill_sections(client, definition, answers, slice(1, 2))
    expect(save_status(client)).to_have_text(OFFLINE, timeout=10_000)
    assert not set(stored_answers(assignment_id)) & {item.id for item in second.items}
    client_context.set_offline(False)
    expect(save_status(client)).to_have_text(SAVED, timeout=20_000)
    assert {item.id for item in second.items if item.id in answers} <= set(stored_answers(assignment_id))

    # Back keeps every answer; Next again.
    client.get_by_role("button", name=re.compile("^Back")).click()
    expect(client.get_by_role("heading", level=2, name=first.title, exact=True)).to_be_focused()
    for item in first.items:
        if item.id in answers:
            expect_answered(section_of(client, first.title), item, answers[item.id])
    next_part(client, second.title)
    third = rest[0]
    next_part(client, third.title)

    # A second tab opened now goes stale when the first saves; it is told, and loses nothing.
    stale = client_context.new_page()
    stale.goto(client.url.replace("part=3", f"part={len(definition.sections)}"))
    late_item = next(item for item in third.items if not item.choices)
    answer(section_of(client, third.title), late_item, answers[late_item.id])
    expect(save_status(client)).to_have_text(SAVED, timeout=10_000)
    typed_in_stale_tab = "Typed in a tab that was open all along."
    stale_item = next(item for item in rest[-1].items if not item.choices)
    answer(section_of(stale, rest[-1].title), stale_item, typed_in_stale_tab)
    expect(save_status(stale)).to_contain_text("changed in another tab or on another device", timeout=10_000)
    expect(stale.get_by_role("alert")).to_contain_text("newer answers are safe")
    expect(section_of(stale, rest[-1].title).get_by_label(label_of(stale_item))).to_have_value(typed_in_stale_tab)
    assert stored_answers(assignment_id)[late_item.id] == answers[late_item.id]
    stale.close()

    # Finish part by part, check, confirm and send.
    for number, section in enumerate(rest, start=3):
        fill_sections(client, definition, answers, slice(number - 1, number))
        if number < len(definition.sections):
            next_part(client, definition.sections[number].title)
    check_and_send(client)
    assert_fits_the_width(client)
    sent = db.session.get(Assignment, assignment_id)
    db.session.refresh(sent)
    db.session.refresh(sent.response)
    assert sent.submitted_at is not None and sent.response.answers == answers
    db.session.rollback()

    packet = clinician_reviews(clinician, live_server, definition, answers)
    text = plain("\n".join(page.extract_text() for page in PdfReader(BytesIO(packet)).pages))
    assert "J. K." in text
    for item in definition.items:
        if item.id in answers and not item.choices:
            opening = " ".join(str(answers[item.id]).split()[:6])
            assert plain(opening) in text, f"the packet lacks {opening!r}"
    assert problems == []


# --- the five worksheets added from the article --------------------------------------------

NEW_WORKSHEETS = ("behaviour-log", "jealousy", "comparison-and-cycle", "talking-to-my-partner", "weekly-check-in")


def fill_worksheet(page: Page, definition: Definition, answers: dict[str, Any]) -> None:
    """Every answer, part by part (Next between them), rows of a group in their own fieldsets."""
    for number, section in enumerate(definition.sections):
        if number:
            next_part(page, section.title)
        region = section_of(page, section.title)
        for item in section.items:
            if item.id not in answers:
                continue
            if item.type != "group":
                answer(region, item, answers[item.id])
                continue
            for row_number, row in enumerate(answers[item.id], start=1):
                row_region = region.get_by_role("group", name=f"{item.row_label} {row_number}", exact=True)
                for sub in item.items:
                    answer(row_region, sub, row[sub.id])


def test_the_new_worksheets_go_from_assigning_to_the_packet(app: Flask, live_server: LiveServer, new_context,
                                                            therapist: Clinician):
    library = app.extensions["worksheets"]
    answers = {worksheet_id: sample_answers(worksheet_id) for worksheet_id in NEW_WORKSHEETS}
    answers["behaviour-log"]["episodes"] = answers["behaviour-log"]["episodes"][:1]
    answers["talking-to-my-partner"]["how-received"] = "used-against"  # raises the safety flag
    problems: list[str] = []

    clinician_context = new_context(viewport=WIDTHS["desktop"])
    clinician_context.on("page", lambda new_page: watch_for_problems(new_page, problems))
    clinician = clinician_context.new_page()
    link = clinician_sets_up(clinician, live_server, therapist, [library[w].title for w in NEW_WORKSHEETS])

    client_context = new_context(viewport=WIDTHS["phone"])
    client_context.on("page", lambda new_page: watch_for_problems(new_page, problems))
    client = client_opens(client_context, link, library[NEW_WORKSHEETS[0]].title)
    for worksheet_id in NEW_WORKSHEETS:
        definition = library[worksheet_id]
        if worksheet_id != NEW_WORKSHEETS[0]:
            client.get_by_role("link", name="Your worksheets").first.click()
            client.get_by_role("link", name=f"Start: {definition.title}").click()
        fill_worksheet(client, definition, answers[worksheet_id])
        check_and_send(client)
        if worksheet_id == "talking-to-my-partner":
            expect(client.get_by_text("you may not always feel safe with your partner")).to_be_visible()
        assert_fits_the_width(client)

    clinician.goto(live_server("/"))
    expect(clinician.get_by_role("row", name=re.compile("^J. K.")).get_by_text("Safety flag")).to_be_visible()
    clinician.get_by_role("link", name="J. K.", exact=True).first.click()
    with clinician.expect_download() as download:
        clinician.get_by_role("button", name="Make packet").click()
    reader = PdfReader(BytesIO(download.value.path().read_bytes()))
    text = plain("\n".join(page.extract_text() for page in reader.pages))
    cover = text[: text.index("WORKSHEET ANSWERS")]
    assert cover.index("used what they shared against them") < cover.index("Everything so far")
    for worksheet_id in NEW_WORKSHEETS:
        assert plain(library[worksheet_id].title) in text
    for typed in ("No reply to my text for three hours.", "My ex left me for someone from work.",
                  "After the first ask, write the worry down", "I have been feeling on edge lately",
                  "I worry most on Sunday evenings."):
        assert plain(typed) in text, f"the packet lacks {typed!r}"
    assert problems == []
