"""Load and faults: simulated clients autosave and submit worksheets against gunicorn.

For each database (SQLite file, throwaway PostgreSQL server) this runs, on
127.0.0.1 only:

1. Groundwork under gunicorn (4 workers), with N clients that each open their
   link, then for one worksheet after another autosave it S times through the
   real JSON endpoint (compare-and-set on the version) and submit it;
2. the same, while one gunicorn worker is killed with SIGKILL half-way through;
3. a bare Flask app under the same gunicorn, answering the same request
   pattern (the same posted worksheet fields) with the same single-row
   compare-and-set write (`UPDATE ... RETURNING` of the answers as JSON) and
   nothing else: no session, form, audit or status;
4. the floor: Groundwork with the save's own work taken out. Its save
   endpoint keeps every safeguard a save passes (signed session, CSRF, the
   link's revocation and session checks, "is this worksheet yours") and then
   answers without reading, checking or writing the answers. No save can be
   cheaper than this while those safeguards stay, so its ratio to bare is the
   most the autosave goal could reach.

Runs 1, 3 and 4 alternate (the order rotating each round), each on a freshly
seeded database, so that whatever else the machine does slows all alike; run
2 comes last. It prints throughput, p50/p95/p99 latency and errors
for each run, checks that every save the server acknowledged is in the
database with its last value (lost saves must be 0), prints the median
throughput of each side with its spread and their ratio, and writes the goals
for `bench/report.py`. It also prints the CPU the gunicorn workers used per
acknowledged write (read from /proc): on a machine shared with other work the
throughput follows the share of CPU each run got, the CPU per write does not.

    .venv/bin/python -m bench.load                 # 30 s per run, both databases
    .venv/bin/python -m bench.load --duration 20 --database sqlite
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask, jsonify, request
from sqlalchemy import create_engine, select, text

from bench.figures import Goal, Spread, alternate, write_goals
from bench.scratch import KINDS, scratch_database
from clinic import create_app
from clinic.assignments.services import assign
from clinic.auth.services import create_account
from clinic.database import engine_options
from clinic.extensions import db
from clinic.models import Assignment, Client
from clinic.portal.access import client_required, own_draft
from clinic.portal.services import issue_link
from clinic.worksheets import Definition, load_library
from clinic.worksheets.schema import LongText
from tests.support.form_fields import as_form_fields
from tests.support.samples import sample_answers

ROOT = Path(__file__).resolve().parent.parent

PORTS = range(5950, 6000)
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
VERSION = re.compile(r'name="version"[^>]*value="(\d+)"')
REQUEST_TIMEOUT = 30.0
RETRIES = 8  # a request without an answer is sent again, at most this often
BARE_TABLE = "bench_note"


# --- the database: seeded once per run -------------------------------------------------


@dataclass
class Person:
    """One simulated client: their link and their worksheets (assignment id, worksheet id)."""

    number: int
    token: str
    assignments: list[tuple[int, str]]


def seed(url: str, clients: int, worksheets_each: int) -> list[Person]:
    """Create the schema, one clinician, and clients with links and open worksheets."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-seed"})
    with app.app_context():
        db.create_all()
        clinician = create_account("load@example.test", "an autosave-testing passphrase")
        worksheet_ids = sorted(app.extensions["worksheets"])
        pending = []
        for number in range(clients):
            person = Client(clinician=clinician, display_name=f"Load client {number}")
            db.session.add(person)
            # One open copy of a worksheet per client (the database insists), so at most one of each.
            copies = [assign(person, worksheet_id, actor="bench") for worksheet_id in worksheet_ids[:worksheets_each]]
            _, token = issue_link(person)
            pending.append((number, token, copies))
        db.session.commit()
        people = [Person(number, token, [(a.id, a.worksheet_id) for a in copies]) for number, token, copies in pending]
        with db.engine.begin() as connection:
            connection.execute(text(f"CREATE TABLE {BARE_TABLE} (id INTEGER PRIMARY KEY, worksheet_id TEXT NOT NULL, "
                                    "body TEXT NOT NULL, version INTEGER NOT NULL, submitted INTEGER NOT NULL)"))
            connection.execute(text(f"INSERT INTO {BARE_TABLE} (id, worksheet_id, body, version, submitted) "
                                    "VALUES (:id, :worksheet_id, '{}', 0, 0)"),
                               [{"id": a, "worksheet_id": w} for p in people for a, w in p.assignments])
        db.engine.dispose()
    return people


