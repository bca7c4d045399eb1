"""File bytes in a folder: ``<PORTAL_STORAGE_DIR>/<2 chars>/<key>`` (by default
``<PORTAL_DATA_DIR>/files``). The folder may be shared by several workers or machines
(a network file system): keys are random, and a blob appears by an atomic rename.

The folder is private: nothing under it is served directly (it is never Reflex's public
upload folder). Writes stream into a temporary file in the blob's own folder and are
renamed into place only when complete, so a half-written or refused upload never shows
up as a blob.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from portal_app.storage.base import (
    CHUNK_SIZE,
    BlobNotFound,
    BlobTooLarge,
    SavedBlob,
    Storage,
    check_key,
    check_range,
)

TEMPORARY_PREFIX = ".upload-"


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
