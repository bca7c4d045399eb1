"""Guessing over HTTP against the running portal: one person's password, and one-time
links. (The rules and their edges are in tests/security/test_brute_force.py; every
request here comes from 127.0.0.1, the same address for guesser and colleagues.)"""

from __future__ import annotations

import time
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import delete
from sqlmodel import select

from portal_app.db import session_scope
from portal_app.models import LoginAttempt
from portal_app.services.tokens import new_token
from tests.e2e.support import server_env
from tests.support import ledger
from tests.support.tenant_world import PASSWORD, build_tenant_world

SUITE = "brute-force"


@pytest.fixture(scope="module")
def tenant(portal_server):
    with server_env(portal_server):
        return build_tenant_world()


@pytest.fixture
def clean_attempts():
    with session_scope() as session:
        session.execute(delete(LoginAttempt))
    yield
    with session_scope() as session:
        session.execute(delete(LoginAttempt))


def _login(url: str, email: str, password: str) -> httpx.Response:
    return httpx.post(f"{url}/auth/login", json={"email": email, "password": password}, timeout=30)


def _step_past_the_wait(seconds: float) -> None:
    with session_scope() as session:
        for attempt in session.exec(select(LoginAttempt)):
            attempt.attempted_at = attempt.attempted_at - timedelta(seconds=seconds)
            session.add(attempt)


def test_guessing_anas_password_locks_her_account_not_her_colleagues(
    portal_server, tenant, clean_attempts
):
    url, ana = portal_server.url, tenant.emails["ana"]
    statuses = []
    for attempt in range(1, 11):
        if attempt > 5:
            _step_past_the_wait(30 * 2 ** (attempt - 6) + 1)
        statuses.append(_login(url, ana, f"guess number {attempt}").status_code)
    assert statuses[:4] == [400] * 4 and statuses[-1] == 429
    assert _login(url, ana, PASSWORD).status_code == 429  # locked, even the right password
    # The same address: her colleague, the other organization's client, staff.
    for who in ("thomas", "hank", "dana"):
        response = _login(url, tenant.emails[who], PASSWORD)
        assert response.status_code == 200, (who, response.text)
        ledger.record(
            SUITE, outcome=ledger.ALLOWED, operation="sign in next to a guesser", actor=who
        )
    ledger.record(SUITE, outcome=ledger.REFUSED, operation="guess a password over HTTP")


def test_guessing_reset_and_invitation_links_over_http_gets_nowhere(
    portal_server, tenant, clean_attempts
):
    url = portal_server.url
    answers = set()
    started = time.monotonic()
    for _ in range(40):
        for route, body in (
            ("/auth/reset", {"token": new_token(), "password": "a new password, long"}),
            ("/auth/invitation", {"token": new_token(), "name": "Guess", "password": "x" * 14}),
        ):
            response = httpx.post(f"{url}{route}", json=body, timeout=30)
            answers.add((route, response.status_code, response.json()["message"]))
    elapsed = time.monotonic() - started
    # One answer per route, always "gone" (no bcrypt per guess: see the service test).
    assert len(answers) == 2 and all(status == 404 for _, status, _ in answers), answers
    assert elapsed < 60
    # And the portal still signs people in.
    assert _login(url, tenant.emails["thomas"], PASSWORD).status_code == 200
    for route in ("/auth/reset", "/auth/invitation"):
        ledger.record(SUITE, outcome=ledger.REFUSED, operation=f"guess tokens at {route}")
