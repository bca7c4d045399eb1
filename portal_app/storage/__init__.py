"""Where file bytes live. Local disk by default (``storage.local``); the rest of the
portal knows a file only by the ``stored_name`` the storage made for it."""

from portal_app.storage.local import LocalStorage, get_storage

__all__ = ["LocalStorage", "get_storage"]
