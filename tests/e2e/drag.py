"""A real pointer drag for browser tests (import as ``tests.e2e.drag``).

dnd-kit listens to pointer events and starts a drag only after the pointer has
moved a few pixels with the button down, then measures on animation frames; a
single ``locator.drag_to`` jump is too quick for it. ``drag`` moves like a hand:
press on the source, nudge, travel in steps, settle, release.
"""

from __future__ import annotations

from typing import Literal

from playwright.sync_api import Locator, Page

Position = Literal["before", "after", "inside"]


def _box(locator: Locator) -> dict[str, float]:
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    if box is None:
        raise AssertionError(f"cannot drag: {locator} is not visible")
    return box


def drop_point(target: Locator, position: Position = "inside") -> tuple[float, float]:
    """Where to release over ``target``: its upper part, lower part or centre."""
    box = _box(target)
    fraction = {"before": 0.2, "after": 0.8, "inside": 0.5}[position]
    return box["x"] + box["width"] / 2, box["y"] + box["height"] * fraction


def drag(
    page: Page,
    source: Locator,
    target: Locator,
    position: Position = "inside",
    *,
    steps: int = 12,
    settle_ms: int = 120,
) -> None:
    """Drag ``source`` (the thing to grab, e.g. a "Move …" handle or a palette entry)
    and drop it before / after / inside ``target`` with real mouse moves.

    ``before`` and ``after`` release over the upper or lower fifth of ``target``
    (an item in a list); ``inside`` over its centre (e.g. an empty column).
    """
    box = _box(source)
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    # Past the sensor's activation distance, so the drag starts here.
    page.mouse.move(x + 4, y + 4, steps=3)
    page.mouse.move(x + 10, y + 10, steps=3)
    page.wait_for_timeout(settle_ms)
    # The target may have moved when the drag started (placeholders, overlays).
    tx, ty = drop_point(target, position)
    page.mouse.move(tx, ty, steps=steps)
    page.wait_for_timeout(settle_ms)
    # Lists re-layout when the dragged thing enters them; re-aim and give the
    # collision detection a last frame or two before letting go.
    tx, ty = drop_point(target, position) if target.is_visible() else (tx, ty)
    page.mouse.move(tx, ty + 1, steps=2)
    page.mouse.move(tx, ty, steps=2)
    page.wait_for_timeout(settle_ms)
    page.mouse.up()
    page.wait_for_timeout(settle_ms)
