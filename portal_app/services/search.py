"""Search over what the actor may see: pages (titles and their widgets' text),
documents (their names) and people. The same access filters as everywhere bound every
hit — a page or document not shared with a client never appears in their results, not
even as a count.

Matching is plain case-insensitive substring search over published content (and, for
staff, drafts of pages never published): enough for a portal's size. A full-text
index (SQLite FTS5 / PostgreSQL) can replace ``_candidates`` later without changing
who sees what.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, func, select

from portal_app import access
from portal_app.access import Actor
from portal_app.db import session_scope
from portal_app.models import Document, DocumentFolder, Organization, Page, PageVersion
from portal_app.services import layouts, people
from portal_app.widgets.registry import widget_types

MAX_HITS = 50
MAX_QUERY, MAX_TERM = 1000, 100


@dataclass(frozen=True)
class SearchHit:
    kind: str  # "page" or "person"
    title: str
    snippet: str
    href: str
    icon: str


def _layout_text(layout: layouts.Layout) -> str:
    """What a reader sees of the page's widgets: each type says (``search_text``)."""
    types = widget_types()
    parts = []
    for widget in layout.get("widgets", {}).values():
        widget_type = types.get(widget.get("type"))
        if widget_type is not None:
            parts.append(widget_type.search_text(widget.get("config") or {}))
    return " ".join(" ".join(parts).split())


def _snippet(text: str, term: str, width: int = 80) -> str:
    at = text.lower().find(term)
    if at < 0:
        return text[: width * 2]
    start = max(0, at - width)
    end = min(len(text), at + len(term) + width)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def search(actor: Actor, query: object) -> list[SearchHit]:
    """Pages and people matching every word of ``query`` that ``actor`` may see."""
    if not isinstance(query, str):
        return []
    # At most 8 words of at most 100 characters: longer ones match nothing a person
    # types, and SQLite refuses a LIKE pattern past 50,000 bytes.
    terms = [t[:MAX_TERM] for t in query[:MAX_QUERY].lower().split() if t][:8]
    if not terms or len(" ".join(terms)) < 2:
        return []
    hits: list[SearchHit] = []
    with session_scope() as session:
        rows = session.exec(
            select(Page, PageVersion)
            .join(
                PageVersion,
                (PageVersion.page_id == Page.id) & (PageVersion.number == Page.published_version),
                isouter=True,
            )
            .where(access.visible_pages_filter(actor))
        ).all()
        for page, version in rows:
            if version is not None:
                body = _layout_text(layouts.load(version.layout))
            elif access.works_on_drafts(actor):
                body = _layout_text(layouts.load(page.draft_layout))
            else:
                continue  # clients see published pages only (the filter says so too)
            haystack = f"{page.title} {body}".lower()
            if all(term in haystack for term in terms):
                hits.append(
                    SearchHit(
                        kind="page",
                        title=page.title,
                        snippet=_snippet(body, terms[0]),
                        href=f"/pages/{page.slug}",
                        icon=page.icon,
                    )
                )
    hits.sort(key=lambda h: (not all(t in h.title.lower() for t in terms), h.title.lower()))
    hits += _documents(actor, terms)
    for person in people.list_people(actor, " ".join(terms))[:20]:
        hits.append(
            SearchHit(
                kind="person",
                title=person.name,
                snippet=" · ".join(
                    p for p in (person.email, person.role_label, person.organization_name) if p
                ),
                href="/people",
                icon="user",
            )
        )
    return hits[:MAX_HITS]


def _documents(actor: Actor, terms: list[str]) -> list[SearchHit]:
    """Documents named with every term, among those ``actor`` may see (the filter is
    in the query: a hidden document is never fetched, so never counted)."""
    statement = (
        select(Document, DocumentFolder.name, Organization.name)
        .join(DocumentFolder, col(DocumentFolder.id) == Document.folder_id)
        .join(Organization, col(Organization.id) == Document.organization_id)
        .where(access.visible_documents_filter(actor), col(DocumentFolder.deleted_at).is_(None))
    )
    for term in terms:
        escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(func.lower(Document.name).like(f"%{escaped}%", escape="\\"))
    with session_scope() as session:
        rows = session.exec(statement.order_by(Document.name_key).limit(20)).all()
        staff = access.can_manage_documents(actor)
        return [
            SearchHit(
                kind="document",
                title=document.name,
                snippet=f"{organization} · {folder}" if staff else folder,
                href=f"/documents?folder={document.folder_id}",
                icon="file-text",
            )
            for document, folder, organization in rows
        ]
