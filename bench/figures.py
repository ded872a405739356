"""What every benchmark shares: alternating runs, medians with their spread, and goals written for the report.

Compared runs are interleaved (A, B, A, B ...) so that whatever else the
machine does at the time slows both sides alike; figures are medians with the
spread of the middle half (25th to 75th percentile). Each benchmark writes its
goals to `bench/results/<name>.json`; `bench/report.py` prints them as one table.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TypeVar

RESULTS = Path(__file__).resolve().parent / "results"
Side = TypeVar("Side")


def alternate(sides: Sequence[Side], rounds: int, measure: Callable[[Side], float]) -> dict[Side, list[float]]:
    """`measure` each side once per round, the order rotating each round (A B C, B C A, C A B ...)."""
    figures: dict[Side, list[float]] = {side: [] for side in sides}
    for number in range(rounds):
        shift = number % len(sides)
        for side in [*sides[shift:], *sides[:shift]]:
            figures[side].append(measure(side))
    return figures


@dataclass(frozen=True)
class Spread:
    """A median with the 25th and 75th percentiles around it."""

    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        if len(values) < 2:
            return cls(values[0], values[0], values[0])
        low, _, high = statistics.quantiles(values, n=4)
        return cls(statistics.median(values), low, high)

    def text(self, scale: float = 1.0, digits: int = 1) -> str:
        return f"{self.median * scale:.{digits}f} ({self.low * scale:.{digits}f}–{self.high * scale:.{digits}f})"


@dataclass(frozen=True)
class Goal:
    """One line of the final table: what was promised, what was measured, and whether it holds."""

    goal: str
    measured: str
    passed: bool


def write_goals(benchmark: str, goals: list[Goal]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{benchmark}.json"
    path.write_text(json.dumps([asdict(goal) for goal in goals], indent=1))
    return path


def read_goals() -> dict[str, list[Goal]]:
    return {path.stem: [Goal(**goal) for goal in json.loads(path.read_text())]
            for path in sorted(RESULTS.glob("*.json"))}
