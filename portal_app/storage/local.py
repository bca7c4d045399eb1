"""File bytes on local disk, under ``<PORTAL_DATA_DIR>/files/<2 chars>/<random name>``.

The folder is private: nothing under it is served directly (it is never Reflex's public
upload folder). Names are made here, 32 random hex characters, so nothing a person
sends ever becomes part of a path. Writes stream into a temporary file in the same
folder and are renamed into place only when complete, so a half-written or refused
upload never shows up as a file.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from collections.abc import Iterable
from pathlib import Path

from portal_app.config import get_settings

STORED_NAME = re.compile(r"^[0-9a-f]{32}$")


class LocalStorage:
    def __init__(self, root: Path):
        self.root = root

    def path(self, stored_name: str) -> Path:
        if not STORED_NAME.match(stored_name):
            raise ValueError("not a stored file name")
        return self.root / stored_name[:2] / stored_name

    def write(self, chunks: Iterable[bytes]) -> str:
        """Store the bytes ``chunks`` yields; return the new stored name. An exception
        raised while reading (e.g. the size limit) leaves nothing behind."""
        stored_name = secrets.token_hex(16)
        final = self.path(stored_name)
        final.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=final.parent, prefix=".upload-")
        try:
            with os.fdopen(descriptor, "wb") as out:
                for chunk in chunks:
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, final)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return stored_name

    def delete(self, stored_name: str) -> None:
        self.path(stored_name).unlink(missing_ok=True)

    def exists(self, stored_name: str) -> bool:
        return self.path(stored_name).is_file()


def get_storage() -> LocalStorage:
    """The storage for the current settings (read each call: tests move the data dir)."""
    return LocalStorage(get_settings().data_dir / "files")
