"""Reading PDFs back as a person would (pdftotext), and watching WeasyPrint: its warnings and its renders.

`weasyprint_log` and `renders` are fixtures, registered for every test in tests/conftest.py.
"""

from __future__ import annotations

import logging
import subprocess
import tempfile
from pathlib import Path

import pytest

from clinic.pdf import services


def page_texts(pdf: bytes) -> list[str]:
    """Each page's text as pdftotext reads it (in drawing order, so table cells stay whole)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(pdf)
        output = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"],
                                capture_output=True, check=True).stdout.decode()
    return [flat(page) for page in output.split("\f")[:-1]]


def flat(text: str) -> str:
    return " ".join(text.split())


def all_text(pdf: bytes) -> str:
    return " ".join(page_texts(pdf))


@pytest.fixture
def weasyprint_log(caplog: pytest.LogCaptureFixture):
    """What WeasyPrint logged at warning level or above (it must stay empty)."""
    caplog.set_level(logging.WARNING, logger="weasyprint")
    return lambda: [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")
                    and r.levelno >= logging.WARNING]


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Counts real renders: one entry per call of the WeasyPrint step."""
    calls: list[str] = []
    real = services.render_pdf

    def counting(html: str, paper: str) -> bytes:
        calls.append(paper)
        return real(html, paper)

    monkeypatch.setattr(services, "render_pdf", counting)
    return calls
