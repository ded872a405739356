"""PDF speed and memory, measured side by side in one run, on a throwaway SQLite database.

1. A filled worksheet: bare WeasyPrint rendering the very HTML the app renders,
   against the app's endpoint (through Flask's test client) with the PDF cache
   emptied before each request, and the endpoint answering from the cache.
2. A 10-worksheet session-prep packet: first render against cached re-download.
2b. The first packet download after a client submits: rendered on demand (no
   consumer ran) against served from the cache after the queue's background render
   (run from the queue's storage, as a consumer does), beside Chromium's cold print
   (`chromium --headless --print-to-pdf`) of the same packet HTML.
3. Peak memory of a fresh process after rendering 1 and 100 packets of the three
   shipped worksheets (each packet for a new session date, so none is cached).

    .venv/bin/python -m bench.pdf                  # a few minutes
    .venv/bin/python -m bench.pdf --repeat 3 --packets 20
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import weasyprint
from argon2 import PasswordHasher
from flask import Flask, render_template
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import delete

import clinic.auth.services
from bench.figures import Spread, alternate
from clinic import create_app
from clinic.assignments.services import assign, transition
from clinic.auth.services import create_account
from clinic.extensions import db
from clinic.models import Assignment, Client, PdfCacheEntry, utcnow
from clinic.pdf.fetcher import STATIC_BASE_URL
from clinic import words
from clinic.pdf.background import prerender_later
from clinic.pdf.services import _build_packet, _packet_document, default_packet_options, filled_sheet
from tests.support.samples import SAMPLE_ANSWERS, sample_answers

ROOT = Path(__file__).resolve().parent.parent

EMAIL, PASSWORD = "bench@example.test", "printing-figures passphrase 1234"
PACKET_SIZE = 10  # worksheets in the timed packet
MEMORY_PACKET_SIZE = 3  # worksheets in each packet of the memory runs (one of each kind)


def build_app(folder: Path) -> Flask:
    # Cheap password hashing, as in the tests: argon2's 64 MB would hide the PDF figures in max RSS.
    clinic.auth.services.hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite'}",
                      "QUEUE_FILE": str(folder / "queue.sqlite"), "PDF_TIME_LIMIT": 600,
                      "WTF_CSRF_ENABLED": False, "PAPER_SIZE": "A4"})
    with app.app_context():
        db.create_all()
        clinician = create_account(EMAIL, PASSWORD, name="Dr Bench Mark")
        client = Client(clinician=clinician, display_name="Jordan Ellis",
                        agenda="Ask about the argument in March.\nCheck in on the painting class.")
        db.session.add(client)
        worksheets = sorted(SAMPLE_ANSWERS)
        for number in range(PACKET_SIZE):
            worksheet_id = worksheets[number % len(worksheets)]
            assignment = assign(client, worksheet_id, actor="bench")
            assignment.response.answers = sample_answers(worksheet_id)
            assignment.response.version, assignment.response.saved_at = 1, utcnow()
            transition(assignment, "submitted", actor="bench")
        db.session.commit()
    return app


def signed_in(app: Flask) -> FlaskClient:
    browser = app.test_client()
    response = browser.post("/login", data={"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 302, "could not sign in"
    return browser


def empty_cache(app: Flask) -> None:
    with app.app_context():
        db.session.execute(delete(PdfCacheEntry))
        db.session.commit()


def packet_form(session_date: dt.date, worksheets: int = PACKET_SIZE) -> dict[str, object]:
    return {"packet-session_date": session_date.isoformat(), "packet-changes_since": "last-packet",
            "packet-paper": "A4", "packet-assignments": [str(n) for n in range(1, worksheets + 1)]}


@dataclass(frozen=True)
class Run:
    """One way of getting a PDF: `before` (untimed, e.g. emptying the cache), then `action` (timed)."""

    label: str
    action: Callable[[], object]
    before: Callable[[], None] = lambda: None

    def seconds(self) -> float:
        self.before()
        start = time.perf_counter()
        self.action()
        return time.perf_counter() - start


def compare(runs: list[Run], repeat: int) -> None:
    """Each run `repeat` times, in alternation, printed as a median with its middle-half spread."""
    times = alternate(runs, repeat, Run.seconds)
    for run in runs:
        print(f"  {run.label:<44} median (25th–75th percentile) {Spread.of(times[run]).text(1000)} ms")


def ok_pdf(response) -> bytes:
    assert response.status_code == 200 and response.mimetype == "application/pdf", response.status
    return response.data


@contextlib.contextmanager
def workspace() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="groundwork-bench-") as folder:
        yield Path(folder)


def worksheet_figures(app: Flask, browser: FlaskClient, repeat: int) -> None:
    assignment_id = 3  # the security-building plan: the longest worksheet, with a table of goals
    with app.test_request_context():
        assignment = db.session.get(Assignment, assignment_id)
        html = render_template("pdf/worksheet.html", sheet=filled_sheet(assignment), client_name="Jordan Ellis",
                               date_text=words.date(utcnow()), author="Dr Bench Mark", created=utcnow())
    path = f"/assignments/{assignment_id}/pdf"
    bare = lambda: weasyprint.HTML(string=html, base_url=STATIC_BASE_URL).write_pdf()  # noqa: E731
    pages = len(PdfReader(io.BytesIO(bare())).pages)
    ok_pdf(browser.get(path))  # warm up: templates compiled, fonts read once
    print(f"\nWorksheet PDF ({pages} pages), {repeat} runs each:")
    compare([
        Run("bare WeasyPrint, the same HTML", bare),
        Run("app endpoint, cache emptied first", lambda: ok_pdf(browser.get(path)), lambda: empty_cache(app)),
        Run("app endpoint, served from the cache", lambda: ok_pdf(browser.get(path))),
    ], repeat)


def packet_figures(app: Flask, browser: FlaskClient, repeat: int) -> None:
    path, form = "/clients/1/packet", packet_form(dt.date(2026, 3, 10))
    pdf = ok_pdf(browser.post(path, data=form))
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    print(f"\n{PACKET_SIZE}-worksheet session-prep packet ({pages} pages, {len(pdf) // 1024} KB):")
    compare([
        Run("first render (cache emptied first)", lambda: ok_pdf(browser.post(path, data=form)),
            lambda: empty_cache(app)),
        Run("cached re-download", lambda: ok_pdf(browser.post(path, data=form))),
    ], repeat)


def submit_one(app: Flask) -> int:
    """A client sends one more worksheet; the same background render is queued as the portal queues it."""
    with app.app_context():
        client = db.session.get(Client, 1)
        assignment = assign(client, "partner-source-checklist", actor="bench")
        assignment.response.answers = sample_answers("partner-source-checklist")
        assignment.response.version, assignment.response.saved_at = 1, utcnow()
        transition(assignment, "submitted", actor="bench")
        db.session.commit()
        prerender_later(client, [assignment])
        return assignment.id


def run_consumer_once(app: Flask) -> None:
    """What a consumer does: take each task from the queue's storage and run it."""
    huey = app.extensions["huey"]
    while (task := huey.dequeue()) is not None:
        huey.execute(task)