def bare_app() -> Flask:
    """The yardstick: the same posted fields stored as JSON by one compare-and-set `UPDATE ... RETURNING`.

    A twin of the save, neither crippled nor padded: it parses the same form
    and writes the same document to one row, and does nothing else.
    """
    app = Flask("bare")
    url = os.environ["DATABASE_URL"]
    engine = create_engine(url, **engine_options(url, {}))  # as the app's: a connection check on servers only

    @app.get("/notes/<int:note_id>")
    def show(note_id: int):
        with engine.connect() as connection:
            version, submitted = connection.execute(
                text(f"SELECT version, submitted FROM {BARE_TABLE} WHERE id = :id"), {"id": note_id}).one()
        return "Submitted" if submitted else f'<input name="version" value="{version}">'

    @app.post("/notes/<int:note_id>")
    def save(note_id: int):
        submit = request.form.get("action") == "submit"
        answers = {key: values if len(values) > 1 else values[0] for key, values in request.form.lists()
                   if key not in ("csrf_token", "version", "action")}
        with engine.begin() as connection:
            version = connection.execute(
                text(f"UPDATE {BARE_TABLE} SET body = :body, version = version + 1, submitted = :submitted "
                     "WHERE id = :id AND version = :version AND submitted = 0 RETURNING version"),
                {"id": note_id, "body": json.dumps(answers), "version": int(request.form["version"]),
                 "submitted": int(submit)}).scalar()
            if version is None:
                version = connection.execute(text(f"SELECT version FROM {BARE_TABLE} WHERE id = :id"),
                                             {"id": note_id}).scalar_one()
                return jsonify(status="stale", version=version), 409
        return jsonify(status="saved", version=version)

    return app


def floor_app() -> Flask:
    """Groundwork whose save answers after its safeguards and does nothing else (see the docstring, run 4).

    Pages, sign-in and every check are the app's own; the endpoint answers
    with the next version so that the simulated client carries on as after
    a real save.
    """
    app = create_app()

    @app.post("/floor/<int:assignment_id>")
    @client_required
    def save(assignment_id: int):
        own_draft(assignment_id)
        return jsonify(status="saved", version=int(request.form["version"]) + 1)

    return app


# --- gunicorn ----------------------------------------------------------------------------


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS.start}–{PORTS.stop - 1}")


@contextlib.contextmanager
def gunicorn(app_spec: str, url: str, workers: int) -> Iterator[tuple[str, subprocess.Popen]]:
    """Serve `app_spec` on 127.0.0.1 until the block ends; yields (base address, master process)."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "GROUNDWORK_SECRET_KEY": "bench-secret-key",
           "PYTHONPATH": str(ROOT)}
    # --preload: the app is imported once, before the workers fork, so every worker answers from the start
    # (and one that is killed is replaced at once), on a busy machine too.
    master = subprocess.Popen([str(GUNICORN), "--preload", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
                               "--timeout", "60", "--graceful-timeout", "5", "--log-level", "error", app_spec],
                              cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if master.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {master.returncode}")
            time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start within 60 s")
        time.sleep(1.0)  # let every worker finish importing before the clock starts
        yield f"127.0.0.1:{port}", master
    finally:
        master.send_signal(signal.SIGTERM)
        try:
            master.wait(timeout=20)
        except subprocess.TimeoutExpired:
            master.kill()
            master.wait(timeout=10)


def workers_of(master: subprocess.Popen) -> list[int]:
    """The pids of the master's worker processes (children in /proc)."""
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children")
    return [int(pid) for pid in children.read_text().split()]


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time the processes have used so far (those still running)."""
    ticks = 0
    for pid in pids:
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


# --- one simulated client ----------------------------------------------------------------


class NoAnswer(Exception):
    """The request got no HTTP answer (connection refused or reset, timeout)."""


@dataclass
class Tally:
    """What every simulated client saw, added up (guarded by a lock)."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {"page": [], "save": [], "submit": []})
    statuses: Counter = field(default_factory=Counter)
    no_answer: int = 0  # requests without an HTTP answer (a killed worker's, for one): each is sent again
    given_up: int = 0  # writes still unanswered after every retry
    saves_acknowledged: int = 0
    submits_acknowledged: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    # assignment id -> (last acknowledged marker, marker of a later request that got no answer)
    outcome: dict[int, tuple[str | None, str | None]] = field(default_factory=dict)

    def note(self, kind: str, seconds: float, status: int | None) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            if status is None:
                self.no_answer += 1
            else:
                self.statuses[status] += 1


