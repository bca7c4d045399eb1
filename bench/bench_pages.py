"""How fast pages open and editor changes save, against bare queries on this machine.

  baseline  a bare SELECT of one page row by primary key
  portal    services.pages.view_page as a client (policy filter + published snapshot)
  portal    services.pages.list_navigation as a client (the sidebar tree)
  portal    services.drafts.edit_draft: one checked editor operation (move a widget)
  portal    rich text sanitizing (nh3) of a 20 KB document

Run: .venv/bin/python bench/bench_pages.py  (or `make bench`)
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_sessions import percentiles, timed  # noqa: E402


def main() -> None:
    data = tempfile.mkdtemp(prefix="portal-bench-")
    os.environ["PORTAL_DATA_DIR"] = data
    os.environ["PORTAL_DATABASE_URL"] = f"sqlite:///{data}/portal.db"
    os.environ.pop("PORTAL_SMTP_HOST", None)
    from sqlmodel import select

    from portal_app import cli
    from portal_app.access import actor_for
    from portal_app.config import reload_settings
    from portal_app.db import session_scope
    from portal_app.models import Organization, Page, User
    from portal_app.services import drafts, grants, pages
    from portal_app.services.html import sanitize_html

    reload_settings()
    cli.migrate()
    with contextlib.redirect_stdout(io.StringIO()):
        cli.main(["seed-demo"])
    with session_scope() as session:
        dana = actor_for(session.exec(select(User).where(User.email == "dana@firm.example")).one())
        ana = actor_for(
            session.exec(select(User).where(User.email == "ana@northwind.example")).one()
        )
        org_id = session.exec(select(Organization.id)).first()

    # A realistic page: two sections, a dozen widgets, shared with the client.
    draft = pages.create_page(dana, "Bench page")
    draft = drafts.edit_draft(dana, draft.id, draft.revision, "add_section", {"columns": 2})
    columns = [c.id for s in draft.sections for c in s.columns]
    for n in range(12):
        kind = ["rich_text", "heading", "links", "discussion"][n % 4]
        draft = drafts.edit_draft(
            dana,
            draft.id,
            draft.revision,
            "add_widget",
            {"type_name": kind, "column": columns[n % 3], "index": 0},
        )
    drafts.publish(dana, draft.id, draft.revision)
    grants.set_permissions(
        dana, draft.id, "all", [], [{"kind": "organization", "id": org_id, "level": "contribute"}]
    )
    for n in range(30):  # a tree of other pages, most not shared with the client
        pages.create_page(dana, f"Internal page {n}")
    slug, page_id = draft.slug, draft.id
    widget = draft.sections[1].columns[0].widgets[0].id

    def bare_page_row() -> None:
        with session_scope() as session:
            session.get(Page, page_id)

    def view() -> None:
        pages.view_page(ana, slug)

    def navigation() -> None:
        pages.list_navigation(ana)

    state = {"revision": drafts.get_draft(dana, page_id).revision, "column": 1}

    def move() -> None:
        state["column"] = 2 if state["column"] == 1 else 1
        result = drafts.edit_draft(
            dana,
            page_id,
            state["revision"],
            "move_widget",
            {"widget_id": widget, "column": columns[state["column"]], "index": 0},
        )
        state["revision"] = result.revision

    document = (
        "<h2>Plan</h2>"
        + "<p>Some <b>bold</b> text with <a href='https://x.example'>a link</a>.</p>" * 300
    )
    n = 1000
    for fn in (bare_page_row, view, navigation, move):
        fn()
    print(f"Portal pages benchmark ({n} calls each, SQLite, one thread)")
    base = timed(bare_page_row, n)
    print(f"  baseline page row by primary key   {percentiles(base)}")
    print(f"  portal   view_page as a client     {percentiles(timed(view, n), base)}")
    print(f"  portal   sidebar tree as a client  {percentiles(timed(navigation, n), base)}")
    print(f"  portal   editor move (checked op)  {percentiles(timed(move, 300), base)}")
    started = time.perf_counter()
    for _ in range(200):
        sanitize_html(document)
    per = (time.perf_counter() - started) / 200
    print(f"  portal   sanitize {len(document) // 1024} KB rich text     {per * 1e6:8.1f} µs each")


if __name__ == "__main__":
    main()
