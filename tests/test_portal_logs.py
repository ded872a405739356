"""A client link's token never reaches an access log: both servers log `/p/<redacted>`.

Both are real: werkzeug's development server (what `make run` serves with) in a
thread, and gunicorn in a subprocess with its access log on standard output.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

from werkzeug.serving import make_server

from clinic.config import PROJECT_ROOT
from tests.support.portal import new_link

GUNICORN = PROJECT_ROOT / ".venv" / "bin" / "gunicorn"


def fetch(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@contextlib.contextmanager
def development_server(app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def test_the_development_server_logs_client_links_redacted(app, robin, caplog):
    token = new_link(robin)
    caplog.set_level(logging.INFO, logger="werkzeug")
    with development_server(app) as base:
        assert fetch(f"{base}/p/{token}") == 200
        assert fetch(f"{base}/p/not-a-real-token") == 404
    lines = [record.getMessage() for record in caplog.records if record.name == "werkzeug"]
    assert sum("GET /p/<redacted> HTTP/1.1" in line for line in lines) == 2, lines
    assert not any(token in line or "not-a-real-token" in line for line in lines)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorns_access_log_shows_client_links_redacted(app, robin, database_url, tmp_path):
    token = new_link(robin)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "GROUNDWORK_SECRET_KEY": "log-test-secret"}
    log = tmp_path / "access.log"
    server = subprocess.Popen(
        [str(GUNICORN), "--workers", "1", "--bind", f"127.0.0.1:{port}", "--access-logfile", str(log),
         "--log-level", "warning", "clinic:create_app()"],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while fetch_or_none(f"http://127.0.0.1:{port}/login") is None:
            assert server.poll() is None and time.monotonic() < deadline, server.stdout.read().decode()
            time.sleep(0.2)
        assert fetch(f"http://127.0.0.1:{port}/p/{token}") == 200
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=30)[0].decode()
    logged = log.read_text() + output
    assert '"GET /p/<redacted> HTTP/1.1" 200' in logged, logged
    assert token not in logged


def fetch_or_none(url: str) -> int | None:
    try:
        return fetch(url)
    except OSError:
        return None
