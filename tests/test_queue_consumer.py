"""The consumer that production runs (`huey_consumer clinic.tasks.consumer.huey`) takes a queued
email from the SQLite queue file and from redis-server, and hands it to a real SMTP server."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from sqlalchemy import select

from clinic.extensions import db
from clinic.models import EmailDelivery
from tests.support.posting import post_form
from tests.support.queues import QUEUES, queue_settings


@pytest.fixture(params=QUEUES)
def app_config(request, tmp_path, smtp):
    with queue_settings(request.param, tmp_path) as settings:
        yield {**settings, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp.port}


def delivery_status() -> str:
    db.session.rollback()  # a fresh read of what the consumer committed
    return db.session.scalar(select(EmailDelivery.status))


def test_the_consumer_process_sends_a_queued_invitation(app, signed_in, make, clinician, smtp, database_url):
    robin = make.client(clinician, display_name="Robin A.", email="robin@example.test", email_consent=True)
    post_form(signed_in, f"/clients/{robin.id}/links",
              {"days": "14", "next": f"/clients/{robin.id}", "send_email": "y"}, token_from="/")
    settings = {"DATABASE_URL": database_url, "GROUNDWORK_SECRET_KEY": app.config["SECRET_KEY"],
                "GROUNDWORK_MAIL_SERVER": "127.0.0.1", "GROUNDWORK_MAIL_PORT": str(smtp.port)}
    if app.config["REDIS_URL"]:
        settings["REDIS_URL"] = app.config["REDIS_URL"]
    else:
        settings["GROUNDWORK_QUEUE_FILE"] = app.config["QUEUE_FILE"]
    consumer = subprocess.Popen([sys.executable, "-m", "huey.bin.huey_consumer", "clinic.tasks.consumer.huey",
                                 "--workers", "1", "--no-periodic", "--quiet"],
                                env={**os.environ, **settings}, stderr=subprocess.PIPE)
    try:
        for _ in range(600):  # until the email is sent and recorded (the consumer polls its queue), a minute at most
            if delivery_status() == "sent" or consumer.poll() is not None:
                break
            time.sleep(0.1)
    finally:
        consumer.terminate()
        _, errors = consumer.communicate(timeout=30)
    assert [m["To"] for m in smtp.messages] == ["robin@example.test"], errors.decode()
    assert delivery_status() == "sent"