class Browser:
    """A keep-alive HTTP connection with a cookie jar: just enough of a browser."""

    def __init__(self, address: str, tally: Tally):
        self.address, self.tally, self.cookies = address, tally, {}
        self.connection: http.client.HTTPConnection | None = None

    def send(self, kind: str, method: str, path: str, form: list[tuple[str, str]] | None = None
             ) -> tuple[int, dict[str, str], str]:
        headers = {"Accept": "application/json" if kind == "save" else "text/html"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = urlencode(form or []) if form is not None else None
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.address, timeout=REQUEST_TIMEOUT)
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            payload = response.read().decode()
        except (OSError, http.client.HTTPException) as error:
            self.close()
            self.tally.note(kind, time.perf_counter() - started, None)
            raise NoAnswer(str(error)) from None
        self.tally.note(kind, time.perf_counter() - started, response.status)
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        return response.status, dict(response.getheaders()), payload

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


class Protocol:
    """How a simulated client talks to one app: Groundwork's portal, the bare yardstick, or the floor."""

    def enter(self, browser: Browser, person: Person) -> None: ...

    def page(self, assignment_id: int) -> str: ...

    def save_path(self, assignment_id: int, submit: bool) -> str: ...

    def fields(self, worksheet_id: str, marker: str) -> list[tuple[str, str]]: ...


class Groundwork(Protocol):
    def __init__(self, definitions: dict[str, Definition]):
        self.definitions = definitions
        # The item whose answer each save changes: the first long-text item of each worksheet.
        self.marker_item = {d.id: next(i.id for i in d.items if isinstance(i, LongText)) for d in definitions.values()}

    def enter(self, browser: Browser, person: Person) -> None:
        status, _, page = browser.send("page", "GET", f"/p/{person.token}")
        status, _, _ = browser.send("page", "POST", f"/p/{person.token}", [("csrf_token", CSRF.search(page)[1])])
        if status != 302:
            raise RuntimeError(f"client {person.number} could not open their link: {status}")

    def page(self, assignment_id: int) -> str:
        return f"/portal/worksheets/{assignment_id}"

    def save_path(self, assignment_id: int, submit: bool) -> str:
        return f"/portal/worksheets/{assignment_id}" + ("/send" if submit else "/save")  # sending is confirmed

    def fields(self, worksheet_id: str, marker: str) -> list[tuple[str, str]]:
        answers = {**sample_answers(worksheet_id), self.marker_item[worksheet_id]: marker}
        return list(as_form_fields(self.definitions[worksheet_id], answers))

    def stored(self, url: str) -> dict[int, tuple[str | None, str]] | None:
        """assignment id -> (marker stored, status); None when the side stores nothing."""
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-check"})
        with app.app_context():
            result = {a.id: (a.response.answers.get(self.marker_item[a.worksheet_id]), a.status)
                      for a in db.session.scalars(select(Assignment))}
            db.engine.dispose()
        return result


class Floor(Groundwork):
    """Groundwork's pages and sign-in, with saves and sendings posted to the floor's endpoint."""

    def save_path(self, assignment_id: int, submit: bool) -> str:
        return f"/floor/{assignment_id}"

    def stored(self, url: str) -> None:
        return None  # nothing is stored, so there is nothing to check


