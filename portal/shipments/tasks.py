"""Background work for shipments: e-mailing notices from the outbox (with retries and a final
state per recipient), and counting status page views without writing on a GET."""
import logging
import smtplib
import ssl
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

import sqlalchemy as sa
from flask import current_app

from portal.core.clock import now
from portal.core.jobs import crontab, job, periodic
from portal.extensions import db
from portal.shipments import queries, rules
from portal.shipments.models import DeliveryState, Notice, OutboxMessage

log = logging.getLogger(__name__)
BATCH = 50


def smtp_configured(config=None) -> bool:
    config = config or current_app.config
    return bool(config.get("SMTP_HOST")) and bool(config.get("SMTP_FROM"))


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, 8, ... minutes after each failed attempt, at most six hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def _connect(config):
    host, port, timeout = config["SMTP_HOST"], config["SMTP_PORT"], config["SMTP_TIMEOUT"]
    security = config.get("SMTP_SECURITY", "starttls")
    if security == "ssl":
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
        if security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
    if config.get("SMTP_USERNAME"):
        smtp.login(config["SMTP_USERNAME"], config.get("SMTP_PASSWORD", ""))
    return smtp


def _email(config, message: OutboxMessage, notice: Notice) -> EmailMessage:
    email = EmailMessage()
    email["From"] = config["SMTP_FROM"]
    email["To"] = formataddr((message.to_name, message.to_address))
    email["Subject"] = notice.subject
    email["Message-ID"] = make_msgid(domain=config["SMTP_FROM"].rpartition("@")[2].strip("> ") or None)
    email.set_content(notice.body)
    email["Content-Language"] = {"zh_Hant": "zh-Hant-TW", "zh_Hans": "zh-Hans-CN"}.get(notice.locale, "en")
    return email


def _claim(message_id: int) -> bool:
    """Take a queued message for sending; False when another worker took it first."""
    taken = db.session.execute(sa.update(OutboxMessage).where(
        OutboxMessage.id == message_id, OutboxMessage.state == DeliveryState.QUEUED.value)
        .values(state=DeliveryState.SENDING.value))
    db.session.commit()
    return taken.rowcount == 1


def deliver(config=None, moment: datetime | None = None) -> dict:
    """Send every queued e-mail whose time has come. A refusal the server calls temporary (4xx), a
    lost connection or a timeout is tried again later; a permanent refusal (5xx) or the last
    attempt ends as failed. Each message's state is committed as soon as it is known."""
    config = config or current_app.config
    counts = {"sent": 0, "retry": 0, "failed": 0}
    if not smtp_configured(config):
        return counts
    smtp = None
    try:
        for message_id in queries.due_messages(moment or now(), BATCH):
            if not _claim(message_id):
                continue
            message = db.session.get(OutboxMessage, message_id)
            notice = message.notice
            message.attempts += 1
            try:
                if smtp is None:
                    smtp = _connect(config)
                smtp.send_message(_email(config, message, notice))
            except smtplib.SMTPRecipientsRefused as refused:
                code, text = next(iter(refused.recipients.values()))
                _failed(config, message, code, text, counts)
            except (smtplib.SMTPResponseException,) as error:
                _failed(config, message, error.smtp_code, error.smtp_error, counts)
                smtp = _close(smtp)
            except (smtplib.SMTPException, OSError) as error:
                _failed(config, message, 0, str(error), counts)
                smtp = _close(smtp)
            else:
                message.state, message.sent_at, message.last_error = DeliveryState.SENT, now(), ""
                counts["sent"] += 1
            rules.settle_notice(notice)
            db.session.commit()
    finally:
        _close(smtp)
    return counts


def _failed(config, message: OutboxMessage, code: int, text, counts: dict) -> None:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    message.last_error = f"{code} {text}".strip()[:500]
    permanent = 500 <= (code or 0) < 600
    if permanent or message.attempts >= config.get("OUTBOX_MAX_ATTEMPTS", 6):
        message.state = DeliveryState.FAILED
        counts["failed"] += 1
        log.warning("e-mail to %s failed for good: %s", message.to_address, message.last_error)
    else:
        message.state = DeliveryState.QUEUED
        message.next_attempt_at = now() + retry_delay(message.attempts)
        counts["retry"] += 1


def _close(smtp):
    if smtp is not None:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            pass
    return None


@job()
def send_notices() -> dict:
    """Enqueued when notices are queued: send at once rather than at the next minute."""
    return deliver()


@periodic(crontab(minute="*"))
def retry_notices() -> dict:
    """Every minute: the e-mails whose retry time has come (and any the first job missed)."""
    return deliver()


@job()
def count_view(link_id: int, at: str) -> None:
    """A status page was opened (the page's beacon said so): views and last seen."""
    rules.record_view(link_id, datetime.fromisoformat(at))
