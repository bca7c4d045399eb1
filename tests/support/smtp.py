"""An in-process SMTP server (aiosmtpd) that keeps every message it receives.

Usage (the e2e conftest has a session fixture ``smtp_server`` built on it)::

    with SmtpCapture() as smtp:            # or smtp.start() / smtp.stop()
        env = {"PORTAL_SMTP_HOST": smtp.host, "PORTAL_SMTP_PORT": str(smtp.port)}
        ...
        msg = smtp.wait_for(to="ann@example.com", subject="Invitation", timeout=10)
        link = msg.links[0]
"""

from __future__ import annotations

import email
import email.policy
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller

_URL_RE = re.compile(r"https?://[^\s\"'<>]+")


@dataclass
class CapturedMessage:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes
    received_at: float = field(default_factory=time.time)

    @property
    def subject(self) -> str:
        return str(self.message.get("Subject", ""))

    @property
    def to(self) -> list[str]:
        return [addr.lower() for addr in self.rcpt_tos]

    def _part(self, subtype: str) -> str:
        part = self.message.get_body(preferencelist=(subtype,))
        return part.get_content() if part is not None else ""

    @property
    def text(self) -> str:
        return self._part("plain")

    @property
    def html(self) -> str:
        return self._part("html")

    @property
    def links(self) -> list[str]:
        """Every http(s) URL in the plain-text part (falls back to the HTML part)."""
        return _URL_RE.findall(self.text or self.html)

    def __repr__(self) -> str:
        return f"<CapturedMessage to={self.to} subject={self.subject!r}>"


class _Handler:
    def __init__(self, capture: SmtpCapture) -> None:
        self._capture = capture

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode()
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        self._capture._add(
            CapturedMessage(
                mail_from=envelope.mail_from,
                rcpt_tos=list(envelope.rcpt_tos),
                message=msg,  # type: ignore[arg-type]
                raw=raw,
            )
        )
        return "250 Message accepted for delivery"


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class SmtpCapture:
    """An SMTP server on 127.0.0.1 (plain, no auth, no TLS) collecting messages."""

    def __init__(self, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.host = host
        self.port = port or _free_port(host)
        self.messages: list[CapturedMessage] = []
        self._cond = threading.Condition()
        self._controller: Controller | None = None

    # -- lifecycle ---------------------------------------------------------
    def start(self) -> SmtpCapture:
        self._controller = Controller(_Handler(self), hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> SmtpCapture:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- messages ----------------------------------------------------------
    def _add(self, msg: CapturedMessage) -> None:
        with self._cond:
            self.messages.append(msg)
            self._cond.notify_all()

    def clear(self) -> None:
        with self._cond:
            self.messages.clear()

    def find(self, to: str | None = None, subject: str | None = None) -> list[CapturedMessage]:
        """Messages received so far to ``to`` (case-insensitive) whose subject
        contains ``subject`` (case-insensitive)."""
        with self._cond:
            return [m for m in self.messages if self._matches(m, to, subject)]

    @staticmethod
    def _matches(m: CapturedMessage, to: str | None, subject: str | None) -> bool:
        if to is not None and to.lower() not in m.to:
            return False
        return subject is None or subject.lower() in m.subject.lower()

    def wait_for(
        self,
        to: str | None = None,
        subject: str | None = None,
        timeout: float = 10.0,
        after: int = 0,
    ) -> CapturedMessage:
        """Wait for the newest message matching ``to``/``subject``.

        ``after``: only consider messages with an index >= this (pass
        ``len(smtp.messages)`` taken before the action that sends mail).
        Raises AssertionError listing what did arrive when none matches in time.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for m in reversed(self.messages[after:]):
                    if self._matches(m, to, subject):
                        return m
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    got = [repr(m) for m in self.messages[after:]] or ["nothing"]
                    raise AssertionError(
                        f"no mail to={to!r} subject~={subject!r} within {timeout}s; "
                        f"received: {', '.join(got)}"
                    )
                self._cond.wait(remaining)
