"""The scan hook: every uploaded file passes a virus scanner, when one is configured,
before anyone can download it.

``get_scanner()`` returns the configured ``Scanner`` (today ``ClamdScanner``, speaking
clamd's INSTREAM protocol to ``PORTAL_CLAMAV_SOCKET``: a unix socket path or
``host:port``), or None when none is configured (uploads are then stored "unscanned"
and ``portal doctor`` says so).

A verdict is ``clean``, ``infected`` (the file is kept for administrators, never
served) or ``error`` (the scanner couldn't say: the upload is refused, nothing kept).
"""

from __future__ import annotations

import socket
import struct
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass

from portal_app.config import get_settings

CLEAN, INFECTED, ERROR = "clean", "infected", "error"
# clamd's default StreamMaxLength is 25 MB; larger files are answered "size limit
# exceeded", which is an error here (configure clamd's limit to the portal's).
INSTREAM_CHUNK = 64 * 1024
TIMEOUT_SECONDS = 120.0


@dataclass(frozen=True)
class ScanResult:
    verdict: str  # CLEAN | INFECTED | ERROR
    detail: str = ""


class Scanner(ABC):
    """Something that reads a file's bytes and says whether they are safe."""

    name = "scanner"

    @abstractmethod
    def scan(self, chunks: Iterable[bytes]) -> ScanResult:
        """The verdict on the bytes ``chunks`` yields (read once, streamed). Never raises
        for a scanner fault: that is an ``error`` verdict."""

    @abstractmethod
    def ping(self) -> str:
        """A short description of the scanner when it answers; raises ``OSError``
        otherwise."""


def _address(spec: str) -> tuple[int, object]:
    """``(family, address)`` of ``path`` (a unix socket) or ``host:port``."""
    host, colon, port = spec.rpartition(":")
    if colon and port.isdigit() and "/" not in spec:
        return socket.AF_INET, (host or "127.0.0.1", int(port))
    return socket.AF_UNIX, spec


class ClamdScanner(Scanner):
    """clamd over its socket: ``zINSTREAM``, then 4-byte big-endian length-prefixed
    chunks, a zero length to end; clamd answers ``stream: OK``, ``stream: NAME FOUND``
    or ``... ERROR``."""

    name = "ClamAV"

    def __init__(self, address: str, timeout: float = TIMEOUT_SECONDS):
        self.address = address
        self.timeout = timeout

    def _connect(self) -> socket.socket:
        family, address = _address(self.address)
        connection = socket.socket(family, socket.SOCK_STREAM)
        connection.settimeout(self.timeout)
        try:
            connection.connect(address)  # type: ignore[arg-type]
        except BaseException:
            connection.close()
            raise
        return connection

    @staticmethod
    def _reply(connection: socket.socket) -> str:
        answer = b""
        while not answer.endswith(b"\0") and len(answer) < 4096:
            part = connection.recv(4096)
            if not part:
                break
            answer += part
        return answer.rstrip(b"\0\n").decode("utf-8", "replace")

    def ping(self) -> str:
        with self._connect() as connection:
            connection.sendall(b"zVERSION\0")
            return self._reply(connection) or "answered"

    def scan(self, chunks: Iterable[bytes]) -> ScanResult:
        try:
            with self._connect() as connection:
                connection.sendall(b"zINSTREAM\0")
                for chunk in chunks:
                    for start in range(0, len(chunk), INSTREAM_CHUNK):
                        part = chunk[start : start + INSTREAM_CHUNK]
                        connection.sendall(struct.pack(">I", len(part)) + part)
                connection.sendall(struct.pack(">I", 0))
                answer = self._reply(connection)
        except OSError as exc:
            return ScanResult(ERROR, f"scanner unreachable: {exc.__class__.__name__}")
        _, _, verdict = answer.partition(": ")
        verdict = verdict or answer
        if verdict == "OK":
            return ScanResult(CLEAN, "")
        if verdict.endswith(" FOUND"):
            return ScanResult(INFECTED, verdict.removesuffix(" FOUND").strip()[:200])
        return ScanResult(ERROR, (verdict or "no answer")[:200])


def get_scanner() -> Scanner | None:
    """The configured scanner, or None (``PORTAL_CLAMAV_SOCKET`` unset)."""
    address = get_settings().clamav_socket.strip()
    return ClamdScanner(address) if address else None
