"""Compute a definition's declared summaries, flags and progress from answers.

Everything here is generic: what to count, what leans where and what to flag
is read from the definition, never written per worksheet.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from clinic.worksheets.conditions import Answers, as_number, hidden_items, holds, is_answered, matches, tagged
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
from clinic.worksheets.schema.rules import (
    FLAG_LEVELS,
    AverageSummary,
    EntriesSummary,
    ShareSummary,
    TwoAxisSummary,
    TypicalSummary,
    axis_maximum,
    signal_items,
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
    # The number behind `text`, where there is one (for trends over repeated assignments).
    figure: float | None = None
    # A reading replaced by a safety flag's words: never shown as a verdict then.
    set_aside: bool = False


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
    required_left: int = 0


@dataclass(frozen=True)
class Evaluation:
    summaries: tuple[SummaryResult, ...]
    flags: tuple[FlagResult, ...]
    sections: tuple[SectionProgress, ...] = field(default=())
    hidden: frozenset[str] = frozenset()

    @property
    def highest_level(self) -> str | None:
        """The most urgent flag level raised ('safety' outranks everything), or None."""
        return self.flags[0].severity if self.flags else None

    @property
    def answered(self) -> int:
        return sum(s.answered for s in self.sections)

    @property
    def total(self) -> int:
        return sum(s.total for s in self.sections)

    @property
    def required_left(self) -> int:
        """Required questions shown and not answered yet: what stands between the client and sending."""
        return sum(s.required_left for s in self.sections)


def evaluate(definition: Definition, answers: Answers) -> Evaluation:
    """Summaries, flags and progress from the answers to the items shown (see `conditions`).

    Flags come most urgent first; a safety flag sets a two-axis reading aside (its words take the place).
    """
    hidden = hidden_items(definition, answers)
    needed = missing_answers(definition, answers)
    answers = {key: value for key, value in answers.items() if key not in hidden}
    raised = sorted(
        (FlagResult(flag.id, flag.say, flag.severity)
         for flag in definition.flags if holds(definition, flag.when, answers)),
        key=lambda flag: FLAG_LEVELS.index(flag.severity),
    )
    summaries = [_summarise(definition, s, answers) for s in definition.summary]
    safety = next((flag for flag in raised if flag.severity == "safety"), None)
    if safety is not None:
        summaries = [replace(s, text=safety.say, set_aside=True) if s.kind == "two_axis" else s for s in summaries]
    return Evaluation(
        summaries=tuple(summaries),
        flags=tuple(raised),
        sections=tuple(
            SectionProgress(
                section.id,
                section.title,
                answered=sum(is_answered(answers.get(item.id)) for item in section.items),
                total=sum(item.id not in hidden for item in section.items),
                required_left=sum(need.part == number for need in needed),
            )
            for number, section in enumerate(definition.sections, start=1)
        ),
        hidden=hidden,
    )


@dataclass(frozen=True)
class Progress:
    answered: int
    total: int
    required_left: int


def progress(definition: Definition, answers: Answers) -> Progress:
    """Answered and shown items, and the answers still needed before sending (the check screen's list), as
    `evaluate` counts them, without its summaries and flags.

    Autosave replies with this after every save, so it skips what only the review needs.
    """
    hidden = hidden_items(definition, answers)
    shown = [item for item in definition.items if item.id not in hidden]
    answered = sum(is_answered(answers.get(item.id)) for item in shown)
    return Progress(answered, len(shown), len(missing_answers(definition, answers)))


@dataclass(frozen=True)
class Missing:
    """An answer a submission still needs: which part it is on, the field to go to, and why."""

    part: int
    field_id: str
    label: str
    message: str


def missing_answers(definition: Definition, answers: Answers) -> list[Missing]:
    """What stops these saved answers being sent, part by part, in page order (empty when complete).

    The one count of what is still needed: the check screen lists these and progress counts them ("3 required
    left"). A required item shown and unanswered, and in each started row of a group, each required sub-item
    left empty (named by its row, "Goal 2: ...", as the row's field on the page is).
    """
    hidden = hidden_items(definition, answers)
    found: list[Missing] = []
    for number, section in enumerate(definition.sections, start=1):
        for item in section.items:
            if item.id in hidden:
                continue
            value = answers.get(item.id)
            if item.required and not is_answered(value):
                found.append(Missing(number, item.id, item.label, item.missing_message))
            if not isinstance(item, Group) or not isinstance(value, list):
                continue
            for index, row in enumerate(value):
                if not isinstance(row, dict) or not row:
                    continue
                row_name = f"{item.row_label} {index + 1}"
                found.extend(Missing(number, f"{item.id}-{index}-{sub.id}", f"{row_name}: {sub.label}",
                                     item.row_message(row_name))
                             for sub in item.items if sub.required and not is_answered(row.get(sub.id)))
    return found


def _signal_score(definition: Definition, signal: Signal, answers: Answers) -> int:
    items = [definition.items_by_id[signal.item]] if signal.item else tagged(definition, signal.tags or ())
    return signal.weight * sum(matches(answers.get(i.id), signal.in_) for i in items)


def _two_axis(definition: Definition, summary: TwoAxisSummary, answers: Answers, base: dict) -> SummaryResult:
    bars = tuple(
        Bar(axis.label, sum(_signal_score(definition, s, answers) for s in axis.signals),
            0, axis_maximum(axis, definition.items))
        for axis in summary.axes
    )
    read = {item.id for axis in summary.axes for s in axis.signals for item in signal_items(s, definition.items)}
    readings = summary.readings
    first_high, second_high = (bar.value >= summary.high_from for bar in bars)
    if sum(is_answered(answers.get(item_id)) for item_id in read) < summary.min_answered:
        text = readings.too_few
    elif first_high and second_high:
        text = readings.both
    elif first_high or second_high:
        text = readings.first if first_high else readings.second
    else:
        text = readings.neither
    return SummaryResult(**base, text=text, bars=bars)


def _column_values(definition: Definition, summary: Any, answers: Answers) -> tuple[Any, list[Any]]:
    """The item a summary reads and its answered values: one, or one per group row."""
    item = definition.items_by_id[summary.item]
    if summary.column is None:
        value = answers.get(summary.item)
        return item, [value] if is_answered(value) else []
    sub = next(s for s in item.items if s.id == summary.column)
    rows = [row for row in answers.get(summary.item) or [] if isinstance(row, dict)]
    return sub, [row[sub.id] for row in rows if is_answered(row.get(sub.id))]


def _column_summary(definition: Definition, summary: Any, answers: Answers, base: dict) -> SummaryResult:
    item, values = _column_values(definition, summary, answers)
    if isinstance(summary, AverageSummary):
        numbers = [n for n in map(as_number, values) if n is not None]
        if not numbers:
            return SummaryResult(**base)
        average = round(sum(numbers) / len(numbers), 1)
        shown = f"{average:g}"
        text = item.display(shown)
        return SummaryResult(**base, text=f"{text} (from {len(numbers)})", figure=average, total=len(numbers))
    if isinstance(summary, ShareSummary):
        hits = sum(matches(v, summary.values) for v in values)
        if not values:
            return SummaryResult(**base)
        return SummaryResult(**base, count=hits, total=len(values), figure=hits / len(values),
                             text=f"{hits} of {len(values)} ({round(100 * hits / len(values))}%)")
    assert isinstance(summary, TypicalSummary)
    counts = Counter(str(v) for v in values)
    if not counts:
        return SummaryResult(**base)
    order = [str(value) for value, _ in item.choices]
    value, times = max(counts.items(), key=lambda pair: (pair[1], -order.index(pair[0]) if pair[0] in order else 0))
    return SummaryResult(**base, count=times, total=len(values),
                         text=f"{item.display(value)} ({times} of {len(values)})")


def _summarise(definition: Definition, summary: Any, answers: Answers) -> SummaryResult:
    base = {"id": summary.id, "kind": summary.kind, "label": summary.label, "note": summary.note}
    if isinstance(summary, CountSummary):
        items = (
            [definition.items_by_id[i] for i in summary.items]
            if summary.items
            else tagged(definition, summary.tags or ())
        )
        count = sum(matches(answers.get(i.id), summary.values) for i in items)
        return SummaryResult(**base, count=count, total=len(items), figure=count, text=f"{count} of {len(items)}")
    if isinstance(summary, TwoAxisSummary):
        return _two_axis(definition, summary, answers, base)
    if isinstance(summary, (AverageSummary, ShareSummary, TypicalSummary)):
        return _column_summary(definition, summary, answers, base)
    if isinstance(summary, EntriesSummary):
        rows = [row for row in answers.get(summary.item) or [] if isinstance(row, dict)]
        return SummaryResult(**base, count=len(rows), figure=len(rows), text=str(len(rows)))
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