class Bare(Protocol):
    """The yardstick's side: the same fields posted as to Groundwork, to its own paths."""

    def __init__(self, groundwork: Groundwork):
        self.groundwork = groundwork

    def page(self, assignment_id: int) -> str:
        return f"/notes/{assignment_id}"

    def save_path(self, assignment_id: int, submit: bool) -> str:
        return f"/notes/{assignment_id}"

    def fields(self, worksheet_id: str, marker: str) -> list[tuple[str, str]]:
        return self.groundwork.fields(worksheet_id, marker)

    def stored(self, url: str) -> dict[int, tuple[str | None, str]]:
        engine = create_engine(url)
        with engine.connect() as connection:
            rows = connection.execute(text(f"SELECT id, worksheet_id, body, submitted FROM {BARE_TABLE}")).all()
        engine.dispose()
        return {row.id: (json.loads(row.body).get(self.groundwork.marker_item[row.worksheet_id]),
                         "submitted" if row.submitted else "in_progress") for row in rows}


def simulate(person: Person, protocol: Protocol, address: str, tally: Tally, stop_at: float,
             saves_per_worksheet: int) -> None:
    """Open the link, then autosave and submit one worksheet after another until time is up."""
    browser = Browser(address, tally)
    try:
        protocol.enter(browser, person)
        for assignment_id, worksheet_id in person.assignments:
            if time.monotonic() >= stop_at:
                return
            _, _, page = browser.send("page", "GET", protocol.page(assignment_id))
            token = CSRF.search(page)[1] if CSRF.search(page) else ""
            version = int(VERSION.search(page)[1])
            for number in range(saves_per_worksheet + 1):
                submit = number == saves_per_worksheet
                if time.monotonic() >= stop_at and not submit:
                    return
                marker = f"client {person.number}, worksheet {assignment_id}, " + (
                    "submitted" if submit else f"save {number}")
                version = write(browser, protocol, tally, person, assignment_id, worksheet_id, marker, version,
                                token, submit)
                if version is None:
                    break
    except NoAnswer:
        pass  # the server is gone for good; what was acknowledged is still checked
    finally:
        browser.close()


def write(browser: Browser, protocol: Protocol, tally: Tally, person: Person, assignment_id: int,
          worksheet_id: str, marker: str, version: int, token: str, submit: bool) -> int | None:
    """One save (or the submission), sent again until answered; returns the version to use next."""
    form = [("csrf_token", token), ("version", str(version)), *protocol.fields(worksheet_id, marker)]
    if submit:
        form.append(("action", "submit"))
    for attempt in range(RETRIES):
        try:
            status, headers, payload = browser.send("submit" if submit else "save", "POST",
                                                    protocol.save_path(assignment_id, submit), form)
        except NoAnswer:
            with tally.lock:
                acknowledged, _ = tally.outcome.get(assignment_id, (None, None))
                tally.outcome[assignment_id] = (acknowledged, marker)
            time.sleep(0.2 * (attempt + 1))
            continue
        if status in (200, 302, 303):
            with tally.lock:
                tally.outcome[assignment_id] = (marker, None)
                if submit:
                    tally.submits_acknowledged += 1
                else:
                    tally.saves_acknowledged += 1
            return json.loads(payload)["version"] if status == 200 and not submit else None
        if status == 409:
            # An earlier request of ours landed without an answer: carry on from the server's version,
            # unless the worksheet is closed (then the check at the end decides what was kept).
            version = current_version(browser, protocol, assignment_id)
            if version is None:
                return None
            form = [(k, str(version) if k == "version" else v) for k, v in form]
            continue
        if status >= 500:
            time.sleep(0.2 * (attempt + 1))
            continue
        raise RuntimeError(f"unexpected {status} for client {person.number}: {payload[:300]}")
    with tally.lock:
        tally.given_up += 1
    return None


