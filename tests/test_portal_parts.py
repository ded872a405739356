"""A worksheet one part at a time, without JavaScript: Back and Next save, the check screen, confirming
before sending, removing rows, and errors that name their row."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape

from clinic.extensions import db
from tests.support.portal import new_link, open_link, page_url, post, stored
from tests.support.posting import csrf_token
from tests.support.samples import sample_answers


@pytest.fixture
def portal(client, robin):
    open_link(client, new_link(robin))
    return client


@pytest.fixture
def origins(make, robin):
    """Five parts; each of the first four asks one required scale question."""
    return make.assignment(robin, "origins-mapping")


@pytest.fixture
def plan(make, robin):
    """Seven parts; the last holds the goals (rows)."""
    return make.assignment(robin, "security-building-plan")


def part_url(assignment, number) -> str:
    return f"{page_url(assignment)}?part={number}"


def text_of(response) -> str:
    return response.get_data(as_text=True)


def ticked(page: str, name: str) -> list[str]:
    """The values of the ticked boxes and chosen options called `name`, as the browser shows them."""
    return [re.search(r'value="([^"]*)"', tag).group(1) for tag in re.findall(r"<input [^>]*>", page)
            if f'name="{name}"' in tag and re.search(r"\schecked[\s>]", tag)]


# --- Back and Next ------------------------------------------------------------------------------


def test_next_saves_the_part_and_opens_the_next_one(portal, origins):
    response = post(portal, origins, {"caregiving-resonance": "3", "caregiving-memory": "Sunday silences"},
                    version=0, action="next", part="1")
    assert response.status_code == 302 and response.headers["Location"] == part_url(origins, 2)
    assert stored(origins).answers == {"caregiving-resonance": 3, "caregiving-memory": "Sunday silences"}
    page = text_of(portal.get(response.headers["Location"]))
    assert "Part 2 of 5" in page and "Past betrayals" in page and "Early caregiving" not in page
    assert 'name="version" value="1"' in page and 'name="part" value="2"' in page
    assert "2 of 20 answered · 4 required left" in page
    assert "data-focus-on-load" in page  # arriving at a part moves focus to its heading


def test_back_saves_too_and_every_answer_is_there_on_return(portal, origins):
    post(portal, origins, {"caregiving-resonance": "3", "caregiving-memory": "Sunday silences"},
         version=0, action="next", part="1")
    response = post(portal, origins, {"betrayal-resonance": "2", "betrayal-memory": "The second phone"},
                    version=1, action="back", part="2")
    assert response.headers["Location"] == part_url(origins, 1)
    first = text_of(portal.get(part_url(origins, 1)))
    assert "Sunday silences</textarea>" in first and ticked(first, "caregiving-resonance") == ["3"]
    second = text_of(portal.get(part_url(origins, 2)))
    assert "The second phone</textarea>" in second
    assert stored(origins).answers == {"caregiving-resonance": 3, "caregiving-memory": "Sunday silences",
                                       "betrayal-resonance": 2, "betrayal-memory": "The second phone"}


def test_a_part_changes_only_its_own_answers(portal, origins):
    """An unticked box is not posted at all: the other parts' answers must not read as cleared."""
    answers = sample_answers("origins-mapping")
    post(portal, origins, answers, version=0, action="save")  # the whole worksheet at once
    response = post(portal, origins, {"worth-resonance": "1"}, version=1, action="next", part="3")
    assert response.status_code == 302
    assert stored(origins).answers == {
        key: value for key, value in {**answers, "worth-resonance": 1}.items()
        if not key.startswith("worth-") or key == "worth-resonance"}


def test_a_part_that_names_another_parts_question_saves_nothing(portal, origins):
    response = post(portal, origins, {"caregiving-resonance": "3"}, version=0, action="next", part="2")
    assert response.status_code == 400 and "nothing was saved" in text_of(response)
    assert stored(origins).version == 0


@pytest.mark.parametrize("part", ["0", "6", "x", "²", "-1", "99999999999", ""])
def test_a_part_that_does_not_exist_gets_a_clear_page(portal, origins, part):
    response = portal.get(f"{page_url(origins)}?part={part}")
    assert response.status_code == 404
    page = text_of(response)
    assert "That part was not found" in page and "your answers are safe" in page
    assert f'href="{part_url(origins, 1)}"' in page


@pytest.mark.parametrize("part", ["0", "6", "x", "99999"])
def test_a_posted_part_that_does_not_exist_saves_nothing(portal, origins, part):
    response = post(portal, origins, {"caregiving-resonance": "3"}, version=0, action="next", part=part)
    assert response.status_code in (400, 404)
    assert stored(origins).version == 0


