"""A client's history of one worksheet as numbers over time, read from the definitions.

Which figures are charted is declared by each definition, never written here:
every count, profile, lean, two-axis, average, share and entries summary, and
every scale item that no profile already shows (the 0-10 ratings of a weekly check-in, for example).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, Text, bindparam, cast, select, true
from sqlalchemy.orm import aliased

from clinic.assignments.services import definition_by_digest
from clinic.extensions import db
from clinic.models import SENT_STATUSES, Assignment, Client, Response, WorksheetSnapshot
from clinic.words import date, figure_text, local
from clinic.worksheets import Definition, evaluate
from clinic.worksheets.schema import CountSummary, LeanSummary, ProfileSummary, Scale
from clinic.worksheets.schema.rules import AverageSummary, EntriesSummary, ShareSummary, TwoAxisSummary

# A trend needs at least two submissions to show movement, and shows the latest few:
# a client's pages stay as quick after years of weekly check-ins as after a month.
MIN_POINTS = 2
MAX_POINTS = 12
FIGURES_CACHE_SIZE = 20_000


@dataclass(frozen=True)
class Series:
    label: str
    values: tuple[float | None, ...]  # one per submission; None where it was not answered

    @functools.cached_property
    def texts(self) -> tuple[str, ...]:
        """The values as a chart's table reads them, worded once rather than by a filter per cell."""
        return tuple(figure_text(value) for value in self.values)


@dataclass(frozen=True)
class Chart:
    """One set of figures on a shared scale (a summary, or the ratings of one range)."""

    id: str
    title: str
    minimum: float
    maximum: float
    series: tuple[Series, ...]


@dataclass(frozen=True)
class Trend:
    """A worksheet's charts over every submission of it, oldest first."""

    worksheet_id: str
    title: str
    assignment_ids: tuple[int, ...]
    submitted_at: tuple[dt.datetime, ...]
    charts: tuple[Chart, ...]

    @functools.cached_property
    def dates(self) -> tuple[dt.date, ...]:
        """The day each was sent, on the practice's calendar."""
        return tuple(local(moment).date() for moment in self.submitted_at)

    @functools.cached_property
    def worded_dates(self) -> tuple[str, ...]:
        """The dates as every chart's table reads them, worded once for all of the trend's charts."""
        return tuple(date(day) for day in self.dates)

    def index_of(self, assignment_id: int) -> int | None:
        return self.assignment_ids.index(assignment_id) if assignment_id in self.assignment_ids else None

    def last_seen(self, since: dt.datetime | None) -> int | None:
        """The last submission sent by `since` (the last session), if a newer one came after it."""
        before = [i for i, moment in enumerate(self.submitted_at) if since is not None and moment <= since]
        return before[-1] if before and before[-1] < len(self.submitted_at) - 1 else None

    def moves(self, since: dt.datetime | None) -> list[Move]:
        """Each figure then (at the last session, else the first submission) and now."""
        start = self.last_seen(since) or 0
        return [Move(chart.title, series.label, series.values[start], series.values[-1])
                for chart in self.charts for series in chart.series]


@dataclass(frozen=True)
class Move:
    chart: str
    label: str
    before: float | None
    now: float | None


@dataclass(frozen=True)
class Figure:
    """One number a definition declares, with the chart it belongs on."""

    chart_id: str
    chart_title: str
    series: str
    value: float | None
    minimum: float
    maximum: float


def figures(definition: Definition, answers: dict[str, Any]) -> list[Figure]:
    """The numbers a definition declares for one set of answers, in the definition's order."""
    found: list[Figure] = []
    profiled: set[str] = set()
    evaluation = evaluate(definition, answers)
    for summary, result in zip(definition.summary, evaluation.summaries):
        if isinstance(summary, CountSummary):
            found.append(Figure(summary.id, summary.label, summary.label, result.count, 0, result.total))
        elif isinstance(summary, ProfileSummary):
            profiled.update(summary.items)
            for bar in result.bars:
                found.append(Figure(summary.id, summary.label, bar.label, bar.value, bar.minimum, bar.maximum))
        elif isinstance(summary, LeanSummary):
            for side, score in result.scores:
                found.append(Figure(summary.id, summary.label, side, score, 0, 0))
        elif isinstance(summary, TwoAxisSummary):
            for bar in result.bars:
                found.append(Figure(summary.id, summary.label, bar.label, bar.value, 0, bar.maximum))
        elif isinstance(summary, ShareSummary):
            found.append(Figure(summary.id, summary.label, summary.label,
                                result.count if result.total else None, 0, result.total))
        elif isinstance(summary, (AverageSummary, EntriesSummary)):
            found.append(Figure(summary.id, summary.label, summary.label, result.figure, 0, 0))
    for item in definition.items:
        if isinstance(item, Scale) and item.id not in profiled:
            value = answers.get(item.id) if item.id not in evaluation.hidden else None
            found.append(Figure(f"ratings-{item.min}-{item.max}", f"Ratings ({item.min} to {item.max})",
                                item.title, value if isinstance(value, int) else None, item.min, item.max))
    return found


@dataclass(frozen=True)
class SentCopy:
    """One sent worksheet as a trend reads it: a row of five columns, not an assignment, response and snapshot.

    The answers stay the stored JSON text and the snapshot its digest: together they key the figures
    cache, so a page whose figures are cached decodes no answers and loads no snapshots.
    """

    id: int
    worksheet_id: str
    submitted_at: dt.datetime
    answers_json: str | None
    digest: str

    @property
    def definition(self) -> Definition:
        return definition_by_digest(self.digest)


_figures_cache: dict[tuple[str, str], tuple[Figure, ...]] = {}


