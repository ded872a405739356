"""Email invitations and reminders through the real queue (SQLite file or redis-server) to a real
SMTP server: what arrives, what never does, failures shown to the clinician, unsubscribing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from clinic.extensions import db
from clinic.models import AuditEvent, EmailDelivery, utcnow
from clinic.tasks import RETRIES
from clinic.tasks.rounds import hourly_round
from tests.support.posting import csrf_token, post_form
from tests.support.queues import QUEUES, queue_settings, run_queue

LINK_SHOWN = re.compile(r'value="(http://localhost/p/[A-Za-z0-9_-]+)"')
UNSUBSCRIBE = re.compile(r"(https?://\S+/portal/unsubscribe/\S+)")
PRACTICE = "Harbour Street Therapy"


@pytest.fixture(scope="module", params=QUEUES)
def queue_backend(request, tmp_path_factory):
    """One redis-server for the module's tests (emptied before each), or a queue file per test."""
    with queue_settings(request.param, tmp_path_factory.mktemp("queue")) as settings:
        yield {key: value for key, value in settings.items() if key == "REDIS_URL"}


@pytest.fixture
def app_config(queue_backend, smtp):
    return {**queue_backend, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp.port, "MAIL_SENDER": "office@harbour.test",
            "PRACTICE_NAME": PRACTICE, "TIMEZONE": "America/New_York", "REMINDER_HOUR": 9,
            "PUBLIC_URL": "https://groundwork.harbour.test"}


@pytest.fixture(autouse=True)
def empty_queue(app):
    app.extensions["huey"].flush()  # the redis server lives for the module


@pytest.fixture
def robin(make, clinician):
    return make.client(clinician, display_name="Robin A.", email="robin@example.test", email_consent=True)


