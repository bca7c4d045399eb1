"""File bytes in a folder: ``<PORTAL_STORAGE_DIR>/<2 chars>/<key>`` (by default
``<PORTAL_DATA_DIR>/files``). The folder may be shared by several workers or machines
(a network file system): keys are random, and a blob appears by an atomic rename.

The folder is private: nothing under it is served directly (it is never Reflex's public
upload folder). Writes stream into a temporary file in the blob's own folder and are
renamed into place only when complete, so a half-written or refused upload never shows
up as a blob.

Resumable uploads grow in ``<root>/.partial/<key>`` (never a blob: ``exists``, ``size``
and ``open_range`` don't see them) and move to ``<root>/<2 chars>/<key>`` once complete.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import secrets
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from portal_app.storage.base import (
    CHUNK_SIZE,
    BlobNotFound,
    BlobTooLarge,
    OffsetMismatch,
    SavedBlob,
    Storage,
    check_key,
    check_range,
)

TEMPORARY_PREFIX = ".upload-"
PARTIAL_DIR = ".partial"


class LocalStorage(Storage):
    def __init__(self, root: Path):
        self.root = root

    def _path(self, key: str) -> Path:
        # The only place a blob's path is made: from a checked key, never from input.
        key = check_key(key)
        return self.root / key[:2] / key

    def save(self, chunks: Iterable[bytes], *, max_bytes: int) -> SavedBlob:
        key = secrets.token_hex(16)
        final = self._path(key)
        final.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=final.parent, prefix=TEMPORARY_PREFIX)
        size = 0
        digest = hashlib.sha256()
        try:
            with os.fdopen(descriptor, "wb") as out:
                for chunk in chunks:
                    size += len(chunk)
                    if size > max_bytes:
                        raise BlobTooLarge(max_bytes)
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, final)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return SavedBlob(key=key, size=size, sha256=digest.hexdigest())

    def open_range(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        path = self._path(key)
        start, end = check_range(start, end, self.size(key))
        return self._read(path, start, end)

    @staticmethod
    def _read(path: Path, start: int, end: int) -> Iterator[bytes]:
        try:
            stream = path.open("rb")
        except FileNotFoundError as exc:  # deleted since it was measured
            raise BlobNotFound(path.name) from exc
        with stream:
            stream.seek(start)
            left = end - start
            while left > 0:
                chunk = stream.read(min(CHUNK_SIZE, left))
                if not chunk:  # shorter than measured: never pad, just stop
                    return
                left -= len(chunk)
                yield chunk

    def size(self, key: str) -> int:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError as exc:
            raise BlobNotFound(key) from exc

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    # --- partial (resumable) blobs -------------------------------------------------------

    def _partial_path(self, key: str) -> Path:
        return self.root / PARTIAL_DIR / check_key(key)

    def begin_partial(self) -> str:
        key = secrets.token_hex(16)
        path = self._partial_path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # "x": a fresh file, never one that already exists.
        with path.open("xb"):
            pass
        return key

    def append_partial(
        self, key: str, offset: int, chunks: Iterable[bytes], *, max_bytes: int
    ) -> int:
        path = self._partial_path(key)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_APPEND)
        except FileNotFoundError as exc:
            raise BlobNotFound(key) from exc
        with os.fdopen(descriptor, "ab") as out:
            try:
                # One writer at a time: a second request for the same upload is told
                # the offset instead of interleaving its bytes.
                fcntl.flock(out.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise OffsetMismatch(os.fstat(out.fileno()).st_size, offset) from exc
            size = os.fstat(out.fileno()).st_size
            if offset != size:
                raise OffsetMismatch(size, offset)
            try:
                for chunk in chunks:
                    if size + len(chunk) > max_bytes:
                        raise BlobTooLarge(max_bytes)
                    out.write(chunk)
                    size += len(chunk)
            finally:
                # Whatever arrived is kept and on disk before anyone is told the offset.
                out.flush()
                os.fsync(out.fileno())
        return size

    def partial_size(self, key: str) -> int:
        try:
            return self._partial_path(key).stat().st_size
        except FileNotFoundError as exc:
            raise BlobNotFound(key) from exc

    def read_partial_head(self, key: str, n: int) -> bytes:
        try:
            with self._partial_path(key).open("rb") as stream:
                return stream.read(max(0, n))
        except FileNotFoundError as exc:
            raise BlobNotFound(key) from exc

    def complete_partial(self, key: str) -> SavedBlob:
        path = self._partial_path(key)
        final = self._path(key)
        digest = hashlib.sha256()
        size = 0
        try:
            with path.open("rb") as stream:
                while chunk := stream.read(1024 * 1024):
                    digest.update(chunk)
                    size += len(chunk)
        except FileNotFoundError as exc:
            raise BlobNotFound(key) from exc
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, final)
        return SavedBlob(key=key, size=size, sha256=digest.hexdigest())

    def discard_partial(self, key: str) -> None:
        self._partial_path(key).unlink(missing_ok=True)

    def sweep_partials(self, older_than_hours: float) -> int:
        folder = self.root / PARTIAL_DIR
        if not folder.is_dir():
            return 0
        cutoff = time.time() - older_than_hours * 3600
        removed = 0
        for path in folder.iterdir():
            try:
                if path.is_file() and path.stat().st_mtime < cutoff:
                    path.unlink(missing_ok=True)
                    removed += 1
            except FileNotFoundError:
                continue
        return removed
