"""Outgoing e-mail: SMTP when ``PORTAL_SMTP_HOST`` is set, else the local outbox.

The outbox keeps each message in the database (admins read it in Settings » Outbox)
and prints it to the server log, so a portal with no mail server still works.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

from sqlmodel import col, select

from portal_app import policy
from portal_app.config import get_settings
from portal_app.db import session_scope
from portal_app.models import OutboxMessage
from portal_app.policy import Actor

log = logging.getLogger("portal.mail")


def send(recipient: str, subject: str, body: str) -> None:
    """Deliver one plain-text message. Slow with SMTP: call it off the event loop."""
    settings = get_settings()
    if not settings.smtp_enabled:
        with session_scope() as session:
            session.add(OutboxMessage(recipient=recipient, subject=subject, body=body))
        log.warning("Mail to %s (local outbox): %s\n%s", recipient, subject, body)
        return

    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = recipient
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="portal.local")
    message.set_content(body)
    status, error = "sent", ""
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=15) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        status, error = "failed", str(exc)[:500]
        log.error("Mail to %s failed: %s", recipient, exc)
    with session_scope() as session:
        session.add(
            OutboxMessage(
                recipient=recipient, subject=subject, transport="smtp", status=status, error=error
            )
        )


def list_outbox(actor: Actor, limit: int = 200) -> list[OutboxMessage]:
    """Admins only: the outbox holds other people's one-time links."""
    policy.require(policy.can_view_outbox(actor))
    with session_scope() as session:
        rows = session.exec(
            select(OutboxMessage).order_by(col(OutboxMessage.id).desc()).limit(limit)
        ).all()
        return list(rows)
