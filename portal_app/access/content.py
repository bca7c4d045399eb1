"""Who may read what people add to a page (comments and the threads they start).

A page may be shared with several client organizations. A client reads only what
staff, they themself and their own organization's people wrote; staff read all. A
guest's words are read by staff and that guest, and by everyone on the page only once
staff have shown them (``shown_to_page``). The page, the e-mail, a notification and a
search hit all ask this one rule.
"""

from __future__ import annotations

from typing import Protocol

from portal_app.access.actors import GUEST, STAFF_ROLES


class Person(Protocol):
    """An ``Actor`` or a ``User`` row: both carry these."""

    role: str
    organization_id: int | None


def _person_id(person: object) -> int:
    return int(getattr(person, "user_id", None) or getattr(person, "id", 0) or 0)


def reads_words_of(reader: Person, author: Person | None, shown_to_page: bool = False) -> bool:
    """Whether ``reader`` may read what ``author`` added to a page they both see
    (``shown_to_page``: staff showed these words of a guest to everyone on it)."""
    if reader.role in STAFF_ROLES:
        return True
    if author is None:
        return False
    if author.role in STAFF_ROLES or _person_id(author) == _person_id(reader):
        return True
    if author.role == GUEST:
        return shown_to_page
    return reader.organization_id is not None and author.organization_id == reader.organization_id


def reads_comment(
    reader: Person,
    comment_author: Person | None,
    thread_author: Person | None,
    thread_shown: bool = False,
) -> bool:
    """A comment is readable when its thread and its own author's words both are (a new
    comment is never shown yet; its thread may be)."""
    return reads_words_of(reader, thread_author, thread_shown) and reads_words_of(
        reader, comment_author
    )
