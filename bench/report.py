"""The benchmarks' goals in one table: the goal, the measured ratio, pass or fail.

    .venv/bin/python -m bench.report      # after bench/scale.py, bench/load.py ...

Exits with 1 when any goal fails or no benchmark has written its figures.
"""

from __future__ import annotations

import sys

from bench.figures import RESULTS, read_goals


def main() -> int:
    results = read_goals()
    if not results:
        print(f"No benchmark figures in {RESULTS}; run the benchmarks first.")
        return 1
    rows = [(benchmark, goal) for benchmark, goals in results.items() for goal in goals]
    width = max(len(goal.goal) for _, goal in rows)
    measured = max(len(goal.measured) for _, goal in rows)
    print(f"\n{'benchmark':<10} {'goal':<{width}}  {'measured':<{measured}}  result")
    for benchmark, goal in rows:
        print(f"{benchmark:<10} {goal.goal:<{width}}  {goal.measured:<{measured}}  {'pass' if goal.passed else 'FAIL'}")
    failed = sum(not goal.passed for _, goal in rows)
    print(f"\n{len(rows) - failed} of {len(rows)} goals met." + (f" {failed} failed." if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
