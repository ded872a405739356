"""WeasyPrint in a child process with a time limit: a slow PDF is refused, never a stuck worker.

Each render runs in a process forked from the one serving the request: it
starts warm (WeasyPrint and the fonts are already loaded) and, if it is still
working when the limit is reached, it is killed, which no thread can be. What
the child logs (WeasyPrint's warnings, refused URLs) and warns is handed back
and raised again here, so it reaches the app's logs and the tests as before.
"""

from __future__ import annotations

import builtins
import logging
import multiprocessing
import threading
import warnings
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from clinic.pdf.fetcher import STATIC_BASE_URL, StaticFilesFetcher

_FORK = multiprocessing.get_context("fork")


class RenderRefused(Exception):
    """A PDF that was not made; `message` says why in words for the clinician."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class TooManyPages(RenderRefused):
    """A document longer than the page limit; `first_pages` maps each anchor to its first page (from 1)."""

    def __init__(self, pages: int, limit: int, first_pages: dict[str, int]):
        super().__init__(f"This PDF would have {pages} pages, more than the {limit} a PDF may have, "
                         "so it was not made.")
        self.pages, self.limit, self.first_pages = pages, limit, first_pages


@dataclass
class _Outcome:
    pdf: bytes | None = None
    pages: int = 0
    first_pages: dict[str, int] = field(default_factory=dict)
    records: list[logging.LogRecord] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    error: str = ""


def render(html: str, paper: str, *, time_limit: float, max_pages: int) -> bytes:
    """The PDF of `html` on `paper`, or RenderRefused if it takes longer than `time_limit` seconds
    or would be longer than `max_pages` (then TooManyPages, which says where each anchor begins)."""
    font_config = _font_config()
    receiving, sending = _FORK.Pipe(duplex=False)
    child = _FORK.Process(target=_render_in_child, args=(sending, html, paper, max_pages, font_config),
                          daemon=True)
    child.start()
    sending.close()
    try:
        if not receiving.poll(time_limit):
            raise RenderRefused(f"This PDF would take longer than {time_limit:g} seconds to make, "
                                "so it was not made.")
        outcome: _Outcome = receiving.recv()
    except EOFError:
        outcome = _Outcome(error=f"the PDF renderer stopped (exit code {child.exitcode})")
    finally:
        receiving.close()
        if child.is_alive():
            child.kill()
        child.join()
    _replay(outcome)
    if outcome.error:
        raise RuntimeError(outcome.error)
    if outcome.pdf is None:
        raise TooManyPages(outcome.pages, max_pages, outcome.first_pages)
    return outcome.pdf


def _replay(outcome: _Outcome) -> None:
    for record in outcome.records:
        logging.getLogger(record.name).handle(record)
    for category, message in outcome.warnings:
        kind = getattr(builtins, category, UserWarning)
        warnings.warn(message, kind if isinstance(kind, type) and issubclass(kind, Warning) else UserWarning,
                      stacklevel=3)


class _Collect(logging.Handler):
    """Keeps the child's log records (as plain messages) to send to the parent."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        record.msg, record.args, record.exc_info, record.exc_text = record.getMessage(), None, None, None
        self.records.append(record)


def _render_in_child(sending: Connection, html: str, paper: str, max_pages: int,
                     font_config: FontConfiguration) -> None:
    collect = _Collect()
    root = logging.getLogger()
    root.handlers = [collect]  # the parent's handlers would write the records a second time
    outcome = _Outcome()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        try:
            fetcher = StaticFilesFetcher()
            page_size = CSS(string=f"@page {{ size: {paper}; }}", url_fetcher=fetcher, font_config=font_config)
            document = HTML(string=html, base_url=STATIC_BASE_URL, url_fetcher=fetcher).render(
                stylesheets=[page_size], font_config=font_config)
            outcome.pages = len(document.pages)
            if outcome.pages > max_pages:
                for number, page in reversed(list(enumerate(document.pages, start=1))):
                    outcome.first_pages.update({anchor: number for anchor in page.anchors})
            else:
                # Tagged PDF/UA-1: headings, lists, tables and reading order for screen readers.
                outcome.pdf = document.write_pdf(pdf_variant="pdf/ua-1")
        except Exception as error:  # handed to the parent, which raises it
            outcome.error = f"{type(error).__name__}: {error}"
    outcome.records = collect.records
    outcome.warnings = [(type(w.message).__name__, str(w.message)) for w in caught]
    sending.send(outcome)
    sending.close()


_fonts: list[FontConfiguration] = []
_fonts_lock = threading.Lock()


def _font_config() -> FontConfiguration:
    """The font configuration, made once in the serving process so every child starts with
    fontconfig loaded; what a child adds to it ends with the child."""
    with _fonts_lock:
        if not _fonts:
            _fonts.append(FontConfiguration())
        return _fonts[0]
