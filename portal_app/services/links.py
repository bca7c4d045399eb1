"""Absolute links to the portal, for e-mails."""

from portal_app.config import get_settings


def portal_url(path: str) -> str:
    return f"{get_settings().public_url}{path}"
