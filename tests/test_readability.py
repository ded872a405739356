"""Every word a client reads reads at grade 6 or lower (Flesch-Kincaid), computed offline.

Syllables come from pyphen's hyphenation dictionary (installed with WeasyPrint;
textstat would download a dictionary at run time). Flesch-Kincaid means little
for a fragment of three words ("Sometimes" alone scores grade 20), so a text
of fewer than MIN_WORDS words is judged together with the other short texts
of its worksheet; every longer text (intros, help, most questions) is judged
on its own. A failure names the hardest sentences, to rewrite first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pyphen
import pytest
from tests.support.samples import SHIPPED


MAX_GRADE = 6.0
MIN_WORDS = 8
WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")
SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]*\s+|\n+")
HYPHENATOR = pyphen.Pyphen(lang="en_US")


def syllables(word: str) -> int:
    return len(HYPHENATOR.positions(word.lower())) + 1


def sentences(text: str) -> list[str]:
    return [part.strip() for part in SENTENCE_END.split(text) if WORD.search(part)]


def grade(text: str) -> float:
    """Flesch-Kincaid grade level: 0.39 words per sentence + 11.8 syllables per word - 15.59."""
    parts = sentences(text)
    words = WORD.findall(text)
    if not words:
        return 0.0
    return (0.39 * len(words) / max(len(parts), 1) + 11.8 * sum(map(syllables, words)) / len(words) - 15.59)


def client_texts(definition) -> Iterator[tuple[str, str]]:
    """(where, text) for everything the client reads: intros, questions, help and options."""
    yield "intro", definition.intro
    if definition.subtitle:
        yield "subtitle", definition.subtitle
    for section in definition.sections:
        yield f"{section.id} title", section.title
        if section.intro:
            yield f"{section.id} intro", section.intro
        for item in section.items:
            yield from _item_texts(item)
            for sub in getattr(item, "items", ()):
                yield from _item_texts(sub)


def _item_texts(item) -> Iterator[tuple[str, str]]:
    yield f"{item.id} label", item.label
    if item.help:
        yield f"{item.id} help", item.help
    for value, label in item.choices:
        if isinstance(value, str):
            yield f"{item.id} option {value}", label


def worst_sentences(texts: list[tuple[str, str]], count: int = 5) -> str:
    graded = sorted(((grade(sentence), where, sentence) for where, text in texts for sentence in sentences(text)),
                    reverse=True)
    return "\n".join(f"  grade {g:4.1f}  {where}: {sentence}" for g, where, sentence in graded[:count])


@pytest.fixture
def library(app):
    return app.extensions["worksheets"]


def test_the_grade_formula_ranks_plain_words_below_long_ones():
    assert grade("The cat sat on the mat. It was warm.") < 1
    assert grade("Relationship insecurity is characterized by a persistent discrepancy.") > 12
    assert syllables("relationship") >= 4 and syllables("cat") == 1


@pytest.mark.parametrize("worksheet_id", SHIPPED)
def test_every_text_a_client_reads_is_at_grade_six_or_lower(library, worksheet_id):
    texts = list(client_texts(library[worksheet_id]))
    long_texts = [(where, text) for where, text in texts if len(WORD.findall(text)) >= MIN_WORDS]
    short_texts = [(where, text) for where, text in texts if len(WORD.findall(text)) < MIN_WORDS]

    too_hard = [(where, text) for where, text in long_texts if grade(text) > MAX_GRADE]
    assert not too_hard, (
        f"{len(too_hard)} texts in {worksheet_id} are above grade {MAX_GRADE:g}:\n"
        + "\n".join(f"  grade {grade(text):4.1f}  {where}" for where, text in too_hard)
        + "\nhardest sentences:\n" + worst_sentences(too_hard))
    pooled = grade(". ".join(text.rstrip(".?!") for _, text in short_texts) + ".")
    assert pooled <= MAX_GRADE, (
        f"the short texts of {worksheet_id} read at grade {pooled:.1f}:\n" + worst_sentences(short_texts))
