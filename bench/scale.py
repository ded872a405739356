"""Scale: the clinician's busiest pages with 100 and with 10,000 assignments, in one run.

One clinician; the assignments are spread over clients of ten each, with every
status represented, plus one long-standing client who holds a tenth of them. For
each size it times (median of several requests, after a warm-up) and counts the
SQL queries of: the dashboard, a typical client's page, the long-standing
client's page, and the review page of a submitted worksheet with comments. It
prints both sizes side by side with the ratio: a page whose time or query
count grows with the clinician's total is a page that will not scale.

    .venv/bin/python bench/scale.py                      # SQLite and PostgreSQL
    .venv/bin/python bench/scale.py --database sqlite --sizes 100 1000
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from flask import Flask  # noqa: E402
from sqlalchemy import event, insert  # noqa: E402

import clinic.auth.services  # noqa: E402
from argon2 import PasswordHasher  # noqa: E402
from clinic import create_app  # noqa: E402
from clinic.assignments.services import assign, transition  # noqa: E402
from clinic.auth.services import create_account  # noqa: E402
from clinic.extensions import db  # noqa: E402
from clinic.models import Client, Comment  # noqa: E402
from scratch import KINDS, scratch_database  # noqa: E402
from sample_answers import sample_answers  # noqa: E402

PASSWORD = "a scale-testing password"
CLIENT_SIZE = 10
STATUS_PATHS = {
    "assigned": [], "in_progress": ["in_progress"], "submitted": ["in_progress", "submitted"],
    "reviewed": ["in_progress", "submitted", "reviewed"],
}
REPEATS = 11
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def seed(app: Flask, total: int) -> dict[str, str]:
    """`total` assignments for one clinician; returns the page paths to time."""
    with app.app_context():
        db.create_all()
        clinician = create_account("scale@example.test", PASSWORD, name="Dr Scale")
        worksheet_ids = sorted(app.extensions["worksheets"])
        statuses = list(STATUS_PATHS)
        long_standing = Client(clinician=clinician, display_name="Long-standing client")
        db.session.add(long_standing)
        heavy_share = total // 10
        person = None
        for number in range(total):
            if number < heavy_share:
                owner = long_standing
            else:
                if person is None or (number - heavy_share) % CLIENT_SIZE == 0:
                    person = Client(clinician=clinician, display_name=f"Client {number // CLIENT_SIZE}")
                    db.session.add(person)
                owner = person
            worksheet_id = worksheet_ids[number % len(worksheet_ids)]
            assignment = assign(owner, worksheet_id, actor="bench")
            status = statuses[number % len(statuses)]
            if status != "assigned":
                assignment.response.answers = sample_answers(worksheet_id)
                assignment.response.version = 1
            for step in STATUS_PATHS[status]:
                transition(assignment, step, actor="bench")
            if number % 500 == 499:
                db.session.commit()
        db.session.commit()
        review = next(a for a in person.assignments if a.status == "submitted")
        db.session.execute(insert(Comment), [
            {"response_id": review.response.id, "clinician_id": clinician.id, "section_id": None,
             "body": f"Comment {n}: ask about this in the session."} for n in range(5)])
        db.session.commit()
        return {
            "dashboard": "/",
            "client page (10 worksheets)": f"/clients/{person.id}",
            "client page (a tenth of all)": f"/clients/{long_standing.id}",
            "review page": f"/assignments/{review.id}",
        }


@dataclass
class PageFigures:
    seconds: float  # median of REPEATS requests
    queries: int  # SQL statements of one request
    sql_seconds: float  # time spent in those statements
    slowest: str  # the slowest statement, shortened


class QueryTimer:
    """Counts and times the SQL statements of a request."""

    def __init__(self) -> None:
        self.timings: list[tuple[float, str]] = []
        self._started = 0.0

    def before(self, conn, cursor, statement, *args) -> None:
        self._started = time.perf_counter()

    def after(self, conn, cursor, statement, *args) -> None:
        self.timings.append((time.perf_counter() - self._started, " ".join(statement.split())[:90]))


def measure(app: Flask, paths: dict[str, str]) -> dict[str, PageFigures]:
    """Each page's figures, signed in through the real form, after a warm-up request."""
    client = app.test_client()
    token = CSRF.search(client.get("/login").get_data(as_text=True))[1]
    signed_in = client.post("/login", data={"email": "scale@example.test", "password": PASSWORD,
                                            "csrf_token": token})
    assert signed_in.status_code == 302, signed_in.status_code
    results = {}
    with app.app_context():
        engine = db.engine
    for name, path in paths.items():
        assert client.get(path).status_code == 200, path  # warm-up: templates compiled, caches filled
        timer = QueryTimer()
        event.listen(engine, "before_cursor_execute", timer.before)
        event.listen(engine, "after_cursor_execute", timer.after)
        response = client.get(path)
        event.remove(engine, "before_cursor_execute", timer.before)
        event.remove(engine, "after_cursor_execute", timer.after)
        assert response.status_code == 200, (path, response.status_code)
        timings = []
        for _ in range(REPEATS):
            started = time.perf_counter()
            client.get(path)
            timings.append(time.perf_counter() - started)
        slowest_seconds, slowest = max(timer.timings)
        results[name] = PageFigures(statistics.median(timings), len(timer.timings),
                                    sum(t for t, _ in timer.timings), f"{slowest_seconds * 1000:.0f} ms: {slowest}")
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[100, 10_000], metavar=("SMALL", "LARGE"))
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    clinic.auth.services.hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    small, large = args.sizes
    for kind in (KINDS if args.database == "both" else [args.database]):
        figures = []
        for size in (small, large):
            with scratch_database(kind, f"groundwork_scale_{size}") as url:
                app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-scale"})
                started = time.perf_counter()
                paths = seed(app, size)
                print(f"{kind}: seeded {size:,} assignments in {time.perf_counter() - started:.0f} s", flush=True)
                figures.append(measure(app, paths))
                with app.app_context():
                    db.engine.dispose()
        print(f"\n{kind}: {small:,} vs {large:,} assignments (median of {REPEATS} requests)")
        print(f"  {'page':<30} {'ms @' + format(small, ','):>10} {'ms @' + format(large, ','):>11} {'ratio':>6}"
              f" {'queries':>8} {'queries':>8} {'SQL ms':>7} {'SQL ms':>7}")
        for name in figures[1]:
            few, many = figures[0][name], figures[1][name]
            print(f"  {name:<30} {few.seconds * 1000:10.1f} {many.seconds * 1000:11.1f} "
                  f"{many.seconds / few.seconds:6.1f} {few.queries:8d} {many.queries:8d} "
                  f"{few.sql_seconds * 1000:7.1f} {many.sql_seconds * 1000:7.1f}")
        print(f"  slowest statement of each page at {large:,}:")
        for name, page in figures[1].items():
            print(f"    {name}: {page.slowest}")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
