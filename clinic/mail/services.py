"""Building and sending emails to clients, and the practice's clock.

An email is an `EmailDelivery` row first (committed), then a queued task that
sends it: a slow or failing mail server never slows a page. The row holds no
link and no content; the link of an invitation travels only in the task.
Emails say nothing clinical: the practice's name, that the therapist shared
something to fill in, the link and when it expires.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from flask import current_app, render_template, url_for
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from clinic import audit, words
from clinic.extensions import db
from clinic.models import OPEN_STATUSES, Assignment, AssignmentReminder, AuditAction, Client, EmailDelivery, utcnow
from clinic.tasks import enqueue, jobs

log = logging.getLogger("clinic.mail")
SUBJECTS = {"invitation": "Something to fill in, from {practice}", "reminder": "A gentle reminder from {practice}"}


class MailNotSent(Exception):
    """The mail server could not take the email this time; the queue tries again later."""


def practice_day(moment: dt.datetime) -> dt.date:
    """The date at the practice at that moment (reminders and due dates follow the practice's calendar)."""
    return words.local(moment).date()


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="unsubscribe")


def unsubscribe_token(client: Client) -> str:
    return _serializer().dumps(client.id)


def client_for_unsubscribe(token: str) -> Client | None:
    """The client an unsubscribe link was made for, or None for a link that was not ours."""
    try:
        client_id = _serializer().loads(token)
    except BadSignature:
        return None
    return db.session.get(Client, client_id) if isinstance(client_id, int) else None


def unsubscribe(client: Client) -> bool:
    """Stop every email to the client (their own choice, by link); False if they already had."""
    if client.email_unsubscribed_at is not None and not client.email_consent:
        return False
    client.email_consent = False
    client.email_unsubscribed_at = utcnow()
    audit.record(AuditAction.EMAIL_UNSUBSCRIBED, client)
    return True


def send_invitation(client: Client, link_url: str, expires_at: dt.datetime) -> EmailDelivery | None:
    """Queue an email with the client's new link; None (nothing queued) if they cannot be emailed.

    Commits the delivery row, then enqueues: the task finds what it needs.
    """
    if not client.can_be_emailed:
        return None
    delivery = EmailDelivery(client=client, kind="invitation", local_day=practice_day(utcnow()))
    db.session.add(delivery)
    db.session.commit()
    enqueue(jobs.send_email, delivery.id, link_url, expires_at.isoformat())
    return delivery


def deliver(delivery_id: int, *, link: str | None, link_expires: str | None, last_attempt: bool) -> None:
    """Send a queued email once: sent, dropped (no longer wanted) or, after the last try, failed."""
    delivery = db.session.get(EmailDelivery, delivery_id)
    if delivery is None or delivery.status != "queued":
        return  # already sent or settled: running a task twice sends once
    client = delivery.client
    if not client.can_be_emailed or (delivery.kind == "reminder" and not _still_to_do(delivery)):
        _settle(delivery, "dropped")
        db.session.commit()
        return
    message = build_message(delivery, link=link, link_expires=link_expires)
    delivery.attempts += 1
    try:
        transport(message)
    except (smtplib.SMTPException, OSError) as error:
        delivery.last_error = describe(error)
        if last_attempt:
            _settle(delivery, "failed")
            audit.record(AuditAction.EMAIL_FAILED, client, kind=delivery.kind, to=client.email, delivery=delivery.id)
        db.session.commit()
        if not last_attempt:
            raise MailNotSent(delivery.last_error) from error
        return
    _settle(delivery, "sent")
    audit.record(AuditAction.EMAIL_SENT, client, kind=delivery.kind, to=client.email, delivery=delivery.id)
    db.session.commit()


def _settle(delivery: EmailDelivery, status: str) -> None:
    delivery.status = status
    delivery.finished_at = utcnow()


def _still_to_do(delivery: EmailDelivery) -> bool:
    """Whether any worksheet a reminder is about is still open (never remind after submission)."""
    return db.session.scalar(
        select(Assignment.id).join(AssignmentReminder, AssignmentReminder.assignment_id == Assignment.id)
        .where(AssignmentReminder.delivery_id == delivery.id, Assignment.status.in_(OPEN_STATUSES)).limit(1)
    ) is not None


def describe(error: Exception) -> str:
    """What went wrong, for the clinician: the server's reply or the connection problem, briefly."""
    if isinstance(error, smtplib.SMTPResponseException):
        reply = error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) else str(error.smtp_error)
        text = f"the mail server refused it ({error.smtp_code} {reply})"
    elif isinstance(error, smtplib.SMTPRecipientsRefused):
        text = "the mail server refused the address"
    else:
        text = f"the mail server could not be reached ({type(error).__name__}: {error})"
    return text[:300]


def public_url(endpoint: str, **values: object) -> str:
    """An absolute URL under PUBLIC_URL, outside any request (emails are built by the queue)."""
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        return url_for(endpoint, _external=True, **values)


def build_message(delivery: EmailDelivery, *, link: str | None, link_expires: str | None) -> EmailMessage:
    config = current_app.config
    client = delivery.client
    unsubscribe_url = public_url("mail.unsubscribe_page", token=unsubscribe_token(client))
    stages = {reminder.stage for reminder in delivery.reminders}
    message = EmailMessage()
    message["Subject"] = SUBJECTS[delivery.kind].format(practice=config["PRACTICE_NAME"])
    message["From"] = formataddr((config["PRACTICE_NAME"], config["MAIL_SENDER"]))
    message["To"] = client.email
    message["Message-ID"] = make_msgid(domain=config["MAIL_SENDER"].rpartition("@")[2] or None)
    message["List-Unsubscribe"] = f"<{unsubscribe_url}>"  # opens the page that asks first
    expires = dt.datetime.fromisoformat(link_expires) if link_expires else None
    message.set_content(render_template(
        f"mail/{delivery.kind}.txt", practice=config["PRACTICE_NAME"], link=link, expires=expires,
        due_tomorrow="due_tomorrow" in stages, overdue="overdue" in stages, unsubscribe_url=unsubscribe_url,
        zone=config["TIMEZONE"],
    ))
    return message


def transport(message: EmailMessage) -> None:
    """Hand the email to the mail server, or, with none configured, write it to the log."""
    config = current_app.config
    if not config["MAIL_SERVER"]:
        log.warning("No GROUNDWORK_MAIL_SERVER is set, so this email was written here instead of sent:\n"
                    "To: %s\nSubject: %s\n\n%s", message["To"], message["Subject"], message.get_content())
        return
    with smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]),
                      timeout=config["MAIL_TIMEOUT_SECONDS"]) as server:
        if config["MAIL_USE_TLS"]:
            server.starttls()
        if config["MAIL_USERNAME"]:
            server.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        server.send_message(message)


def latest_failure(client: Client) -> EmailDelivery | None:
    """The client's most recent email, if it failed: the client page says so."""
    latest = db.session.scalars(
        select(EmailDelivery).where(EmailDelivery.client_id == client.id, EmailDelivery.status != "dropped")
        .order_by(EmailDelivery.created_at.desc(), EmailDelivery.id.desc()).limit(1)
    ).first()
    return latest if latest is not None and latest.status == "failed" else None
