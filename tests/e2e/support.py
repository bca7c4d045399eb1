"""Helpers for the browser tests (import as ``tests.e2e.support``)."""

from __future__ import annotations

import os
import re
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Page

SCREENSHOT_DIR = Path(__file__).resolve().parent / "screenshots"

BLOCKING_IMPACTS = ("serious", "critical")


def screenshot(page: Page, name: str, full_page: bool = True) -> Path:
    """Save a PNG of the page to tests/e2e/screenshots/NAME.png and return the path."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name)
    path = SCREENSHOT_DIR / f"{safe}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def assert_accessible(page: Page, context: str = "", disable_rules: tuple[str, ...] = ()) -> None:
    """Run axe-core on the current page; fail on any "serious" or "critical" violation.

    ``disable_rules``: axe rule ids to skip (only with a written reason at the call site).
    """
    from axe_playwright_python.sync_playwright import Axe

    options = None
    if disable_rules:
        options = {"rules": {rule: {"enabled": False} for rule in disable_rules}}
    # Colours measured mid-fade (a toast sliding in, a dialog opening) are not what a
    # person reads: let running animations and transitions settle first.
    page.wait_for_function(
        "document.getAnimations().every(a => a.playState !== 'running' "
        "|| a.effect?.getComputedTiming().iterations === Infinity)",
        timeout=5_000,
    )
    results = Axe().run(page, options=options)
    violations = results.response.get("violations", [])
    blocking = [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]
    if not blocking:
        return
    lines = [f"{len(blocking)} serious/critical accessibility violation(s) on {page.url} {context}"]
    for v in blocking:
        lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v.get('helpUrl', '')})")
        for node in v.get("nodes", [])[:5]:
            target = ", ".join(str(t) for t in node.get("target", []))
            lines.append(f"    at {target}")
            summary = (node.get("failureSummary") or "").replace("\n", " | ")
            if summary:
                lines.append(f"      {summary[:300]}")
        if len(v.get("nodes", [])) > 5:
            lines.append(f"    ... and {len(v['nodes']) - 5} more")
    raise AssertionError("\n".join(lines))


def wait_for_app(page: Page, timeout: float = 15_000) -> None:
    """Wait until the page's scripts and data requests have settled (hydrated).

    The event socket is not covered: assert on state the backend sends instead
    (e.g. a value rendered after on_load), which proves the socket works.
    """
    page.wait_for_load_state("networkidle", timeout=timeout)


@contextmanager
def server_env(server):
    """Temporarily point this (test) process at the server's DB and data dir.

    portal_app.config reads settings lazily through ``get_settings()``; this sets
    the env vars and calls ``reload_settings()`` on the way in and out. The e2e
    conftest already does this around every e2e test (autouse), so tests only
    need it outside that scope.
    """
    saved = {k: os.environ.get(k) for k in server.env_for_tests}
    os.environ.update(server.env_for_tests)
    _reload_portal_settings()
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        _reload_portal_settings()


def _reload_portal_settings() -> None:
    import sys

    config = sys.modules.get("portal_app.config")
    if config is None:
        return  # not imported yet: it will read the env when it is
    reload = getattr(config, "reload_settings", None)
    if reload is not None:
        reload()
    # A cached engine bound to another database must not be reused.
    db = sys.modules.get("portal_app.db")
    reset = getattr(db, "reset_engine", None) if db is not None else None
    if reset is not None:
        reset()
