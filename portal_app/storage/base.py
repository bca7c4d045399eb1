"""The storage interface: what the portal may do with file bytes, whatever holds them.

A backend stores a stream under a key it makes itself (32 random hex characters), so
nothing a person sends ever becomes part of a path or an object name. The rest of the
portal keeps that key in the database and asks the backend for the bytes again; it
never builds a path of its own.

Every backend promises:
- ``save`` streams, and the blob becomes visible only once complete: an interrupted,
  refused or oversized stream leaves nothing behind;
- ``open_range`` streams too (chunks, never the whole blob in memory);
- keys that aren't the storage's own shape are refused (``InvalidKey``) before any
  lookup, so a forged key can't reach outside the storage.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

KEY = re.compile(r"[0-9a-f]{32}")
CHUNK_SIZE = 64 * 1024


class InvalidKey(ValueError):
    """A key the storage never made (wrong shape: maybe an attempt to escape it)."""


class BlobNotFound(LookupError):
    """No blob is stored under this key."""


class BlobTooLarge(Exception):
    """The stream went past ``max_bytes``; nothing was kept."""

    def __init__(self, max_bytes: int):
        super().__init__(f"more than {max_bytes} bytes")
        self.max_bytes = max_bytes


@dataclass(frozen=True)
class SavedBlob:
    key: str
    size: int
    sha256: str


def check_key(key: object) -> str:
    """``key`` when it has the shape of a key the storage makes; ``InvalidKey`` otherwise."""
    if not isinstance(key, str) or not KEY.fullmatch(key):
        raise InvalidKey("not a storage key")
    return key


class Storage(ABC):
    """Where file bytes live. One instance per configured backend (``get_storage()``)."""

    @abstractmethod
    def save(self, chunks: Iterable[bytes], *, max_bytes: int) -> SavedBlob:
        """Store what ``chunks`` yields under a new key. Raises ``BlobTooLarge`` (before
        writing the chunk that crosses ``max_bytes``, so an endless stream stops there);
        any exception raised while reading leaves nothing stored."""

    @abstractmethod
    def open_range(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """The bytes ``start`` up to (not including) ``end`` (default: the end), in
        chunks. Raises ``BlobNotFound``, and ``ValueError`` for a range outside the
        blob (``0 <= start <= end <= size``)."""

    @abstractmethod
    def size(self, key: str) -> int:
        """The blob's length in bytes; ``BlobNotFound`` when there is none."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the blob; deleting a missing blob is not an error."""

    @abstractmethod
    def exists(self, key: str) -> bool:
        """Whether a complete blob is stored under ``key``."""


def check_range(start: object, end: object, size: int) -> tuple[int, int]:
    """``(start, end)`` within a blob of ``size`` bytes (``end`` defaults to ``size``);
    ``ValueError`` for anything else (negative, reversed, past the end, not a number)."""
    if end is None:
        end = size
    if (
        not isinstance(start, int)
        or not isinstance(end, int)
        or isinstance(start, bool)
        or isinstance(end, bool)
        or not 0 <= start <= end <= size
    ):
        raise ValueError(f"range {start!r}-{end!r} is outside a blob of {size} bytes")
    return start, end
