"""How a session-prep packet lies on the paper, on A4 and US Letter, read back as text per page
and as page images: a one-page cover, the contents on the next page, each worksheet's flags
and summaries on one page, nothing blank, nothing past the edge of the paper."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from clinic.extensions import db
from clinic.models import NOTES_MAX, PacketExport, utcnow
from clinic.worksheets import evaluate
from tests.support.packets import make_packet
from tests.support.pdf_text import flat, page_texts
from tests.support.samples import sample_answers
from tests.support.trends import send_weekly

PAPERS = ("A4", "letter")
LONG_ANSWER = " ".join(["I keep going over it in my head, the way the evening went and what I could have said."] * 12)
AGENDA = "Ask about the argument in March.\nCheck in on the painting class.\nGo over the safety screen first."
# Pixels per millimetre at the resolution the pages are drawn at (pdftoppm -r 50).
DPI = 50
PX_PER_MM = DPI / 25.4


@pytest.fixture
def dense(make, clinician):
    """What a full week looks like: five worksheets sent (one of them four weeks running, so it
    has a trend), a safety flag, long answers, an agenda and a worksheet not yet in."""

    def build():
        person = make.client(clinician, display_name="Jordan Ellis", agenda=AGENDA, agenda_updated_at=utcnow())
        checklist = sample_answers("partner-source-checklist")
        checklist.update({"afraid": "sometimes", "hot-cold-example": LONG_ANSWER})
        origins = sample_answers("origins-mapping")
        origins["caregiving-memory"] = LONG_ANSWER
        chosen = [
            make.assignment(person, "partner-source-checklist", status="submitted", answers=checklist),
            make.assignment(person, "origins-mapping", status="submitted", answers=origins),
            make.assignment(person, "security-building-plan", status="reviewed",
                            answers=sample_answers("security-building-plan")),
            send_weekly(make, person, "weekly-check-in", 4, first=dt.datetime(2026, 2, 2, tzinfo=dt.timezone.utc))[-1],
            make.assignment(person, "behaviour-log", status="submitted", answers=sample_answers("behaviour-log")),
        ]
        make.assignment(person, "jealousy", due_date=dt.date(2026, 3, 20))
        return person, chosen

    return build


def packet_pages(signed_in, person, chosen, paper: str) -> tuple[bytes, list[str]]:
    response = make_packet(signed_in, person, assignments=chosen, paper=paper)
    assert response.status_code == 200
    return response.data, page_texts(response.data)


def page_images(pdf: bytes, folder: Path) -> list[Image.Image]:
    """Every page as a greyscale image, as a black-and-white printer would print it."""
    source = folder / "packet.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-gray", "-png", "-r", str(DPI), str(source), str(folder / "page")], check=True)
    return [Image.open(path) for path in sorted(folder.glob("page-*.png"))]


def unhyphenated(text: str) -> str:
    """Text without hyphens, for words like "partner-source" that a line may end within."""
    return re.sub(r"- ?", "", flat(text))


def ink(image: Image.Image, box: tuple[int, int, int, int]) -> int:
    """How many pixels in `box` (left, top, right, bottom) are darker than paper."""
    return sum(image.crop(box).histogram()[:200])


@pytest.mark.parametrize("paper", PAPERS)
def test_the_cover_is_one_page_and_the_contents_are_the_next(signed_in, dense, paper, weasyprint_log):
    person, chosen = dense()

    _, pages = packet_pages(signed_in, person, chosen, paper)

    cover, contents = pages[0], pages[1]
    assert "Safety: Safety screen" in cover
    assert "Everything so far" in cover
    assert flat(AGENDA) in cover and "Last updated" in cover, "the cover's last lines are on its first page"
    assert "In this packet" not in cover
    assert contents.startswith("In this packet"), "contents start page 2"
    assert not any(words in contents for words in ("Your agenda", "Flags and summaries Where", "WORKSHEET ANSWERS"))
    assert "WORKSHEET ANSWERS" not in pages[2]
    assert weasyprint_log() == []


# An agenda line of about the cover's line length.
AGENDA_LINE = "Go back over the last three weeks: what changed at home, at work and with Sam's family."


@pytest.mark.parametrize("paper", PAPERS)
def test_a_cover_with_too_much_to_say_still_fits_and_points_to_the_rest(signed_in, make, clinician, paper):
    """Every flag raised, a dozen worksheets changed, the longest heading and as much agenda as the
    cover holds: it shows what fits and says where the rest is, after the contents."""
    agenda = "\n".join([AGENDA_LINE] * 6)
    person = make.client(clinician, display_name="Jordan Ellis", agenda=agenda, agenda_updated_at=utcnow())
    answers = {
        "origins-mapping": {**sample_answers("origins-mapping"), "caregiving-resonance": 4, "betrayal-resonance": 4,
                            "worth-resonance": 4, "comparison-resonance": 4, "pattern-scope": "only-this-one"},
        "partner-source-checklist": {**sample_answers("partner-source-checklist"), "afraid": "yes",
                                     "partner-response": "uses-against", "infidelity": "know"},
        "security-building-plan": {**sample_answers("security-building-plan"), "safe-to-tell": "no",
                                   "partner-measures-up": 1, "worth-depends": 4},
    }
    chosen = [make.assignment(person, worksheet_id, status="submitted", answers=sent)
              for worksheet_id, sent in answers.items()]
    send_weekly(make, person, "weekly-check-in", 12)  # each a change since the last packet
    db.session.add(PacketExport(client_id=person.id, session_date=dt.date(2026, 3, 3),
                                created_at=utcnow() - dt.timedelta(days=7)))  # the longest heading for changes
    db.session.commit()
    raised = [flag.say for a in chosen
              for flag in evaluate(make.app.extensions["worksheets"][a.worksheet_id], a.response.answers).flags]
    assert len(raised) >= 10

    pdf, pages = packet_pages(signed_in, person, chosen, paper)

    cover = pages[0]
    assert "Safety:" in cover and "more flags" in cover and "more changes" in cover
    assert cover.count(AGENDA_LINE) == 6 and "Last updated" in cover
    assert pages[1].startswith("In this packet")
    after_contents = " ".join(pages[2:])
    assert [say for say in raised if unhyphenated(say) not in unhyphenated(after_contents)] == []
    assert after_contents.count("Your weekly check-in: assigned") == 12
    # the full list says how it is ordered, as the cover does
    assert "flagged and waiting for review first, then newest first Every change" in flat(after_contents)


def test_a_long_agenda_is_printed_in_full_after_the_contents(signed_in, make, clinician):
    agenda = "\n".join([AGENDA_LINE] * (NOTES_MAX // (len(AGENDA_LINE) + 1)))
    person = make.client(clinician, display_name="Jordan Ellis", agenda=agenda, agenda_updated_at=utcnow())

    _, pages = packet_pages(signed_in, person, [], "letter")

    assert "Your agenda is too long for this page: it is printed in full from page 3." in pages[0]
    assert pages[1].startswith("In this packet") and pages[2].startswith("Your agenda")
    assert " ".join(pages[2:]).count(AGENDA_LINE) == agenda.count(AGENDA_LINE)


@pytest.mark.parametrize("paper", PAPERS)
def test_each_worksheets_flags_and_summaries_stay_on_one_page(signed_in, dense, app, paper):
    person, chosen = dense()

    _, pages = packet_pages(signed_in, person, chosen, paper)

    glance = pages[2:next(n for n, page in enumerate(pages) if "WORKSHEET ANSWERS" in page)]
    assert glance[0].startswith("Flags and summaries")
    for assignment in chosen:
        evaluation = evaluate(app.extensions["worksheets"][assignment.worksheet_id], assignment.response.answers)
        title = assignment.definition_snapshot["title"]
        block = [flat(title)] + [flat(flag.say) for flag in evaluation.flags] + [
            flat(summary.label) for summary in evaluation.summaries]
        holding = [n for n, page in enumerate(glance) if all(words in page for words in block)]
        assert holding, f"the flags and summaries of {title!r} are split across pages"


@pytest.mark.parametrize("paper", PAPERS)
def test_no_page_is_blank_and_nothing_reaches_past_the_margins(signed_in, dense, paper, tmp_path):
    person, chosen = dense()
    pdf, pages = packet_pages(signed_in, person, chosen, paper)

    images = page_images(pdf, tmp_path)

    assert len(images) == len(pages)
    edge = round(12 * PX_PER_MM)  # the page margins are 17 mm at the sides: these 12 mm stay white
    for number, image in enumerate(images, start=1):
        width, height = image.size
        body = (edge, round(25 * PX_PER_MM), width - edge, height - round(25 * PX_PER_MM))
        assert ink(image, body) > 0.01 * width * height, f"page {number} is blank"
        assert ink(image, (0, 0, edge, height)) == 0, f"something on page {number} reaches the left edge"
        assert ink(image, (width - edge, 0, width, height)) == 0, f"something on page {number} reaches the right edge"



def changes_on_cover(cover: str) -> str:
    """The cover's "what changed" section: from its heading to the agenda's."""
    return cover.split("Everything so far", 1)[1].split("Your agenda", 1)[0]


@pytest.mark.parametrize("paper", PAPERS)
def test_a_just_sent_safety_flag_leads_what_changed_on_the_cover(signed_in, make, clinician, paper):
    """A dozen older changes, then a worksheet sent just now with a safety flag: the cover names it
    first under what changed, and fills the room the short flags and agenda leave with the older ones."""
    person = make.client(clinician, display_name="Jordan Ellis")
    for week in range(12):
        older = make.assignment(person, "weekly-check-in", status="reviewed",
                                answers=sample_answers("weekly-check-in"))
        then = utcnow() - dt.timedelta(weeks=20 - week)
        for event in older.events:
            event.at = then
        older.response.saved_at = older.submitted_at = then
    db.session.commit()
    sent = make.assignment(person, "partner-source-checklist", status="submitted",
                           answers={**sample_answers("partner-source-checklist"), "afraid": "sometimes"})

    _, pages = packet_pages(signed_in, person, [sent], paper)

    changed = changes_on_cover(pages[0])
    title = flat(sent.definition_snapshot["title"])
    assert changed.index(title) < changed.index("Your weekly check-in"), "the safety-flagged worksheet is first"
    assert "Safety flag Waiting for your review" in changed
    assert "flagged and waiting for review first, then newest first" in flat(changed)
    assert changed.count("Your weekly check-in") >= 10, "the room the flags and agenda leave is used"
    assert pages[1].startswith("In this packet"), "the cover still fits its page"