def _sent_figures(copy: SentCopy) -> tuple[Figure, ...]:
    """The figures of one sent worksheet, worked out once per process for the same definition and answers.

    Every client page shows up to `MAX_POINTS` of each worksheet, and working
    out a long checklist's figures costs milliseconds; keyed by content, a
    cached result can never belong to other answers.
    """
    key = (copy.digest, copy.answers_json or "")
    found = _figures_cache.get(key)
    if found is None:
        if len(_figures_cache) >= FIGURES_CACHE_SIZE:
            _figures_cache.clear()
        answers = (json.loads(copy.answers_json) if copy.answers_json else None) or {}
        found = _figures_cache[key] = tuple(figures(copy.definition, answers))
    return found


def trend_of(copies: list[SentCopy]) -> Trend | None:
    """The trend of one worksheet's submissions (oldest first), or None with fewer than two."""
    if len(copies) < MIN_POINTS:
        return None
    per_submission = [_sent_figures(c) for c in copies]
    latest = copies[-1].definition
    order: dict[str, dict[str, None]] = defaultdict(dict)  # chart id -> series labels, latest layout first
    titles: dict[str, str] = {}
    bounds: dict[str, list[float]] = {}
    for figure_list in reversed(per_submission):
        for figure in figure_list:
            order[figure.chart_id].setdefault(figure.series)
            titles.setdefault(figure.chart_id, figure.chart_title)
            low, high = bounds.setdefault(figure.chart_id, [figure.minimum, figure.maximum])
            values = [figure.maximum] + ([figure.value] if figure.value is not None else [])
            bounds[figure.chart_id] = [min(low, figure.minimum), max([high, *values])]
    values = [{(f.chart_id, f.series): f.value for f in figure_list} for figure_list in per_submission]
    charts = tuple(
        Chart(
            id=chart_id, title=titles[chart_id],
            minimum=bounds[chart_id][0], maximum=max(bounds[chart_id][1], bounds[chart_id][0] + 1),
            series=tuple(Series(label, tuple(v.get((chart_id, label)) for v in values)) for label in labels),
        )
        for chart_id, labels in _in_definition_order(order, per_submission[-1]).items()
    )
    return Trend(
        worksheet_id=copies[-1].worksheet_id, title=latest.title,
        assignment_ids=tuple(c.id for c in copies),
        submitted_at=tuple(c.submitted_at for c in copies),
        charts=charts,
    )


def _in_definition_order(order: dict[str, dict[str, None]], latest: list[Figure]) -> dict[str, list[str]]:
    """Charts and series as the latest definition lists them, then any that only older versions had."""
    ranked = {key: rank for rank, key in enumerate(dict.fromkeys(f.chart_id for f in latest))}
    return {chart_id: list(order[chart_id]) for chart_id in sorted(order, key=lambda c: ranked.get(c, len(ranked)))}


def client_trends(client: Client) -> list[Trend]:
    """A trend for every worksheet the client has sent more than once."""
    by_worksheet: dict[str, list[SentCopy]] = defaultdict(list)
    for copy in latest_sent(client):
        by_worksheet[copy.worksheet_id].append(copy)
    trends = (trend_of(copies) for copies in by_worksheet.values())
    return sorted((t for t in trends if t is not None), key=lambda t: t.title)


def worksheet_trend(assignment: Assignment) -> Trend | None:
    """The trend of this assignment's worksheet for its client, if it was sent more than once."""
    return trend_of(latest_sent(assignment.client, assignment.worksheet_id))


def latest_sent(client: Client, worksheet_id: str | None = None) -> list[SentCopy]:
    """The client's last MAX_POINTS sent copies of each worksheet (or of one), oldest first, in one query."""
    statement = _latest_sent_statement(db.session.get_bind().dialect.name, worksheet_id is not None)
    params = {"client_id": client.id}
    if worksheet_id is not None:
        params["worksheet_id"] = worksheet_id
    return [SentCopy(*row) for row in db.session.execute(statement, params)]


@functools.cache
def _latest_sent_statement(dialect: str, one_worksheet: bool) -> Select:
    """`latest_sent`'s query, built once: its aliases and subqueries cost more to build than it takes to run.

    Each worksheet's copies are walked back from the newest along ix_assignment_client_worksheet_sent
    and the walk stops at MAX_POINTS, so years of history are never read. The walk steps over a copy
    reopened since it was sent (it keeps its time): at most one per worksheet is open.
    """
    kinds = select(WorksheetSnapshot.worksheet_id).distinct()  # every worksheet ever assigned: a short list
    if one_worksheet:
        kinds = kinds.where(WorksheetSnapshot.worksheet_id == bindparam("worksheet_id"))
    kinds = kinds.subquery()
    copy = aliased(Assignment)
    newest = (select(copy.id)
              .where(copy.client_id == bindparam("client_id"), copy.worksheet_id == kinds.c.worksheet_id,
                     copy.submitted_at.is_not(None), copy.status.in_(SENT_STATUSES))
              .order_by(copy.submitted_at.desc(), copy.id.desc()).limit(MAX_POINTS))
    if dialect == "postgresql":
        newest = newest.lateral()
        chosen = select(newest.c.id).select_from(kinds).join(newest, true())
    else:  # SQLite has no LATERAL, but runs a correlated IN list once per worksheet, as the same walk
        listed = aliased(Assignment)
        chosen = select(listed.id).select_from(kinds).join(listed, listed.id.in_(newest.scalar_subquery()))
    return (select(Assignment.id, Assignment.worksheet_id, Assignment.submitted_at, cast(Response.answers, Text),
                   WorksheetSnapshot.digest)
            .join(Assignment.response).join(Assignment.snapshot)
            .where(Assignment.id.in_(chosen))
            .order_by(Assignment.submitted_at, Assignment.id))
