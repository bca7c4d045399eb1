"""Building people straight in the test database (the server shares it)."""

from __future__ import annotations

from functools import lru_cache

from sqlmodel import select

from portal_app.db import session_scope
from portal_app.models import User
from portal_app.services.passwords import hash_password


@lru_cache(maxsize=8)
def _hash(password: str) -> str:
    return hash_password(password)


def add_person(email: str, name: str, role: str, organization_id: int | None, password: str) -> int:
    with session_scope() as session:
        user = session.exec(select(User).where(User.email == email)).first()
        if user is None:
            user = User(
                email=email,
                display_name=name,
                role=role,
                organization_id=organization_id,
                password_hash=_hash(password),
            )
            session.add(user)
            session.flush()
        assert user.id is not None
        return user.id
