"""Unit-test helpers: a real SMTP server in-process, and a window onto the database.

Time-based rules (throttling, session timeouts, link expiry) are tested by moving the
stored timestamps into the past rather than by sleeping.
"""

from __future__ import annotations

import email
import email.policy
import re
import socket
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import text
from sqlmodel import SQLModel, select

from portal_app import config
from portal_app.db import get_engine, session_scope
from portal_app.models import User
from portal_app.services import sessions

LINK = re.compile(r"https?://\S+/(invite|reset)/([A-Za-z0-9_\-]+)")


@pytest.fixture(autouse=True)
def _fresh_portal(portal_db):
    """Every unit test starts from an empty database upgraded to head."""
    return portal_db


class Database:
    """Direct reads and time travel on the test database."""

    def __init__(self, portal_db):
        self.portal_db = portal_db

    def rows(self, model: type[SQLModel], *where) -> list:
        with session_scope() as session:
            return list(session.exec(select(model).where(*where)).all())

    def age(self, model: type[SQLModel], by: timedelta, *fields: str, where=()) -> int:
        """Move the named timestamps of matching rows ``by`` into the past."""
        with session_scope() as session:
            rows = session.exec(select(model).where(*where)).all()
            for row in rows:
                for field in fields:
                    value = getattr(row, field)
                    if value is not None:
                        setattr(row, field, value - by)
                session.add(row)
            return len(rows)

    def dump(self) -> str:
        """Every row of every table, as text (for 'this secret is stored nowhere'): SQL
        from SQLite's own dump, or each PostgreSQL table's rows."""
        if not self.portal_db.url.startswith("sqlite"):
            engine = get_engine()
            lines = []
            with engine.connect() as connection:
                for table in sa_inspect(engine).get_table_names():
                    for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                        lines.append(f"{table}: {tuple(row)!r}")
            return "\n".join(lines)
        connection = sqlite3.connect(self.portal_db.path)
        try:
            return "\n".join(connection.iterdump())
        finally:
            connection.close()


@pytest.fixture
def database(portal_db) -> Database:
    return Database(portal_db)


class Inbox:
    """Messages an in-process SMTP server received, newest last."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd hook)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def last_link(self, address: str) -> tuple[str, str]:
        """(kind, token) of the last link mailed to ``address``: kind is invite or reset."""
        messages = self.to(address)
        assert messages, f"no mail reached {address}"
        found = LINK.search(messages[-1].get_content())
        assert found, messages[-1].get_content()
        return found.group(1), found.group(2)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_inbox(portal_db, monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    """A real SMTP server on localhost; the portal is configured to send through it."""
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("PORTAL_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("PORTAL_SMTP_PORT", str(port))
    config.reload_settings()
    assert config.get_settings().smtp_enabled
    try:
        yield inbox
    finally:
        controller.stop()


class MailLog:
    """The server log's copy of mail kept in the local outbox: the only place, besides
    the recipient's mailbox, where a working one-time link appears."""

    def __init__(self, caplog: pytest.LogCaptureFixture) -> None:
        self.caplog = caplog

    def token(self, kind: str) -> str:
        """The token of the last ``kind`` ("invite" or "reset") link logged."""
        for record in reversed(self.caplog.records):
            found = re.search(rf"/{kind}/([A-Za-z0-9_\-]{{20,}})", record.getMessage())
            if found:
                return found.group(1)
        raise AssertionError(f"no {kind} link in the mail log")


@pytest.fixture
def mail_log(caplog: pytest.LogCaptureFixture) -> MailLog:
    caplog.set_level("WARNING", logger="portal.mail")
    return MailLog(caplog)


@pytest.fixture
def session_for(portal_db):
    """Open a sign-in session for an actor without a password check (no bcrypt)."""

    def open_for(actor, *, ip: str = "192.0.2.1") -> str:
        with session_scope() as session:
            user = session.get(User, actor.user_id)
            return sessions.open_session(session, user, ip=ip, user_agent="pytest")

    return open_for
