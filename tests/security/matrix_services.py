"""The access matrix over every service operation that takes the acting ``Actor``.

One row per public function of ``portal_app.services.*`` and of every widget package's
``actions`` module (built-in and installed plugins) whose first parameter is the actor.
``tests/security/test_service_matrix.py`` discovers those functions and fails on any
that has no row here (or a row whose function is gone), then calls every row as every
person of the tenant world (``tests/support/tenant_world.py``).

A row says:
- ``audience``: who may do it, in the access layer's words (``AUDIENCES`` below);
- ``args``: how to build valid arguments from one organization's side of the world
  (``Side``: its room, comment, submission, files, organization, a person, ...). The
  test builds them from the acting person's own side, from the other organization's
  side (one kind of object at a time) and from a side whose objects never existed;
- ``ids``: which arguments are object ids, and of which kind (a ``Side`` attribute);
- ``effect``: "read" or "write";
- ``channels``: where what it returns or sends goes out (return value, mail,
  notifications to followers, CSV export, file download, storage);
- ``refusal_writes``: tables a refusal may legitimately write (a wrong current
  password counts toward the sign-in throttle).

Adding a service function: add a ``Row`` naming it, with the audience it has in
``portal_app/access`` and an ``args`` lambda built from the ``Side``; list its id
arguments in ``ids``. The discovery test tells you when one is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from tests.support.pages import BuiltPage

READ, WRITE = "read", "write"
RETURN, MAIL, NOTIFY, CSV, DOWNLOAD, STORAGE = (
    "return value",
    "mail",
    "notifications",
    "csv export",
    "file download",
    "storage",
)
MISSING_ID = 2_000_000_000
MISSING_WIDGET = "w000000000000"
MISSING_SLUG = "never-existing-page"
STAFF = ("admin", "dana", "sam")
CLIENTS = ("ana", "thomas", "hank", "mindy")
PEOPLE = STAFF + CLIENTS


@dataclass(frozen=True)
class Room:
    """A page of one side: its id, slug, draft revision and widget ids by type."""

    id: int
    slug: str
    revision: int
    widgets: dict[str, str]
    title: str = ""

    def widget(self, type_name: str) -> str:
        # A page without that widget type: a well-formed id that is on no page.
        return self.widgets.get(type_name, MISSING_WIDGET)


@dataclass(frozen=True)
class Side:
    """One organization's things, as an actor of that side uses them. Any attribute may
    be None: the other side has no such thing for this actor (staff see every
    organization's comments, so nothing of that kind is foreign to them)."""

    org: str
    room: Room | None = None
    comment: int | None = None  # a root comment by ``author``
    comment_author: str = ""
    submission: int | None = None
    file: int | None = None  # an attachment (staff upload, readable by the room)
    form_file: int | None = None  # a client's private form upload
    form_file_uploader: str = ""
    organization: int | None = None
    person: int | None = None  # a client of this side (not the acting person)
    share: int | None = None  # a link to this side's room (managed by staff who see it)
    guest_comment: int | None = None  # a comment by a guest of this side's room
    statuses: tuple[str, ...] = ()
    checklist_items: tuple[str, ...] = ()
    document: int | None = None  # a document of the shared area (two versions)
    document_file: int | None = None  # its current version's stored file
    old_version: int | None = None  # its first version's stored file
    internal_file: int | None = None  # a document of the internal (staff-only) area
    trashed: int | None = None  # a deleted document (in the trash)
    folder: int | None = None  # a subfolder of the shared area
    internal_folder: int | None = None  # the internal area's top folder
    library_folder: int | None = None  # the room's library widget's folder
    batch: int | None = None  # an unfinished dropsite sending by ``batch_sender``
    batch_sender: str = ""
    issue: int | None = None  # an issue reported by ``issue_reporter`` (reply and note)
    issue_reporter: str = ""
    saved_view: int | None = None  # a saved view of ``view_owner`` (the side's staff)
    view_owner: str = ""
    spare_category: int | None = None  # an issue category no issue uses (global)
    ctx: Any = None  # the ServiceWorld (global ids: staff ids, an invitation, ...)

    def kinds(self) -> set[str]:
        return {name for name in KINDS if getattr(self, name) is not None}

    def with_kind(self, kind: str, other: Side) -> Side:
        """This side with one kind of object taken from ``other``."""
        return replace(self, **{kind: getattr(other, kind)})


KINDS = (
    "room",
    "comment",
    "submission",
    "file",
    "form_file",
    "organization",
    "person",
    "share",
    "guest_comment",
    "document",
    "document_file",
    "old_version",
    "internal_file",
    "trashed",
    "folder",
    "internal_folder",
    "library_folder",
    "batch",
    "issue",
    "saved_view",
)


def missing_side(own: Side) -> Side:
    """Objects that never existed, shaped like ``own``'s."""
    room = own.room
    return replace(
        own,
        room=Room(
            id=MISSING_ID,
            slug=MISSING_SLUG,
            revision=room.revision if room else 1,
            widgets={k: MISSING_WIDGET for k in (room.widgets if room else {})},
        ),
        comment=MISSING_ID,
        submission=MISSING_ID,
        file=MISSING_ID,
        form_file=MISSING_ID,
        organization=MISSING_ID,
        person=MISSING_ID,
        share=MISSING_ID,
        guest_comment=MISSING_ID,
        document=MISSING_ID,
        document_file=MISSING_ID,
        old_version=MISSING_ID,
        internal_file=MISSING_ID,
        trashed=MISSING_ID,
        folder=MISSING_ID,
        internal_folder=MISSING_ID,
        library_folder=MISSING_ID,
        batch=MISSING_ID,
        issue=MISSING_ID,
        saved_view=MISSING_ID,
    )


# --- audiences: the access layer's vocabulary ----------------------------------------------
# Each answers "is ``who`` (a tenant-world name) meant to succeed with their own side's
# valid arguments?". ``side`` is the actor's own side.

Audience = Callable[[str, Side], bool]
AUDIENCES: dict[str, Audience] = {
    "anyone": lambda who, side: True,
    "signed_in": lambda who, side: who != "anonymous",
    "own_account": lambda who, side: who != "anonymous",
    "staff": lambda who, side: who in STAFF,
    "admin": lambda who, side: who == "admin",
    # access.access_page / access_widget: the page is visible to them (their own room)
    "page_viewer": lambda who, side: who != "anonymous",
    # access.may_contribute: staff, and clients with a contribute grant (their room)
    "page_contributor": lambda who, side: who != "anonymous",
    # access.access_page(..., EDIT): staff who see the page
    "page_editor": lambda who, side: who in STAFF,
    # access.reviews_submissions on a page they see
    "submission_reviewer": lambda who, side: who in STAFF,
    # access.may_upload_to on a form widget: staff, and contributing clients
    "uploader": lambda who, side: who != "anonymous",
    # the author of the comment only (editing)
    "comment_author": lambda who, side: who == side.comment_author,
    # access.owner_or_moderator: the person who added it, or staff
    "owner_or_moderator": lambda who, side: who in STAFF or who == side.comment_author,
    "file_owner_or_moderator": lambda who, side: who in STAFF or who == side.form_file_uploader,
    # files on a widget whose type keeps uploads private: their uploader and staff
    "private_file_reader": lambda who, side: who in STAFF or who == side.form_file_uploader,
    # services.files.file_owned_by: a file the actor uploaded themself, on that widget
    "own_upload": lambda who, side: who == side.form_file_uploader,
    # access.documents.sees_document / sees_folder: staff, and the organization's clients
    # (their own shared area)
    "document_reader": lambda who, side: who != "anonymous",
    # access.documents.sends_to_dropsite: a client of the organization (staff are refused)
    "dropsite_sender": lambda who, side: who in CLIENTS,
    # the person who started that dropsite sending
    "batch_sender": lambda who, side: who == side.batch_sender,
    # access.issues.visible_issues_filter: staff, and the organization's clients (the
    # tenant world lets both organizations' clients see all of their issues)
    "issue_reader": lambda who, side: who != "anonymous",
    # services.issues.close_own / reopen: the client who reported the issue
    "issue_reporter": lambda who, side: who == side.issue_reporter,
    # services.issues saved views: the staff member whose view it is
    "view_owner": lambda who, side: who == side.view_owner,
    # what no one in the tenant world holds (an upload id of someone else's upload)
    "nobody": lambda who, side: False,
}


@dataclass(frozen=True)
class Row:
    function: str  # "module.path:function"
    audience: str
    args: Callable[[Side], dict[str, Any]]
    effect: str = READ
    ids: dict[str, str] = field(default_factory=dict)  # argument -> Side kind
    channels: tuple[str, ...] = (RETURN,)
    variant: str = ""  # a second row for the same function (another kind of object)
    refusal_writes: tuple[str, ...] = ()
    # Arguments left out of malformed-value fuzzing (with the reason in a comment).
    not_fuzzed: tuple[str, ...] = ()
    # Arguments the actor's own side needs (rows using a kind the actor has none of are
    # skipped for that actor, with the reason recorded).
    needs: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return self.function + (f"#{self.variant}" if self.variant else "")

    @property
    def kinds(self) -> set[str]:
        return set(self.ids.values()) | set(self.needs)


NEVER_UPLOAD = "u" * 43  # shaped like an upload id; no upload has it


def _blob(s: Side) -> Any:
    """A freshly stored blob, as the transfer service hands one to a destination."""
    from portal_app.storage import get_storage

    return get_storage().save([s.ctx.pdf], max_bytes=1024 * 1024)


def _r(s: Side) -> Room:
    assert s.room is not None
    return s.room


S = "portal_app.services."
W = "portal_app.widgets."
NEW_PASSWORD = "a fresh tenant passphrase 2026"  # noqa: S105  (test value)

ROWS: list[Row] = [
    # --- pages -----------------------------------------------------------------------
    Row(S + "pages:list_navigation", "signed_in", lambda s: {}),
    Row(S + "pages:home_slug", "signed_in", lambda s: {}),
    Row(
        S + "pages:view_page",
        "page_viewer",
        lambda s: {"slug": _r(s).slug},
        ids={"slug": "room"},
    ),
    Row(
        S + "pages:update_page_settings",
        "page_editor",
        lambda s: {
            "page_id": _r(s).id,
            "revision": _r(s).revision,
            "title": _r(s).title,
            "slug": _r(s).slug,
            "icon": "folder",
            "parent_id": 0,
        },
        effect=WRITE,
        ids={"page_id": "room"},
    ),
    Row(S + "pages:require_page_creator", "staff", lambda s: {}),
    Row(
        S + "pages:create_page",
        "staff",
        lambda s: {"title": "Matrix page", "parent_id": _r(s).id},
        effect=WRITE,
        ids={"parent_id": "room"},
    ),
    Row(
        S + "pages:archive_page",
        "page_editor",
        lambda s: {"page_id": _r(s).id},
        effect=WRITE,
        ids={"page_id": "room"},
    ),
    Row(
        S + "pages:set_home",
        "admin",
        lambda s: {"page_id": _r(s).id, "organization_id": s.organization},
        effect=WRITE,
        ids={"page_id": "room", "organization_id": "organization"},
    ),
    # --- drafts ----------------------------------------------------------------------
    Row(
        S + "drafts:get_draft",
        "page_editor",
        lambda s: {"page_id": _r(s).id},
        ids={"page_id": "room"},
    ),
    Row(
        S + "drafts:edit_draft",
        "page_editor",
        lambda s: {
            "page_id": _r(s).id,
            "revision": _r(s).revision,
            "operation": "add_section",
            "arguments": {"columns": 2, "index": 0},
        },
        effect=WRITE,
        ids={"page_id": "room"},
    ),
    Row(
        S + "drafts:publish",
        "page_editor",
        lambda s: {"page_id": _r(s).id, "revision": _r(s).revision},
        effect=WRITE,
        ids={"page_id": "room"},
        channels=(RETURN, NOTIFY),
    ),
    Row(
        S + "drafts:list_versions",
        "page_editor",
        lambda s: {"page_id": _r(s).id},
        ids={"page_id": "room"},
    ),
    Row(
        S + "drafts:restore_version",
        "page_editor",
        lambda s: {"page_id": _r(s).id, "number": 1, "revision": _r(s).revision},
        effect=WRITE,
        ids={"page_id": "room"},
    ),
    # --- grants and subscriptions -------------------------------------------------------
    Row(
        S + "grants:get_permissions",
        "page_editor",
        lambda s: {"page_id": _r(s).id},
        ids={"page_id": "room"},
    ),
    Row(
        S + "grants:set_permissions",
        "page_editor",
        lambda s: {
            "page_id": _r(s).id,
            "staff_access": "all",
            "staff_ids": [],
            "grants": [{"kind": "organization", "id": s.organization, "level": "view"}],
        },
        effect=WRITE,
        ids={"page_id": "room"},
        needs=("organization",),
    ),
    Row(
        S + "subscriptions:set_subscribed",
        "page_viewer",
        lambda s: {"page_id": _r(s).id, "subscribed": True},
        effect=WRITE,
        ids={"page_id": "room"},
    ),
    Row(
        S + "subscriptions:list_subscribers",
        "page_editor",
        lambda s: {"page_id": _r(s).id},
        ids={"page_id": "room"},
    ),
    Row(
        S + "subscriptions:set_subscribers",
        "page_editor",
        lambda s: {"page_id": _r(s).id, "user_ids": [s.person]},
        effect=WRITE,
        ids={"page_id": "room"},
        needs=("person",),
    ),
    # --- search and people -------------------------------------------------------------
    Row(S + "search:search", "signed_in", lambda s: {"query": "tenant"}),
    Row(
        S + "people:list_people",
        "signed_in",
        lambda s: {"search": "", "role": "", "organization_id": 0, "status": ""},
    ),
    Row(S + "people:list_directory", "signed_in", lambda s: {"search": "example"}),
    Row(
        S + "people:person_to_manage",
        "admin",
        lambda s: {"user_id": s.person},
        ids={"user_id": "person"},
    ),
    Row(
        S + "people:get_person",
        "signed_in",
        lambda s: {"user_id": s.person},
        ids={"user_id": "person"},
    ),
    Row(
        S + "people:invite",
        "admin",
        lambda s: {
            "email": "newcomer@matrix.example",
            "role": "limited",
            "organization_id": s.organization,
            "message": "Welcome",
        },
        effect=WRITE,
        ids={"organization_id": "organization"},
        channels=(RETURN, MAIL),
    ),
    Row(S + "people:list_invitations", "admin", lambda s: {}),
    Row(
        S + "people:resend_invitation",
        "admin",
        lambda s: {"invitation_id": s.ctx.invitation_id},
        effect=WRITE,
        channels=(MAIL,),
    ),
    Row(
        S + "people:revoke_invitation",
        "admin",
        lambda s: {"invitation_id": s.ctx.invitation_id},
        effect=WRITE,
    ),
    Row(
        S + "people:update_person",
        "admin",
        lambda s: {"user_id": s.person, "role": "limited", "organization_id": s.organization},
        effect=WRITE,
        ids={"user_id": "person", "organization_id": "organization"},
    ),
    Row(
        S + "people:set_active",
        "admin",
        lambda s: {"user_id": s.person, "active": False},
        effect=WRITE,
        ids={"user_id": "person"},
    ),
    Row(
        S + "people:send_password_reset",
        "admin",
        lambda s: {"user_id": s.person},
        effect=WRITE,
        ids={"user_id": "person"},
        channels=(MAIL,),
    ),
    Row(
        S + "people:update_own_name",
        "own_account",
        lambda s: {"name": "Renamed Person"},
        effect=WRITE,
    ),
    Row(
        S + "people:change_own_password",
        "own_account",
        lambda s: {"current": s.ctx.password, "new": NEW_PASSWORD},
        effect=WRITE,
        # A wrong current password counts toward the sign-in throttle.
        refusal_writes=("login_attempt",),
    ),
    Row(S + "sessions:sign_out_everywhere", "own_account", lambda s: {}, effect=WRITE),
    # --- organizations -----------------------------------------------------------------
    Row(
        S + "organizations:list_organizations",
        "signed_in",
        lambda s: {"search": "", "include_archived": True},
    ),
    Row(
        S + "organizations:managed_organizations",
        "admin",
        lambda s: {"search": "", "include_archived": True},
    ),
    Row(S + "organizations:organization_choices", "signed_in", lambda s: {}),
    Row(
        S + "organizations:get_organization",
        "signed_in",
        lambda s: {"organization_id": s.organization},
        ids={"organization_id": "organization"},
    ),
    Row(
        S + "organizations:organization_to_manage",
        "admin",
        lambda s: {"organization_id": s.organization},
        ids={"organization_id": "organization"},
    ),
    Row(
        S + "organizations:create_organization",
        "admin",
        lambda s: {"name": "Matrix Holdings"},
        effect=WRITE,
    ),
    Row(
        S + "organizations:rename_organization",
        "admin",
        lambda s: {"organization_id": s.organization, "name": "Renamed Holdings"},
        effect=WRITE,
        ids={"organization_id": "organization"},
    ),
    Row(
        S + "organizations:set_archived",
        "admin",
        lambda s: {"organization_id": s.organization, "archived": True},
        effect=WRITE,
        ids={"organization_id": "organization"},
    ),
    Row(
        S + "organizations:assign_staff",
        "admin",
        lambda s: {
            "organization_id": s.organization,
            "user_id": s.ctx.staff_ids["sam"],
            "assigned": True,
        },
        effect=WRITE,
        ids={"organization_id": "organization"},
    ),
    Row(S + "organizations:staff_choices", "admin", lambda s: {}),
    # --- mail --------------------------------------------------------------------------
    Row(S + "mail:list_outbox", "admin", lambda s: {"limit": 50}),
    # --- files -------------------------------------------------------------------------
    Row(
        S + "files:save_upload",
        "uploader",
        lambda s: {
            "page_id": _r(s).id,
            "widget_id": _r(s).widget("form"),
            "filename": "matrix.pdf",
            "chunks": [s.ctx.pdf],
            "declared_type": "application/pdf",
        },
        effect=WRITE,
        ids={"page_id": "room", "widget_id": "room"},
        channels=(RETURN, NOTIFY, STORAGE),
    ),
    Row(
        S + "files:list_files",
        "page_viewer",
        lambda s: {"page_id": _r(s).id, "widget_id": _r(s).widget("attachments")},
        ids={"page_id": "room", "widget_id": "room"},
    ),
    Row(
        S + "files:open_for_download",
        "page_viewer",
        lambda s: {"file_id": s.file},
        ids={"file_id": "file"},
        channels=(RETURN, DOWNLOAD),
    ),
    Row(
        S + "files:open_for_download",
        "private_file_reader",
        lambda s: {"file_id": s.form_file},
        ids={"file_id": "form_file"},
        channels=(RETURN, DOWNLOAD),
        variant="form_file",
    ),
    Row(
        S + "files:get_file",
        "page_viewer",
        lambda s: {"file_id": s.file},
        ids={"file_id": "file"},
    ),
    Row(
        S + "files:get_file",
        "private_file_reader",
        lambda s: {"file_id": s.form_file},
        ids={"file_id": "form_file"},
        variant="form_file",
    ),
    Row(
        S + "files:delete_file",
        "file_owner_or_moderator",
        lambda s: {"file_id": s.form_file},
        effect=WRITE,
        ids={"file_id": "form_file"},
        channels=(STORAGE,),
    ),
    Row(
        S + "files:file_owned_by",
        "own_upload",
        lambda s: {
            "page_id": _r(s).id,
            "widget_id": _r(s).widget("form"),
            "file_id": s.form_file,
        },
        ids={"file_id": "form_file"},
    ),
    Row(
        S + "files:plan_widget_upload",
        "uploader",
        lambda s: {
            "page_id": _r(s).id,
            "widget_id": _r(s).widget("form"),
            "filename": "matrix.pdf",
        },
        ids={"page_id": "room", "widget_id": "room"},
    ),
    # A stored blob handed to a widget; attachments take staff uploads only (a client's
    # form upload through the same function is tests/unit/test_transfers.py's).
    Row(
        S + "files:accept_widget_upload",
        "staff",
        lambda s: {
            "page_id": _r(s).id,
            "widget_id": _r(s).widget("attachments"),
            "filename": "matrix.pdf",
            "blob": _blob(s),
            "content_type": "application/pdf",
            "scan_status": "unscanned",
            "scan_detail": "",
        },
        effect=WRITE,
        ids={"page_id": "room", "widget_id": "room"},
        channels=(RETURN, NOTIFY, STORAGE),
        # What the transfer service found, not what a person sends.
        not_fuzzed=("content_type", "scan_status", "scan_detail"),
    ),
    # --- uploads and resumable transfers (services/uploads.py, services/transfers.py) ----
    Row(
        S + "uploads:plan",
        "uploader",
        lambda s: {
            "destination": {"kind": "widget", "page": _r(s).id, "widget": _r(s).widget("form")},
            "name": "matrix.pdf",
            "size": len(s.ctx.pdf),
        },
        needs=("room",),
    ),
    Row(
        S + "uploads:accept",
        "staff",
        lambda s: {
            "destination": {
                "kind": "widget",
                "page": _r(s).id,
                "widget": _r(s).widget("attachments"),
            },
            "name": "matrix.pdf",
            "blob": _blob(s),
            "content_type": "application/pdf",
            "scan_status": "unscanned",
            "scan_detail": "",
        },
        effect=WRITE,
        needs=("room",),
        channels=(RETURN, NOTIFY, STORAGE),
        not_fuzzed=("content_type", "scan_status", "scan_detail"),
    ),
    Row(
        S + "transfers:create_upload",
        "staff",
        lambda s: {
            "destination": {
                "kind": "widget",
                "page": _r(s).id,
                "widget": _r(s).widget("attachments"),
            },
            "name": "matrix.pdf",
            "size": len(s.ctx.pdf),
        },
        effect=WRITE,
        needs=("room",),
        channels=(RETURN, STORAGE),
    ),
    # An upload id is held only by the person who started it; no one here holds one (an
    # upload of another person answers 404: tests/unit/test_transfers.py).
    Row(
        S + "transfers:upload_status",
        "nobody",
        lambda s: {"upload_id": NEVER_UPLOAD},
    ),
    Row(
        S + "transfers:append",
        "nobody",
        lambda s: {"upload_id": NEVER_UPLOAD, "offset": 0, "chunks": [s.ctx.pdf]},
        effect=WRITE,
        channels=(RETURN, STORAGE),
    ),
    Row(
        S + "transfers:cancel",
        "nobody",
        lambda s: {"upload_id": NEVER_UPLOAD},
        effect=WRITE,
    ),
    # --- per-person widget data and widget targets ---------------------------------------
    Row(
        S + "widget_entries:own_entry",
        "page_viewer",
        lambda s: {
            "page_id": _r(s).id,
            "widget_id": _r(s).widget("checklist"),
            "type_name": "checklist",
        },
        ids={"page_id": "room", "widget_id": "room"},
    ),
    Row(
        S + "widget_entries:save_own_entry",
        "page_contributor",
        lambda s: {
            "page_id": _r(s).id,
            "widget_id": _r(s).widget("checklist"),
            "type_name": "checklist",
            "data": ["x"],
        },
        effect=WRITE,
        ids={"page_id": "room", "widget_id": "room"},
    ),
    Row(
        S + "widget_targets:widget_target",
        "page_viewer",
        lambda s: {"page_id": _r(s).id, "widget_id": _r(s).widget("discussion")},
        ids={"page_id": "room", "widget_id": "room"},
    ),
    # --- discussion widget ---------------------------------------------------------------
    Row(
        W + "discussion.actions:list_comments",
        "page_viewer",
        lambda s: {"page_id": _r(s).id, "widget_id": _r(s).widget("discussion")},
        ids={"page_id": "room", "widget_id": "room"},
    ),
    Row(
        W + "discussion.actions:post_comment",
        "page_contributor",
        lambda s: {
            "page_id": _r(s).id,
            "widget_id": _r(s).widget("discussion"),
            "body": "A matrix note",
            "parent_id": 0,
        },
        effect=WRITE,
        ids={"page_id": "room", "widget_id": "room"},
        channels=(RETURN, MAIL, NOTIFY),
    ),
    Row(
        W + "discussion.actions:post_comment",
        "page_contributor",
        lambda s: {
            "page_id": _r(s).id,
            "widget_id": _r(s).widget("discussion"),
            "body": "A matrix reply",
            "parent_id": s.comment,
        },
        effect=WRITE,
        ids={"page_id": "room", "widget_id": "room", "parent_id": "comment"},
        channels=(RETURN, MAIL, NOTIFY),
        variant="reply",
    ),
    Row(
        W + "discussion.actions:edit_comment",
        "comment_author",
        lambda s: {"comment_id": s.comment, "body": "Edited by the matrix"},
        effect=WRITE,
        ids={"comment_id": "comment"},
    ),
    Row(
        W + "discussion.actions:show_to_page",
        "staff",
        lambda s: {"comment_id": s.guest_comment, "shown": True},
        effect=WRITE,
        ids={"comment_id": "guest_comment"},
    ),
    Row(
        W + "discussion.actions:delete_comment",
        "owner_or_moderator",
        lambda s: {"comment_id": s.comment},
        effect=WRITE,
        ids={"comment_id": "comment"},
    ),
    # --- form widget ---------------------------------------------------------------------
    Row(
        W + "form.actions:submit_form",
        "page_contributor",
        lambda s: {
            "page_id": _r(s).id,
            "widget_id": _r(s).widget("form"),
            "values": {"note": "A matrix answer"},
        },
        effect=WRITE,
        ids={"page_id": "room", "widget_id": "room"},
        channels=(RETURN, NOTIFY),
    ),
    Row(
        W + "form.actions:list_submissions",
        "page_viewer",
        lambda s: {
            "page_id": _r(s).id,
            "widget_id": _r(s).widget("form"),
            "status": "",
            "search": "",
        },
        ids={"page_id": "room", "widget_id": "room"},
    ),
    Row(
        W + "form.actions:set_submission_status",
        "submission_reviewer",
        lambda s: {"submission_id": s.submission, "status": s.statuses[-1]},
        effect=WRITE,
        ids={"submission_id": "submission"},
    ),
    Row(
        W + "form.actions:export_csv",
        "submission_reviewer",
        lambda s: {"page_id": _r(s).id, "widget_id": _r(s).widget("form")},
        ids={"page_id": "room", "widget_id": "room"},
        channels=(CSV,),
    ),
    # --- sharing (services/sharing.py) ------------------------------------------------
    Row(S + "sharing:get_policy", "staff", lambda s: {}),
    Row(
        S + "sharing:set_policy",
        "admin",
        lambda s: {
            "default_expiry_days": 14,
            "max_expiry_days": 90,
            "web_password_required": False,
        },
        effect=WRITE,
    ),
    Row(
        S + "sharing:create_link",
        "page_editor",
        lambda s: {"kind": "web", "item_type": "page", "item_id": _r(s).id},
        effect=WRITE,
        ids={"item_id": "room"},
    ),
    Row(
        S + "sharing:create_link",
        "page_editor",
        lambda s: {"kind": "secured", "item_type": "file", "item_id": s.file},
        effect=WRITE,
        ids={"item_id": "file"},
        variant="file",
    ),
    Row(
        S + "sharing:invite_guests",
        "page_editor",
        lambda s: {"page_id": _r(s).id, "guests": "Matrix Guest <matrix.guest@outside.example>"},
        effect=WRITE,
        ids={"page_id": "room"},
        channels=(RETURN, MAIL),
    ),
    Row(S + "sharing:list_shares", "staff", lambda s: {"filters": {"query": ""}}),
    Row(
        S + "sharing:shares_of_page",
        "page_editor",
        lambda s: {"page_id": _r(s).id},
        ids={"page_id": "room"},
    ),
    Row(
        S + "sharing:set_status",
        "page_editor",
        lambda s: {"share_ids": [s.share], "status": "deactivated"},
        effect=WRITE,
        ids={"share_ids": "share"},
    ),
    Row(
        S + "sharing:set_expiry",
        "page_editor",
        lambda s: {"share_ids": [s.share], "expires_at": ""},
        effect=WRITE,
        ids={"share_ids": "share"},
    ),
    Row(
        S + "sharing:regenerate_link",
        "page_editor",
        lambda s: {"share_id": s.share},
        effect=WRITE,
        ids={"share_id": "share"},
        channels=(RETURN, MAIL),
    ),
    Row(
        S + "sharing:access_log",
        "page_editor",
        lambda s: {"share_id": s.share},
        ids={"share_id": "share"},
    ),
    Row(S + "sharing:export_csv", "staff", lambda s: {"filters": {}}, channels=(CSV,)),
    Row(S + "sharing:filter_choices", "staff", lambda s: {}),
    # Writes only for a guest's own session (no one in this matrix is a guest): a no-op.
    Row(
        S + "sharing:record_guest_download",
        "signed_in",
        lambda s: {"file_name": "x.pdf", "ip": "203.0.113.9", "user_agent": "matrix"},
        not_fuzzed=("file_name", "ip", "user_agent"),
    ),
    Row(
        S + "files:readable_file",
        "page_viewer",
        lambda s: {"file_id": s.file},
        ids={"file_id": "file"},
    ),
    Row(
        S + "sharing:create_link",
        "staff",
        lambda s: {"kind": "web", "item_type": "document", "item_id": s.document},
        effect=WRITE,
        ids={"item_id": "document"},
        variant="document",
    ),
    Row(
        S + "sharing:create_link",
        "staff",
        lambda s: {"kind": "web", "item_type": "dropsite", "item_id": s.organization},
        effect=WRITE,
        ids={"item_id": "organization"},
        variant="dropsite",
    ),
    # --- issues (services/issues.py) -----------------------------------------------------
    Row(S + "issues:issue_options", "signed_in", lambda s: {}),
    Row(
        S + "issues:report_issue",
        "signed_in",
        lambda s: {
            "title": "A matrix issue",
            "description_html": "<p>Reported by the matrix</p>",
            "organization_id": s.organization,
        },
        effect=WRITE,
        ids={"organization_id": "organization"},
        channels=(RETURN, MAIL),
    ),
    Row(S + "issues:list_issues", "signed_in", lambda s: {"filters": {"sort": "-updated"}}),
    Row(
        S + "issues:issue_detail",
        "issue_reader",
        lambda s: {"issue_id": s.issue},
        ids={"issue_id": "issue"},
    ),
    Row(
        S + "issues:reply",
        "issue_reader",
        lambda s: {"issue_id": s.issue, "body_html": "<p>A matrix reply</p>"},
        effect=WRITE,
        ids={"issue_id": "issue"},
        channels=(RETURN, MAIL),
    ),
    Row(
        S + "issues:add_internal_note",
        "staff",
        lambda s: {"issue_id": s.issue, "body_html": "<p>A matrix note</p>"},
        effect=WRITE,
        ids={"issue_id": "issue"},
    ),
    Row(
        S + "issues:set_status",
        "staff",
        lambda s: {"issue_id": s.issue, "status": "resolved"},
        effect=WRITE,
        ids={"issue_id": "issue"},
        channels=(RETURN, MAIL),
    ),
    Row(
        S + "issues:bulk_set_status",
        "staff",
        lambda s: {"issue_ids": [s.issue], "status": "resolved"},
        effect=WRITE,
        ids={"issue_ids": "issue"},
        channels=(RETURN, MAIL),
    ),
    Row(
        S + "issues:assign",
        "staff",
        lambda s: {"issue_id": s.issue, "assignee_id": s.ctx.staff_ids["admin"]},
        effect=WRITE,
        ids={"issue_id": "issue"},
        channels=(RETURN, MAIL),
    ),
    Row(
        S + "issues:bulk_assign",
        "staff",
        lambda s: {"issue_ids": [s.issue], "assignee_id": s.ctx.staff_ids["admin"]},
        effect=WRITE,
        ids={"issue_ids": "issue"},
        channels=(RETURN, MAIL),
    ),
    Row(
        S + "issues:set_fields",
        "staff",
        lambda s: {"issue_id": s.issue, "values": {}},
        effect=WRITE,
        ids={"issue_id": "issue"},
    ),
    Row(
        S + "issues:close_own",
        "issue_reporter",
        lambda s: {"issue_id": s.issue},
        effect=WRITE,
        ids={"issue_id": "issue"},
        channels=(RETURN, MAIL),
    ),
    Row(
        S + "issues:reopen",
        "issue_reporter",
        lambda s: {"issue_id": s.issue},
        effect=WRITE,
        ids={"issue_id": "issue"},
        channels=(RETURN, MAIL),
    ),
    Row(S + "issues:list_saved_views", "staff", lambda s: {}),
    Row(
        S + "issues:save_view",
        "staff",
        lambda s: {"name": "A matrix view", "filters": {"open": True}},
        effect=WRITE,
    ),
    Row(
        S + "issues:update_view",
        "view_owner",
        lambda s: {"view_id": s.saved_view, "name": "Renamed by the matrix", "filters": {}},
        effect=WRITE,
        ids={"view_id": "saved_view"},
    ),
    Row(
        S + "issues:delete_saved_view",
        "view_owner",
        lambda s: {"view_id": s.saved_view},
        effect=WRITE,
        ids={"view_id": "saved_view"},
    ),
    Row(
        S + "issues:save_option",
        "admin",
        lambda s: {"kind": "category", "values": {"name": "Matrix category"}},
        effect=WRITE,
    ),
    Row(
        S + "issues:delete_option",
        "admin",
        lambda s: {"kind": "category", "option_id": s.spare_category},
        effect=WRITE,
    ),
    Row(
        S + "issues:issue_settings",
        "signed_in",
        lambda s: {"organization_id": s.organization},
        ids={"organization_id": "organization"},
    ),
    Row(
        S + "issues:set_issue_settings",
        "admin",
        lambda s: {"organization_id": s.organization, "clients_see_all": True, "reopen_days": 7},
        effect=WRITE,
        ids={"organization_id": "organization"},
    ),
    Row(S + "issues:dashboard", "staff", lambda s: {}),
    Row(
        S + "issues:plan_attachment",
        "issue_reader",
        lambda s: {
            "destination": {"kind": "issue", "issue": s.issue},
            "name": "matrix.pdf",
            "size": len(s.ctx.pdf),
        },
        ids={"destination": "issue"},
        not_fuzzed=("name",),
    ),
    Row(
        S + "issues:accept_attachment",
        "issue_reader",
        lambda s: {
            "destination": {"kind": "issue", "issue": s.issue},
            "name": "matrix.pdf",
            "blob": _blob(s),
            "content_type": "application/pdf",
        },
        effect=WRITE,
        ids={"destination": "issue"},
        channels=(RETURN, STORAGE),
        # What the transfer service hands over, not what a person sends.
        not_fuzzed=("name", "blob", "content_type"),
    ),
    # --- documents and dropsites (services/documents.py) -------------------------------
    Row(S + "documents:organizations", "signed_in", lambda s: {}),
    Row(
        S + "documents:open_space",
        "document_reader",
        lambda s: {"folder_id": s.folder},
        ids={"folder_id": "folder"},
    ),
    Row(
        S + "documents:open_space",
        "document_reader",
        lambda s: {"organization_id": s.organization},
        ids={"organization_id": "organization"},
        variant="organization",
    ),
    Row(
        S + "documents:open_space",
        "staff",
        lambda s: {"folder_id": s.internal_folder},
        ids={"folder_id": "internal_folder"},
        variant="internal",
        # No folder is a client's own shared area (the first row fuzzes folder_id).
        not_fuzzed=("folder_id",),
    ),
    Row(
        S + "documents:create_folder",
        "staff",
        lambda s: {"parent_id": s.folder, "name": "Matrix folder"},
        effect=WRITE,
        ids={"parent_id": "folder"},
    ),
    Row(
        S + "documents:rename_folder",
        "staff",
        lambda s: {"folder_id": s.folder, "name": "Renamed by the matrix"},
        effect=WRITE,
        ids={"folder_id": "folder"},
    ),
    Row(
        S + "documents:delete_folder",
        "staff",
        lambda s: {"folder_id": s.folder},
        effect=WRITE,
        ids={"folder_id": "folder"},
    ),
    Row(
        S + "documents:rename_document",
        "staff",
        lambda s: {"document_id": s.document, "name": "renamed-by-matrix.pdf"},
        effect=WRITE,
        ids={"document_id": "document"},
    ),
    Row(
        S + "documents:move_choices",
        "staff",
        lambda s: {"document_id": s.document},
        ids={"document_id": "document"},
    ),
    Row(
        S + "documents:move_document",
        "staff",
        lambda s: {"document_id": s.document, "folder_id": s.library_folder},
        effect=WRITE,
        ids={"document_id": "document", "folder_id": "library_folder"},
    ),
    Row(
        S + "documents:folder_move_choices",
        "staff",
        lambda s: {"folder_id": s.folder},
        ids={"folder_id": "folder"},
    ),
    Row(
        S + "documents:move_folder",
        "staff",
        lambda s: {"folder_id": s.folder, "target_id": s.internal_folder},
        effect=WRITE,
        ids={"folder_id": "folder", "target_id": "internal_folder"},
    ),
    Row(
        S + "documents:delete_document",
        "staff",
        lambda s: {"document_id": s.document},
        effect=WRITE,
        ids={"document_id": "document"},
    ),
    Row(
        S + "documents:list_versions",
        "staff",
        lambda s: {"document_id": s.document},
        ids={"document_id": "document"},
    ),
    Row(
        S + "documents:restore_version",
        "staff",
        lambda s: {"document_id": s.document, "file_id": s.old_version},
        effect=WRITE,
        ids={"document_id": "document", "file_id": "old_version"},
        channels=(RETURN, STORAGE),
    ),
    Row(S + "documents:list_trash", "admin", lambda s: {}),
    Row(
        S + "documents:restore_from_trash",
        "admin",
        lambda s: {"kind": "document", "item_id": s.trashed},
        effect=WRITE,
        ids={"item_id": "trashed"},
    ),
    Row(
        S + "documents:library_view",
        "page_viewer",
        lambda s: {
            "page_id": _r(s).id,
            "widget_id": _r(s).widget("library"),
            "organization_id": s.organization,
            "folder_id": s.library_folder,
        },
        ids={
            "page_id": "room",
            "widget_id": "room",
            "organization_id": "organization",
            "folder_id": "library_folder",
        },
    ),
    Row(
        S + "documents:dropsite_info",
        "dropsite_sender",
        lambda s: {"page_id": _r(s).id, "widget_id": _r(s).widget("dropsite")},
        ids={"page_id": "room", "widget_id": "room"},
    ),
    Row(
        S + "documents:start_batch",
        "dropsite_sender",
        lambda s: {
            "page_id": _r(s).id,
            "widget_id": _r(s).widget("dropsite"),
            "message": "A matrix sending",
        },
        effect=WRITE,
        ids={"page_id": "room", "widget_id": "room"},
    ),
    Row(
        S + "documents:finish_batch",
        "batch_sender",
        lambda s: {"batch_id": s.batch},
        effect=WRITE,
        ids={"batch_id": "batch"},
        channels=(RETURN, MAIL),
    ),
    Row(
        S + "documents:plan_upload",
        "staff",
        lambda s: {
            "destination": {"kind": "folder", "folder": s.folder},
            "name": "matrix.pdf",
            "size": len(s.ctx.pdf),
        },
        needs=("folder",),
        not_fuzzed=("name",),
    ),
    Row(
        S + "documents:plan_upload",
        "batch_sender",
        lambda s: {
            "destination": {"kind": "dropsite", "batch": s.batch},
            "name": "matrix.pdf",
            "size": len(s.ctx.pdf),
        },
        needs=("batch",),
        not_fuzzed=("name",),
        variant="dropsite",
    ),
    Row(
        S + "documents:accept_upload",
        "staff",
        lambda s: {
            "destination": {"kind": "folder", "folder": s.folder},
            "name": "matrix.pdf",
            "blob": _blob(s),
            "content_type": "application/pdf",
        },
        effect=WRITE,
        needs=("folder",),
        channels=(RETURN, STORAGE),
        # What the transfer service hands over, not what a person sends.
        not_fuzzed=("name", "blob", "content_type"),
    ),
    Row(
        S + "documents:accept_upload",
        "batch_sender",
        lambda s: {
            "destination": {"kind": "dropsite", "batch": s.batch},
            "name": "matrix.pdf",
            "blob": _blob(s),
            "content_type": "application/pdf",
        },
        effect=WRITE,
        needs=("batch",),
        channels=(RETURN, STORAGE),
        not_fuzzed=("name", "blob", "content_type"),
        variant="dropsite",
    ),
    Row(
        S + "files:open_for_download",
        "document_reader",
        lambda s: {"file_id": s.document_file},
        ids={"file_id": "document_file"},
        channels=(RETURN, DOWNLOAD),
        variant="document",
    ),
    Row(
        S + "files:open_for_download",
        "staff",
        lambda s: {"file_id": s.old_version},
        ids={"file_id": "old_version"},
        channels=(RETURN, DOWNLOAD),
        variant="old_version",
    ),
    Row(
        S + "files:open_for_download",
        "staff",
        lambda s: {"file_id": s.internal_file},
        ids={"file_id": "internal_file"},
        channels=(RETURN, DOWNLOAD),
        variant="internal_document",
    ),
    # --- the checklist plugin (examples/checklist-widget) ----------------------------------
    Row(
        "portal_checklist.actions:my_ticks",
        "page_viewer",
        lambda s: {"page_id": _r(s).id, "widget_id": _r(s).widget("checklist")},
        ids={"page_id": "room", "widget_id": "room"},
    ),
    Row(
        "portal_checklist.actions:set_tick",
        "page_contributor",
        lambda s: {
            "page_id": _r(s).id,
            "widget_id": _r(s).widget("checklist"),
            "item": s.checklist_items[0],
            "ticked": True,
        },
        effect=WRITE,
        ids={"page_id": "room", "widget_id": "room"},
    ),
]


def rows_by_function() -> dict[str, list[Row]]:
    found: dict[str, list[Row]] = {}
    for row in ROWS:
        found.setdefault(row.function, []).append(row)
    return found


def built_room(page: BuiltPage, revision: int, title: str) -> Room:
    return Room(
        id=page.id, slug=page.slug, revision=revision, widgets=dict(page.widgets), title=title
    )


ROOM_TITLES = {
    "northwind_room": "Northwind Quarterly Ledger",
    "globex_room": "Globex Merger Dossier",
    "staff_restricted": "Partner Compensation Memo",
}
CLIENTS_OF = {"northwind": ("ana", "thomas"), "globex": ("hank", "mindy")}


def build_sides(tw: Any, ctx: Any, **extra: Any) -> dict[str, Side]:
    """Each organization's side of a tenant world (``build_tenant_world()``), and
    "restricted": the staff page hidden from sam. ``extra`` goes into both
    organizations' sides (statuses, checklist items)."""
    from tests.support.pages import revision

    admin = tw.actors["admin"]
    sides = {}
    for org, room_key in (("northwind", "northwind_room"), ("globex", "globex_room")):
        page = tw.pages[room_key]
        author = CLIENTS_OF[org][0]
        sides[org] = Side(
            org=org,
            room=built_room(page, revision(admin, page.id), ROOM_TITLES[room_key]),
            comment=tw.comments[org],
            comment_author=author,
            submission=tw.submissions[org],
            file=tw.files[org],
            form_file=tw.files[f"{org}_form"],
            form_file_uploader=author,
            organization=tw.organization_ids[org],
            person=tw.actors[author].user_id,
            share=tw.shares[org],
            # The tenant world's guest is invited to Northwind's room only.
            guest_comment=tw.comments["guest"] if org == "northwind" else None,
            document=tw.documents[org],
            document_file=tw.files[f"{org}_document"],
            old_version=tw.files[f"{org}_old_version"],
            internal_file=tw.files[f"{org}_internal"],
            trashed=tw.documents[f"{org}_trashed"],
            folder=tw.folders[org],
            internal_folder=tw.folders[f"{org}_internal"],
            library_folder=tw.folders[f"{org}_library"],
            batch=tw.batches[org],
            batch_sender=author,
            issue=tw.issues[org],
            issue_reporter=author,
            saved_view=tw.issues[f"{org}_view"],
            view_owner={"northwind": "dana", "globex": "sam"}[org],
            spare_category=tw.issues["spare_category"],
            ctx=ctx,
            **extra,
        )
    restricted = tw.pages["staff_restricted"]
    sides["restricted"] = Side(
        org="restricted",
        room=built_room(
            restricted, revision(admin, restricted.id), ROOM_TITLES["staff_restricted"]
        ),
        share=tw.shares["restricted"],
        ctx=ctx,
    )
    return sides


def own_side(tw: Any, sides: dict[str, Side], who: str) -> Side:
    """The side whose objects ``who`` uses as their own: a client's organization
    (``person`` is a colleague), dana's Northwind, sam's Globex, the admin's Northwind."""
    org = tw.organization_of(who) or {"sam": "globex"}.get(who, "northwind")
    side = sides[org]
    if who in CLIENTS:
        colleague = next(c for c in CLIENTS_OF[org] if c != who)
        side = replace(side, person=tw.actors[colleague].user_id)
    return side


def foreign_side(tw: Any, sides: dict[str, Side], who: str) -> Side | None:
    """What is hidden from ``who``: a client's other organization; for sam the
    restricted staff page; nothing for the admin or dana, who see everything."""
    org = tw.organization_of(who)
    if org is not None:
        return sides["globex" if org == "northwind" else "northwind"]
    if who == "sam":
        return sides["restricted"]
    return None
