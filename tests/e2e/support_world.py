"""The people the browser tests work with, built straight in the server's database."""

from __future__ import annotations

import re
from functools import lru_cache

from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sqlmodel import select

from portal_app.access import Actor, actor_for
from portal_app.db import session_scope
from portal_app.models import User
from portal_app.services.passwords import hash_password

ADMIN_EMAIL = "owner@firm.example"
ADMIN_PASSWORD = "harbour lantern quietly"  # noqa: S105


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


def admin_actor() -> Actor:
    with session_scope() as session:
        return actor_for(session.exec(select(User).where(User.email == ADMIN_EMAIL)).one())


def sign_in(page: Page, email: str, password: str) -> None:
    page.goto("/login")
    # The form posts through assets/portal.js: on a busy machine a click can come
    # before that script has run, and then nothing is sent at all.
    page.wait_for_function("typeof window.portalSubmit === 'function'", timeout=30_000)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    # The sign-in route answers, then the browser loads the portal afresh (a new socket
    # with the new cookie): allow for a busy CI machine.
    try:
        page.wait_for_url(re.compile(r"^https?://[^/]+/(\?.*)?$"), timeout=30_000)
    except PlaywrightTimeout:
        # Seen once in many runs on a loaded 2-core machine: the new document never
        # committed. The cookie is set by then, so opening the portal again is what a
        # person would do; the assertion below still proves the sign-in worked.
        page.goto("/")
    expect(page.locator("#welcome")).to_be_visible(timeout=30_000)


def organization_id(name: str) -> int:
    """The organization called ``name``, created once (fixtures may run again when
    pytest regroups parametrized tests)."""
    from portal_app.models import Organization
    from portal_app.services import organizations

    with session_scope() as session:
        found = session.exec(select(Organization).where(Organization.name == name)).first()
        if found is not None and found.id is not None:
            return found.id
    return organizations.create_organization(admin_actor(), name).id
