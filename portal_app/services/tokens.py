"""Opaque secrets handed to browsers or mailboxes; only their hashes are stored."""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    # 32 random bytes = 256 bits, URL-safe.
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
