"""Who may read what people add to a page (comments and the threads they start).

A page may be shared with several client organizations. A client reads only what
staff, they themself and their own organization's people wrote; staff read all. The
page, the e-mail, a notification and a search hit all ask this one rule.
"""

from __future__ import annotations

from typing import Protocol

from portal_app.access.actors import STAFF_ROLES


class Person(Protocol):
    """An ``Actor`` or a ``User`` row: both carry these."""

    role: str
    organization_id: int | None


def _person_id(person: object) -> int:
    return int(getattr(person, "user_id", None) or getattr(person, "id", 0) or 0)


def reads_words_of(reader: Person, author: Person | None) -> bool:
    """Whether ``reader`` may read what ``author`` added to a page they both see."""
    if reader.role in STAFF_ROLES:
        return True
    if author is None:
        return False
    if author.role in STAFF_ROLES or _person_id(author) == _person_id(reader):
        return True
    return reader.organization_id is not None and author.organization_id == reader.organization_id


def reads_comment(
    reader: Person, comment_author: Person | None, thread_author: Person | None
) -> bool:
    """A comment is readable when its thread and its own author's words both are."""
    return reads_words_of(reader, thread_author) and reads_words_of(reader, comment_author)