def test_bad_input_keeps_the_client_on_the_part_with_everything_typed(portal, origins):
    response = post(portal, origins, {"caregiving-resonance": "9", "caregiving-memory": "Kept words"},
                    version=0, action="next", part="1")
    assert response.status_code == 400
    page = text_of(response)
    assert "Part 1 of 5" in page and "Kept words</textarea>" in page
    assert 'href="#caregiving-resonance"' in page and "data-error-summary" in page
    assert stored(origins).version == 0


def test_the_last_part_leads_to_the_check_screen_and_a_single_part_worksheet_works(portal, make, robin):
    log = make.assignment(robin, "behaviour-log")  # one part only
    page = text_of(portal.get(page_url(log)))
    assert "Part 1 of 1" in page and 'value="back"' not in page and "Next: check and send" in page
    response = post(portal, log, {"episodes-0-trigger": "No reply for two hours"}, version=0, action="next",
                    part="1")
    assert response.headers["Location"] == f"{page_url(log)}/check"
    check = text_of(portal.get(response.headers["Location"]))
    assert "Check and send" in check and "Entry 1: When did it happen?" in check


# --- checking and sending -------------------------------------------------------------------------


def test_the_check_screen_lists_what_is_missing_with_links_to_its_part(portal, origins):
    post(portal, origins, {"caregiving-resonance": "3"}, version=0, action="next", part="1")
    page = text_of(portal.get(f"{page_url(origins)}/check"))
    assert "4 answers are still needed before you can send" in page
    needed = page.split('id="missing-title"', 1)[1].split("</ul>", 1)[0]
    links = re.findall(r'<li><a href="([^"]+)">([^<]+)</a>', needed)
    assert [href for href, _ in links] == [
        f"{part_url(origins, 2)}#betrayal-resonance", f"{part_url(origins, 3)}#worth-resonance",
        f"{part_url(origins, 4)}#comparison-resonance", f"{part_url(origins, 5)}#pattern-scope"]
    assert "Everything you have written so far is saved" in page
    assert f"{page_url(origins)}/send" not in page  # no way to send yet
    assert portal.get(f"{page_url(origins)}/send").headers["Location"] == f"{page_url(origins)}/check"


def test_sending_needs_the_confirmation_step(portal, origins):
    post(portal, origins, sample_answers("origins-mapping"), version=0, action="save")
    # A "submit" from a part page (an old page, or a forged button) saves but does not send.
    response = portal.post(page_url(origins), data={"csrf_token": csrf_token(portal, "/portal"), "version": "1",
                                                    "part": "1", "caregiving-resonance": "4", "action": "submit"})
    assert response.status_code == 302 and response.headers["Location"] == f"{page_url(origins)}/check"
    assert stored(origins).assignment.status == "in_progress"
    check = text_of(portal.get(f"{page_url(origins)}/check"))
    assert "Everything needed is answered" in check and f'href="{page_url(origins)}/send"' in check
    confirm = text_of(portal.get(f"{page_url(origins)}/send"))
    assert "Your therapist will see your answers. You cannot change them after sending" in confirm
    assert 'name="part" value="none"' in confirm and "Yes, send it" in confirm
    version = re.search(r'name="version" value="(\d+)"', confirm).group(1)
    sent = portal.post(f"{page_url(origins)}/send", data={"csrf_token": csrf_token(portal, "/portal"),
                                                          "version": version, "part": "none", "action": "submit"})
    assert sent.status_code == 302
    saved = stored(origins)
    assert saved.assignment.status == "submitted" and saved.answers["caregiving-resonance"] == 4
    assert saved.answers["pattern-what-changed"] == sample_answers("origins-mapping")["pattern-what-changed"]
    assert "Your answers have been sent to your therapist" in text_of(portal.get(sent.headers["Location"]))


def test_the_check_screen_shows_the_answers_as_they_will_be_sent_with_a_way_back_to_each_part(portal, origins):
    answers = sample_answers("origins-mapping")
    post(portal, origins, answers, version=0, action="save")
    page = text_of(portal.get(f"{page_url(origins)}/check"))
    shown = page.split('id="answers-title"', 1)[1]
    assert "This is what your therapist will see when you send the worksheet." in shown
    assert str(escape(answers["pattern-what-changed"])) in shown
    for number in range(1, 6):  # its five parts
        assert f'<a href="{part_url(origins, number)}">Change part {number}' in shown


