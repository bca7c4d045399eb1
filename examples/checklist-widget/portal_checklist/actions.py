"""Checklist actions: a reader's own ticks.

Rules enforced here on every call:
- reading needs the page to be visible and the checklist on its live version, ticking
  needs the page's contribute right (Portal's ``widget_target``, like every built-in
  action), so another organization's client gets "not found";
- a tick names an item still on the checklist; a person only ever reads and writes
  their own ticks.

Storage: no table of the plugin's own. Each reader's ticks are their own entry in
Portal's per-person widget data (``services.widget_entries``: page, widget, person,
JSON), which only that person and this widget's actions read.
"""

from __future__ import annotations

from portal_app.access import Actor
from portal_app.errors import Invalid
from portal_app.services import widget_entries
from portal_app.services.widget_targets import widget_target
from portal_checklist.widget import Checklist, ChecklistConfig


def _items(actor: Actor, page_id: object, widget_id: object) -> list[str]:
    target = widget_target(actor, page_id, widget_id, Checklist.name)
    return ChecklistConfig.model_validate(target.config).items


def _ticked(data: object) -> set[str]:
    return {item for item in data if isinstance(item, str)} if isinstance(data, list) else set()


def my_ticks(actor: Actor, page_id: object, widget_id: object) -> list[str]:
    """The items of the checklist ``actor`` ticked, in the checklist's order."""
    items = _items(actor, page_id, widget_id)
    ticked = _ticked(widget_entries.own_entry(actor, page_id, widget_id, Checklist.name))
    return [item for item in items if item in ticked]


def set_tick(
    actor: Actor, page_id: object, widget_id: object, item: object, ticked: object
) -> list[str]:
    """Tick (or untick) one item for ``actor`` themself; needs the page's contribute
    right. Returns their ticks afterwards."""
    items = _items(actor, page_id, widget_id)
    if not isinstance(item, str) or item not in items:
        raise Invalid("That item is no longer on the checklist. Reload the page.")
    if not isinstance(ticked, bool):
        raise Invalid("The checklist could not be read. Reload the page.")
    now = _ticked(widget_entries.own_entry(actor, page_id, widget_id, Checklist.name))
    now &= set(items)
    if ticked:
        now.add(item)
    else:
        now.discard(item)
    widget_entries.save_own_entry(actor, page_id, widget_id, Checklist.name, sorted(now))
    return [i for i in items if i in now]
