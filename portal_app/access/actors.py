"""Who is acting: the ``Actor`` every service takes first, the kinds of actor, and the
role questions about accounts. Nothing outside ``portal_app.access`` asks for a role:
services and states ask the access layer what an actor may do."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement
from sqlmodel import col

from portal_app.errors import Forbidden
from portal_app.models import Role, User

STAFF_ROLES = (Role.ADMIN, Role.STAFF)
ROLE_LABELS = {
    Role.ADMIN: "Administrator",
    Role.STAFF: "Staff",
    Role.LIMITED: "Client",
}
GUEST = "guest"


@dataclass(frozen=True)
class Actor:
    """The person an operation runs as (built from the server-side session).

    Kinds: *staff* (administrators and regular staff: the firm's own people), *client*
    (a limited user of one client organization) and *guest* (someone outside, whose
    ``scope`` is the one item a share link opens: ``("page", 12)``)."""

    user_id: int
    role: str
    organization_id: int | None
    email: str
    display_name: str
    scope: tuple[str, int] | None = None
    # Guests: the share their session came through, and whether it lets them add to
    # the page (comment, submit a form, upload where the widget allows).
    share_id: int | None = None
    share_contributes: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_client(self) -> bool:
        return self.role == Role.LIMITED

    @property
    def is_guest(self) -> bool:
        return self.role == GUEST

    @property
    def kind(self) -> str:
        if self.is_staff:
            return "staff"
        return GUEST if self.is_guest else "client"

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, "Guest")  # type: ignore[call-overload]


def actor_for(user: User) -> Actor:
    assert user.id is not None
    return Actor(
        user_id=user.id,
        role=user.role,
        organization_id=user.organization_id,
        email=user.email,
        display_name=user.display_name,
    )


def is_guest_account(user: object) -> bool:
    """A guest's account: it exists so what a guest writes has an author; it never
    signs in, resets a password or appears among people."""
    return getattr(user, "role", None) == GUEST


# What a guest's browser may ask for: the shared page, its widgets' own actions and the
# files on it. Everything else (navigation, people, search, account, settings) is
# refused before any service runs, whatever the event.
_GUEST_SERVICES = frozenset(
    {
        "portal_app.services.pages.view_page",
        "portal_app.services.files.list_files",
        "portal_app.services.files.get_file",
        "portal_app.services.files.delete_file",
        "portal_app.services.files.save_upload",
        "portal_app.services.widget_entries.own_entry",
        "portal_app.services.widget_entries.save_own_entry",
        "portal_app.services.sharing.record_guest_download",
        # A dropsite link's guest sends files (documents checks the link's organization).
        "portal_app.services.documents.dropsite_info",
        "portal_app.services.documents.start_batch",
        "portal_app.services.documents.finish_batch",
    }
)


def guest_may_use(module: str, name: str) -> bool:
    """Whether a guest's event may run service ``module.name``: the allowlist above,
    and widget types' own ``actions`` (which check the widget through ``access_widget``
    and so the guest's one page)."""
    return f"{module}.{name}" in _GUEST_SERVICES or module.rsplit(".", 1)[-1] == "actions"


def has_own_account(actor: Actor) -> bool:
    """Who has an account to manage (name, password, sessions): everyone but guests,
    whose one link is all they have."""
    return not actor.is_guest


def can_follow_pages(actor: Actor) -> bool:
    """Following a page (mail on new content): not for guests, who open one page by a
    link and get no other mail from the portal."""
    return not actor.is_guest


def require(allowed: bool, message: str = "You don't have permission to do that.") -> None:
    if not allowed:
        raise Forbidden(message)


# --- questions about accounts (the person an operation is about, not the actor) -------


ADMIN_ROLE = Role.ADMIN


def works_for_firm(user: User) -> bool:
    """A staff member or administrator (not a client)."""
    return user.role in STAFF_ROLES


def is_client_account(user: User) -> bool:
    return user.role == Role.LIMITED


def administers_portal(user: User) -> bool:
    return user.role == Role.ADMIN


def role_administers(role: str) -> bool:
    return role == Role.ADMIN


def role_belongs_to_organization(role: str) -> bool:
    """Clients belong to one client organization; the firm's people to none."""
    return role == Role.LIMITED


def admin_accounts_filter() -> ColumnElement[bool]:
    return (User.role == Role.ADMIN) & col(User.active).is_(True)


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role)  # type: ignore[call-overload]


# --- what an actor may do in general (the shell shows controls from these) -----------


@dataclass(frozen=True)
class Capabilities:
    """What the shell and pages offer a person; every operation re-checks on its own."""

    open_settings: bool = False
    create_pages: bool = False
    choose_home: bool = False
    sees_whole_firm: bool = False
    manage_page_content: bool = False
    manage_shares: bool = False


def can_open_settings(actor: Actor) -> bool:
    return actor.is_admin


def can_manage_people(actor: Actor) -> bool:
    return actor.is_admin


def can_manage_organizations(actor: Actor) -> bool:
    return actor.is_admin


def can_view_outbox(actor: Actor) -> bool:
    return actor.is_admin


def can_create_pages(actor: Actor) -> bool:
    return actor.is_staff


def can_edit_pages(actor: Actor) -> bool:
    """Staff edit the pages they can see; clients and guests never edit."""
    return actor.is_staff


def sees_every_page(actor: Actor) -> bool:
    """Administrators see every page, restricted ones included."""
    return actor.is_admin


def member_no_one_is(organization_id: int | None, name: str) -> Actor:
    """A client of ``organization_id`` with no grants of their own: sees exactly what
    the organization was granted (previews, tests)."""
    return Actor(
        user_id=0, role=Role.LIMITED, organization_id=organization_id, email="", display_name=name
    )


def can_choose_home(actor: Actor) -> bool:
    return actor.is_admin


def can_moderate(actor: Actor) -> bool:
    """Staff may remove what anyone added to a page they see (comments, files)."""
    return actor.is_staff


def works_on_drafts(actor: Actor) -> bool:
    """Staff also act on widgets that are only in a page's draft so far."""
    return actor.is_staff


def reviews_submissions(actor: Actor) -> bool:
    """Staff read every submission of a form, change statuses and export them; anyone
    else sees only their own."""
    return actor.is_staff


def hears_of_private_content(reader: Actor) -> bool:
    """Who is told that a client added something private (form answers, form files):
    staff only, never other clients."""
    return reader.is_staff


def may_upload_to(
    actor: Actor, *, staff_uploads: bool, contributor_uploads: bool, may_contribute: bool
) -> bool:
    """Staff upload where the widget type takes staff uploads; anyone else only where it
    takes contributors' uploads and they may contribute to the page."""
    if actor.is_staff:
        return staff_uploads
    return contributor_uploads and may_contribute


def capabilities(actor: Actor) -> Capabilities:
    if actor.is_guest:
        return Capabilities()
    return Capabilities(
        open_settings=can_open_settings(actor),
        create_pages=can_create_pages(actor),
        choose_home=can_choose_home(actor),
        sees_whole_firm=actor.is_staff,
        manage_page_content=actor.is_staff,
        manage_shares=actor.is_staff,  # access.can_share: the Shared list of what they see
    )


def owner_or_moderator(actor: Actor, owner_id: int) -> bool:
    """The one rule for "the person who added it, or staff": removing a comment or a
    file, reading a file added to a form."""
    return owner_id == actor.user_id or can_moderate(actor)
