"""Real parts for queue and email tests: an SMTP server (aiosmtpd), a throwaway redis-server,
and running queued tasks from the queue's storage with the time the test chooses.

`smtp` is a fixture, registered for every test in tests/conftest.py."""

from __future__ import annotations

import contextlib
import datetime as dt
import email
import email.policy
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import pytest
import redis
from aiosmtpd.controller import Controller
from flask import Flask

from clinic.extensions import db


@dataclass
class SmtpSink:
    """Keeps every email it is given; `refuse` makes it answer like a server that will not take mail."""

    messages: list[EmailMessage] = field(default_factory=list)
    refuse: str = ""

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.refuse:
            return self.refuse
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"


@contextlib.contextmanager
def smtp_server() -> Iterator[tuple[SmtpSink, int]]:
    sink = SmtpSink()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    """A real SMTP server on 127.0.0.1 (its port in `.port`) that keeps what it is sent."""
    with smtp_server() as (sink, port):
        sink.port = port
        yield sink


QUEUES = ["sqlite queue", "redis queue"]


@contextlib.contextmanager
def queue_settings(kind: str, folder: Path) -> Iterator[dict[str, str]]:
    """The app settings for a queue on a SQLite file in `folder`, or on a throwaway redis-server."""
    if kind == "redis queue":
        with redis_server() as url:
            yield {"REDIS_URL": url}
    else:
        yield {"QUEUE_FILE": str(folder / "queue.sqlite")}


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """A private redis-server on a Unix socket, without persistence, stopped afterwards."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    root = Path(tempfile.mkdtemp(prefix="groundwork-redis-"))
    path = root / "redis.sock"
    process = subprocess.Popen([binary, "--port", "0", "--unixsocket", str(path), "--save", "",
                                "--appendonly", "no", "--dir", str(root)], stdout=subprocess.DEVNULL)
    url = f"unix://{path}"
    try:
        client = redis.Redis.from_url(url)
        for _ in range(200):  # until it answers
            with contextlib.suppress(redis.ConnectionError, FileNotFoundError):
                if client.ping():
                    break
            time.sleep(0.025)
        client.close()
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)


def run_queue(app: Flask, *, at: dt.datetime | None = None) -> int:
    """Run what the queue holds, read from its storage as a consumer reads it; returns how many ran.

    `at` (UTC) is the moment it is: tasks scheduled by then (retries with backoff)
    run too, without waiting for them.
    """
    huey = app.extensions["huey"]
    moment = (at or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc).replace(tzinfo=None)
    ran = 0
    while True:
        tasks = list(huey.read_schedule(moment))
        while (task := huey.dequeue()) is not None:
            tasks.append(task)
        if not tasks:
            break
        for task in tasks:
            huey.execute(task, moment)
            ran += 1
    db.session.expire_all()
    return ran
