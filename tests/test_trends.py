"""Trends: a worksheet sent more than once is charted over time on the client page, the
review page (this submission marked) and the packet cover ("since last session")."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import tempfile
from pathlib import Path
from shutil import copyfile

import pytest
from markupsafe import escape
from sqlalchemy import select
from PIL import Image

from clinic import words
from clinic.demo import CHECK_IN_ANSWERS
from clinic.extensions import db
from clinic.assignments.services import reopen, transition
from clinic.models import Client, utcnow
from clinic.trends.services import MAX_POINTS, client_trends, figures
from clinic.worksheets import evaluate, load_library
from clinic.worksheets.schema import CountSummary, LeanSummary, ProfileSummary, Scale
from clinic.worksheets.schema.rules import AverageSummary, EntriesSummary, ShareSummary, TwoAxisSummary
from tests.support.packets import cover, make_packet
from tests.support.pdf_text import page_texts
from tests.support.samples import SHIPPED, WORKSHEETS, sample_answers
from tests.support.trends import FIRST_SENT, send_weekly
from tests.support.worksheet_files import write

SVG_ELEMENT = re.compile(r"<svg\b.*?</svg>", re.S)


def section(page: str, section_id: str) -> str:
    """The <section> with this id, nested sections included."""
    start = page.rindex("<section", 0, page.index(f'id="{section_id}"'))
    depth, position = 0, start
    for tag in re.finditer(r"<(/?)section\b", page[start:]):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            position = start + tag.end()
            break
    return page[start:position]


@pytest.mark.parametrize("worksheet_id", SHIPPED)
def test_what_is_charted_is_what_the_definition_declares(app, worksheet_id):
    definition = app.extensions["worksheets"][worksheet_id]
    charted = {(f.chart_id, f.series) for f in figures(definition, sample_answers(worksheet_id))}
    profiled = {i for s in definition.summary if isinstance(s, ProfileSummary) for i in s.items}
    declared = set()
    for summary in definition.summary:
        if isinstance(summary, CountSummary):
            declared.add((summary.id, summary.label))
        elif isinstance(summary, ProfileSummary):
            declared |= {(summary.id, definition.items_by_id[i].title) for i in summary.items}
        elif isinstance(summary, LeanSummary):
            declared |= {(summary.id, side.label) for side in summary.sides}
        elif isinstance(summary, TwoAxisSummary):
            declared |= {(summary.id, axis.label) for axis in summary.axes}
        elif isinstance(summary, (AverageSummary, ShareSummary, EntriesSummary)):
            declared.add((summary.id, summary.label))
    declared |= {(f"ratings-{i.min}-{i.max}", i.title) for i in definition.items
                 if isinstance(i, Scale) and i.id not in profiled}
    assert charted == declared  # empty only for a worksheet without numbers (talking to my partner)


def test_a_worksheet_sent_once_has_no_trend(app, make, robin):
    send_weekly(make, robin, "partner-source-checklist", 1)
    assert client_trends(robin) == []


def test_the_values_are_the_engines_figures_for_each_submission_oldest_first(app, make, robin):
    sent = send_weekly(make, robin, "partner-source-checklist", 3)
    [trend] = client_trends(robin)
    assert trend.assignment_ids == tuple(a.id for a in sent)
    assert trend.dates == tuple(words.local(FIRST_SENT + dt.timedelta(weeks=w)).date() for w in range(3))
    counts = [next(r for r in evaluate(app.extensions["worksheets"][a.worksheet_id], a.response.answers).summaries
                   if r.kind == "count") for a in sent]
    chart = next(c for c in trend.charts if c.id == counts[0].id)
    assert chart.series[0].values == tuple(r.count for r in counts)
    assert (chart.minimum, chart.maximum) == (0, counts[0].total)


def test_a_long_history_charts_the_latest_submissions_only(app, make, robin):
    sent = send_weekly(make, robin, "partner-source-checklist", MAX_POINTS + 3)
    [trend] = client_trends(robin)
    assert trend.assignment_ids == tuple(a.id for a in sent[-MAX_POINTS:])



def test_a_reopened_worksheet_leaves_the_chart_until_it_is_sent_again_as_the_newest(app, make, robin):
    sent = send_weekly(make, robin, "partner-source-checklist", 3, first=utcnow() - dt.timedelta(weeks=4))
    reopen(sent[1], actor="test")
    db.session.commit()
    [trend] = client_trends(robin)
    assert trend.assignment_ids == (sent[0].id, sent[2].id)
    transition(sent[1], "submitted", actor="client")
    db.session.commit()
    [trend] = client_trends(robin)
    assert trend.assignment_ids == (sent[0].id, sent[2].id, sent[1].id)
    assert trend.submitted_at[-1] == sent[1].submitted_at > sent[2].submitted_at

def test_gathering_a_clients_history_takes_the_same_queries_for_3_or_30_submissions(app, make, clinician,
                                                                                     count_queries):
    few, many = make.client(clinician), make.client(clinician)
    send_weekly(make, few, "origins-mapping", 3)
    for worksheet_id in WORKSHEETS:
        send_weekly(make, many, worksheet_id, 10)
    db.session.expire_all()
    few.id, many.id  # loaded before counting: the count is of gathering the history alone
    with count_queries() as small:
        assert len(client_trends(few)) == 1
    with count_queries() as large:
        assert len(client_trends(many)) == len(WORKSHEETS)
    assert small.count == large.count == 1


def test_the_client_page_charts_each_worksheet_sent_more_than_once(signed_in, make, robin):
    send_weekly(make, robin, "origins-mapping", 4)
    send_weekly(make, robin, "partner-source-checklist", 1)
    page = signed_in.get(f"/clients/{robin.id}").get_data(as_text=True)
    trends = section(page, "trends")
    [trend] = client_trends(robin)
    assert f"{escape(trend.title)} <span class=\"muted\">· sent 4 times</span>" in trends
    assert "Is it me, or is it the relationship?" not in trends  # sent once: nothing to chart
    svgs = SVG_ELEMENT.findall(page)
    assert len(svgs) == len(trend.charts)
    for chart in trend.charts:
        assert f"<caption>{escape(chart.title)}, by date sent</caption>" in page
        for series in chart.series:
            assert f'<th scope="col">{escape(series.label)}</th>' in page


def test_charts_are_inline_svg_the_strict_csp_allows(signed_in, make, robin):
    send_weekly(make, robin, "origins-mapping", 3)
    response = signed_in.get(f"/clients/{robin.id}")
    assert "style-src 'self'" in response.headers["Content-Security-Policy"]
    svgs = SVG_ELEMENT.findall(response.get_data(as_text=True))
    assert svgs
    for svg in svgs:
        assert "<script" not in svg and "<style" not in svg and " style=" not in svg
        assert 'aria-hidden="true"' in svg
        assert "<path" in svg and "clip-path" in svg
    assert any('stroke-dasharray="' in svg for svg in svgs)  # lines differ by dash, not colour alone
    page = response.get_data(as_text=True)
    ids = re.findall(r'\bid="([^"]+)"', page)
    chart_ids = re.findall(r'\bid="([^"]+)"', "".join(svgs))
    assert chart_ids and [i for i in chart_ids if ids.count(i) > 1] == []
    for reference in set(re.findall(r'(?:href="#|url\(#)([^")]+)', "".join(svgs))):
        assert reference in ids


def test_the_table_gives_every_number(signed_in, make, robin):
    sent = send_weekly(make, robin, "origins-mapping", 3)
    page = signed_in.get(f"/clients/{robin.id}").get_data(as_text=True)
    [trend] = client_trends(robin)
    profile = next(c for c in trend.charts if len(c.series) > 1)
    table = page[page.index(f"<caption>{escape(profile.title)}, by date sent</caption>"):]
    table = table[: table.index("</table>")]
    rows = re.findall(r"<tr>\s*<th scope=\"row\">([^<]+)</th>(.*?)</tr>", table, re.S)
    assert len(rows) == len(sent)
    for row, (_, cells) in enumerate(rows):
        assert re.findall(r"<td>([^<]*)</td>", cells) == [
            "not answered" if s.values[row] is None else str(s.values[row]) for s in profile.series]


def test_the_review_page_marks_this_submission(signed_in, make, robin):
    sent = send_weekly(make, robin, "partner-source-checklist", 3)
    page = signed_in.get(f"/assignments/{sent[1].id}").get_data(as_text=True)
    over_time = section(page, "trend")
    assert "the dotted line marks this one" in over_time
    marked = re.findall(r'<th scope="row">([^<]+) \(this one\)</th>', over_time)
    assert marked and set(marked) == {words.date(sent[1].submitted_at)}
    assert "This one" in SVG_ELEMENT.search(over_time).group(0)


def test_the_review_page_of_a_first_submission_has_no_chart(signed_in, make, robin):
    [only] = send_weekly(make, robin, "partner-source-checklist", 1)
    page = signed_in.get(f"/assignments/{only.id}").get_data(as_text=True)
    assert 'id="trend"' not in page and "<svg" not in page


def test_nobody_sees_another_clinicians_trends(signed_in, make):
    other = make.client(make.clinician())
    send_weekly(make, other, "origins-mapping", 3)
    assert signed_in.get(f"/clients/{other.id}").status_code == 404


def pdf_page_png(pdf: bytes, page: int, folder: Path) -> Path:
    """One page of a PDF as a greyscale PNG (as it would print on a black-and-white printer)."""
    source = folder / "packet.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-gray", "-png", "-r", "60", "-f", str(page), "-l", str(page),
                    "-singlefile", str(source), str(folder / "page")], check=True)
    return folder / "page.png"


def test_the_packet_cover_shows_what_moved_since_last_session(signed_in, make, robin, weasyprint_log):
    first = send_weekly(make, robin, "partner-source-checklist", 2)
    make_packet(signed_in, robin, session="2026-09-22", assignments=first)
    later = send_weekly(make, robin, "partner-source-checklist", 2, first=dt.datetime.now(dt.timezone.utc)
                        + dt.timedelta(minutes=1))
    response = make_packet(signed_in, robin, session="2026-10-06", assignments=[later[-1]])
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    front = cover(page_texts(response.data))
    assert "Since last session" in front
    [trend] = client_trends(robin)
    seen = trend.index_of(first[-1].id)
    moves = trend.moves(later[0].submitted_at - dt.timedelta(seconds=1))
    assert f"Last session ({words.date(trend.dates[seen])})" in front
    for move in moves:
        assert move.label in front
    assert weasyprint_log() == []

    with tempfile.TemporaryDirectory() as folder:
        pages = page_texts(response.data)
        chart_page = next(i for i, text in enumerate(pages, start=1) if "Last session (" in text)
        png = pdf_page_png(response.data, chart_page, Path(folder))
        with Image.open(png) as image:
            ink = sum(image.histogram()[:110]) / (image.width * image.height)
        assert 0.01 < ink < 0.1  # lines, markers and labels drawn on white, readable in grey


CHECK_IN = {  # the shape of worksheets/weekly-check-in.yaml, which the demo fills in
    "id": "weekly-check-in", "version": 1, "title": "This week", "estimated_minutes": 3, "intro": "A short check-in.",
    "sections": [{"id": "ratings", "title": "How the week went", "items": [
        {"id": item_id, "type": "scale", "label": f"{label}?", "short_label": label, "min": 0, "max": 10,
         "anchors": {0: "Not at all", 10: "Completely"}}
        for item_id, label in [("felt-secure", "Felt secure"), ("worried", "Worried"),
                               ("acted-on-urges", "Acted on urges"), ("felt-close", "Felt close")]
    ] + [{"id": "goal-progress", "type": "single_choice", "label": "Goals?", "options": [
            {"value": v, "label": v} for v in ("on-track", "some", "not-yet", "no-goals")]},
         {"id": "week-note", "type": "long_text", "label": "One thing to bring?", "required": False}]}],
    "summary": [{"id": "week-ratings", "kind": "profile", "label": "This week (0 to 10)",
                 "items": ["felt-secure", "worried", "acted-on-urges", "felt-close"]}],
}


def test_a_first_packets_trends_are_over_time_not_since_a_session_there_was_not(signed_in, make, robin):
    sent = send_weekly(make, robin, "partner-source-checklist", 3)
    pages = page_texts(make_packet(signed_in, robin, session="2026-10-06", assignments=[sent[-1]]).data)
    front = cover(pages)
    assert "Since last session" not in front
    assert "Over time" in pages[1], "the contents name the trends as they are headed"
    assert re.search(r"Over time Is it me, or is it the relationship\? \(sent 3 times\)", " ".join(front.split()))


def test_the_demo_client_has_six_weeks_of_check_ins_charted(app, runner, tmp_path):
    write(tmp_path, CHECK_IN, name="weekly-check-in")  # beside the shipped worksheets
    for worksheet_id in WORKSHEETS:
        copyfile(Path(app.config["WORKSHEETS_DIR"]) / f"{worksheet_id}.yaml", tmp_path / f"{worksheet_id}.yaml")
    app.extensions["worksheets"] = load_library(tmp_path)
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    robin = db.session.scalars(select(Client).where(Client.display_name == "Robin A.")).one()
    [trend] = client_trends(robin)
    assert trend.worksheet_id == "weekly-check-in" and len(trend.dates) == len(CHECK_IN_ANSWERS) == 6
    assert trend.dates[-1] < words.today() and len(set(trend.dates)) == 6
    [ratings] = trend.charts
    assert {s.label: s.values for s in ratings.series} == {
        label: tuple(week[item_id] for week in CHECK_IN_ANSWERS)
        for item_id, label in [("felt-secure", "Felt secure"), ("worried", "Worried"),
                               ("acted-on-urges", "Acted on urges"), ("felt-close", "Felt close")]}
