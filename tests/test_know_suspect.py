"""The know-or-suspect item: "I know this happens", "I suspect it" or "No", with suspicion kept apart."""

from __future__ import annotations

import pytest

from clinic.worksheets import evaluate, load_definition
from tests.support.pdf_text import all_text
from tests.support.portal import assignment_of, new_link, open_link, page_url
from tests.support.worksheet_files import problems, write

KNOW_SUSPECT = {
    "id": "know-suspect",
    "version": 1,
    "title": "What you know and what you suspect",
    "estimated_minutes": 5,
    "intro": "Hello.",
    "sections": [{"id": "partner", "title": "Your partner", "items": [
        {"id": "lying", "type": "know_suspect", "label": "Your partner lies to you", "tags": ["partner"]},
        {"id": "infidelity", "type": "know_suspect", "label": "Your partner has been unfaithful",
         "labels": {"know": "Yes, it happened", "suspect": "I suspect it"}, "tags": ["partner"]},
    ]}],
    "summary": [
        {"id": "known", "kind": "count", "label": "Known", "tags": ["partner"], "values": ["know"]},
        {"id": "suspected", "kind": "count", "label": "Suspected", "tags": ["partner"], "values": ["suspect"]},
    ],
    "flags": [{"id": "betrayal", "when": {"item": "infidelity", "in": ["know", "suspect"]},
               "say": "Infidelity known or suspected"}],
}


@pytest.fixture
def definition(tmp_path):
    return load_definition(write(tmp_path, KNOW_SUSPECT, name="know-suspect"))


def test_the_options_are_know_suspect_and_no_and_can_be_reworded(definition):
    lying, infidelity = definition.items
    assert lying.choices == (("know", "I know this happens"), ("suspect", "I suspect it"), ("no", "No"))
    assert infidelity.choices == (("know", "Yes, it happened"), ("suspect", "I suspect it"), ("no", "No"))


def test_rewording_an_option_that_does_not_exist_is_refused(tmp_path):
    data = {**KNOW_SUSPECT, "sections": [{**KNOW_SUSPECT["sections"][0], "items": [
        {"id": "lying", "type": "know_suspect", "label": "Lies", "labels": {"maybe": "Maybe"}}]}],
        "summary": [], "flags": []}
    assert "labels can only reword 'know', 'suspect' and 'no', not maybe" in problems(tmp_path, data, "know-suspect")


def test_knowledge_and_suspicion_are_counted_apart(definition):
    evaluation = evaluate(definition, {"lying": "know", "infidelity": "suspect"})
    assert [s.text for s in evaluation.summaries] == ["1 of 2", "1 of 2"]
    assert [f.id for f in evaluation.flags] == ["betrayal"]
    assert evaluate(definition, {"lying": "no", "infidelity": "no"}).flags == ()


def assigned(make, clinician, definition, **fields):
    return assignment_of(make, make.client(clinician, display_name="Robin A."), definition, **fields)


@pytest.fixture
def sent(make, clinician, definition):
    return assigned(make, clinician, definition, status="submitted", answers={"lying": "know", "infidelity": "suspect"})


def test_the_review_marks_a_suspicion_as_one_and_a_known_answer_plainly(signed_in, sent):
    page = signed_in.get(f"/assignments/{sent.id}").get_data(as_text=True)
    assert '<p class="answer pre">I know this happens</p>' in page
    assert '<span class="badge">Suspected</span> I suspect it' in page


def test_the_pdf_reads_the_same(signed_in, sent):
    text = all_text(signed_in.get(f"/assignments/{sent.id}/pdf").data)
    assert "I know this happens" in text and "Suspected I suspect it" in text
    assert "Infidelity known or suspected" in text


def test_the_client_chooses_among_the_three(client, make, clinician, definition):
    assignment = assigned(make, clinician, definition)
    open_link(client, new_link(assignment.client))
    page = client.get(page_url(assignment)).get_data(as_text=True)
    for words in ("Yes, it happened", "I suspect it", "I know this happens"):
        assert words in page
    assert page.count('name="infidelity"') == 3
