"""Security tests of the services run against the same fresh database and mail server
as the unit tests."""

from tests.unit.conftest import _fresh_portal, database, session_for, smtp_inbox  # noqa: F401
