"""Where file bytes live, behind one interface (``storage.base.Storage``): local disk
by default (``storage.local``). The rest of the portal knows a file only by the key the
storage made for it, and serves it with ``storage.download.download_response``."""

from portal_app.config import get_settings
from portal_app.storage.base import (
    BlobNotFound,
    BlobTooLarge,
    InvalidKey,
    OffsetMismatch,
    SavedBlob,
    Storage,
)
from portal_app.storage.local import LocalStorage


def get_storage() -> Storage:
    """The storage the settings choose: today a folder (``PORTAL_STORAGE_DIR``), which
    several workers or machines may share. Read on each call: tests move the folder."""
    return LocalStorage(get_settings().storage_dir)


__all__ = [
    "BlobNotFound",
    "BlobTooLarge",
    "InvalidKey",
    "LocalStorage",
    "OffsetMismatch",
    "SavedBlob",
    "Storage",
    "get_storage",
]
