"""Scale: every page type with 100, 10,000 and 100,000 assignments, timed in alternation.

Each size is a practice seeded like `flask seed-scale` (due dates over months,
history, comments, links, audit trail): 1 clinician at 100 and 10,000
assignments, 50 clinicians at 100,000, 20 clients each (clinician1 has 30, one
of them a long-standing client holding a tenth of all worksheets). The pages are
those of clinician1 and of a typical client of theirs. All sizes stay open, and
each page is requested at every size in turn (the order rotating each round), so
a busy machine slows all sizes alike. It prints, per page and size, the median
time with its middle-half spread and the SQL query count, then the ratios to
100 assignments, and writes the goals (10,000 within 1.3x, 100,000 within 1.5x)
for `bench/report.py`.

    .venv/bin/python -m bench.scale                          # SQLite and PostgreSQL
    .venv/bin/python -m bench.scale --database sqlite --sizes 100 10000 --rounds 9
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select

from clinic import create_app
from clinic.assignments.services import add_comment, assign, transition
from clinic.demo import PARTNER_SOURCE_ANSWERS
from clinic.extensions import db
from clinic.models import Client, Clinician
from clinic.portal.services import issue_link
from clinic.scale.seed import Made, email_of, seed_assignments, seed_people
from bench.figures import Goal, Spread, alternate, write_goals
from bench.scratch import KINDS, scratch_databases

PASSWORD = "a scale-testing password"
CLIENTS_EACH = 20
GOALS = {10_000: 1.3, 100_000: 1.5}  # size -> the most a page may take, as a multiple of its time at the smallest
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def clinicians_for(size: int) -> int:
    return 50 if size >= 100_000 else 1


@dataclass(eq=False)
class Practice:
    """One seeded size: its app, signed-in browsers and the objects its pages show."""

    size: int
    app: Flask
    clinician: FlaskClient | None = None
    portal: FlaskClient | None = None
    ids: dict[str, int] = field(default_factory=dict)
    token: str = ""
    version: int = 0


def build(size: int, url: str) -> Practice:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-scale"})
    practice = Practice(size, app)
    with app.app_context():
        db.create_all()
        made = Made()
        seed_people(clinicians_for(size), CLIENTS_EACH, PASSWORD, made)
        clinician = db.session.scalar(select(Clinician).where(Clinician.email == email_of(1)))
        long_standing, typical = db.session.scalars(
            select(Client).where(Client.clinician_id == clinician.id).order_by(Client.id).limit(2)).all()
        # The worksheets the client pages show, made through the app's services before the history.
        open_one = assign(typical, "origins-mapping", actor="bench")
        sent = assign(typical, "partner-source-checklist", actor="bench")
        sent.response.answers = dict(PARTNER_SOURCE_ANSWERS)
        transition(sent, "submitted", actor="client")
        db.session.flush()
        for number in range(3):
            add_comment(sent, clinician_id=clinician.id, body=f"Comment {number}: ask in the session.",
                        section_id=None)
        _, practice.token = issue_link(typical)
        db.session.commit()
        practice.ids = {"clinician": clinician.id, "long-standing": long_standing.id, "typical": typical.id,
                        "open": open_one.id, "sent": sent.id}
        seed_assignments(size - 2, made)
        print(f"  {size:>7,} assignments: made {made}", flush=True)
    practice.clinician = practice.app.test_client()
    token = CSRF.search(practice.clinician.get("/login").get_data(as_text=True))[1]
    assert practice.clinician.post("/login", data={"email": email_of(1), "password": PASSWORD,
                                                   "csrf_token": token}).status_code == 302
    practice.portal = portal_browser(practice)
    return practice


def portal_browser(practice: Practice) -> FlaskClient:
    browser = practice.app.test_client()
    landing = browser.get(f"/p/{practice.token}").get_data(as_text=True)
    assert browser.post(f"/p/{practice.token}", data={"csrf_token": CSRF.search(landing)[1]}).status_code == 302
    return browser


# --- the pages: each a function that prepares (untimed) and returns the timed request ----------------

Request = Callable[[], int]


def sign_in(practice: Practice) -> Request:
    browser = practice.app.test_client()
    token = CSRF.search(browser.get("/login").get_data(as_text=True))[1]
    form = {"email": email_of(1), "password": PASSWORD, "csrf_token": token}
    return lambda: browser.post("/login", data=form).status_code


def portal_sign_in(practice: Practice) -> Request:
    browser = practice.app.test_client()
    token = CSRF.search(browser.get(f"/p/{practice.token}").get_data(as_text=True))[1]
    return lambda: browser.post(f"/p/{practice.token}", data={"csrf_token": token}).status_code


def clinician_get(path: str) -> Callable[[Practice], Request]:
    return lambda practice: lambda: practice.clinician.get(path.format(**practice.ids)).status_code


def portal_get(path: str) -> Callable[[Practice], Request]:
    return lambda practice: lambda: practice.portal.get(path.format(**practice.ids)).status_code


def save(practice: Practice) -> Request:
    """An autosave of the typical client's open worksheet, with the version the last save returned."""
    path = f"/portal/worksheets/{practice.ids['open']}/save"
    token = CSRF.search(practice.portal.get("/portal").get_data(as_text=True))[1]

    def request() -> int:
        reply = practice.portal.post(path, data={"csrf_token": token, "version": str(practice.version),
                                                 "caregiving-memory": f"Saved {practice.version} times."})
        practice.version = reply.json["version"]
        return reply.status_code

    return request


