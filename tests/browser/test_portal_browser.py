"""The client portal in Chromium: autosave, nothing lost, parts, counters, rows, accessibility at 360 px.

The page's script is what keeps an anxious client's words safe when the network,
the server or a second tab gets in the way; these tests break each of those on
purpose and check what the client sees and what the server ends up holding.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, Route, expect

from clinic.extensions import db
from clinic.models import Assignment, Response
from clinic.worksheets import load_definition
from tests.browser.browser_support import LiveServer, assert_accessible, sign_in
from tests.support.portal import assignment_of, new_link
from tests.support.worksheet_files import CONDITIONAL, write

pytestmark = pytest.mark.browser

SAVE = re.compile(r".*/portal/worksheets/\d+/save$")
PHONE = {"width": 360, "height": 740}


# The portal's saving and recovery are tried on the plan as first shipped (version 1):
# what they prove is about the form, not the wording, and old assignments keep it too.
PLAN_V1 = Path(__file__).parent.parent / "fixtures" / "worksheets-v1" / "security-building-plan.yaml"


@pytest.fixture
def plan(make, robin) -> Assignment:
    return assignment_of(make, robin, load_definition(PLAN_V1), note="Take your time.")


@pytest.fixture
def client_page(page: Page, live_server: LiveServer, robin, plan) -> Page:
    """Chromium at phone width, signed in to the portal through Robin's link."""
    page.set_viewport_size(PHONE)
    page.goto(live_server(f"/p/{new_link(robin)}"))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your worksheets")
    return page


