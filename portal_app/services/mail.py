"""Outgoing e-mail: SMTP when ``PORTAL_SMTP_HOST`` is set, else the local outbox.

The outbox keeps each message in the database (admins read it in Settings » Outbox)
and prints it to the server log, so a portal with no mail server still works.
"""

from __future__ import annotations

import logging
import re
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

from sqlmodel import col, select

from portal_app import access
from portal_app.access import Actor
from portal_app.config import get_settings
from portal_app.db import session_scope
from portal_app.models import OutboxMessage

log = logging.getLogger("portal.mail")

_URL = re.compile(r"https?://[^\s<>\"']+")
# A part of a link that is a secret: a run of 20+ URL-safe characters (every one-time
# token the portal makes is 43), in the path or a query value.
_SECRET_PART = re.compile(r"(?<=[/=])[A-Za-z0-9_\-]{20,}")
HIDDEN = "[one-time link hidden]"


def mask_links(text: str) -> str:
    """``text`` with the secret part of every link replaced: an invitation or reset
    link that still works must never reach a browser, not even an administrator's."""
    return _URL.sub(lambda found: _SECRET_PART.sub(HIDDEN, found.group(0)), text)


@dataclass(frozen=True)
class OutboxRow:
    """A message as Settings » Outbox shows it: one-time links masked."""

    id: int
    sent: str
    recipient: str
    subject: str
    body: str
    transport: str
    status: str


def send(recipient: str, subject: str, body: str) -> None:
    """Deliver one plain-text message. Slow with SMTP: call it off the event loop."""
    settings = get_settings()
    if not settings.smtp_enabled:
        with session_scope() as session:
            # Stored with its links masked: the database keeps no working secret.
            session.add(OutboxMessage(recipient=recipient, subject=subject, body=mask_links(body)))
        # The operator's copy, with working links, for a portal with no mail server.
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


def list_outbox(actor: Actor, limit: int = 200) -> list[OutboxRow]:
    """Admins only. Links are masked again on the way out, for rows stored before
    masking at write time existed."""
    access.require(access.can_view_outbox(actor))
    with session_scope() as session:
        rows = session.exec(
            select(OutboxMessage).order_by(col(OutboxMessage.id).desc()).limit(limit)
        ).all()
        return [
            OutboxRow(
                id=row.id or 0,
                sent=row.created_at.strftime("%d %b %Y, %H:%M UTC"),
                recipient=row.recipient,
                subject=mask_links(row.subject),
                body=mask_links(row.body),
                transport=row.transport,
                status=row.status,
            )
            for row in rows
        ]