def default_packet_post(app: Flask) -> dict[str, object]:
    """The packet form as the clinician first sees it (today's session, sent worksheets ticked)."""
    with app.app_context():
        options = default_packet_options(db.session.get(Client, 1))
    return {"packet-session_date": options.session_date.isoformat(), "packet-changes_since": "last-packet",
            "packet-paper": options.paper, "packet-assignments": [str(i) for i in options.assignment_ids]}


def chromium_cold_print(app: Flask) -> Callable[[], object]:
    """Chromium printing the same packet HTML to PDF, a new browser each time (its cold start)."""
    with app.test_request_context():
        client = db.session.get(Client, 1)
        html = _packet_document(_build_packet(client, client.clinician, default_packet_options(client)))
    folder = Path(tempfile.mkdtemp(prefix="groundwork-chromium-"))
    page = folder / "packet.html"
    page.write_text(html.replace("<head>", f'<head><base href="{STATIC_BASE_URL}">', 1))

    def print_pdf() -> None:
        subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        f"--user-data-dir={folder / 'profile'}", "--no-pdf-header-footer",
                        f"--print-to-pdf={folder / 'packet.pdf'}", page.as_uri()],
                       check=True, capture_output=True, timeout=120)
        assert (folder / "packet.pdf").stat().st_size > 0

    return print_pdf


