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
    """The stream went past ``max_bytes``; nothing was kept (a partial keeps what it
    had before the chunk that would have crossed the limit)."""

    def __init__(self, max_bytes: int):
        super().__init__(f"more than {max_bytes} bytes")
        self.max_bytes = max_bytes


class OffsetMismatch(Exception):
    """An append to a partial blob at an offset that isn't its current size."""

    def __init__(self, expected: int, given: int):
        super().__init__(f"the partial blob has {expected} bytes, not {given}")
        self.expected = expected
        self.given = given


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

    # --- partial (resumable) blobs -------------------------------------------------------
    # Kept apart from complete blobs: a partial is never served, listed or counted as a
    # blob; ``complete_partial`` turns it into one (under the same key) by an atomic move.

    @abstractmethod
    def begin_partial(self) -> str:
        """A new, empty partial blob; returns its key (the storage makes it)."""

    @abstractmethod
    def append_partial(
        self, key: str, offset: int, chunks: Iterable[bytes], *, max_bytes: int
    ) -> int:
        """Append what ``chunks`` yields to the partial ``key`` and return its new size.
        ``offset`` must be its current size (``OffsetMismatch`` otherwise, nothing
        written). Stops with ``BlobTooLarge`` before writing past ``max_bytes`` in all.
        Written bytes are flushed to disk; when ``chunks`` fails midway, what arrived
        before stays (the next ``partial_size`` says where to continue)."""

    @abstractmethod
    def partial_size(self, key: str) -> int:
        """The partial's length; ``BlobNotFound`` when there is none."""

    @abstractmethod
    def read_partial_head(self, key: str, n: int) -> bytes:
        """The partial's first ``n`` bytes (fewer when it is shorter)."""

    @abstractmethod
    def complete_partial(self, key: str) -> SavedBlob:
        """Turn the partial into a complete blob under the same key (its sha256 computed
        by reading it once, streamed). ``BlobNotFound`` when there is no partial."""

    @abstractmethod
    def discard_partial(self, key: str) -> None:
        """Remove the partial; a missing one is not an error."""

    @abstractmethod
    def sweep_partials(self, older_than_hours: float) -> int:
        """Remove partials untouched for longer than this; returns how many."""


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
