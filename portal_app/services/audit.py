"""Recording what happened: sign-ins, invitations, permission changes, deletions."""

from __future__ import annotations

import json

from sqlmodel import Session

from portal_app.models import AuditEvent


def record(
    session: Session,
    action: str,
    *,
    actor_id: int | None,
    target_type: str = "",
    target_id: int | None = None,
    ip: str = "",
    **detail: object,
) -> None:
    """Add an audit event to the caller's unit of work (committed with the change)."""
    session.add(
        AuditEvent(
            actor_id=actor_id,
            action=action,
            target_type=target_type,
            target_id=target_id,
            ip=ip[:64],
            detail=json.dumps(detail, default=str)[:2000] if detail else "",
        )
    )