def prerender_figures(app: Flask, browser: FlaskClient, repeat: int) -> None:
    path, form = "/clients/1/packet", {}

    def submitted(background: bool) -> Callable[[], None]:
        def before() -> None:
            app.extensions["huey"].flush()  # only this submission's render is queued
            submit_one(app)
            form.update(default_packet_post(app))
            if background:
                run_consumer_once(app)
        return before

    download = lambda: ok_pdf(browser.post(path, data=form))  # noqa: E731
    print(f"\nFirst packet download after a submission (the form's defaults), {repeat} runs each:")
    compare([
        Run("rendered on demand (no consumer ran yet)", download, submitted(background=False)),
        Run("from the cache the background render made", download, submitted(background=True)),
        Run("the background render itself (consumer)", lambda: run_consumer_once(app), submitted(background=False)),
        Run("Chromium --headless --print-to-pdf, cold", chromium_cold_print(app)),
    ], repeat)


def memory_kb(field: str) -> int:
    """VmHWM (peak resident memory) or VmRSS (resident now) of this process, in KB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child_memory(packets: int) -> None:
    """Runs in a fresh process: render `packets` packets; print resident memory in KB and the time taken.

    The peak is reset after setting up (Linux: /proc/self/clear_refs), so argon2's
    64 MB for the demo password hash at import does not hide what rendering costs.
    """
    with workspace() as folder:
        app = build_app(folder)
        browser = signed_in(app)
        ok_pdf(browser.get("/worksheets/origins-mapping/blank.pdf"))  # WeasyPrint and fonts loaded
        settled = memory_kb("VmRSS")
        with contextlib.suppress(OSError):
            Path("/proc/self/clear_refs").write_text("5")
        start = time.perf_counter()
        for number in range(packets):
            session = dt.date(2026, 1, 1) + dt.timedelta(days=number)
            ok_pdf(browser.post("/clients/1/packet", data=packet_form(session, MEMORY_PACKET_SIZE)))
        seconds = time.perf_counter() - start
        print(settled, memory_kb("VmHWM"), memory_kb("VmRSS"), f"{seconds:.1f}")


def memory_figures(counts: list[int]) -> None:
    print(f"\nMemory of a fresh process rendering {MEMORY_PACKET_SIZE}-worksheet packets (none cached), "
          "resident set:")
    for count in counts:
        output = subprocess.run([sys.executable, "-m", "bench.pdf", "--child-memory", str(count)], check=True,
                                capture_output=True, text=True, cwd=ROOT).stdout.split()
        settled, peak, now = (int(n) for n in output[-4:-1])
        seconds = output[-1]
        print(f"  after {count:>3} packet{'s' if count > 1 else ' '}: peak {peak / 1024:6.1f} MB, "
              f"{now / 1024:6.1f} MB at the end (app ready: {settled / 1024:6.1f} MB; "
              f"{float(seconds) / count:.2f} s a packet)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="runs per timing (default 5)")
    parser.add_argument("--packets", type=int, default=100, help="packets in the larger memory run (default 100)")
    parser.add_argument("--child-memory", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_memory:
        child_memory(args.child_memory)
        return
    print(f"Groundwork PDF benchmark: WeasyPrint {weasyprint.__version__}, Python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs, SQLite")
    with workspace() as folder:
        app = build_app(folder)
        browser = signed_in(app)
        worksheet_figures(app, browser, args.repeat)
        packet_figures(app, browser, args.repeat)
        prerender_figures(app, browser, args.repeat)
    memory_figures([1, args.packets])


if __name__ == "__main__":
    main()
