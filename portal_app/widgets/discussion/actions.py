"""Discussion actions: comments and replies on a page, with @mentions.

Rules enforced here on every call:
- reading needs the page to be visible and the widget on its live version; posting and
  editing need the page's "contribute" right (``access.access_widget``);
- a page may be shared with several client organizations, but a client reads only the
  threads started by staff, by themself or by their own organization's people, and
  within those only such replies (``access.reads_comment``); e-mail to followers and
  @mentions asks the same rule of each recipient, in the same transaction as the
  comment (``access.page_readers``), so a comment never reaches another organization;
- bodies are stored as plain text (the view escapes them), 1–5000 characters;
- people edit and delete their own comments; staff may delete any (moderation).
  Deleting is soft and audited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from portal_app import access
from portal_app.access import Actor
from portal_app.clock import utcnow
from portal_app.db import session_scope
from portal_app.errors import Forbidden, Invalid, NotFound
from portal_app.ids import parse_id
from portal_app.models import Page, User, WidgetComment
from portal_app.services import audit, live, mail, subscriptions
from portal_app.services.links import portal_url
from portal_app.services.people import initials
from portal_app.widgets.discussion.widget import Discussion

MAX_BODY = 5000
MAX_MENTIONS = 20
DELETED_TEXT = "Comment deleted"
# Control characters other than tab and newline have no place in a comment.
_CONTROL = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
)


@dataclass(frozen=True)
class CommentRow:
    id: int
    author: str
    initials: str
    time: str
    body: str
    mine: bool
    edited: bool
    deleted: bool
    can_edit: bool
    can_delete: bool
    # Written by a guest of a shared page (``access.is_guest_account``): the page
    # shows a "Guest" badge next to their name.
    by_guest: bool = False
    # A guest's comment: whether staff showed it to everyone on the page (until then
    # only staff and that guest read it), and whether this reader may change that.
    shown_to_page: bool = False
    can_show: bool = False
    replies: list[CommentRow] = field(default_factory=list)


# --- helpers ---------------------------------------------------------------------------


def time_text(value: datetime, now: datetime | None = None) -> str:
    """Recent times in words ("just now", "5 minutes ago", "yesterday"), else the date."""
    now = now or utcnow()
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    seconds = (now - value).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        minutes = int(seconds // 60)
        return "1 minute ago" if minutes == 1 else f"{minutes} minutes ago"
    if seconds < 86400:
        hours = int(seconds // 3600)
        return "1 hour ago" if hours == 1 else f"{hours} hours ago"
    if seconds < 2 * 86400:
        return "yesterday"
    return value.strftime("%d %b %Y")


def _clean_body(body: object) -> str:
    if not isinstance(body, str):
        raise Invalid("Write a comment first.", field="body")
    text = _CONTROL.sub("", body.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if not text:
        raise Invalid("Write a comment first.", field="body")
    if len(text) > MAX_BODY:
        raise Invalid(f"Keep comments under {MAX_BODY} characters.", field="body")
    return text


def _sees(reader: Actor, author: User | None, comment: WidgetComment) -> bool:
    return access.reads_words_of(reader, author, comment.shown_to_page)


def _comment(session: Session, actor: Actor, comment_id: object) -> tuple[WidgetComment, Page]:
    """A comment ``actor`` may read: its page visible, its thread readable to them."""
    comment = session.get(WidgetComment, parse_id(comment_id))
    if comment is None or comment.deleted_at is not None:
        raise NotFound("This comment was removed.")
    try:
        page = access.access_page(session, actor, comment.page_id)
    except NotFound as exc:
        raise NotFound("This comment was removed.") from exc
    root = session.get(WidgetComment, comment.parent_id) if comment.parent_id else comment
    for part in (root, comment):
        if part is None or not _sees(actor, session.get(User, part.author_id), part):
            raise NotFound("This comment was removed.")
    return comment, page


# --- reading ---------------------------------------------------------------------------


def list_comments(actor: Actor, page_id: object, widget_id: object) -> list[CommentRow]:
    """The threads of a discussion widget ``actor`` may read, oldest first, each with its
    replies. A deleted comment shows as "Comment deleted" only while it has replies."""
    with session_scope() as session:
        page = access.access_widget(
            session, actor, page_id, widget_id, access.VIEW, Discussion.name
        ).page
        rows = session.exec(
            select(WidgetComment, User)
            .join(User, col(User.id) == WidgetComment.author_id)
            .where(WidgetComment.page_id == page.id, WidgetComment.widget_id == widget_id)
            .order_by(col(WidgetComment.created_at), col(WidgetComment.id))
        ).all()
    now = utcnow()

    def row(comment: WidgetComment, author: User, replies: list[CommentRow]) -> CommentRow:
        assert comment.id is not None
        mine = comment.author_id == actor.user_id
        deleted = comment.deleted_at is not None
        return CommentRow(
            id=comment.id,
            author="" if deleted else author.display_name,
            initials="" if deleted else initials(author.display_name),
            time=time_text(comment.created_at, now),
            body=DELETED_TEXT if deleted else comment.body,
            mine=mine and not deleted,
            edited=comment.edited_at is not None and not deleted,
            deleted=deleted,
            can_edit=mine and not deleted,
            can_delete=access.owner_or_moderator(actor, comment.author_id) and not deleted,
            by_guest=access.is_guest_account(author) and not deleted,
            shown_to_page=comment.shown_to_page,
            can_show=access.is_guest_account(author) and not deleted and actor.is_staff,
            replies=replies,
        )

    replies_of: dict[int, list[CommentRow]] = {}
    for comment, author in rows:
        if comment.parent_id is None or comment.deleted_at is not None:
            continue
        if _sees(actor, author, comment):
            replies_of.setdefault(comment.parent_id, []).append(row(comment, author, []))
    threads = []
    for comment, author in rows:
        if comment.parent_id is not None or not _sees(actor, author, comment):
            continue
        assert comment.id is not None
        replies = replies_of.get(comment.id, [])
        if comment.deleted_at is not None and not replies:
            continue
        threads.append(row(comment, author, replies))
    return threads


# --- posting -----------------------------------------------------------------------------


def _mentioned(session: Session, body: str) -> list[User]:
    """Active people named in ``body`` as ``@Full Name`` or ``@email``."""
    if "@" not in body:
        return []
    lowered = body.lower()
    found = []
    for user in session.exec(select(User).where(col(User.active).is_(True))):
        for handle in (user.display_name, user.email):
            handle = handle.strip().lower()
            if handle and re.search(r"@" + re.escape(handle) + r"(?![\w@-]|\.\w)", lowered):
                found.append(user)
                break
        if len(found) >= MAX_MENTIONS:
            break
    return found


def _notify(
    session: Session,
    actor: Actor,
    page: Page,
    comment: WidgetComment,
    comment_author: User,
    thread_author: User,
    title: str,
    thread_shown: bool = False,
) -> None:
    """Queue the mail about ``comment`` in the comment's own transaction: to the
    @mentioned and the page's followers who may read it on the page — both asked of
    the access layer in one query each, whatever their number."""
    link = portal_url(f"/pages/{page.slug}")
    assert page.id is not None

    def reads(reader: Actor | User) -> bool:
        return access.reads_comment(reader, comment_author, thread_author, thread_shown)

    named = {user.id for user in _mentioned(session, comment.body)} - {actor.user_id}
    mentioned = [
        user
        for user in access.page_readers(session, page.id, named)  # type: ignore[arg-type]
        if reads(user)
    ]
    mail.queue_many(
        session,
        [
            (
                user.email,
                f"{actor.display_name} mentioned you on {page.title}",
                f"{actor.display_name} mentioned you in “{title}” on {page.title}:\n\n"
                f"{comment.body}\n\nReply: {link}\n",
            )
            for user in mentioned
        ],
    )
    told = {user.id for user in mentioned}
    subscriptions.notify_subscribers(
        page.id,
        exclude_user_id=actor.user_id,
        subject=f"New comment on {page.title}",
        body=f"{actor.display_name} commented in “{title}” on {page.title}:\n\n"
        f"{comment.body}\n\nReply: {link}\n",
        reader_filter=lambda reader: reader.user_id not in told and reads(reader),
        session=session,
    )


def post_comment(
    actor: Actor, page_id: object, widget_id: object, body: object, parent_id: object = 0
) -> CommentRow:
    """Add a comment (or a reply, where the widget allows them) as ``actor``. Needs the
    page's contribute right. Subscribers and @mentioned people who can read it are told."""
    text = _clean_body(body)
    with session_scope() as session:
        target = access.access_widget(
            session, actor, page_id, widget_id, access.CONTRIBUTE, Discussion.name
        )
        page, config = target.page, target.config
        parent: WidgetComment | None = None
        if parent_id not in (0, "0", "", None):
            if not config.get("allow_replies", True):
                raise Invalid("Replies are turned off for this discussion.")
            try:
                parent, _ = _comment(session, actor, parent_id)
            except NotFound as exc:
                raise Invalid("The comment you replied to was removed.") from exc
            if parent.page_id != page.id or parent.widget_id != widget_id:
                raise Invalid("The comment you replied to was removed.")
            if parent.parent_id is not None:
                # One level of threads: a reply to a reply joins the same thread.
                parent = session.get(WidgetComment, parent.parent_id)
                if parent is None or parent.deleted_at is not None:
                    raise Invalid("The comment you replied to was removed.")
        assert page.id is not None and isinstance(widget_id, str)
        comment = WidgetComment(
            page_id=page.id,
            widget_id=widget_id,
            parent_id=parent.id if parent else None,
            author_id=actor.user_id,
            body=text,
        )
        session.add(comment)
        session.flush()
        # Open tabs showing this discussion reload it (each as its own person).
        live.touch(session, live.widget_topic(page.id, widget_id))
        thread_author = session.get(User, parent.author_id if parent else actor.user_id)
        author = session.get(User, actor.user_id)
        assert thread_author is not None and author is not None
        _notify(
            session,
            actor,
            page,
            comment,
            author,
            thread_author,
            str(config.get("title") or "Discussion"),
            thread_shown=parent.shown_to_page if parent else False,
        )
    assert comment.id is not None
    return CommentRow(
        id=comment.id,
        author=author.display_name,
        initials=initials(author.display_name),
        time=time_text(comment.created_at),
        body=comment.body,
        mine=True,
        edited=False,
        deleted=False,
        can_edit=True,
        can_delete=True,
        by_guest=access.is_guest_account(author),
    )