def current_version(browser: Browser, protocol: Protocol, assignment_id: int) -> int | None:
    """The version the worksheet's page has now, or None when it is no longer open."""
    for attempt in range(RETRIES):
        try:
            _, _, page = browser.send("page", "GET", protocol.page(assignment_id))
        except NoAnswer:
            time.sleep(0.2 * (attempt + 1))
            continue
        found = VERSION.search(page)
        return int(found[1]) if found else None
    return None


# --- a run -------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    seconds: float
    tally: Tally
    lost: list[str]
    unresolved: int
    server_cpu: float | None  # seconds of CPU the gunicorn workers used (None when one was killed)

    @property
    def writes(self) -> int:
        return self.tally.saves_acknowledged + self.tally.submits_acknowledged

    @property
    def writes_per_second(self) -> float:
        return self.writes / self.seconds

    @property
    def cpu_per_write(self) -> float | None:
        """Server CPU seconds per acknowledged write, pages and sign-ins included: what throughput
        comes to on a machine with nothing else to do, however busy this one was."""
        return None if self.server_cpu is None or not self.writes else self.server_cpu / self.writes

    def percentile(self, kind: str, fraction: float) -> float:
        values = sorted(self.tally.latencies[kind])
        if not values:
            return float("nan")
        return values[min(len(values) - 1, int(fraction * len(values)))] * 1000

    def errors(self) -> int:
        """Server errors, and writes that never got an answer however often they were sent."""
        return sum(n for status, n in self.tally.statuses.items() if status >= 500) + self.tally.given_up


def run(name: str, protocol: Protocol, app_spec: str, url: str, people: list[Person], args: argparse.Namespace,
        kill_worker: bool) -> Result:
    tally = Tally()
    with gunicorn(app_spec, url, args.workers) as (address, master):
        workers = workers_of(master)
        cpu_before = cpu_seconds(workers)
        started = time.monotonic()
        stop_at = started + args.duration
        threads = [threading.Thread(target=simulate, args=(p, protocol, address, tally, stop_at, args.saves),
                                    daemon=True) for p in people]
        for thread in threads:
            thread.start()
        if kill_worker:
            time.sleep(args.duration / 2)
            victim = random.choice(workers_of(master))
            os.kill(victim, signal.SIGKILL)
            print(f"  {name}: killed worker {victim} with SIGKILL at {time.monotonic() - started:.1f} s", flush=True)
        for thread in threads:
            thread.join(timeout=args.duration + RETRIES * REQUEST_TIMEOUT)
        seconds = time.monotonic() - started
        server_cpu = None if kill_worker else cpu_seconds(workers) - cpu_before
    stored = protocol.stored(url)
    lost, unresolved = [], 0
    for assignment_id, (acknowledged, unanswered) in (tally.outcome.items() if stored is not None else []):
        value, _ = stored[assignment_id]
        if value == acknowledged:
            continue
        if unanswered is not None and value == unanswered:
            unresolved += 1  # a later request landed although its answer never arrived: nothing lost
            continue
        lost.append(f"worksheet {assignment_id}: acknowledged {acknowledged!r}, stored {value!r}")
    return Result(name, seconds, tally, lost, unresolved, server_cpu)


