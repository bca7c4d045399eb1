"""Outgoing e-mail, through a queue: services ``queue`` messages in the same
transaction as the change they announce; the delivery worker (``portal_app.worker``,
huey) runs ``deliver_pending`` after commit and every minute.

Delivery is SMTP when ``PORTAL_SMTP_HOST`` is set, else the local outbox: the database
keeps each message (admins read it in Settings » Outbox, one-time links masked) and
the server log prints it whole, so a portal with no mail server still works.
Nothing is sent twice (a message is claimed by one worker) and nothing is lost if
the server stops between the change and the send (pending rows wait in the database;
a claim abandoned mid-send is retried after ``STALE_CLAIM``).
"""

from __future__ import annotations

import logging
import os
import re
import smtplib
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from sqlalchemy import insert, or_, update
from sqlmodel import Session, col, select

from portal_app import access
from portal_app.access import Actor
from portal_app.clock import utcnow
from portal_app.config import get_settings
from portal_app.db import on_commit, session_scope
from portal_app.errors import Invalid
from portal_app.models import OutboxMessage

log = logging.getLogger("portal.mail")

_URL = re.compile(r"https?://[^\s<>\"']+")
# A part of a link that is a secret: a run of 20+ URL-safe characters (every one-time
# token the portal makes is 43), in the path or a query value.
_SECRET_PART = re.compile(r"(?<=[/=])[A-Za-z0-9_\-]{20,}")
HIDDEN = "[one-time link hidden]"
PENDING, SENDING = "pending", "sending"


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


# Called (after commit) whenever mail was queued: the delivery worker registers here
# (``portal_app.worker``); tests may register an inline delivery.
_queued_hooks: list[Callable[[], None]] = []
MAX_ATTEMPTS = 5
# A claim older than this is a worker that died mid-send: the message is retried.
STALE_CLAIM = timedelta(minutes=10)


def on_queued(hook: Callable[[], None]) -> Callable[[], None]:
    """Register ``hook`` to run after a transaction that queued mail commits."""
    if hook not in _queued_hooks:
        _queued_hooks.append(hook)
    return hook


def forget_hook(hook: Callable[[], None]) -> None:
    if hook in _queued_hooks:
        _queued_hooks.remove(hook)


def _queued() -> None:
    for hook in list(_queued_hooks):
        try:
            hook()
        except Exception:  # noqa: BLE001  (the periodic sweep delivers it anyway)
            log.exception("Could not signal the mail worker")


def queue(recipient: str, subject: str, body: str, *, session: Session | None = None) -> None:
    """Queue one plain-text message. With ``session`` it is written in the caller's
    transaction: if the change rolls back, no mail; once it commits, the worker is
    signalled. Never talks to a mail server: delivery is the worker's job."""
    message = OutboxMessage(recipient=recipient, subject=subject, body=body)
    if session is not None:
        session.add(message)
        on_commit(session, _queued)
        return
    with session_scope() as own:
        own.add(message)
        on_commit(own, _queued)


def queue_many(session: Session, messages: list[tuple[str, str, str]]) -> int:
    """Queue (recipient, subject, body) messages in ``session``'s transaction with one
    statement, however many there are (a page's followers, say)."""
    if not messages:
        return 0
    now = utcnow()
    session.execute(
        insert(OutboxMessage),
        [
            {
                "recipient": recipient,
                "subject": subject,
                "body": body,
                "created_at": now,
                "available_at": now,
                "transport": "outbox",
                "status": PENDING,
                "error": "",
                "attempts": 0,
                "claimed_by": "",
            }
            for recipient, subject, body in messages
        ],
    )
    on_commit(session, _queued)
    return len(messages)


def _claim(worker: str) -> list[int]:
    """Atomically take the messages due for delivery: each is claimed by exactly one
    worker, however many run (the UPDATE only succeeds while the row is unclaimed)."""
    now = utcnow()
    claimed = []
    with session_scope() as session:
        due = session.exec(
            select(OutboxMessage.id)
            .where(
                or_(
                    (OutboxMessage.status == PENDING) & (OutboxMessage.available_at <= now),
                    (OutboxMessage.status == SENDING)
                    & (col(OutboxMessage.claimed_at) < now - STALE_CLAIM),
                )
            )
            .order_by(col(OutboxMessage.id))
            .limit(100)
        ).all()
    for message_id in due:
        with session_scope() as session:
            taken = session.execute(
                update(OutboxMessage)
                .where(
                    col(OutboxMessage.id) == message_id,
                    or_(
                        OutboxMessage.status == PENDING,
                        (OutboxMessage.status == SENDING)
                        & (col(OutboxMessage.claimed_at) < now - STALE_CLAIM),
                    ),
                )
                .values(status=SENDING, claimed_by=worker, claimed_at=now)
            )
            if taken.rowcount == 1:  # type: ignore[attr-defined]
                claimed.append(message_id)
    return claimed


def _smtp_send(recipient: str, subject: str, body: str) -> None:
    settings = get_settings()
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = recipient
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="portal.local")
    message.set_content(body)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=15) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(message)


def deliver_pending(worker: str = "") -> int:
    """Deliver every message due: SMTP when configured, else the local outbox (the
    database row and the server log). Returns how many were delivered. Safe to run in
    several workers at once: a message is sent by the worker that claimed it."""
    worker = worker or f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
    delivered = 0
    while claimed := _claim(worker):
        delivered += _deliver(claimed, worker)
    return delivered


def _deliver(claimed: list[int], worker: str) -> int:
    settings = get_settings()
    delivered = 0
    for message_id in claimed:
        with session_scope() as session:
            message = session.get(OutboxMessage, message_id)
            if message is None or message.claimed_by != worker:
                continue
            recipient, subject, body = message.recipient, message.subject, message.body
        status, error, kept = "sent", "", ""
        if not settings.smtp_enabled:
            status, kept = "stored", mask_links(body)
            # The operator's copy, with working links, for a portal with no mail server.
            log.warning("Mail to %s (local outbox): %s\n%s", recipient, subject, body)
        else:
            try:
                _smtp_send(recipient, subject, body)
            except (OSError, smtplib.SMTPException) as exc:
                status, error = "failed", str(exc)[:500]
                log.error("Mail to %s failed: %s", recipient, exc)
        with session_scope() as session:
            message = session.get(OutboxMessage, message_id)
            assert message is not None
            message.attempts += 1
            message.transport = "smtp" if settings.smtp_enabled else "outbox"
            message.claimed_at = None
            message.claimed_by = ""
            if status == "failed" and message.attempts < MAX_ATTEMPTS:
                # Try again later (1, 2, 4, 8 minutes); the body is kept until then.
                message.status = PENDING
                message.available_at = utcnow() + timedelta(minutes=2 ** (message.attempts - 1))
            else:
                message.status = status
                message.body = kept
                message.sent_at = utcnow() if status != "failed" else None
            message.error = error
            session.add(message)
        delivered += status != "failed"
    return delivered


MAX_OUTBOX_ROWS = 1000


def list_outbox(actor: Actor, limit: int = 200) -> list[OutboxRow]:
    """Admins only. Links are masked again on the way out, for rows stored before
    masking at write time existed."""
    access.require(access.can_view_outbox(actor))
    if isinstance(limit, bool) or not isinstance(limit, int) or not 0 < limit <= MAX_OUTBOX_ROWS:
        raise Invalid(f"Show between 1 and {MAX_OUTBOX_ROWS} messages.")
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