def test_a_confirmation_from_an_older_page_does_not_send_what_the_client_has_not_seen(portal, origins):
    post(portal, origins, sample_answers("origins-mapping"), version=0, action="save")
    confirm = text_of(portal.get(f"{page_url(origins)}/send"))
    post(portal, origins, {"caregiving-resonance": "1"}, version=1, action="save", part="1")  # another tab
    sent = portal.post(f"{page_url(origins)}/send", data={"csrf_token": csrf_token(portal, "/portal"),
                                                          "version": re.search(r'name="version" value="(\d+)"',
                                                                               confirm).group(1),
                                                          "part": "none", "action": "submit"})
    assert sent.headers["Location"] == f"{page_url(origins)}/check"
    assert stored(origins).assignment.status == "in_progress"
    assert "another tab or device" in text_of(portal.get(sent.headers["Location"]))


# --- rows ---------------------------------------------------------------------------------------------


def test_an_empty_row_is_removed_at_once_without_javascript(portal, plan):
    response = post(portal, plan, {"goals-0-goal": "See a friend", "goals-1-goal": "", "goals-2-goal": ""},
                    version=0, action="remove-row:goals-1", part="7")
    assert response.status_code == 302
    page = text_of(portal.get(response.headers["Location"]))
    assert "Goal 2 is removed" in page
    assert 'value="See a friend"' in page and 'id="goals-1"' in page and 'id="goals-2"' not in page
    assert stored(plan).answers == {"goals": [{"goal": "See a friend"}]}


def test_a_row_with_answers_is_removed_only_after_the_client_confirms_seeing_what_goes(portal, plan):
    rows = {"goals-0-goal": "See a friend", "goals-1-goal": "Ask once a day", "goals-1-goal-first-step": "Tonight"}
    response = post(portal, plan, rows, version=0, action="remove-row:goals-1", part="7")
    assert stored(plan).answers["goals"] == [{"goal": "See a friend"},
                                             {"goal": "Ask once a day", "goal-first-step": "Tonight"}]
    confirm = text_of(portal.get(response.headers["Location"]))
    assert "Remove goal 2?" in confirm and "Ask once a day" in confirm and "Tonight" in confirm
    assert "Keep it" in confirm
    removed = portal.post(response.headers["Location"], data={"csrf_token": csrf_token(portal, "/portal"),
                                                              "version": "1"})
    assert removed.status_code == 302 and removed.headers["Location"] == f"{part_url(plan, 7)}#goals-removed"
    assert stored(plan).answers["goals"] == [{"goal": "See a friend"}]
    assert_removed_beside_the_group(text_of(portal.get(removed.headers["Location"])), "Goal 2 is removed.")


def test_removing_a_row_from_an_older_page_removes_nothing(portal, plan):
    post(portal, plan, {"goals-0-goal": "One", "goals-1-goal": "Two"}, version=0, action="save", part="7")
    url = f"{page_url(plan)}/rows/goals/1/remove"
    post(portal, plan, {"goals-0-goal": "One", "goals-1-goal": "Two, changed"}, version=1, action="save", part="7")
    response = portal.post(url, data={"csrf_token": csrf_token(portal, "/portal"), "version": "1"})
    assert "nothing was removed" in text_of(portal.get(response.headers["Location"]))
    assert stored(plan).answers["goals"] == [{"goal": "One"}, {"goal": "Two, changed"}]


def test_a_row_that_is_not_there_gets_a_clear_page(portal, plan):
    response = portal.get(f"{page_url(plan)}/rows/goals/3/remove")
    assert response.status_code == 404 and "That row was not found" in text_of(response)
    assert portal.get(f"{page_url(plan)}/rows/no-such-group/0/remove").status_code == 404


def test_an_unfinished_row_is_named_by_its_row_label(portal, plan):
    answers = {**sample_answers("security-building-plan"), "goals": [
        {"goal": "See a friend", "goal-check-in": "2031-03-01"}, {"goal": "Ask once a day"}]}
    db.session.refresh(plan.response)
    plan.response.answers = answers
    db.session.commit()
    page = text_of(portal.get(f"{page_url(plan)}/check"))
    assert re.search(r'<a href="[^"]*\?part=7#goals-1-goal-check-in">Goal 2: When would you like to check in on '
                     r'this\?</a>', page)
    assert "remove goal 2 if you do not need it" in page


