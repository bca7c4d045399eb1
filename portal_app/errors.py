"""The small set of domain errors that states and routes turn into messages."""

from __future__ import annotations


class PortalError(Exception):
    """Base class: ``str(error)`` is a message fit to show the person."""

    status = 400


class NotFound(PortalError):
    """Also raised for things the actor may not see: outsiders can't tell the two apart."""

    status = 404

    def __init__(self, message: str = "We couldn't find that. It may have been removed."):
        super().__init__(message)


class Forbidden(PortalError):
    status = 403

    def __init__(self, message: str = "You don't have permission to do that."):
        super().__init__(message)


class Invalid(PortalError):
    """Bad input; ``field`` names the form field the message belongs next to."""

    status = 400

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


class Throttled(PortalError):
    status = 429

    def __init__(self, retry_after_seconds: int):
        self.retry_after_seconds = max(1, int(retry_after_seconds))
        super().__init__(_wait_message(self.retry_after_seconds))


class Conflict(PortalError):
    """The thing changed since the caller read it (another editor saved first)."""

    status = 409

    def __init__(
        self, message: str = "Someone else changed this page. Reload to see their changes."
    ):
        super().__init__(message)


class SignedOut(PortalError):
    """The session ended (expired, signed out, or the account was deactivated)."""

    status = 401

    def __init__(self, message: str = "Your session has ended. Please sign in again."):
        super().__init__(message)


def _wait_message(seconds: int) -> str:
    if seconds < 60:
        unit = "second" if seconds == 1 else "seconds"
        return f"Too many attempts. Try again in {seconds} {unit}."
    minutes = -(-seconds // 60)
    unit = "minute" if minutes == 1 else "minutes"
    return f"Too many attempts. Try again in {minutes} {unit}."