def show_to_page(actor: Actor, comment_id: object, shown: object) -> None:
    """Staff show a guest's comment to everyone who sees the page (or keep it, again,
    between staff and that guest)."""
    if not isinstance(shown, bool):
        raise Invalid("Choose to show or to hide the comment.")
    with session_scope() as session:
        comment, page = _comment(session, actor, comment_id)
        if not actor.is_staff:
            raise Forbidden("Only staff choose who reads a guest's comment.")
        if not access.is_guest_account(session.get(User, comment.author_id)):
            raise Invalid("Only a guest's comments are kept between staff and the guest.")
        comment.shown_to_page = shown
        session.add(comment)
        live.touch(session, live.widget_topic(comment.page_id, comment.widget_id))
        audit.record(
            session,
            "comment_shown_to_page" if shown else "comment_kept_private",
            actor_id=actor.user_id,
            target_type="comment",
            target_id=comment.id,
            page_id=page.id,
            widget_id=comment.widget_id,
        )


def edit_comment(actor: Actor, comment_id: object, body: object) -> None:
    """People edit only their own comments, and only while they may contribute."""
    text = _clean_body(body)
    with session_scope() as session:
        comment, _ = _comment(session, actor, comment_id)
        if comment.author_id != actor.user_id:
            raise Forbidden("You can only edit your own comments.")
        access.access_widget(
            session,
            actor,
            comment.page_id,
            comment.widget_id,
            access.CONTRIBUTE,
            Discussion.name,
        )
        comment.body = text
        comment.edited_at = utcnow()
        session.add(comment)
        live.touch(session, live.widget_topic(comment.page_id, comment.widget_id))


def delete_comment(actor: Actor, comment_id: object) -> None:
    """Authors delete their own comments; staff may delete any they can see. The row
    stays (soft delete) so a thread keeps its replies; the deletion is audited."""
    with session_scope() as session:
        comment, page = _comment(session, actor, comment_id)
        if not access.owner_or_moderator(actor, comment.author_id):
            raise Forbidden("You can only delete your own comments.")
        comment.deleted_at = utcnow()
        session.add(comment)
        live.touch(session, live.widget_topic(comment.page_id, comment.widget_id))
        audit.record(
            session,
            "comment_deleted",
            actor_id=actor.user_id,
            target_type="comment",
            target_id=comment.id,
            page_id=page.id,
            widget_id=comment.widget_id,
            author_id=comment.author_id,
        )
