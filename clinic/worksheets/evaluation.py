"""Compute a definition's declared summaries, flags and progress from answers.

Everything here is generic: what to count, what leans where and what to flag
is read from the definition, never written per worksheet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from clinic.worksheets.conditions import Answers, hidden_items, holds, is_answered, matches, tagged
from clinic.worksheets.schema import (
    AnswerSummary,
    CountSummary,
    Definition,
    Group,
    LeanSummary,
    ProfileSummary,
    RowsSummary,
    Signal,
)


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | None
    minimum: int
    maximum: int

    @property
    def fraction(self) -> float:
        """How far along the scale, 0..1 (0 when unanswered)."""
        if self.value is None:
            return 0.0
        return (self.value - self.minimum) / (self.maximum - self.minimum)


@dataclass(frozen=True)
class SummaryResult:
    """One computed summary; `kind` tells a template which fields to read."""

    id: str
    kind: str
    label: str
    note: str | None
    text: str = ""
    count: int = 0
    total: int = 0
    scores: tuple[tuple[str, int], ...] = ()
    bars: tuple[Bar, ...] = ()
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class FlagResult:
    id: str
    say: str
    severity: str


@dataclass(frozen=True)
class SectionProgress:
    id: str
    title: str
    answered: int
    total: int


@dataclass(frozen=True)
class Evaluation:
    summaries: tuple[SummaryResult, ...]
    flags: tuple[FlagResult, ...]
    sections: tuple[SectionProgress, ...] = field(default=())
    hidden: frozenset[str] = frozenset()

    @property
    def answered(self) -> int:
        return sum(s.answered for s in self.sections)

    @property
    def total(self) -> int:
        return sum(s.total for s in self.sections)


def evaluate(definition: Definition, answers: Answers) -> Evaluation:
    """Summaries, flags and progress from the answers to the items shown (see `conditions`)."""
    hidden = hidden_items(definition, answers)
    answers = {key: value for key, value in answers.items() if key not in hidden}
    return Evaluation(
        summaries=tuple(_summarise(definition, s, answers) for s in definition.summary),
        flags=tuple(
            FlagResult(flag.id, flag.say, flag.severity)
            for flag in definition.flags
            if holds(definition, flag.when, answers)
        ),
        sections=tuple(
            SectionProgress(
                section.id,
                section.title,
                answered=sum(is_answered(answers.get(item.id)) for item in section.items),
                total=sum(item.id not in hidden for item in section.items),
            )
            for section in definition.sections
        ),
        hidden=hidden,
    )


def _signal_score(definition: Definition, signal: Signal, answers: Answers) -> int:
    items = [definition.items_by_id[signal.item]] if signal.item else tagged(definition, signal.tags or ())
    return signal.weight * sum(matches(answers.get(i.id), signal.in_) for i in items)


def _summarise(definition: Definition, summary: Any, answers: Answers) -> SummaryResult:
    base = {"id": summary.id, "kind": summary.kind, "label": summary.label, "note": summary.note}
    if isinstance(summary, CountSummary):
        items = (
            [definition.items_by_id[i] for i in summary.items]
            if summary.items
            else tagged(definition, summary.tags or ())
        )
        count = sum(matches(answers.get(i.id), summary.values) for i in items)
        return SummaryResult(**base, count=count, total=len(items), text=f"{count} of {len(items)}")
    if isinstance(summary, LeanSummary):
        scores = tuple(
            (side.label, sum(_signal_score(definition, s, answers) for s in side.signals))
            for side in summary.sides
        )
        ranked = sorted(scores, key=lambda pair: pair[1], reverse=True)
        leader, runner_up = ranked[0], ranked[1]
        text = leader[0] if leader[1] - runner_up[1] >= summary.margin else summary.tie_label
        return SummaryResult(**base, text=text, scores=scores)
    if isinstance(summary, ProfileSummary):
        bars = []
        for item_id in summary.items:
            item = definition.items_by_id[item_id]
            value = answers.get(item_id)
            bars.append(Bar(item.title, value if isinstance(value, int) else None, item.min, item.max))
        return SummaryResult(**base, bars=tuple(bars))
    if isinstance(summary, RowsSummary):
        group: Group = definition.items_by_id[summary.item]
        subs = {s.id: s for s in group.items}
        rows = tuple(
            tuple(subs[c].display(row[c]) if is_answered(row.get(c)) else "" for c in summary.columns)
            for row in answers.get(summary.item) or []
            if isinstance(row, dict)
        )
        return SummaryResult(**base, columns=tuple(subs[c].title for c in summary.columns), rows=rows)
    assert isinstance(summary, AnswerSummary)
    item = definition.items_by_id[summary.item]
    value = answers.get(summary.item)
    return SummaryResult(**base, text=item.display(value) if is_answered(value) else "")
