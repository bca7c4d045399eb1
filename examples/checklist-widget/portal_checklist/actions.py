"""Checklist actions: a reader's own ticks.

Rules enforced here on every call:
- reading needs the page to be visible and the checklist on its live version, ticking
  needs the page's contribute right (``widget_target``, like every
  built-in action), so another organization's client gets "not found";
- a tick names an item still on the checklist; a person only ever reads and writes
  their own ticks.

Storage: no table of the plugin's own (a new table would need an alembic migration in
Portal). Each reader's ticks are one row of Portal's per-person widget content table,
``form_submission`` (page, widget, person, JSON ``data``), keyed by this widget's id,
so no form ever lists them; ``status`` marks what the row holds.
"""

from __future__ import annotations

import json

from sqlmodel import Session, col, select

from portal_app.access import Actor
from portal_app.clock import utcnow
from portal_app.db import session_scope
from portal_app.errors import Invalid
from portal_app.models import FormSubmission, Page
from portal_app.services.widget_targets import widget_target
from portal_checklist.widget import Checklist, ChecklistConfig

ROW_KIND = "checklist ticks"


def _checklist(
    actor: Actor, page_id: object, widget_id: object, *, contributing: bool
) -> tuple[Page, ChecklistConfig]:
    target = widget_target(actor, page_id, widget_id, Checklist.name, contributing=contributing)
    return target.page, ChecklistConfig.model_validate(target.config)


def _own_row(session: Session, page: Page, widget_id: str, actor: Actor) -> FormSubmission | None:
    return session.exec(
        select(FormSubmission)
        .where(
            FormSubmission.page_id == page.id,
            FormSubmission.widget_id == widget_id,
            FormSubmission.submitter_id == actor.user_id,
            FormSubmission.status == ROW_KIND,
        )
        .order_by(col(FormSubmission.id))
    ).first()


def _ticked(row: FormSubmission | None) -> set[str]:
    if row is None:
        return set()
    try:
        data = json.loads(row.data)
    except ValueError:
        return set()
    return {item for item in data if isinstance(item, str)} if isinstance(data, list) else set()


def my_ticks(actor: Actor, page_id: object, widget_id: object) -> list[str]:
    """The items of the checklist ``actor`` ticked, in the checklist's order."""
    page, config = _checklist(actor, page_id, widget_id, contributing=False)
    assert isinstance(widget_id, str)
    with session_scope() as session:
        ticked = _ticked(_own_row(session, page, widget_id, actor))
    return [item for item in config.items if item in ticked]


def set_tick(
    actor: Actor, page_id: object, widget_id: object, item: object, ticked: object
) -> list[str]:
    """Tick (or untick) one item for ``actor`` themself; needs the page's contribute
    right. Returns their ticks afterwards."""
    page, config = _checklist(actor, page_id, widget_id, contributing=True)
    if not isinstance(item, str) or item not in config.items:
        raise Invalid("That item is no longer on the checklist. Reload the page.")
    if not isinstance(ticked, bool):
        raise Invalid("The checklist could not be read. Reload the page.")
    assert page.id is not None and isinstance(widget_id, str)
    with session_scope() as session:
        row = _own_row(session, page, widget_id, actor)
        now = _ticked(row) & set(config.items)
        if ticked:
            now.add(item)
        else:
            now.discard(item)
        data = json.dumps(sorted(now), ensure_ascii=False)
        if row is None:
            row = FormSubmission(
                page_id=page.id,
                widget_id=widget_id,
                submitter_id=actor.user_id,
                data=data,
                status=ROW_KIND,
            )
        else:
            row.data, row.updated_at = data, utcnow()
        session.add(row)
    return [i for i in config.items if i in now]
