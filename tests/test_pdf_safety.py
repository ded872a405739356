"""Safe rendering: user text stays text, and WeasyPrint can load nothing but the app's static files."""

from __future__ import annotations

import io
import logging
import socket

import pytest
from pypdf import PdfReader

from clinic.extensions import db
from clinic.models import Comment
from clinic.pdf import services
from clinic.pdf.fetcher import STATIC_BASE_URL, STATIC_ROOT, RefusedURL, StaticFilesFetcher
from tests.support.pdf_text import all_text
from tests.support.posting import post_form

ATTACHMENT = "<link rel=attachment href=file:///etc/passwd>"
IMAGE = "<img src=http://127.0.0.1:9/x>"
STYLE = "<style>@import url(http://127.0.0.1:9/a.css); body { background: url(file:///etc/passwd) }</style>"
STYLE_ATTRIBUTE = '" style="background-image: url(http://127.0.0.1:9/b)'
CSS_TEXT = "}) @font-face { font-family: x; src: url(http://127.0.0.1:9/font.ttf) } html { content: '"
HOSTILE = [ATTACHMENT, IMAGE, STYLE, STYLE_ATTRIBUTE, CSS_TEXT]


# PDFs are rendered in a child process: what happens there reaches the test as log
# records, which the renderer hands back to the parent.
FETCHED = logging.getLogger("test.fetched")
CONNECTED = logging.getLogger("test.connected")


def logged(caplog: pytest.LogCaptureFixture, logger: logging.Logger) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == logger.name]


@pytest.fixture
def requested(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture):
    """Every URL WeasyPrint asks the fetcher for (call it to read them)."""
    real = StaticFilesFetcher.fetch

    def recording(self, url, headers=None):
        FETCHED.warning(url)
        return real(self, url, headers)

    monkeypatch.setattr(StaticFilesFetcher, "fetch", recording)
    return lambda: logged(caplog, FETCHED)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture):
    """Any attempt to open a connection is recorded and fails (call it to read the attempts)."""

    def refuse(*args, **kwargs):
        CONNECTED.warning("connection attempted to %r", args)
        raise OSError("no network in this test")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    return lambda: logged(caplog, CONNECTED)


def test_hostile_answers_names_comments_and_agenda_come_out_as_plain_text(
        signed_in, make, clinician, requested, no_network, weasyprint_log):
    person = make.client(clinician, display_name=IMAGE, agenda=" ".join(HOSTILE))
    answers = {"caregiving-memory": ATTACHMENT, "caregiving-lesson": IMAGE, "caregiving-now": STYLE,
               "betrayal-memory": STYLE_ATTRIBUTE, "betrayal-lesson": CSS_TEXT, "caregiving-resonance": 4}
    assignment = make.assignment(person, "origins-mapping", status="submitted", answers=answers)
    db.session.add(Comment(response=assignment.response, clinician_id=clinician.id, body=STYLE))
    db.session.commit()

    single = signed_in.get(f"/assignments/{assignment.id}/pdf")
    packet = post_form(signed_in, f"/clients/{person.id}/packet", {
        "packet-session_date": "2026-03-10", "packet-changes_since": "last-packet", "packet-paper": "A4",
        "packet-assignments": [assignment.id]})

    for response in (single, packet):
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        text = all_text(response.data)
        for payload in HOSTILE:
            assert " ".join(payload.split()) in text
        assert PdfReader(io.BytesIO(response.data)).attachments == {}
    assert requested(), "the stylesheet and fonts are loaded through the fetcher"
    assert all(url.startswith(STATIC_BASE_URL) for url in requested()), requested()
    assert no_network() == []
    assert weasyprint_log() == []


def test_even_markup_that_reaches_weasyprint_cannot_attach_or_fetch_anything(app, requested, no_network, caplog):
    """A second line of defence: the fetcher refuses what escaping should already have stopped."""
    html = (f"<html><head>{ATTACHMENT}<link rel=stylesheet href=http://127.0.0.1:9/s.css>"
            f"<link rel=stylesheet href=css/print.css></head><body><p>Hello</p>{IMAGE}"
            "<img src=file:///etc/passwd><img src=../../../pyproject.toml>"
            "<img src='data:image/svg+xml,<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"4\" height=\"4\"/>'>"
            "</body></html>")

    pdf = services.render_pdf(html, "A4")

    assert PdfReader(io.BytesIO(pdf)).attachments == {}
    assert no_network() == []
    refused = {record.getMessage() for record in caplog.records if "only the app's own static files" in
               record.getMessage()}
    assert len(refused) == 5, refused
    assert any(url.startswith("data:image/svg+xml") for url in requested())


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "http://127.0.0.1:9/x",
    "https://example.org/font.ttf",
    "ftp://example.org/x",
    STATIC_BASE_URL + "../../pyproject.toml",
    STATIC_BASE_URL + "%2e%2e/%2e%2e/pyproject.toml",
    STATIC_BASE_URL + "css/print.css?x=1",
    STATIC_BASE_URL + "no-such-file.css",
    STATIC_BASE_URL,
    "file://evil.example/" + str(STATIC_ROOT / "css" / "print.css"),
])
def test_the_fetcher_refuses_anything_but_bundled_static_files_and_data(url):
    with pytest.raises(RefusedURL):
        StaticFilesFetcher().fetch(url)


def test_the_fetcher_serves_bundled_files_and_data_urls():
    fetcher = StaticFilesFetcher()

    font = fetcher.fetch(STATIC_BASE_URL + "fonts/AtkinsonHyperlegible_400Regular.ttf")
    css = fetcher.fetch(STATIC_BASE_URL + "css/print.css")
    data = fetcher.fetch("data:text/plain,hello")

    assert font.content_type == "font/ttf" and font.read()[:4] == b"\x00\x01\x00\x00"
    assert css.content_type == "text/css" and b"@font-face" in css.read()
    assert data.read() == b"hello"