# Where the plan's items are: part 1 trust-*, 2 worth-*, 3 meaning-* and own-time-hours, 7 goals.
def open_plan(page: Page, live_server: LiveServer, plan: Assignment, part: int = 1) -> None:
    page.goto(live_server(f"/portal/worksheets/{plan.id}?part={part}"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Building security that lasts")
    expect(page.get_by_text(f"Part {part} of 7")).to_be_visible()


def answers(plan: Assignment) -> dict:
    db.session.expire_all()
    return db.session.get(Response, plan.response.id).answers


def stored_draft(page: Page, plan: Assignment, part: int = 1):
    """What the page keeps on the device for one part of the worksheet (None once the server has it all)."""
    return page.evaluate(f"() => localStorage.getItem('groundwork:draft:{plan.id}:{part}')")


def wait_until_the_server_has_everything(page: Page, assignment: Assignment) -> None:
    """The local copies are dropped only once the server has confirmed every typed word."""
    page.wait_for_function(f"""() => !Object.keys(localStorage).some(
        key => key.startsWith('groundwork:draft:{assignment.id}:'))""", timeout=8000)


def status(page: Page):
    return page.locator("[data-save-status]")


def fits_the_screen(page: Page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


# --- the way in ------------------------------------------------------------------------------------


def test_the_links_token_leaves_the_address_bar_and_history_at_once(page: Page, live_server, robin, page_problems):
    token = new_link(robin)
    page.goto(live_server(f"/p/{token}"))
    expect(page.get_by_role("button", name="Continue")).to_be_visible()
    assert token not in page.url and page.url.endswith("/portal")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your worksheets")
    page.go_back()
    assert token not in page.url


# --- autosave -----------------------------------------------------------------------------------


def test_answers_save_after_a_short_pause_with_the_time_shown(client_page, live_server, plan, page_problems):
    open_plan(client_page, live_server, plan)
    client_page.get_by_label("In your own words, what would a trustworthy partner be like for you?").fill(
        "Someone who stays <b>calm</b>")
    expect(status(client_page)).to_contain_text(re.compile(r"Saved at \d"), timeout=8000)
    assert answers(plan) == {"trust-own-words": "Someone who stays <b>calm</b>"}
    assert stored_draft(client_page, plan) is None  # the server has it: the local copy is gone
    expect(client_page.locator("[data-progress-text]")).to_have_text(
        re.compile(r"^1 of \d+ answered · \d+ required left$"))


def test_leaving_a_field_saves_at_once(client_page, live_server, plan, page_problems):
    open_plan(client_page, live_server, plan, part=2)
    client_page.locator("#worth-sources").fill("My friends")
    client_page.keyboard.press("Tab")
    expect(status(client_page)).to_contain_text("Saved at", timeout=5000)
    assert answers(plan) == {"worth-sources": "My friends"}


def test_a_failed_save_keeps_the_input_says_so_and_retries(client_page, live_server, plan, page_problems):
    open_plan(client_page, live_server, plan, part=2)
    client_page.route(SAVE, lambda route: route.abort("internetdisconnected"))
    client_page.locator("#worth-sources").fill("Words typed on a train")
    expect(status(client_page)).to_contain_text("Not saved — retrying", timeout=8000)
    assert "Words typed on a train" in stored_draft(client_page, plan, part=2)
    client_page.unroute(SAVE)
    expect(status(client_page)).to_contain_text("Saved at", timeout=15000)
    assert answers(plan) == {"worth-sources": "Words typed on a train"}
    assert client_page.locator("#worth-sources").input_value() == "Words typed on a train"


def test_a_server_error_is_retried_too(client_page, live_server, plan, page_problems):
    open_plan(client_page, live_server, plan, part=2)
    failures = []

    def fail_once(route: Route):
        if not failures:
            failures.append(route.request.url)
            route.fulfill(status=503, body="Service unavailable", content_type="text/html")
        else:
            route.continue_()

    client_page.route(SAVE, fail_once)
    client_page.locator("#worth-sources").fill("Still here")
    expect(status(client_page)).to_contain_text("Saved at", timeout=15000)
    assert failures and answers(plan) == {"worth-sources": "Still here"}


def test_a_save_whose_reply_is_lost_is_retried_without_a_false_conflict(client_page, live_server, plan,
                                                                       page_problems):
    open_plan(client_page, live_server, plan, part=2)
    lost = []

    def lose_the_first_reply(route: Route):
        if lost:
            route.continue_()
            return
        lost.append(route.fetch().status)  # the server saves it …
        route.abort("connectionreset")  # … but the reply never arrives

    client_page.route(SAVE, lose_the_first_reply)
    client_page.locator("#worth-sources").fill("Saved, though the reply was lost")
    expect(status(client_page)).to_contain_text("Saved at", timeout=15000)
    assert lost == [200]
    assert client_page.get_by_role("alert").count() == 0
    assert answers(plan) == {"worth-sources": "Saved, though the reply was lost"}


def test_input_survives_a_reload_until_the_server_has_it(client_page, live_server, plan, app, monkeypatch,
                                                         page_problems):
    open_plan(client_page, live_server, plan, part=2)
    # Saves are refused in front of the app, not in the browser: the save a page sends as it is
    # left (keepalive) outlives the page and passes no route of the test's.
    serve = app.wsgi_app

    def out_of_reach(environ, start_response):
        if environ["PATH_INFO"].endswith("/save"):
            start_response("429 Too Many Requests", [("Content-Type", "text/plain")])
            return [b"Try again later"]
        return serve(environ, start_response)

    monkeypatch.setattr(app, "wsgi_app", out_of_reach)
    client_page.locator("#worth-sources").fill("Typed while the server was out of reach")
    client_page.locator("#worth-depends-1").check()
    expect(status(client_page)).to_contain_text("Not saved", timeout=8000)
    client_page.on("dialog", lambda dialog: dialog.accept())  # "leave the page?" while unsaved
    client_page.reload()  # saves still fail: only the browser's storage has the words
    expect(client_page.locator("#worth-sources")).to_have_value("Typed while the server was out of reach")
    expect(client_page.locator("#worth-depends-1")).to_be_checked()
    assert answers(plan) == {}
    monkeypatch.setattr(app, "wsgi_app", serve)
    expect(status(client_page)).to_contain_text("Saved at", timeout=15000)
    assert answers(plan) == {"worth-sources": "Typed while the server was out of reach", "worth-depends": 1}
    assert stored_draft(client_page, plan, part=2) is None


def test_a_second_tab_cannot_overwrite_newer_answers(client_page, live_server, plan, page_problems):
    open_plan(client_page, live_server, plan, part=2)
    second = client_page.context.new_page()
    second.set_viewport_size(PHONE)
    open_plan(second, live_server, plan, part=3)
    client_page.locator("#worth-sources").fill("From the first tab")
    expect(status(client_page)).to_contain_text("Saved at", timeout=8000)

    second.locator("#meaning-wish").fill("From the second tab")
    expect(status(second)).to_contain_text("changed in another tab or on another device", timeout=8000)
    notice = second.get_by_role("alert")
    expect(notice).to_contain_text("newer answers are safe")
    assert answers(plan) == {"worth-sources": "From the first tab"}
    assert "From the second tab" in stored_draft(second, plan, part=3)

    notice.get_by_role("button", name="Keep what is on this page").click()
    expect(status(second)).to_contain_text("Saved at", timeout=8000)
    # Keeping this page's answers changes this part only: the first tab's part stays as it saved it.
    assert answers(plan) == {"worth-sources": "From the first tab", "meaning-wish": "From the second tab"}


def test_the_other_choice_after_a_conflict_shows_the_newer_answers_and_offers_the_old_ones(
        client_page, live_server, plan, page_problems):
    open_plan(client_page, live_server, plan, part=2)
    second = client_page.context.new_page()
    open_plan(second, live_server, plan, part=2)
    client_page.locator("#worth-sources").fill("Newer")
    expect(status(client_page)).to_contain_text("Saved at", timeout=8000)
    second.locator("#worth-reminder").fill("Older")
    second.on("dialog", lambda dialog: dialog.accept())
    second.get_by_role("button", name="Show the newer answers").click(timeout=8000)
    expect(second.locator("#worth-sources")).to_have_value("Newer")
    offer = second.get_by_role("alert")
    expect(offer).to_contain_text("did not reach the server")
    offer.get_by_role("button", name="Keep the saved answers").click()
    assert stored_draft(second, plan, part=2) is None
    assert answers(plan) == {"worth-sources": "Newer"}


def test_after_the_idle_sign_out_the_input_is_kept_and_put_back_after_the_link(client_page, live_server, plan, app,
                                                                        page_problems):
    open_plan(client_page, live_server, plan, part=2)
    app.config["PORTAL_IDLE_MINUTES"] = 0
    client_page.locator("#worth-sources").fill("Late at night")
    expect(status(client_page)).to_contain_text("signed out", timeout=8000)
    assert "Late at night" in stored_draft(client_page, plan, part=2)
    assert answers(plan) == {}

    app.config["PORTAL_IDLE_MINUTES"] = 60  # the client opens the link again, in a new tab
    again = client_page.context.new_page()
    again.goto(live_server(f"/p/{new_link(plan.client)}"))
    again.get_by_role("button", name="Continue").click()
    open_plan(again, live_server, plan, part=2)
    offer = again.get_by_role("alert")
    expect(offer).to_contain_text("did not reach the server")
    offer.get_by_role("button", name="Put back the answers from this device").click()
    expect(again.locator("#worth-sources")).to_have_value("Late at night")
    expect(status(again)).to_contain_text("Saved at", timeout=8000)
    assert answers(plan) == {"worth-sources": "Late at night"}


# --- the save status never says "Saved" before the server has everything ----------------------------


SAVED = re.compile(r"^Saved at \d\d:\d\d\.$")
OFFLINE = "You’re offline. What you type is kept on this device and saved when you’re back."


def record_statuses(page: Page) -> None:
    """Note every text the save status shows from now on (in `window.statusesShown`)."""
    page.evaluate("""() => {
        const status = document.querySelector('[data-save-status]');
        window.statusesShown = [];
        new MutationObserver(() => window.statusesShown.push(status.textContent))
            .observe(status, {childList: true, characterData: true, subtree: true});
    }""")


def test_typing_while_a_save_is_on_its_way_never_shows_saved(client_page, live_server, plan, page_problems):
    open_plan(client_page, live_server, plan, part=2)
    held: list[Route] = []
    client_page.route(SAVE, lambda route: held.append(route))  # every save waits until the test lets it through
    field = client_page.locator("#worth-sources")
    field.fill("My friends")
    expect(status(client_page)).to_have_text("Saving…")
    for _ in range(100):
        if held:
            break
        client_page.wait_for_timeout(100)
    assert len(held) == 1, "the first save was not sent"
    record_statuses(client_page)
    field.press_sequentially(" and my garden")  # typed while the first save is on its way
    held[0].continue_()  # the server saves "My friends"; the page has more than that now
    for _ in range(100):
        if len(held) == 2:
            break
        client_page.wait_for_timeout(100)
    assert len(held) == 2, "what was typed during the first save was not sent"
    expect(status(client_page)).to_have_text("Saving…")
    assert answers(plan) == {"worth-sources": "My friends"}
    assert not [text for text in client_page.evaluate("() => window.statusesShown") if text.startswith("Saved")]
    held[1].continue_()
    expect(status(client_page)).to_have_text(SAVED, timeout=8000)
    assert answers(plan) == {"worth-sources": "My friends and my garden"}


def test_offline_the_page_says_so_calmly_keeps_the_words_and_saves_them_when_back(client_page, live_server, plan,
                                                                                 page_problems):
    open_plan(client_page, live_server, plan, part=2)
    client_page.context.set_offline(True)
    client_page.locator("#worth-sources").fill("Typed on the night bus")
    expect(status(client_page)).to_have_text(OFFLINE)
    assert "Typed on the night bus" in stored_draft(client_page, plan, part=2)
    client_page.get_by_role("button", name=re.compile("^Next")).click()  # needs the server: stays, keeps all
    expect(client_page.get_by_text("Part 2 of 7")).to_be_visible()
    expect(client_page.locator("#worth-sources")).to_have_value("Typed on the night bus")
    assert answers(plan) == {}
    assert_accessible(client_page)
    client_page.context.set_offline(False)
    expect(status(client_page)).to_have_text(SAVED, timeout=15000)
    assert answers(plan) == {"worth-sources": "Typed on the night bus"}
    assert stored_draft(client_page, plan, part=2) is None


def test_pressing_next_or_back_offline_says_why_the_page_stays(client_page, live_server, plan, page_problems):
    open_plan(client_page, live_server, plan, part=2)
    client_page.context.set_offline(True)
    client_page.locator("#worth-sources").fill("Typed in a tunnel")
    expect(status(client_page)).to_have_text(OFFLINE)
    client_page.get_by_role("button", name=re.compile("^Next")).click()
    expect(status(client_page)).to_have_text("You’re offline, so this page can’t move on yet. What you typed is "
                                             "kept; press Next again when you’re back.")
    client_page.get_by_role("button", name=re.compile("^Back")).click()
    expect(status(client_page)).to_have_text("You’re offline, so this page can’t move on yet. What you typed is "
                                             "kept; press Back again when you’re back.")
    expect(client_page.get_by_text("Part 2 of 7")).to_be_visible()
    expect(client_page.locator("#worth-sources")).to_have_value("Typed in a tunnel")
    client_page.context.set_offline(False)
    expect(status(client_page)).to_have_text(SAVED, timeout=15000)
    assert answers(plan) == {"worth-sources": "Typed in a tunnel"}


def test_a_reload_after_saved_shows_the_value_and_so_does_a_reload_straight_after_typing(
        client_page, live_server, plan, page_problems):
    open_plan(client_page, live_server, plan, part=2)
    field = client_page.locator("#worth-sources")
    field.fill("Saved before the reload")
    expect(status(client_page)).to_have_text(SAVED, timeout=8000)
    client_page.reload()
    expect(field).to_have_value("Saved before the reload")
    field.fill("Typed just before the reload")
    client_page.reload()  # no pause for the autosave: leaving the page sends it
    expect(field).to_have_value("Typed just before the reload")
    expect(status(client_page)).to_have_text(SAVED, timeout=8000)
    assert answers(plan) == {"worth-sources": "Typed just before the reload"}
    assert client_page.get_by_role("alert").count() == 0  # no false alarm about answers on this device


def test_back_and_next_keep_every_answer_with_javascript_too(client_page, live_server, plan, page_problems):
    open_plan(client_page, live_server, plan, part=2)
    client_page.locator("#worth-sources").fill("My friends")
    client_page.get_by_role("button", name=re.compile("^Next")).click()
    expect(client_page.get_by_role("heading", level=2, name="A life of your own")).to_be_focused()
    client_page.locator("#meaning-wish").fill("Painting")
    client_page.get_by_role("button", name=re.compile("^Back")).click()
    expect(client_page.get_by_role("heading", level=2, name="A sense of worth that is your own")).to_be_focused()
    expect(client_page.locator("#worth-sources")).to_have_value("My friends")
    client_page.go_back()  # the part is in the address: the browser's Back keeps the place
    expect(client_page.get_by_text("Part 3 of 7")).to_be_visible()
    expect(client_page.locator("#meaning-wish")).to_have_value("Painting")
    assert answers(plan) == {"worth-sources": "My friends", "meaning-wish": "Painting"}


def test_the_save_status_never_covers_the_field_being_filled_in(client_page, live_server, plan, page_problems):
    open_plan(client_page, live_server, plan, part=4)  # ten questions: the page is many screens long
    covered = []
    for _ in range(45):
        client_page.keyboard.press("Tab")
        overlap = client_page.evaluate("""() => {
            const field = document.activeElement, bar = document.querySelector('[data-save-status]');
            if (!field.closest('form') || field === bar) { return null; }
            return field.getBoundingClientRect().bottom - bar.getBoundingClientRect().top;
        }""")
        if overlap is not None and overlap > 0:
            covered.append(client_page.evaluate("() => document.activeElement.id"))
    assert covered == []


# --- limits, rows, keyboard --------------------------------------------------------------------------


def test_the_counter_warns_near_the_limit_and_says_so_clearly_past_it(client_page, live_server, plan,
                                                                       page_problems):
    open_plan(client_page, live_server, plan, part=2)
    reminder = client_page.locator("#worth-reminder")  # a limit of 1,000 characters
    counter = client_page.locator("#worth-reminder-count")
    expect(counter).to_have_text("Up to 1,000 characters.")
    reminder.fill("a" * 880)
    expect(counter).to_have_text("120 characters left.")
    reminder.fill("a" * 1010)  # pasted text is never cut off
    expect(reminder).to_have_value("a" * 1010)
    expect(counter).to_contain_text("10 characters over the limit of 1,000")
    expect(status(client_page)).to_contain_text("please check the answer marked below", timeout=8000)
    expect(client_page.locator("#worth-reminder-error")).to_contain_text("the limit is 1,000")
    assert answers(plan) == {}
    reminder.fill("a" * 1000)
    expect(status(client_page)).to_contain_text("Saved at", timeout=8000)
    expect(client_page.locator("#worth-reminder-error")).to_have_count(0)


def test_add_another_goal_with_javascript_adds_a_labelled_row_and_saves_it(client_page, live_server, plan,
                                                                          page_problems):
    open_plan(client_page, live_server, plan, part=7)
    client_page.locator("#goals-0-goal").fill("See a friend every week")
    client_page.get_by_role("button", name="Add another goal").click()
    expect(client_page.get_by_role("group", name="Goal 2")).to_be_visible()
    expect(client_page.locator("#goals-1-goal")).to_be_focused()
    client_page.keyboard.type("Sleep before midnight")
    wait_until_the_server_has_everything(client_page, plan)
    expect(status(client_page)).to_contain_text("Saved at")
    assert answers(plan)["goals"] == [{"goal": "See a friend every week"}, {"goal": "Sleep before midnight"}]


def test_a_goal_with_words_in_it_is_removed_only_after_saying_what_goes(client_page, live_server, plan,
                                                                         page_problems):
    open_plan(client_page, live_server, plan, part=7)
    client_page.locator("#goals-0-goal").fill("See a friend every week")
    client_page.get_by_role("button", name="Add another goal").click()
    client_page.keyboard.type("Sleep before midnight")
    client_page.get_by_role("button", name="Remove goal 2").click()
    expect(client_page.get_by_role("heading", level=1)).to_have_text("Remove goal 2?")
    expect(client_page.get_by_text("Sleep before midnight")).to_be_visible()
    assert_accessible(client_page)
    assert answers(plan)["goals"][1] == {"goal": "Sleep before midnight"}  # nothing lost while asking
    client_page.get_by_role("button", name="Remove goal 2").click()
    removed = client_page.get_by_text("Goal 2 is removed.")
    expect(removed).to_be_focused()  # beside the goals, where the page opens, not at its top
    expect(removed).to_be_in_viewport()
    expect(client_page.locator("#goals-0-goal")).to_have_value("See a friend every week")
    assert_accessible(client_page)
    assert answers(plan)["goals"] == [{"goal": "See a friend every week"}]


def test_enter_in_a_text_box_saves_rather_than_adding_a_row_or_moving_on(client_page, live_server, plan,
                                                                       page_problems):
    open_plan(client_page, live_server, plan, part=7)
    client_page.locator("#goals-0-goal").fill("Sleep before midnight")
    client_page.keyboard.press("Enter")
    expect(status(client_page)).to_contain_text("Saved at", timeout=5000)
    assert client_page.locator("[data-group-row]").count() == 1 and client_page.url.endswith("?part=7")
    assert answers(plan) == {"goals": [{"goal": "Sleep before midnight"}]}


def test_the_check_screen_lists_what_is_missing_and_leads_to_it(client_page, live_server, plan, page_problems):
    open_plan(client_page, live_server, plan, part=7)
    client_page.locator("#goals-0-goal").fill("My garden")
    client_page.get_by_role("button", name="Next: check and send").click()
    expect(client_page.get_by_role("heading", level=1)).to_be_focused()
    needed = client_page.get_by_role("heading", name=re.compile("still needed before you can send"))
    expect(needed).to_contain_text("9 answers")
    assert client_page.get_by_role("link", name=re.compile("^Send")).count() == 0
    assert_accessible(client_page)
    client_page.get_by_role("link", name=re.compile("^How well does your partner")).click()
    expect(client_page.get_by_text("Part 1 of 7")).to_be_visible()
    expect(client_page.locator("#partner-measures-up")).to_be_in_viewport()
    assert answers(plan) == {"goals": [{"goal": "My garden"}]}


def test_a_submitted_worksheet_is_read_only_and_leaves_nothing_on_the_device(client_page, live_server, make,
                                                                             robin, page_problems):
    checklist = make.assignment(robin, "partner-source-checklist", status="submitted",
                                answers={"hot-cold": "often"})
    for part in (1, 3):
        client_page.evaluate(f"() => localStorage.setItem('groundwork:draft:{checklist.id}:{part}', '{{}}')")
    client_page.goto(live_server(f"/portal/worksheets/{checklist.id}"))
    expect(client_page.get_by_text("they can reopen it for you")).to_be_visible()
    assert client_page.locator("textarea, input[type=text]").count() == 0
    assert stored_draft(client_page, checklist, part=1) is None and stored_draft(client_page, checklist, part=3) is None


# --- accessible at phone width -------------------------------------------------------------------------


TAP_TARGET = 44  # px: the smallest a finger can hit reliably (WCAG 2.5.5)


def small_tap_targets(page: Page) -> list[str]:
    """Every visible button, link and option row on the worksheet page, and in the header, under 44 px."""
    return page.evaluate("""(least) => [...document.querySelectorAll(
            '.nav a, .nav button, form[data-worksheet] :is(a, button, .choice)')]
        .filter(e => e.offsetParent !== null)
        .map(e => [e, e.getBoundingClientRect()])
        .filter(([e, box]) => box.height < least || (e.closest('.field--scale') && box.width < least))
        .map(([e, box]) => `${e.textContent.trim()} (${Math.round(box.width)}×${Math.round(box.height)} px)`)""",
                         TAP_TARGET)


@pytest.mark.parametrize("part", [1, 7])
def test_every_button_link_and_option_row_is_at_least_44_px_at_phone_width(client_page, live_server, plan, part,
                                                                           page_problems):
    open_plan(client_page, live_server, plan, part=part)
    if part == 7:
        client_page.get_by_role("button", name="Add another goal").click()  # two rows: "Remove" buttons show
        expect(client_page.get_by_role("button", name="Remove goal 2")).to_be_visible()
    client_page.wait_for_function("() => document.fonts.status === 'loaded'")
    assert small_tap_targets(client_page) == []


def test_tapping_anywhere_along_an_option_row_chooses_it(client_page, live_server, plan, page_problems):
    open_plan(client_page, live_server, plan)
    for option in (client_page.locator("#trust-qualities .choice").first,  # a tick box
                   client_page.locator(".field--scale .choice").first):  # a point on a 0–10 scale
        option.scroll_into_view_if_needed()
        box = option.bounding_box()
        assert box is not None
        client_page.mouse.click(box["x"] + box["width"] - 3, box["y"] + box["height"] / 2)  # the row's far end
        expect(option.locator("input")).to_be_checked()



@pytest.mark.parametrize("worksheet", ["origins-mapping", "partner-source-checklist", "security-building-plan"])
def test_every_worksheet_is_accessible_and_fits_a_phone(client_page, live_server, make, robin, plan, worksheet,
                                                         page_problems):
    # a client has one open copy of a worksheet: the plan is already assigned
    assignment = plan if worksheet == plan.worksheet_id else make.assignment(robin, worksheet)
    parts = len(db.session.get(Assignment, assignment.id).definition_snapshot["sections"])
    for part in sorted({1, parts}):
        client_page.goto(live_server(f"/portal/worksheets/{assignment.id}?part={part}"))
        expect(client_page.get_by_role("button", name="Save and finish later")).to_be_visible()
        assert fits_the_screen(client_page)
        assert_accessible(client_page)


def test_the_portal_pages_are_accessible_and_fit_a_phone(client_page, live_server, robin, plan, page_problems):
    assert fits_the_screen(client_page)
    assert_accessible(client_page)  # home
    client_page.goto(live_server("/p/no-such-link"))
    expect(client_page.get_by_role("heading", level=1)).to_have_text("This link does not work")
    assert_accessible(client_page)
    client_page.goto(live_server("/portal"))
    client_page.get_by_role("button", name="Leave").click()
    expect(client_page.get_by_role("heading", level=1)).to_have_text("You have left")
    assert_accessible(client_page)
    client_page.goto(live_server(f"/p/{new_link(robin)}"))  # landing (a new link replaces the one used above)
    assert fits_the_screen(client_page)
    assert_accessible(client_page)


def test_the_worksheet_can_be_filled_in_with_the_keyboard_alone(client_page, live_server, make, robin,
                                                                page_problems):
    assignment = make.assignment(robin, "partner-source-checklist")
    client_page.goto(live_server(f"/portal/worksheets/{assignment.id}?part=2"))
    expect(client_page.get_by_role("heading", level=2, name="What your partner does")).to_be_focused()
    for _ in range(40):
        client_page.keyboard.press("Tab")
        if client_page.evaluate("() => document.activeElement.name") == "hot-cold":
            break
    client_page.keyboard.press("ArrowDown")  # radios: arrows choose within the group
    client_page.keyboard.press("Tab")
    expect(status(client_page)).to_contain_text("Saved at", timeout=8000)
    assert answers(assignment) == {"hot-cold": "suspect"}  # the second choice: "I think so, but I am not sure"


def test_the_clinician_copies_a_new_link_with_one_button(page: Page, live_server, therapist, make, page_problems):
    client_record = make.client(therapist, display_name="Robin A.")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(page, live_server, therapist.email)
    page.goto(live_server(f"/clients/{client_record.id}"))
    page.get_by_role("button", name="Create a link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Link created")
    page.get_by_role("button", name="Copy link").click()
    expect(page.locator("[data-copy-status]")).to_contain_text("Copied")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/p/[A-Za-z0-9_-]{43}", copied)
    assert_accessible(page)


# --- items shown on a condition ------------------------------------------------------------------------


def test_a_conditional_item_appears_and_goes_as_the_answer_it_depends_on_changes(client_page, live_server, make,
                                                                                  robin, tmp_path, page_problems):
    definition = load_definition(write(tmp_path, CONDITIONAL, name="conditional"))
    assignment = assignment_of(make, robin, definition)
    client_page.goto(live_server(f"/portal/worksheets/{assignment.id}"))
    example = client_page.get_by_label("A time your partner ran hot and cold")
    expect(example).to_be_hidden()
    client_page.get_by_role("radio", name="Often").check()
    expect(example).to_be_visible()
    expect(client_page.get_by_text("Answer this if you chose something other than “Never” above.")).to_be_visible()
    example.fill("The weekend in May")
    client_page.get_by_role("radio", name="A lot").check()
    expect(client_page.get_by_label("What upset you most")).to_be_visible()
    client_page.get_by_role("radio", name="Never").check()
    expect(example).to_be_hidden()
    expect(client_page.get_by_label("What upset you most")).to_be_hidden()  # it depended on a hidden item
    wait_until_the_server_has_everything(client_page, assignment)
    assert answers(assignment) == {"hot-cold": "never", "hot-cold-example": "The weekend in May", "upset": "a-lot"}
    assert_accessible(client_page)


def test_a_condition_on_an_answer_from_another_part_is_honoured(client_page, live_server, make, robin,
                                                                 page_problems):
    talk = make.assignment(robin, "talking-to-my-partner")
    words = re.compile("^Write it out")
    for choice, shown in (("No", False), ("Yes", True)):
        client_page.goto(live_server(f"/portal/worksheets/{talk.id}?part=1"))
        client_page.get_by_role("radio", name=choice, exact=True).check()
        client_page.get_by_role("button", name=re.compile("^Next")).click()
        client_page.get_by_role("button", name=re.compile("^Next")).click()
        expect(client_page.get_by_text("Part 3 of 4")).to_be_visible()
        if shown:
            expect(client_page.get_by_label(words)).to_be_visible()
        else:
            expect(client_page.get_by_label(words)).to_be_hidden()
    assert_accessible(client_page)


def test_a_part_with_nothing_to_answer_says_so_instead_of_an_empty_form(client_page, live_server, make, robin,
                                                                        page_problems):
    talk = make.assignment(robin, "talking-to-my-partner")  # part 3 asks only if part 1 said it is safe
    nothing = client_page.get_by_text("Nothing to answer here, based on what you said earlier.")
    client_page.goto(live_server(f"/portal/worksheets/{talk.id}?part=1"))
    client_page.get_by_role("radio", name="No", exact=True).check()
    client_page.get_by_role("button", name=re.compile("^Next")).click()
    client_page.get_by_role("button", name=re.compile("^Next")).click()
    expect(client_page.get_by_text("Part 3 of 4")).to_be_visible()
    expect(nothing).to_be_visible()
    expect(client_page.get_by_text(re.compile("^Start with what happens inside you"))).to_be_hidden()
    assert_accessible(client_page)
    client_page.get_by_role("button", name=re.compile("^Back")).click()
    client_page.get_by_role("button", name=re.compile("^Back")).click()
    client_page.get_by_role("radio", name="Yes", exact=True).check()
    client_page.get_by_role("button", name=re.compile("^Next")).click()
    client_page.get_by_role("button", name=re.compile("^Next")).click()
    expect(client_page.get_by_label(re.compile("^Write it out"))).to_be_visible()
    expect(nothing).to_be_hidden()