def report(result: Result) -> None:
    t = result.tally
    requests = sum(len(v) for v in t.latencies.values())
    print(f"\n{result.name}")
    print(f"  {requests} requests in {result.seconds:.1f} s = {requests / result.seconds:.0f} requests/s; "
          f"acknowledged {t.saves_acknowledged} autosaves + {t.submits_acknowledged} submissions "
          f"= {result.writes_per_second:.0f} writes/s")
    if result.cpu_per_write is not None:
        print(f"  gunicorn workers used {result.server_cpu:.1f} s of CPU = {result.cpu_per_write * 1000:.2f} ms per write "
              f"({result.server_cpu / result.seconds:.0%} of one core)")
    for kind in ("save", "submit", "page"):
        if t.latencies[kind]:
            print(f"  {kind:>6} latency ms: p50 {result.percentile(kind, 0.50):7.1f}  "
                  f"p95 {result.percentile(kind, 0.95):7.1f}  p99 {result.percentile(kind, 0.99):7.1f}  "
                  f"(n={len(t.latencies[kind])})")
    statuses = ", ".join(f"{status}: {n}" for status, n in sorted(t.statuses.items()))
    print(f"  statuses {statuses}; no answer (sent again): {t.no_answer}; writes given up: {t.given_up}; "
          f"errors (5xx or given up): {result.errors()}")
    print(f"  lost acknowledged saves: {len(result.lost)} (of {len(t.outcome)} worksheets written); "
          f"unanswered requests that landed anyway: {result.unresolved}")
    for line in result.lost[:10]:
        print(f"    LOST {line}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=30, help="seconds per run (default 30)")
    parser.add_argument("--rounds", type=int, default=2,
                        help="runs of Groundwork, the bare app and the floor, alternating (default 2)")
    parser.add_argument("--clients", type=int, default=50, help="simulated clients (default 50)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--saves", type=int, default=30, help="autosaves before each submission (default 30)")
    parser.add_argument("--worksheets", type=int, default=60,
                        help="worksheets assigned to each client, at most one of each (default 60: all of them)")
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    definitions = dict(load_library(ROOT / "worksheets"))
    print(f"{args.clients} clients, {args.workers} gunicorn workers, {args.duration:.0f} s per run, "
          f"{args.saves} autosaves then a submission per worksheet; {os.cpu_count()} CPUs shared with the clients; "
          f"Groundwork, the bare app and the floor alternate, {args.rounds} runs each, then one run that kills a worker")
    goals = []
    for kind in (KINDS if args.database == "both" else [args.database]):
        groundwork = Groundwork(definitions)
        sides = {"Groundwork": (groundwork, "clinic:create_app()"), "bare": (Bare(groundwork), "bench.load:bare_app()"),
                 "floor": (Floor(definitions), "bench.load:floor_app()")}

        def one_run(side: str, kill: bool = False) -> Result:
            protocol, spec = sides[side]
            name = f"{side} on {kind}" + (", one worker killed mid-load" if kill else "")
            with scratch_database(kind, "groundwork_load") as url:
                people = seed(url, args.clients, args.worksheets)
                result = run(name, protocol, spec, url, people, args, kill)
            report(result)
            return result

        runs: dict[str, list[Result]] = {side: [] for side in sides}

        def writes_per_second(side: str) -> float:
            runs[side].append(one_run(side))
            return runs[side][-1].writes_per_second

        throughput = alternate(list(sides), args.rounds, writes_per_second)
        killed = one_run("Groundwork", kill=True)
        ours, bare, floor = (Spread.of(throughput[side]) for side in ("Groundwork", "bare", "floor"))
        ratio, floor_ratio = ours.median / bare.median, floor.median / bare.median
        print(f"\n  {kind}: writes/s, median (25th–75th percentile) of {args.rounds} alternating runs: "
              f"Groundwork {ours.text(digits=0)}, bare {bare.text(digits=0)}, floor {floor.text(digits=0)}; "
              f"Groundwork / bare = {ratio:.2f}, floor / bare = {floor_ratio:.2f}")
        cpu = {side: Spread.of([r.cpu_per_write for r in runs[side]]) for side in sides}
        print(f"  {kind}: server CPU ms per write, median (25th–75th percentile): "
              + ", ".join(f"{side} {cpu[side].text(1000, 2)}" for side in sides)
              + f"; bare / Groundwork = {cpu['bare'].median / cpu['Groundwork'].median:.2f}")
        ours_runs = [*runs["Groundwork"], killed]
        errors = sum(r.errors() for r in ours_runs)
        lost = sum(len(r.lost) for r in ours_runs)
        goals += [
            Goal(f"{kind} autosave throughput ≥ 0.6x bare Flask (gunicorn, 4 workers)",
                 f"{ratio:.2f}x (floor {floor_ratio:.2f}x)", ratio >= 0.6),
            Goal(f"{kind} autosave errors, also when a worker is killed", f"{errors}", errors == 0),
            Goal(f"{kind} lost acknowledged saves, also when a worker is killed", f"{lost}", lost == 0),
        ]
    print(f"\nfigures for bench/report.py: {write_goals('load', goals)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