def audit_rows(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def make_link(browser, client_record, **data):
    return post_form(browser, f"/clients/{client_record.id}/links",
                     {"days": "14", "next": f"/clients/{client_record.id}", **data}, token_from="/")


def test_a_link_sent_by_email_arrives_with_the_link_and_nothing_clinical(app, signed_in, robin, smtp):
    signed_in.get(f"/clients/{robin.id}")
    page = make_link(signed_in, robin, send_email="y").get_data(as_text=True)
    assert "on its way to robin@example.test" in page
    assert smtp.messages == []  # the page did not wait for the mail server: the email is queued

    assert run_queue(app) == 1
    [message] = smtp.messages
    body = message.get_content()
    assert message["To"] == "robin@example.test"
    assert PRACTICE in message["From"] and PRACTICE in message["Subject"]
    assert "has shared something for you to fill in" in body
    assert LINK_SHOWN.search(page).group(1) in body
    assert "The link works until" in body and "America/New_York" in body
    for definition in app.extensions["worksheets"].values():
        assert definition.title not in body
    assert not re.search(r"insecur|anxi|relationship|partner|diagnos", body + message["Subject"], re.I)
    assert UNSUBSCRIBE.search(body).group(1).startswith("https://groundwork.harbour.test/portal/unsubscribe/")

    [sent] = audit_rows("email.sent")
    assert sent.detail["to"] == "robin@example.test" and sent.detail["kind"] == "invitation"
    assert "/p/" not in str(sent.detail)  # never the link
    assert db.session.scalar(select(EmailDelivery.status)) == "sent"


def test_no_email_without_the_clients_agreement(app, signed_in, make, clinician, smtp):
    jordan = make.client(clinician, display_name="J. K.", email="jk@example.test")
    assert "Send it by email" not in signed_in.get(f"/clients/{jordan.id}").get_data(as_text=True)
    page = make_link(signed_in, jordan, send_email="y").get_data(as_text=True)
    assert "on its way" not in page
    assert run_queue(app) == 0 and smtp.messages == []


def test_the_agreement_is_set_on_the_clients_details(signed_in, make, clinician):
    jordan = make.client(clinician, display_name="J. K.")
    post_form(signed_in, f"/clients/{jordan.id}/edit",
              {"display_name": "J. K.", "email": "jk@example.test", "notes": "", "email_consent": "y"})
    db.session.refresh(jordan)
    assert jordan.email_consent and jordan.can_be_emailed
    assert "Send it by email to jk@example.test" in signed_in.get(f"/clients/{jordan.id}").get_data(as_text=True)


def test_a_task_run_twice_sends_the_email_once(app, signed_in, robin, smtp):
    make_link(signed_in, robin, send_email="y")
    huey = app.extensions["huey"]
    task = huey.dequeue()
    huey.execute(task)
    huey.execute(task)  # as if a consumer died after sending and the task ran again
    assert len(smtp.messages) == 1


def test_a_mail_server_that_keeps_refusing_is_retried_then_shown_on_the_client_page(app, signed_in, robin, smtp):
    smtp.refuse = "451 Mailbox busy, try later"
    make_link(signed_in, robin, send_email="y")
    run_queue(app)
    delivery = db.session.scalar(select(EmailDelivery))
    assert (delivery.status, delivery.attempts) == ("queued", 1)  # to be tried again later, not now
    assert "failed" not in signed_in.get(f"/clients/{robin.id}").get_data(as_text=True)

    later = utcnow()
    for hours in range(1, 24):  # the retries wait longer each time; the test moves the clock, never sleeps
        later += dt.timedelta(hours=hours)
        run_queue(app, at=later)
    db.session.refresh(delivery)
    assert (delivery.status, delivery.attempts) == ("failed", RETRIES + 1)
    page = signed_in.get(f"/clients/{robin.id}").get_data(as_text=True)
    assert "Email to this client failed" in page and "451 Mailbox busy" in page
    assert smtp.messages == []
    assert [e.detail["kind"] for e in audit_rows("email.failed")] == ["invitation"]


def test_a_mail_server_that_is_down_once_delivers_on_the_retry(app, signed_in, robin, smtp):
    smtp.refuse = "421 Service not available"
    make_link(signed_in, robin, send_email="y")
    run_queue(app)
    smtp.refuse = ""
    run_queue(app, at=utcnow() + dt.timedelta(minutes=5))
    assert len(smtp.messages) == 1
    assert db.session.scalar(select(EmailDelivery.status)) == "sent"


# --- reminders -------------------------------------------------------------------------------

# 9:00 in New York in December is 14:00 UTC.
NINE_AM = dt.datetime(2026, 12, 7, 14, 0, tzinfo=dt.timezone.utc)
PRACTICE_TODAY = dt.date(2026, 12, 7)


def reminders_after(app, moment: dt.datetime) -> list:
    before = len(app.config["_sink"].messages)
    hourly_round(moment)
    run_queue(app, at=moment)
    return app.config["_sink"].messages[before:]


@pytest.fixture
def sink(app, smtp):
    app.config["_sink"] = smtp
    return smtp


def test_one_reminder_a_day_at_the_practices_hour_for_due_tomorrow_and_overdue(app, make, robin, sink):
    make.assignment(robin, "origins-mapping", due_date=PRACTICE_TODAY + dt.timedelta(days=1))
    make.assignment(robin, "partner-source-checklist", due_date=PRACTICE_TODAY - dt.timedelta(days=3))

    assert reminders_after(app, NINE_AM - dt.timedelta(hours=1)) == []  # 8 am at the practice: not yet
    [reminder] = reminders_after(app, NINE_AM)  # both worksheets, one email
    body = reminder.get_content()
    assert "is due tomorrow" in body and "still waiting for you" in body
    assert UNSUBSCRIBE.search(body)
    for definition in app.extensions["worksheets"].values():
        assert definition.title not in body
    assert reminders_after(app, NINE_AM) == []  # the round ran twice: still one email today
    assert reminders_after(app, NINE_AM + dt.timedelta(days=1)) == []  # due today now; overdue already said

    [overdue] = reminders_after(app, NINE_AM + dt.timedelta(days=2))  # the first is overdue now
    assert "still waiting for you" in overdue.get_content() and "due tomorrow" not in overdue.get_content()
    assert reminders_after(app, NINE_AM + dt.timedelta(days=3)) == []
    assert [e.detail["kind"] for e in audit_rows("email.sent")] == ["reminder", "reminder"]


def test_no_reminder_after_submission_or_for_other_clients_work(app, make, robin, clinician, sink):
    make.assignment(robin, "origins-mapping", status="submitted", due_date=PRACTICE_TODAY + dt.timedelta(days=1))
    make.assignment(robin, "partner-source-checklist", status="cancelled", due_date=PRACTICE_TODAY - dt.timedelta(days=1))
    assert reminders_after(app, NINE_AM) == []


def test_a_reminder_queued_before_the_client_submitted_is_not_sent(app, make, robin, sink):
    assignment = make.assignment(robin, "origins-mapping", due_date=PRACTICE_TODAY + dt.timedelta(days=1))
    hourly_round(NINE_AM)
    from clinic.assignments.services import transition
    transition(assignment, "submitted", actor="client")
    db.session.commit()
    run_queue(app, at=NINE_AM)
    assert sink.messages == []
    assert db.session.scalar(select(EmailDelivery.status)) == "dropped"


def test_no_reminder_without_agreement_or_address(app, make, clinician, sink):
    for fields in ({"email": "a@example.test"}, {"email_consent": True}):
        record = make.client(clinician, **fields)
        make.assignment(record, "origins-mapping", due_date=PRACTICE_TODAY - dt.timedelta(days=2))
    assert reminders_after(app, NINE_AM) == []


def test_unsubscribing_by_the_link_in_an_email_stops_reminders(app, client, make, robin, sink):
    make.assignment(robin, "origins-mapping", due_date=PRACTICE_TODAY + dt.timedelta(days=1))
    [reminder] = reminders_after(app, NINE_AM)
    path = UNSUBSCRIBE.search(reminder.get_content()).group(1).removeprefix("https://groundwork.harbour.test")

    page = client.get(path)  # what a mail scanner does: nothing changes
    assert page.status_code == 200 and "Stop emails" in page.get_data(as_text=True)
    db.session.refresh(robin)
    assert robin.email_consent

    done = post_form(client, path)
    assert "You will get no more emails" in done.get_data(as_text=True)
    db.session.refresh(robin)
    assert not robin.can_be_emailed and robin.email_unsubscribed_at is not None
    assert audit_rows("email.unsubscribed")
    assert reminders_after(app, NINE_AM + dt.timedelta(days=3)) == []


def test_an_unsubscribe_link_that_is_not_ours_changes_nothing(client, robin):
    assert client.get("/portal/unsubscribe/forged.token").status_code == 404
    token = csrf_token(client, "/login")
    assert client.post("/portal/unsubscribe/forged.token", data={"csrf_token": token}).status_code == 404


def test_send_reminders_runs_the_reminder_round_now(app, runner, make, robin, sink):
    make.assignment(robin, "origins-mapping", due_date=utcnow().date() - dt.timedelta(days=5))
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    assert "1 reminder email queued." in result.output
    run_queue(app)
    assert len(sink.messages) == 1 and sink.messages[0]["To"] == "robin@example.test"