PAGES: dict[str, Callable[[Practice], Request]] = {
    "sign-in": sign_in,
    "dashboard": clinician_get("/"),
    "client (typical)": clinician_get("/clients/{typical}"),
    "client (long-standing)": clinician_get("/clients/{long-standing}"),
    "review": clinician_get("/assignments/{sent}"),
    "worksheet library": clinician_get("/worksheets/"),
    "worksheet preview": clinician_get("/worksheets/security-building-plan"),
    "audit history": clinician_get("/clients/{long-standing}/audit"),
    "portal sign-in": portal_sign_in,
    "portal home": portal_get("/portal"),
    "portal worksheet": portal_get("/portal/worksheets/{open}"),
    "save": save,
}


def count_queries(practice: Practice, request: Request) -> int:
    statements = []

    def note(*args) -> None:
        statements.append(1)

    with practice.app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        assert request() in (200, 302)
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return len(statements)


@dataclass
class PageFigures:
    times: dict[int, Spread]
    queries: dict[int, int]


def measure(practices: list[Practice], rounds: int) -> dict[str, PageFigures]:
    results = {}
    for name, prepare in PAGES.items():
        queries = {}
        for practice in practices:
            assert prepare(practice)() in (200, 302), (name, practice.size)  # warm-up: templates, caches
            queries[practice.size] = count_queries(practice, prepare(practice))

        def timed(practice: Practice) -> float:
            request = prepare(practice)
            started = time.perf_counter()
            status = request()
            elapsed = time.perf_counter() - started
            assert status in (200, 302), (name, practice.size, status)
            return elapsed

        times = alternate(practices, rounds, timed)
        results[name] = PageFigures({p.size: Spread.of(times[p]) for p in practices}, queries)
        print(f"  {name:<24} " + "  ".join(f"{results[name].times[p.size].text(1000):>22}" for p in practices),
              flush=True)
    return results


def report(kind: str, sizes: list[int], results: dict[str, PageFigures]) -> list[Goal]:
    smallest, larger = sizes[0], sizes[1:]
    print(f"\n{kind}: median ms (25th–75th percentile) and SQL queries per request")
    print(f"  {'page':<24}" + "".join(f"{'ms @' + format(s, ','):>24}{'q':>4}" for s in sizes)
          + "".join(f"{'x @' + format(s, ','):>11}" for s in larger))
    goals = []
    for name, page in results.items():
        ratios = {s: page.times[s].median / page.times[smallest].median for s in larger}
        print(f"  {name:<24}" + "".join(f"{page.times[s].text(1000):>24}{page.queries[s]:>4}" for s in sizes)
              + "".join(f"{ratios[s]:>11.2f}" for s in larger))
        for size in larger:
            limit = GOALS.get(size)
            if limit is None:
                continue
            same_queries = page.queries[size] == page.queries[smallest]
            goals.append(Goal(
                f"{kind} {name} @{size:,} ≤ {limit}x @{smallest:,}, same queries",
                f"{ratios[size]:.2f}x, {page.queries[smallest]}→{page.queries[size]} queries",
                ratios[size] <= limit and same_queries,
            ))
    return goals


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 10_000, 100_000])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--rounds", type=int, default=15, help="requests per page and size (default 15)")
    args = parser.parse_args()
    goals = []
    for kind in (KINDS if args.database == "both" else [args.database]):
        print(f"{kind}: seeding", ", ".join(f"{size:,}" for size in args.sizes), "assignments", flush=True)
        with scratch_databases(kind, [f"groundwork_scale_{size}" for size in args.sizes]) as urls:
            started = time.perf_counter()
            practices = [build(size, url) for size, url in zip(args.sizes, urls)]
            print(f"  seeded in {time.perf_counter() - started:.0f} s; timing {args.rounds} rounds, sizes in turn",
                  flush=True)
            results = measure(practices, args.rounds)
            goals += report(kind, args.sizes, results)
            for practice in practices:
                with practice.app.app_context():
                    db.engine.dispose()
    print(f"\nfigures for bench/report.py: {write_goals('scale', goals)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