def test_a_sent_worksheet_has_no_rows_to_remove(portal, make, robin):
    sent = make.assignment(robin, "security-building-plan", status="submitted",
                           answers={"goals": [{"goal": "See a friend"}]})
    response = portal.post(f"{page_url(sent)}/rows/goals/0/remove",
                           data={"csrf_token": csrf_token(portal, "/portal"), "version": "0"})
    assert response.status_code == 409 and "already been sent to your therapist" in text_of(response)
    assert stored(sent).answers == {"goals": [{"goal": "See a friend"}]}


def test_a_part_carries_the_saved_answers_its_conditions_read_from_other_parts(portal, make, robin):
    talk = make.assignment(robin, "talking-to-my-partner")  # part 3 asks only if part 1 said it is safe
    post(portal, talk, {"safe-to-tell": "yes"}, version=0, action="next", part="1")
    third = text_of(portal.get(part_url(talk, 3)))
    assert "data-outside='{\"safe-to-tell\": \"yes\"}'" in third
    assert "data-outside" not in text_of(portal.get(part_url(talk, 2)))  # nothing there depends on it


NOTHING_HERE = "Nothing to answer here, based on what you said earlier."


def test_a_part_whose_questions_all_depend_on_an_earlier_no_says_so_kindly(portal, make, robin):
    """Not an empty form: the client reads why there is nothing to do, even without JavaScript."""
    talk = make.assignment(robin, "talking-to-my-partner")  # part 3 asks only if part 1 said it is safe
    post(portal, talk, {"safe-to-tell": "no"}, version=0, action="next", part="1")
    third = text_of(portal.get(part_url(talk, 3)))
    message = re.search(r"<p [^>]*data-part-empty[^>]*>", third).group(0)
    assert " hidden" not in message and NOTHING_HERE in third
    wrapper = re.search(r'<div class="conditional"[^>]*>', third).group(0)
    assert " hidden" in wrapper  # the question that does not apply is not shown, with or without the script
    post(portal, talk, {"safe-to-tell": "yes"}, version=1, action="next", part="1")
    third = text_of(portal.get(part_url(talk, 3)))
    assert " hidden" in re.search(r"<p [^>]*data-part-empty[^>]*>", third).group(0)
    assert " hidden" not in re.search(r'<div class="conditional"[^>]*>', third).group(0)
    assert "data-part-empty" not in text_of(portal.get(part_url(talk, 2)))  # a part with questions for everyone


# --- One word for sending -----------------------------------------------------------------------


def visible_text(page: str) -> str:
    """The words a client reads: tags, scripts and attribute values left out."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", page))


def test_the_check_screen_says_send_never_submit(portal, plan):
    """The pages say "send"; a message from the engine must not switch to "submit" half-way."""
    page = text_of(portal.get(f"{page_url(plan)}/check"))
    assert "Please add at least one goal before you send." in page
    assert "submit" not in visible_text(page).lower()


def test_the_part_page_and_the_check_screen_count_the_same_answers_still_needed(portal, plan):
    """A goal started but not finished needs its goal and check-in date: progress says so as the check screen does."""
    post(portal, plan, {"goals-0-goal-first-step": "Put my phone in a drawer"}, version=0, action="save", part="7")
    part = text_of(portal.get(part_url(plan, 7)))
    left = int(re.search(r"· (\d+) required left", part).group(1))
    check = text_of(portal.get(f"{page_url(plan)}/check"))
    needed = int(re.search(r"(\d+) answers are still needed before you can send", check).group(1))
    assert "Goal 1: What is your goal?" in check and "Goal 1: When would you like to check in" in check
    assert left == needed


def assert_removed_beside_the_group(page: str, message: str) -> None:
    """The page opens at the goals, with "Goal 2 is removed." just above them (focus goes to it), not at the top."""
    note = re.search(r'<p class="[^"]*" id="goals-removed" tabindex="-1" data-focus-on-load>([^<]*)</p>\s*'
                     r'<fieldset class="field field--group[^"]*" id="goals"', page)
    assert note and note.group(1) == message
    assert page.count(message) == 1 and 'class="flashes"' not in page
    assert page.count("data-focus-on-load") == 1  # not the part's heading: the message


def test_after_removing_an_empty_row_the_message_is_beside_the_group(portal, plan):
    response = post(portal, plan, {"goals-0-goal": "See a friend", "goals-1-goal": "", "goals-2-goal": ""},
                    version=0, action="remove-row:goals-1", part="7")
    assert response.headers["Location"].endswith("#goals-removed")
    assert_removed_beside_the_group(text_of(portal.get(response.headers["Location"])), "Goal 2 is removed.")
    page = text_of(portal.get(part_url(plan, 7)))  # shown once
    assert "is removed" not in page
