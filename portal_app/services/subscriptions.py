"""Who hears of a page's changes: people follow pages, editors choose followers, and
notifications reach only followers who can still read what they are told about."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import delete
from sqlmodel import Session, col, select

from portal_app import access
from portal_app.access import Actor
from portal_app.config import get_settings
from portal_app.db import session_scope
from portal_app.errors import Invalid
from portal_app.ids import parse_id
from portal_app.models import PageSubscription, User
from portal_app.services import mail


def set_subscribed(actor: Actor, page_id: object, subscribed: object) -> None:
    if not isinstance(subscribed, bool):
        raise Invalid("Choose to subscribe or unsubscribe.")
    with session_scope() as session:
        page = access.access_page(session, actor, page_id)
        access.require(access.can_follow_pages(actor), "Guests can't follow pages.")
        existing = session.get(PageSubscription, (page.id, actor.user_id))
        if subscribed and existing is None:
            session.add(PageSubscription(page_id=page.id or 0, user_id=actor.user_id))
        elif not subscribed and existing is not None:
            session.delete(existing)


def list_subscribers(actor: Actor, page_id: object) -> list[int]:
    with session_scope() as session:
        page = access.access_page(session, actor, page_id, access.EDIT)
        return list(
            session.exec(
                select(PageSubscription.user_id).where(PageSubscription.page_id == page.id)
            ).all()
        )


def set_subscribers(actor: Actor, page_id: object, user_ids: object) -> None:
    """Editors choose who gets e-mail about this page (only people who can see it)."""
    if not isinstance(user_ids, list) or len(user_ids) > 1000:
        raise Invalid("These subscribers could not be read.")
    with session_scope() as session:
        page = access.access_page(session, actor, page_id, access.EDIT)
        wanted = {parse_id(uid) for uid in user_ids}
        session.execute(delete(PageSubscription).where(col(PageSubscription.page_id) == page.id))
        for uid in wanted:
            user = session.get(User, uid)
            if user is None or not user.active:
                raise Invalid("One of the chosen people no longer exists.")
            session.add(PageSubscription(page_id=page.id or 0, user_id=uid))


def notify_subscribers(
    page_id: int,
    *,
    subject: str,
    body: str,
    exclude_user_id: int | None = None,
    also_user_ids: set[int] | None = None,
    reader_filter: Callable[[Actor], bool] | None = None,
    session: Session | None = None,
) -> int:
    """Queue mail to the page's subscribers (and ``also_user_ids``) who may still read
    the page, in ``session``'s transaction when given. Returns how many were told.
    Who may read the page is one query (``access.page_readers``) whatever the number
    of subscribers; ``reader_filter`` narrows further for content not everyone on the
    page may read (a client's comment, a form submission)."""
    if session is None:
        with session_scope() as own:
            return notify_subscribers(
                page_id,
                subject=subject,
                body=body,
                exclude_user_id=exclude_user_id,
                also_user_ids=also_user_ids,
                reader_filter=reader_filter,
                session=own,
            )
    ids = set(
        session.exec(select(PageSubscription.user_id).where(PageSubscription.page_id == page_id))
    ) | (also_user_ids or set())
    ids.discard(exclude_user_id)  # type: ignore[arg-type]
    name = get_settings().portal_name
    footer = f"\nYou get this because you follow this page on {name}.\n"
    messages = [
        (reader.email, subject, body + footer)
        for reader in access.page_readers(session, page_id, ids)
        if reader_filter is None or reader_filter(access.actor_for(reader))
    ]
    return mail.queue_many(session, messages)
