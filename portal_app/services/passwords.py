"""Password rules and hashing.

Rules follow NIST SP 800-63B: at least 12 characters, up to 256, no composition rules,
and the 1,000 most common passwords (zxcvbn's ranked list) refused.

bcrypt only reads the first 72 bytes of its input, so the password is first reduced
with SHA-256 (base64, 44 bytes, no NUL): passwords that differ anywhere differ here.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

import bcrypt

from portal_app.config import get_settings
from portal_app.errors import Invalid

MIN_LENGTH = 12
MAX_LENGTH = 256
COMMON_PASSWORD_COUNT = 1000


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(p.lower() for p in FREQUENCY_LISTS["passwords"][:COMMON_PASSWORD_COUNT])


def check_new_password(password: object, *, email: str = "") -> str:
    """Return the password if it may be used, else raise ``Invalid`` saying why."""
    if not isinstance(password, str):
        raise Invalid("Enter a password.", field="password")
    if len(password) < MIN_LENGTH:
        raise Invalid(f"Use at least {MIN_LENGTH} characters.", field="password")
    if len(password) > MAX_LENGTH:
        raise Invalid(f"Use at most {MAX_LENGTH} characters.", field="password")
    if password.lower() in common_passwords():
        raise Invalid(
            "This password is one of the most common ones. Choose something less guessable.",
            field="password",
        )
    if email and password.lower() == email.lower():
        raise Invalid("Don't use your e-mail address as your password.", field="password")
    return password


def _prehash(password: str) -> bytes:
    digest = hashlib.sha256(password.encode("utf-8", "surrogatepass")).digest()
    return base64.b64encode(digest)


def hash_password(password: str) -> str:
    """Slow on purpose (bcrypt, cost >= 12): call it off the event loop."""
    salt = bcrypt.gensalt(rounds=get_settings().bcrypt_rounds)
    return bcrypt.hashpw(_prehash(password), salt).decode("ascii")


# A real hash of a random password: verifying against it costs the same as a real check,
# so an unknown e-mail answers as slowly as a wrong password.
_DUMMY_HASH = "$2b$12$xffXcjYNsRwAOg5Ixb4aeOTV3FF6h8VmyLl0QvESQi4DaeubuictC"


def verify_password(password: object, password_hash: str | None) -> bool:
    if not isinstance(password, str) or len(password) > MAX_LENGTH:
        bcrypt.checkpw(b"x", _DUMMY_HASH.encode("ascii"))
        return False
    target = password_hash or _DUMMY_HASH
    try:
        ok = bcrypt.checkpw(_prehash(password), target.encode("ascii"))
    except ValueError:
        return False
    return ok and password_hash is not None
