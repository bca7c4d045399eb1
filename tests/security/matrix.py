"""The access matrix of every Reflex event handler: who may call it, which of its
arguments are object ids (and of what kind), and how the allowed path is proven.

One row per public event handler of the running app, widget plugins included, and of
Reflex's own internal states. ``tests/security/test_matrix_covers_every_handler.py``
fails when a handler has no row (or a row names a handler that is gone), and
``tests/e2e/test_handler_matrix.py`` sends every row's event over a real socket as
every person of ``tests/support/tenant_world.py`` (and nobody): outsiders with real
ids, insiders with the other organization's ids, everyone with malformed arguments.

A row:
- ``state``: the full Reflex state name (``State.get_full_name()``), ``name`` the
  handler: together, the event name the browser sends.
- ``audience``: who may call it (``AUDIENCES`` below; it mirrors portal_app/access).
- ``args``: a well-formed payload. ``Id`` markers (``PAGE``, ``COMMENT``, ...) are the
  object ids: the matrix fills them with real, foreign, never-existing or malformed
  values. ``ids`` lists them as ``{"argument.path": kind}``.
- ``path``: the page the event is sent from; ``{kind}`` is filled like an id (the
  editor reads its page id from the path, the page view its slug).
- ``before``: events sent first, on the same path, to put the tab where the browser
  would be (the editor loaded, a person's dialog opened).
- ``covered_by``: the functional test proving the allowed path
  (``tests/e2e/test_x.py::test_y``). Without it the matrix proves the allowed path
  itself, so the row must be ``changes=False``: an allowed call changes nothing in
  the database, the stored files or the mail.

Adding a handler: add its row here, next to its state's others (the discovery test
names the missing ones).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

# --------------------------------------------------------------------------- audiences
ANYONE = "anyone"  # anybody, signed in or not: it touches only the tab's own screen
SIGNED_IN = "signed_in"  # any signed-in person
OWN_ACCOUNT = "own_account"  # the signed-in person, on their own account only
STAFF = "staff"  # administrators and staff
ADMIN = "admin"  # administrators
PAGE_VIEWER = "page_viewer"  # who may see the page (access.visible_pages_filter)
PAGE_CONTRIBUTOR = "page_contributor"  # who may add to it (staff, contribute grants)
PAGE_EDITOR = "page_editor"  # staff who may see the page (they edit its draft)
PAGE_STAFF = "page_staff"  # staff who may see the page (review submissions)
CONTENT_OWNER = "content_owner"  # who added it, or staff (access.owner_or_moderator)
OWN_CONTENT = "own_content"  # only who added it (editing a comment)
NOBODY = "nobody"  # refused for everyone (Reflex's setvar: the portal never uses it)
AUDIENCES = (
    ANYONE,
    SIGNED_IN,
    OWN_ACCOUNT,
    STAFF,
    ADMIN,
    PAGE_VIEWER,
    PAGE_CONTRIBUTOR,
    PAGE_EDITOR,
    PAGE_STAFF,
    CONTENT_OWNER,
    OWN_CONTENT,
    NOBODY,
)


# --------------------------------------------------------------------------- id kinds
@dataclass(frozen=True)
class Id:
    """An object id in a payload: ``kind`` ("page", "widget", ...), ``of`` the widget
    type for widget ids."""

    kind: str
    of: str = ""

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.of}" if self.of else self.kind


PAGE = Id("page")
PAGE_SLUG = Id("page_slug")
SECTION = Id("section")
COLUMN = Id("column")
VERSION = Id("version")
DISCUSSION_WIDGET = Id("widget", "discussion")
FORM_WIDGET = Id("widget", "form")
ATTACHMENTS_WIDGET = Id("widget", "attachments")
CHECKLIST_WIDGET = Id("widget", "checklist")
RICH_TEXT_WIDGET = Id("widget", "rich_text")
DROPSITE_WIDGET = Id("widget", "dropsite")
LIBRARY_WIDGET = Id("widget", "library")
COMMENT = Id("comment")
SUBMISSION = Id("submission")
FILE = Id("file")
PERSON = Id("person")
STAFF_PERSON = Id("staff_person")
ORGANIZATION = Id("organization")
INVITATION = Id("invitation")
INVITATION_TOKEN = Id("invitation_token")
RESET_TOKEN = Id("reset_token")
SHARE = Id("share")
ID_KINDS = (
    PAGE,
    PAGE_SLUG,
    SECTION,
    COLUMN,
    VERSION,
    DISCUSSION_WIDGET,
    FORM_WIDGET,
    ATTACHMENTS_WIDGET,
    CHECKLIST_WIDGET,
    RICH_TEXT_WIDGET,
    DROPSITE_WIDGET,
    LIBRARY_WIDGET,
    COMMENT,
    SUBMISSION,
    FILE,
    PERSON,
    STAFF_PERSON,
    ORGANIZATION,
    INVITATION,
    INVITATION_TOKEN,
    RESET_TOKEN,
    SHARE,
)
PATH_KINDS = {kind.key: kind for kind in ID_KINDS}


def id_paths(value: Any, prefix: str = "") -> Iterator[tuple[str, Id]]:
    """Every ``Id`` marker in a payload, with its dotted path ("form.widget")."""
    if isinstance(value, Id):
        yield prefix, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from id_paths(item, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from id_paths(item, f"{prefix}.{index}" if prefix else str(index))


# --------------------------------------------------------------------------- rows
@dataclass(frozen=True)
class Handler:
    state: str
    name: str
    audience: str
    args: Mapping[str, Any] = field(default_factory=dict)
    path: str = "/"
    before: tuple[tuple[str, Mapping[str, Any]], ...] = ()
    covered_by: str = ""
    changes: bool = False
    note: str = ""

    @property
    def event(self) -> str:
        return f"{self.state}.{self.name}"

    @property
    def ids(self) -> dict[str, str]:
        """Which arguments are object ids, and of what kind."""
        return {path: marker.key for path, marker in id_paths(self.args)}

    @property
    def path_ids(self) -> list[str]:
        return [key for key in PATH_KINDS if "{" + key + "}" in self.path]


ROOT = "reflex___state____state"
SESSION = f"{ROOT}.portal_app___state___session____session_state"
PAGE_WIDGETS = f"{SESSION}.portal_app___components___widget_ui____page_widgets_state"
ACCOUNT = f"{SESSION}.portal_app___state___account____account_state"
AUTH = f"{SESSION}.portal_app___state___auth____auth_form_state"
EDITOR = f"{SESSION}.portal_app___state___editor____editor_state"
PAGE_SHARING = f"{SESSION}.portal_app___state___page_sharing____page_sharing_state"
CLIENTS = f"{SESSION}.portal_app___state___organizations____clients_state"
OUTBOX = f"{SESSION}.portal_app___state___outbox____outbox_state"
NEW_PAGE = f"{SESSION}.portal_app___state___page_admin____new_page_state"
PAGE_VIEW = f"{SESSION}.portal_app___state___page_view____page_view_state"
DIRECTORY = f"{SESSION}.portal_app___state___people____directory_state"
PEOPLE_ADMIN = f"{SESSION}.portal_app___state___people____people_admin_state"
SEARCH = f"{SESSION}.portal_app___state___search____search_state"
SHARED_LIST = f"{SESSION}.portal_app___state___sharing_list____shared_list_state"
FILES = f"{SESSION}.portal_app___widgets___attachments___state____files_state"
DISCUSSION = f"{SESSION}.portal_app___widgets___discussion___state____discussion_state"
FORM = f"{SESSION}.portal_app___widgets___form___state____form_state"
CHECKLIST = f"{SESSION}.portal_checklist___state____checklist_state"
DROPSITE = f"{SESSION}.portal_app___widgets___dropsite___state____dropsite_state"
DROPSITE_PAGE = f"{SESSION}.portal_app___state___dropsite____dropsite_page_state"
LIBRARY = f"{SESSION}.portal_app___widgets___library___state____library_state"
DOCUMENTS = f"{SESSION}.portal_app___state___documents____documents_state"
SHARED_INTERNAL = f"{ROOT}.reflex___istate___shared____shared_state_base_internal"
FRONTEND_EXCEPTION = f"{ROOT}.reflex___state____frontend_event_exception_state"
ON_LOAD_INTERNAL = f"{ROOT}.reflex___state____on_load_internal_state"
UPDATE_VARS_INTERNAL = f"{ROOT}.reflex___state____update_vars_internal_state"

# Functional tests proving allowed paths (kept as names so a rename fails the
# discovery test, not silently).
E2E_EDITOR = "tests/e2e/test_editor.py::test_staff_drags_widgets_publishes_and_only_the_granted_client_sees_it"  # noqa: E501
E2E_EDITOR_HISTORY = "tests/e2e/test_editor.py::test_restore_brings_back_widgets_and_a_second_editor_is_told_to_reload"  # noqa: E501
E2E_EDITOR_IMAGES = "tests/e2e/test_editor.py::test_rich_text_images_come_from_the_pages_own_files"
E2E_GUEST_INVITE = "tests/e2e/test_guest_invitation.py::test_staff_invites_a_guest_who_sees_only_the_page_and_comments_as_guest"  # noqa: E501
E2E_SECURED_LINK = "tests/e2e/test_guest_invitation.py::test_a_secured_link_sends_an_anonymous_visitor_to_sign_in_then_opens_the_page"  # noqa: E501
SECURITY_SHARE_STATUS = "tests/security/test_share_links.py::test_removed_deactivated_and_regenerated_links_are_no_longer_available"  # noqa: E501
E2E_ACCOUNT = (
    "tests/e2e/test_account_flows.py::test_change_name_and_password_then_sign_out_everywhere"
)
E2E_INVITE = "tests/e2e/test_foundation.py::test_admin_invites_client_who_joins_and_is_signed_out_when_deactivated"  # noqa: E501
E2E_NEW_PAGE = (
    "tests/e2e/test_navigation.py::test_a_new_page_shows_loading_until_its_own_state_arrives"
)
E2E_COMMENTS = "tests/e2e/test_widgets.py::test_client_comments_and_page_followers_are_told"
E2E_FORMS = "tests/e2e/test_widgets.py::test_client_submits_the_form_and_staff_reviews_it"
E2E_FILES = "tests/e2e/test_widgets.py::test_staff_uploads_an_attachment_and_a_client_downloads_it"
E2E_CHECKLIST = "tests/e2e/test_checklist_plugin.py::test_client_ticks_a_checklist_and_another_organization_cannot"  # noqa: E501
E2E_SHARED_LIST = "tests/e2e/test_shared_list.py::test_admin_filters_the_shared_list_and_a_deactivated_link_is_no_longer_available"  # noqa: E501
E2E_SHARED_LIST_ACTIONS = "tests/e2e/test_shared_list.py::test_expiry_new_link_access_log_remove_and_policy_from_the_shared_list"  # noqa: E501
UNIT_SECTIONS = "tests/unit/test_pages.py::test_a_page_holds_a_bounded_number_of_sections"
UNIT_MOVES = "tests/unit/test_pages.py::test_moving_reordering_duplicating_and_undoing_a_delete"
UNIT_SETTINGS = "tests/unit/test_pages.py::test_slugs_are_unique_and_never_reserved"
UNIT_ARCHIVE_PAGE = (
    "tests/unit/test_pages.py::test_unpublished_and_deleted_pages_stay_hidden_from_clients"
)
UNIT_HOME = "tests/unit/test_pages.py::test_home_page_and_organization_home"
UNIT_FOLLOW = "tests/unit/test_pages.py::test_people_subscribe_and_unsubscribe_themselves"
UNIT_ORGANIZATIONS = (
    "tests/unit/test_people_and_policy.py::test_admin_creates_renames_and_archives_organizations"
)
UNIT_ASSIGN = "tests/unit/test_people_and_policy.py::test_assigning_staff_makes_them_visible_to_that_organizations_clients"  # noqa: E501
UNIT_PEOPLE = (
    "tests/unit/test_people_and_policy.py::test_admin_moves_a_client_to_another_organization"
)
UNIT_RESEND = (
    "tests/unit/test_invitations.py::test_resending_sends_a_new_link_and_the_old_one_stops_working"
)
UNIT_REVOKE = "tests/unit/test_invitations.py::test_revoked_invitation_link_is_refused"
UNIT_RESET = "tests/unit/test_password_reset.py::test_admin_sends_a_reset_link_and_no_password_appears_anywhere"  # noqa: E501
UNIT_EDIT_COMMENT = "tests/unit/test_discussion.py::test_people_edit_only_their_own_comments"
UNIT_DELETE_COMMENT = (
    "tests/unit/test_discussion.py::test_deleting_is_own_only_except_for_staff_and_is_audited"
)
UNIT_DELETE_FILE = "tests/unit/test_files.py::test_uploader_or_staff_delete_and_the_bytes_go"
UNIT_SHOW_GUEST_COMMENT = (
    "tests/unit/test_sharing.py::test_staff_show_a_guests_comment_to_everyone_on_the_page"  # noqa: E501
)
E2E_DROPSITE = "tests/e2e/test_dropsite.py::test_a_client_drops_two_files_staff_find_them_and_another_client_sees_nothing"  # noqa: E501
E2E_DROPSITE_GUEST = "tests/e2e/test_dropsite.py::test_a_dropsite_link_guest_gives_name_and_email_sends_and_reaches_nothing_else"  # noqa: E501
E2E_DOCUMENTS = (
    "tests/e2e/test_documents.py::test_staff_upload_version_restore_and_only_that_client_sees_them"  # noqa: E501
)
E2E_DOCUMENT_LINK = (
    "tests/e2e/test_document_link.py::test_staff_share_a_document_with_a_password_web_link"  # noqa: E501
)

EDITOR_PATH = "/editor/{page}"
EDITOR_LOADED = ((f"{EDITOR}.load", {}),)
PAGE_PATH = "/pages/{page_slug}"
PAGE_LOADED = ((f"{PAGE_VIEW}.load", {}),)
ORGANIZATION_PATH = "/settings/clients/{organization}"
SHARING_PATH = "/settings/sharing"
SHARING_LOADED = ((f"{SHARED_LIST}.load", {}),)
SHARING_SELECTED = (
    *SHARING_LOADED,
    (f"{SHARED_LIST}.toggle_selected", {"share_id": SHARE, "chosen": True}),
)


def _widget_loaded(state: str, widget: Id) -> tuple[tuple[str, Mapping[str, Any]], ...]:
    return ((f"{state}.load_for_page", {"page_id": PAGE, "widget_ids": [widget]}),)


def _setvar(state: str, var_name: str, value: Any) -> Handler:
    return Handler(
        state,
        "setvar",
        NOBODY,
        {"var_name": var_name, "value": value},
        note="Reflex's generic setter; the portal never sends it, so it is refused",
    )


H = Handler
HANDLERS: tuple[Handler, ...] = (
    # --- Reflex's own --------------------------------------------------------------------
    H(ROOT, "hydrate", ANYONE, note="the tab's own state, built for its own session"),
    H(ROOT, "hydrate_and_load", ANYONE, {"vars": {}, "hashes": []}),
    H(ROOT, "set_is_hydrated", ANYONE, {"value": True}),
    _setvar(ROOT, "is_hydrated", True),
    H(ON_LOAD_INTERNAL, "on_load_internal", ANYONE, path=PAGE_PATH),
    H(ON_LOAD_INTERNAL, "set_is_hydrated", ANYONE, {"value": True}),
    _setvar(ON_LOAD_INTERNAL, "is_hydrated", True),
    H(UPDATE_VARS_INTERNAL, "update_vars_internal", ANYONE, {"vars": {}}),
    _setvar(UPDATE_VARS_INTERNAL, "is_hydrated", True),
    H(
        FRONTEND_EXCEPTION,
        "handle_frontend_exception",
        ANYONE,
        {"info": "TypeError: matrix", "component_stack": ""},
        note="a browser's error report: logged as a warning, never as a server error",
    ),
    _setvar(FRONTEND_EXCEPTION, "is_hydrated", True),
    _setvar(SHARED_INTERNAL, "is_hydrated", True),
    # --- the shell -----------------------------------------------------------------------
    H(SESSION, "open_page", ANYONE, note="nobody: the sign-in page; others: their nav"),
    H(SESSION, "go_search", ANYONE, {"form": {"q": "tariff"}}),
    H(SESSION, "sign_out", ANYONE, note="asks the browser to post /auth/logout"),
    H(SESSION, "sign_out_everywhere", ANYONE, note="asks the browser to post the route"),
    H(
        SESSION,
        "watch_tab",
        ANYONE,
        {"generation": 1},
        note="the tab's live watcher: a forged generation ends it at once; what it "
        "triggers reloads through the services as the tab's person",
    ),
    H(SESSION, "session_ended", ANYONE, note="sends to sign in only once the session ended"),
    _setvar(SESSION, "me_role", "admin"),
    H(PAGE_WIDGETS, "load_for_viewed_page", PAGE_VIEWER, path=PAGE_PATH, before=PAGE_LOADED),
    _setvar(PAGE_WIDGETS, "page_status", "ready"),
    # --- account and sign-in -------------------------------------------------------------
    H(ACCOUNT, "load", SIGNED_IN, path="/account"),
    H(
        ACCOUNT,
        "save_name",
        OWN_ACCOUNT,
        {"form": {"name": "Matrix Renamed"}},
        path="/account",
        covered_by=E2E_ACCOUNT,
        changes=True,
    ),
    H(
        ACCOUNT,
        "change_password",
        OWN_ACCOUNT,
        {"form": {"current_password": "not it at all", "new_password": "x"}},
        path="/account",
        covered_by=E2E_ACCOUNT,
        changes=True,
    ),
    _setvar(ACCOUNT, "name_error", ""),
    H(AUTH, "open_sign_in", ANYONE, path="/login"),
    H(AUTH, "open_forgot", ANYONE, path="/forgot"),
    H(AUTH, "open_invitation", ANYONE, path="/invite/{invitation_token}"),
    H(AUTH, "open_reset", ANYONE, path="/reset/{reset_token}"),
    H(AUTH, "submitting", ANYONE, path="/login"),
    H(AUTH, "finished", ANYONE, {"result": {"ok": False, "message": "No."}}, path="/login"),
    _setvar(AUTH, "next_path", "//evil.example"),
    # --- pages ---------------------------------------------------------------------------
    H(PAGE_VIEW, "load", PAGE_VIEWER, path=PAGE_PATH),
    H(PAGE_VIEW, "load_home", SIGNED_IN),
    H(
        PAGE_VIEW,
        "set_following",
        PAGE_VIEWER,
        {"following": True},
        path=PAGE_PATH,
        before=PAGE_LOADED,
        covered_by=UNIT_FOLLOW,
        changes=True,
    ),
    _setvar(PAGE_VIEW, "home_status", "none"),
    H(NEW_PAGE, "load", STAFF, path="/new-page"),
    H(NEW_PAGE, "set_parent_id", ANYONE, {"value": "0"}, path="/new-page"),
    H(
        NEW_PAGE,
        "create",
        STAFF,
        {"form": {"title": "Matrix page"}},
        path="/new-page",
        covered_by=E2E_NEW_PAGE,
        changes=True,
    ),
    _setvar(NEW_PAGE, "parent_id", "0"),
    H(SEARCH, "load", SIGNED_IN, path="/search?q=tariff"),
    _setvar(SEARCH, "query", "tariff"),
    # --- the editor ----------------------------------------------------------------------
    H(EDITOR, "load", PAGE_EDITOR, path=EDITOR_PATH),
    H(EDITOR, "reload", PAGE_EDITOR, path=EDITOR_PATH, before=EDITOR_LOADED),
    H(EDITOR, "select", ANYONE, {"widget_id": RICH_TEXT_WIDGET}, path=EDITOR_PATH),
    H(EDITOR, "add_form_field", ANYONE, path=EDITOR_PATH),
    H(EDITOR, "remove_form_field", ANYONE, {"index": 0}, path=EDITOR_PATH),
    H(EDITOR, "dismiss_undo", ANYONE, path=EDITOR_PATH),
    H(EDITOR, "open_settings", ANYONE, path=EDITOR_PATH, note="lists the tab's own nav"),
    H(EDITOR, "set_settings_open", ANYONE, {"value": False}, path=EDITOR_PATH),
    H(EDITOR, "set_history_open", ANYONE, {"value": False}, path=EDITOR_PATH),
    H(EDITOR, "set_share_open", ANYONE, {"value": False}, path=EDITOR_PATH),
    # --- the editor's "Others outside your organization" tab ---------------------------
    H(PAGE_SHARING, "load", PAGE_EDITOR, path=EDITOR_PATH),
    H(PAGE_SHARING, "forget_link", ANYONE, path=EDITOR_PATH),
    H(PAGE_SHARING, "set_link_kind", ANYONE, {"value": "secured"}, path=EDITOR_PATH),
    H(
        PAGE_SHARING,
        "invite",
        PAGE_EDITOR,
        {"form": {"guests": "new.guest@example.org", "contribute": "on", "expires_at": ""}},
        path=EDITOR_PATH,
        covered_by=E2E_GUEST_INVITE,
        changes=True,
    ),
    H(
        PAGE_SHARING,
        "create_link",
        PAGE_EDITOR,
        {"form": {"password": "", "expires_at": ""}},
        path=EDITOR_PATH,
        covered_by=E2E_SECURED_LINK,
        changes=True,
    ),
    H(
        PAGE_SHARING,
        "set_share_status",
        PAGE_EDITOR,
        {"share_id": "1", "status": "deactivated"},
        path=EDITOR_PATH,
        before=((f"{PAGE_SHARING}.load", {}),),
        covered_by=SECURITY_SHARE_STATUS,
        changes=True,
        note="only a share the tab lists (load); the service decides",
    ),
    H(
        PAGE_SHARING,
        "ask_remove",
        ANYONE,
        {"share_id": "1", "label": "a share"},
        path=EDITOR_PATH,
        note="only opens the dialog; confirm_remove decides",
    ),
    H(PAGE_SHARING, "cancel_remove", ANYONE, path=EDITOR_PATH),
    H(
        PAGE_SHARING,
        "confirm_remove",
        PAGE_EDITOR,
        path=EDITOR_PATH,
        before=(
            (f"{PAGE_SHARING}.load", {}),
            (f"{PAGE_SHARING}.ask_remove", {"share_id": "1", "label": "a share"}),
        ),
        covered_by=SECURITY_SHARE_STATUS,
        changes=True,
    ),
    _setvar(PAGE_SHARING, "new_link_url", "https://evil.example/"),
    H(EDITOR, "set_staff_access", ANYONE, {"value": "restricted"}, path=EDITOR_PATH),
    H(
        EDITOR,
        "toggle_staff",
        ANYONE,
        {"user_id": STAFF_PERSON, "chosen": True},
        path=EDITOR_PATH,
        note="only the dialog's choice; save_share decides",
    ),
    H(
        EDITOR,
        "toggle_subscriber",
        ANYONE,
        {"user_id": PERSON, "chosen": True},
        path=EDITOR_PATH,
        note="only the dialog's choice; save_share decides",
    ),
    H(
        EDITOR,
        "set_grant",
        ANYONE,
        {"key": "organization:1", "level": "view"},
        path=EDITOR_PATH,
        note="only changes a choice the dialog already lists",
    ),
    H(
        EDITOR,
        "file_uploaded",
        ANYONE,
        {"result": {"ok": False, "message": "No."}},
        path=EDITOR_PATH,
    ),
    H(
        EDITOR,
        "move_widget",
        PAGE_EDITOR,
        {"widget_id": RICH_TEXT_WIDGET, "column": COLUMN, "index": 0},
        path=EDITOR_PATH,
        before=EDITOR_LOADED,
        covered_by=E2E_EDITOR,
        changes=True,
    ),
    H(
        EDITOR,
        "add_widget",
        PAGE_EDITOR,
        {"type_name": "heading", "column": COLUMN, "index": 0},
        path=EDITOR_PATH,
        before=EDITOR_LOADED,
        covered_by=E2E_EDITOR,
        changes=True,
    ),
    H(
        EDITOR,
        "add_to_first_column",
        PAGE_EDITOR,
        {"type_name": "heading"},
        path=EDITOR_PATH,
        before=EDITOR_LOADED,
        covered_by=UNIT_MOVES,
        changes=True,
    ),
    H(
        EDITOR,
        "nudge",
        PAGE_EDITOR,
        {"widget_id": RICH_TEXT_WIDGET, "direction": "down"},
        path=EDITOR_PATH,
        before=EDITOR_LOADED,
        covered_by=E2E_EDITOR,
        changes=True,
    ),
    H(
        EDITOR,
        "duplicate",
        PAGE_EDITOR,
        {"widget_id": RICH_TEXT_WIDGET},
        path=EDITOR_PATH,
        before=EDITOR_LOADED,
        covered_by=E2E_EDITOR_HISTORY,
        changes=True,
    ),
    H(
        EDITOR,
        "delete",
        PAGE_EDITOR,
        {"widget_id": RICH_TEXT_WIDGET},
        path=EDITOR_PATH,
        before=EDITOR_LOADED,
        covered_by=E2E_EDITOR_HISTORY,
        changes=True,
    ),
    H(
        EDITOR,
        "undo_delete",
        PAGE_EDITOR,
        path=EDITOR_PATH,
        before=EDITOR_LOADED,
        covered_by=UNIT_MOVES,
        changes=True,
    ),
    H(
        EDITOR,
        "add_section",
        PAGE_EDITOR,
        {"columns": 2},
        path=EDITOR_PATH,
        before=EDITOR_LOADED,
        covered_by=E2E_EDITOR,
        changes=True,
    ),
    H(
        EDITOR,
        "set_section_columns",
        PAGE_EDITOR,
        {"section_id": SECTION, "columns": "2"},
        path=EDITOR_PATH,
        before=EDITOR_LOADED,
        covered_by=UNIT_SECTIONS,
        changes=True,
    ),
    H(
        EDITOR,
        "move_section",
        PAGE_EDITOR,
        {"section_id": SECTION, "index": 0},
        path=EDITOR_PATH,
        before=EDITOR_LOADED,
        covered_by=UNIT_SECTIONS,
        changes=True,
    ),
    H(
        EDITOR,
        "remove_section",
        PAGE_EDITOR,
        {"section_id": SECTION},
        path=EDITOR_PATH,
        before=EDITOR_LOADED,
        covered_by=UNIT_SECTIONS,
        changes=True,
    ),
    H(
        EDITOR,
        "save_properties",
        PAGE_EDITOR,
        {"form": {"html": "<p>matrix</p>"}},
        path=EDITOR_PATH,
        before=(*EDITOR_LOADED, (f"{EDITOR}.select", {"widget_id": RICH_TEXT_WIDGET})),
        covered_by=E2E_EDITOR_HISTORY,
        changes=True,
    ),
    H(
        EDITOR,
        "save_rich_text",
        PAGE_EDITOR,
        {"html": "<p>matrix</p>"},
        path=EDITOR_PATH,
        before=(*EDITOR_LOADED, (f"{EDITOR}.select", {"widget_id": RICH_TEXT_WIDGET})),
        covered_by=E2E_EDITOR,
        changes=True,
    ),
    H(
        EDITOR,
        "rich_text_image_uploaded",
        PAGE_EDITOR,
        {"result": {"ok": True, "id": FILE, "name": "x.png"}},
        path=EDITOR_PATH,
        before=(*EDITOR_LOADED, (f"{EDITOR}.select", {"widget_id": RICH_TEXT_WIDGET})),
        covered_by=E2E_EDITOR_IMAGES,
        changes=True,
    ),
    H(
        EDITOR,
        "publish",
        PAGE_EDITOR,
        path=EDITOR_PATH,
        before=EDITOR_LOADED,
        covered_by=E2E_EDITOR,
        changes=True,
    ),
    H(
        EDITOR,
        "save_settings",
        PAGE_EDITOR,
        {"form": {"title": "Matrix title", "slug": "", "icon": "", "parent": "0"}},
        path=EDITOR_PATH,
        before=EDITOR_LOADED,
        covered_by=UNIT_SETTINGS,
        changes=True,
    ),
    H(EDITOR, "open_history", PAGE_EDITOR, path=EDITOR_PATH, before=EDITOR_LOADED),
    H(
        EDITOR,
        "restore",
        PAGE_EDITOR,
        {"number": VERSION},
        path=EDITOR_PATH,
        before=EDITOR_LOADED,
        covered_by=E2E_EDITOR_HISTORY,
        changes=True,
    ),
    H(
        EDITOR,
        "delete_page",
        PAGE_EDITOR,
        path=EDITOR_PATH,
        before=EDITOR_LOADED,
        covered_by=UNIT_ARCHIVE_PAGE,
        changes=True,
    ),
    H(EDITOR, "open_share", PAGE_EDITOR, path=EDITOR_PATH, before=EDITOR_LOADED),
    H(
        EDITOR,
        "save_share",
        PAGE_EDITOR,
        path=EDITOR_PATH,
        before=(*EDITOR_LOADED, (f"{EDITOR}.open_share", {})),
        covered_by=E2E_EDITOR,
        changes=True,
    ),
    H(
        EDITOR,
        "make_home",
        PAGE_EDITOR,
        {"organization_id": ORGANIZATION},
        path=EDITOR_PATH,
        before=EDITOR_LOADED,
        covered_by=UNIT_HOME,
        changes=True,
    ),
    _setvar(EDITOR, "staff_access", "all"),
    # --- the directory and Settings » People ---------------------------------------------
    H(DIRECTORY, "load", SIGNED_IN, path="/people"),
    H(DIRECTORY, "set_search", SIGNED_IN, {"value": "tenant"}, path="/people"),
    _setvar(DIRECTORY, "search", "tenant"),
    H(PEOPLE_ADMIN, "load", ADMIN, path="/settings/people"),
    H(PEOPLE_ADMIN, "set_search", ADMIN, {"value": "tenant"}, path="/settings/people"),
    H(PEOPLE_ADMIN, "set_role_filter", ADMIN, {"value": "limited"}, path="/settings/people"),
    H(
        PEOPLE_ADMIN,
        "set_organization_filter",
        ADMIN,
        {"value": ORGANIZATION},
        path="/settings/people",
    ),
    H(PEOPLE_ADMIN, "set_status_filter", ADMIN, {"value": "active"}, path="/settings/people"),
    H(PEOPLE_ADMIN, "open_invite", ANYONE, path="/settings/people"),
    H(PEOPLE_ADMIN, "set_invite_open", ANYONE, {"value": False}, path="/settings/people"),
    H(PEOPLE_ADMIN, "set_invite_role", ANYONE, {"value": "limited"}, path="/settings/people"),
    H(
        PEOPLE_ADMIN,
        "set_invite_organization",
        ANYONE,
        {"value": ORGANIZATION},
        path="/settings/people",
        note="only the dialog's choice; send_invitation decides",
    ),
    H(
        PEOPLE_ADMIN,
        "send_invitation",
        ADMIN,
        {"form": {"email": "matrix-invitee@tenant.example", "message": ""}},
        path="/settings/people",
        before=((f"{PEOPLE_ADMIN}.set_invite_organization", {"value": ORGANIZATION}),),
        covered_by=E2E_INVITE,
        changes=True,
    ),
    H(
        PEOPLE_ADMIN,
        "resend_invitation",
        ADMIN,
        {"invitation_id": INVITATION},
        path="/settings/people",
        covered_by=UNIT_RESEND,
        changes=True,
    ),
    H(
        PEOPLE_ADMIN,
        "revoke_invitation",
        ADMIN,
        {"invitation_id": INVITATION},
        path="/settings/people",
        covered_by=UNIT_REVOKE,
        changes=True,
    ),
    H(PEOPLE_ADMIN, "open_edit", ADMIN, {"user_id": PERSON}, path="/settings/people"),
    H(PEOPLE_ADMIN, "set_edit_open", ANYONE, {"value": False}, path="/settings/people"),
    H(PEOPLE_ADMIN, "set_edit_role", ANYONE, {"value": "staff"}, path="/settings/people"),
    H(
        PEOPLE_ADMIN,
        "set_edit_organization",
        ANYONE,
        {"value": ORGANIZATION},
        path="/settings/people",
    ),
    H(
        PEOPLE_ADMIN,
        "save_edit",
        ADMIN,
        path="/settings/people",
        before=(
            (f"{PEOPLE_ADMIN}.open_edit", {"user_id": PERSON}),
            (f"{PEOPLE_ADMIN}.set_edit_role", {"value": "staff"}),
        ),
        covered_by=UNIT_PEOPLE,
        changes=True,
    ),
    H(PEOPLE_ADMIN, "ask_active", ADMIN, {"user_id": PERSON}, path="/settings/people"),
    H(PEOPLE_ADMIN, "set_confirm_open", ANYONE, {"value": False}, path="/settings/people"),
    H(
        PEOPLE_ADMIN,
        "confirm_active",
        ADMIN,
        path="/settings/people",
        before=((f"{PEOPLE_ADMIN}.ask_active", {"user_id": PERSON}),),
        covered_by=E2E_INVITE,
        changes=True,
    ),
    H(
        PEOPLE_ADMIN,
        "send_reset",
        ADMIN,
        {"user_id": PERSON},
        path="/settings/people",
        covered_by=UNIT_RESET,
        changes=True,
    ),
    _setvar(PEOPLE_ADMIN, "invite_role", "admin"),
    # --- Settings » Clients --------------------------------------------------------------
    H(CLIENTS, "load", ADMIN, path="/settings/clients"),
    H(CLIENTS, "set_search", ADMIN, {"value": "tenant"}, path="/settings/clients"),
    H(CLIENTS, "set_show_archived", ADMIN, {"value": True}, path="/settings/clients"),
    H(CLIENTS, "open_create", ANYONE, path="/settings/clients"),
    H(
        CLIENTS,
        "open_rename",
        ADMIN,
        {"organization_id": ORGANIZATION},
        path="/settings/clients",
    ),
    H(CLIENTS, "set_name_dialog_open", ANYONE, {"value": False}, path="/settings/clients"),
    H(
        CLIENTS,
        "save_name",
        ADMIN,
        {"form": {"name": "Matrix Renamed Organization"}},
        path="/settings/clients",
        before=((f"{CLIENTS}.open_rename", {"organization_id": ORGANIZATION}),),
        covered_by=UNIT_ORGANIZATIONS,
        changes=True,
    ),
    H(
        CLIENTS,
        "ask_archive",
        ADMIN,
        {"organization_id": ORGANIZATION},
        path="/settings/clients",
    ),
    H(CLIENTS, "set_archive_open", ANYONE, {"value": False}, path="/settings/clients"),
    H(
        CLIENTS,
        "confirm_archive",
        ADMIN,
        path="/settings/clients",
        before=((f"{CLIENTS}.ask_archive", {"organization_id": ORGANIZATION}),),
        covered_by=UNIT_ORGANIZATIONS,
        changes=True,
    ),
    H(CLIENTS, "load_organization", ADMIN, path=ORGANIZATION_PATH),
    H(CLIENTS, "set_staff_to_assign", ANYONE, {"value": STAFF_PERSON}, path=ORGANIZATION_PATH),
    H(
        CLIENTS,
        "assign_staff",
        ADMIN,
        path=ORGANIZATION_PATH,
        before=(
            (f"{CLIENTS}.load_organization", {}),
            (f"{CLIENTS}.set_staff_to_assign", {"value": STAFF_PERSON}),
        ),
        covered_by=UNIT_ASSIGN,
        changes=True,
    ),
    H(
        CLIENTS,
        "unassign_staff",
        ADMIN,
        {"user_id": STAFF_PERSON},
        path=ORGANIZATION_PATH,
        before=((f"{CLIENTS}.load_organization", {}),),
        covered_by=UNIT_ASSIGN,
        changes=True,
    ),
    _setvar(CLIENTS, "name_dialog_id", 1),
    # --- Settings » Sharing (the Shared list) --------------------------------------------
    H(SHARED_LIST, "load", STAFF, path=SHARING_PATH),
    H(SHARED_LIST, "set_search", STAFF, {"value": "tenant"}, path=SHARING_PATH),
    H(
        SHARED_LIST,
        "set_organization_filter",
        STAFF,
        {"value": ORGANIZATION},
        path=SHARING_PATH,
        note="a filter of the staff member's own list (services bound the rows)",
    ),
    H(SHARED_LIST, "set_kind_filter", STAFF, {"value": "web"}, path=SHARING_PATH),
    H(SHARED_LIST, "set_status_filter", STAFF, {"value": "active"}, path=SHARING_PATH),
    H(
        SHARED_LIST,
        "set_creator_filter",
        STAFF,
        {"value": STAFF_PERSON},
        path=SHARING_PATH,
        note="a filter of the staff member's own list (services bound the rows)",
    ),
    H(SHARED_LIST, "clear_filters", STAFF, path=SHARING_PATH),
    H(
        SHARED_LIST,
        "toggle_selected",
        ANYONE,
        {"share_id": SHARE, "chosen": True},
        path=SHARING_PATH,
        note="only the selection, among the rows the tab was sent; the actions decide",
    ),
    H(SHARED_LIST, "toggle_all", ANYONE, {"chosen": True}, path=SHARING_PATH),
    H(
        SHARED_LIST,
        "deactivate_selected",
        PAGE_STAFF,
        path=SHARING_PATH,
        before=SHARING_SELECTED,
        covered_by=E2E_SHARED_LIST,
        changes=True,
    ),
    H(
        SHARED_LIST,
        "reactivate_selected",
        PAGE_STAFF,
        path=SHARING_PATH,
        before=SHARING_SELECTED,
        covered_by=E2E_SHARED_LIST,
        changes=True,
    ),
    H(SHARED_LIST, "ask_remove", ANYONE, path=SHARING_PATH),
    H(SHARED_LIST, "set_remove_open", ANYONE, {"value": False}, path=SHARING_PATH),
    H(
        SHARED_LIST,
        "confirm_remove",
        PAGE_STAFF,
        path=SHARING_PATH,
        before=SHARING_SELECTED,
        covered_by=E2E_SHARED_LIST_ACTIONS,
        changes=True,
    ),
    H(SHARED_LIST, "open_expiry", ANYONE, path=SHARING_PATH),
    H(SHARED_LIST, "set_expiry_open", ANYONE, {"value": False}, path=SHARING_PATH),
    H(
        SHARED_LIST,
        "save_expiry",
        PAGE_STAFF,
        {"form": {"expires_at": "2099-01-31T17:00"}},
        path=SHARING_PATH,
        before=SHARING_SELECTED,
        covered_by=E2E_SHARED_LIST_ACTIONS,
        changes=True,
    ),
    H(
        SHARED_LIST,
        "set_share_status",
        PAGE_STAFF,
        {"share_id": SHARE, "status": "deactivated"},
        path=SHARING_PATH,
        before=SHARING_LOADED,
        covered_by=E2E_SHARED_LIST_ACTIONS,
        changes=True,
    ),
    H(
        SHARED_LIST,
        "open_access_log",
        PAGE_STAFF,
        {"share_id": SHARE},
        path=SHARING_PATH,
        before=SHARING_LOADED,
    ),
    H(SHARED_LIST, "set_log_open", ANYONE, {"value": False}, path=SHARING_PATH),
    H(
        SHARED_LIST,
        "regenerate",
        PAGE_STAFF,
        {"share_id": SHARE},
        path=SHARING_PATH,
        before=SHARING_LOADED,
        covered_by=E2E_SHARED_LIST_ACTIONS,
        changes=True,
    ),
    H(SHARED_LIST, "close_link", ANYONE, path=SHARING_PATH),
    H(SHARED_LIST, "set_link_open", ANYONE, {"value": False}, path=SHARING_PATH),
    H(
        SHARED_LIST,
        "set_policy_password_required",
        ANYONE,
        {"value": True},
        path=SHARING_PATH,
        note="only the form's choice; save_policy decides",
    ),
    H(
        SHARED_LIST,
        "save_policy",
        ADMIN,
        {"form": {"default_expiry_days": "30", "max_expiry_days": "365"}},
        path=SHARING_PATH,
        covered_by=E2E_SHARED_LIST_ACTIONS,
        changes=True,
    ),
    _setvar(SHARED_LIST, "selected", [1]),
    # --- Settings » Outbox ---------------------------------------------------------------
    H(OUTBOX, "load", ADMIN, path="/settings/outbox"),
    H(OUTBOX, "select", ANYONE, {"message_id": 1}, path="/settings/outbox"),
    _setvar(OUTBOX, "selected_id", 1),
    # --- widgets: discussion -------------------------------------------------------------
    H(
        DISCUSSION,
        "load_for_page",
        PAGE_VIEWER,
        {"page_id": PAGE, "widget_ids": [DISCUSSION_WIDGET]},
        path=PAGE_PATH,
    ),
    H(
        DISCUSSION,
        "post",
        PAGE_CONTRIBUTOR,
        {"form": {"widget": DISCUSSION_WIDGET, "parent": COMMENT, "body": "Matrix reply"}},
        path=PAGE_PATH,
        before=_widget_loaded(DISCUSSION, DISCUSSION_WIDGET),
        covered_by=E2E_COMMENTS,
        changes=True,
    ),
    H(
        DISCUSSION,
        "live_refresh",
        ANYONE,
        path=PAGE_PATH,
        before=_widget_loaded(DISCUSSION, DISCUSSION_WIDGET),
        note="reloads the loaded widgets' comments through list_comments as the tab's person",
    ),
    H(DISCUSSION, "start_reply", ANYONE, {"comment_id": COMMENT}, path=PAGE_PATH),
    H(DISCUSSION, "cancel_reply", ANYONE, path=PAGE_PATH),
    H(DISCUSSION, "start_edit", ANYONE, {"comment_id": COMMENT}, path=PAGE_PATH),
    H(DISCUSSION, "cancel_edit", ANYONE, path=PAGE_PATH),
    H(
        DISCUSSION,
        "save_edit",
        OWN_CONTENT,
        {"form": {"widget": DISCUSSION_WIDGET, "comment": COMMENT, "body": "Matrix edit"}},
        path=PAGE_PATH,
        before=_widget_loaded(DISCUSSION, DISCUSSION_WIDGET),
        covered_by=UNIT_EDIT_COMMENT,
        changes=True,
    ),
    H(
        DISCUSSION,
        "ask_delete",
        ANYONE,
        {"widget_id": DISCUSSION_WIDGET, "row_id": COMMENT, "label": "a comment"},
        path=PAGE_PATH,
        note="only opens the dialog; confirm_delete decides",
    ),
    H(DISCUSSION, "cancel_delete", ANYONE, path=PAGE_PATH),
    H(
        DISCUSSION,
        "confirm_delete",
        CONTENT_OWNER,
        path=PAGE_PATH,
        before=(
            *_widget_loaded(DISCUSSION, DISCUSSION_WIDGET),
            (
                f"{DISCUSSION}.ask_delete",
                {"widget_id": DISCUSSION_WIDGET, "row_id": COMMENT, "label": "a comment"},
            ),
        ),
        covered_by=UNIT_DELETE_COMMENT,
        changes=True,
    ),
    H(
        DISCUSSION,
        "show_to_page",
        STAFF,
        {"widget_id": DISCUSSION_WIDGET, "comment_id": COMMENT, "shown": True},
        path=PAGE_PATH,
        before=_widget_loaded(DISCUSSION, DISCUSSION_WIDGET),
        covered_by=UNIT_SHOW_GUEST_COMMENT,
        changes=True,
        note="a client's comment is refused as not a guest's (the allowed path: the test)",
    ),
    _setvar(DISCUSSION, "page_id", 1),
    # --- widgets: form -------------------------------------------------------------------
    H(
        FORM,
        "load_for_page",
        PAGE_VIEWER,
        {"page_id": PAGE, "widget_ids": [FORM_WIDGET]},
        path=PAGE_PATH,
    ),
    H(
        FORM,
        "submit",
        PAGE_CONTRIBUTOR,
        {"form": {"__widget": FORM_WIDGET, "note": "Matrix answer"}},
        path=PAGE_PATH,
        before=_widget_loaded(FORM, FORM_WIDGET),
        covered_by=E2E_FORMS,
        changes=True,
    ),
    H(
        FORM,
        "file_attached",
        ANYONE,
        {"result": {"ok": False, "widget": FORM_WIDGET, "message": "No."}},
        path=PAGE_PATH,
    ),
    H(FORM, "submit_another", ANYONE, {"widget_id": FORM_WIDGET}, path=PAGE_PATH),
    H(
        FORM,
        "filter_status",
        PAGE_VIEWER,
        {"widget_id": FORM_WIDGET, "status": "new"},
        path=PAGE_PATH,
        before=_widget_loaded(FORM, FORM_WIDGET),
    ),
    H(
        FORM,
        "search_submissions",
        PAGE_VIEWER,
        {"widget_id": FORM_WIDGET, "text": "tariff"},
        path=PAGE_PATH,
        before=_widget_loaded(FORM, FORM_WIDGET),
    ),
    H(
        FORM,
        "change_status",
        PAGE_STAFF,
        {"widget_id": FORM_WIDGET, "submission_id": SUBMISSION, "status": "done"},
        path=PAGE_PATH,
        before=_widget_loaded(FORM, FORM_WIDGET),
        covered_by=E2E_FORMS,
        changes=True,
    ),
    _setvar(FORM, "page_id", 1),
    # --- widgets: attachments ------------------------------------------------------------
    H(
        FILES,
        "load_for_page",
        PAGE_VIEWER,
        {"page_id": PAGE, "widget_ids": [ATTACHMENTS_WIDGET]},
        path=PAGE_PATH,
    ),
    H(FILES, "upload_started", ANYONE, {"widget_id": ATTACHMENTS_WIDGET}, path=PAGE_PATH),
    H(
        FILES,
        "upload_finished",
        PAGE_VIEWER,
        {"result": {"ok": True, "widget": ATTACHMENTS_WIDGET, "name": "x.pdf"}},
        path=PAGE_PATH,
        before=_widget_loaded(FILES, ATTACHMENTS_WIDGET),
        note="reloads the widget's list (the upload route decided)",
    ),
    H(
        FILES,
        "ask_delete",
        ANYONE,
        {"widget_id": ATTACHMENTS_WIDGET, "row_id": FILE, "label": "a file"},
        path=PAGE_PATH,
        note="only opens the dialog; confirm_delete decides",
    ),
    H(FILES, "cancel_delete", ANYONE, path=PAGE_PATH),
    H(
        FILES,
        "confirm_delete",
        CONTENT_OWNER,
        path=PAGE_PATH,
        before=(
            *_widget_loaded(FILES, ATTACHMENTS_WIDGET),
            (
                f"{FILES}.ask_delete",
                {"widget_id": ATTACHMENTS_WIDGET, "row_id": FILE, "label": "a file"},
            ),
        ),
        covered_by=UNIT_DELETE_FILE,
        changes=True,
    ),
    H(
        FILES,
        "ask_share",
        ANYONE,
        {"widget_id": ATTACHMENTS_WIDGET, "file_id": FILE, "name": "a file"},
        path=PAGE_PATH,
        note="only opens the dialog; create_share decides",
    ),
    H(FILES, "close_share", ANYONE, path=PAGE_PATH),
    H(FILES, "choose_share_kind", ANYONE, {"kind": "secured"}, path=PAGE_PATH),
    H(
        FILES,
        "create_share",
        PAGE_STAFF,
        {"form": {"password": "", "expires_at": "", "download_limit": ""}},
        path=PAGE_PATH,
        before=(
            (
                f"{FILES}.ask_share",
                {"widget_id": ATTACHMENTS_WIDGET, "file_id": FILE, "name": "a file"},
            ),
        ),
        covered_by=E2E_DOCUMENT_LINK,
        changes=True,
    ),
    _setvar(FILES, "page_id", 1),
    # --- widgets: dropsite (sending goes through documents.start_batch / finish_batch) ---
    H(
        DROPSITE,
        "load_for_page",
        PAGE_VIEWER,
        {"page_id": PAGE, "widget_ids": [DROPSITE_WIDGET]},
        path=PAGE_PATH,
        note="documents.dropsite_info per widget: staff and view-only readers get a note",
    ),
    H(
        DROPSITE,
        "files_chosen",
        ANYONE,
        {"chosen": {"key": DROPSITE_WIDGET, "files": [{"name": "a.pdf", "size": 3}]}},
        path=PAGE_PATH,
        note="names and sizes the browser holds, shown back on the tab's own screen",
    ),
    H(
        DROPSITE,
        "forget_file",
        ANYONE,
        {"key": DROPSITE_WIDGET, "index": 0},
        path=PAGE_PATH,
        note="takes a file off the tab's own list before sending",
    ),
    H(DROPSITE, "send_more", ANYONE, {"key": DROPSITE_WIDGET}, path=PAGE_PATH),
    H(
        DROPSITE,
        "send",
        PAGE_CONTRIBUTOR,
        {"form": {"key": DROPSITE_WIDGET, "message": "Here they are"}},
        path=PAGE_PATH,
        before=_widget_loaded(DROPSITE, DROPSITE_WIDGET),
        covered_by=E2E_DROPSITE,
        changes=True,
        note="documents.start_batch: a client who may contribute; staff are refused",
    ),
    H(
        DROPSITE,
        "files_reported",
        ANYONE,
        {"reported": {"key": DROPSITE_WIDGET, "reports": [{"index": 0, "status": "done"}]}},
        path=PAGE_PATH,
        covered_by=E2E_DROPSITE,
        changes=True,
        note="only the tab's own sending (none without send): documents.finish_batch",
    ),
    _setvar(DROPSITE, "page_id", 1),
    # --- widgets: document library (documents.library_view: the reader's own folder) ---
    H(
        LIBRARY,
        "load_for_page",
        PAGE_VIEWER,
        {"page_id": PAGE, "widget_ids": [LIBRARY_WIDGET]},
        path=PAGE_PATH,
        note="documents.library_view per widget: a client's own organization's folder",
    ),
    H(
        LIBRARY,
        "choose_client",
        PAGE_VIEWER,
        {"widget_id": LIBRARY_WIDGET, "organization_id": "1"},
        path=PAGE_PATH,
        note="staff choose whose folder; a client naming another organization: not found",
    ),
    H(
        LIBRARY,
        "open_folder",
        PAGE_VIEWER,
        {"widget_id": LIBRARY_WIDGET, "folder_id": 1},
        path=PAGE_PATH,
        note="only the widget's folder or below it, in the reader's own space",
    ),
    H(LIBRARY, "upload_started", ANYONE, {"widget_id": LIBRARY_WIDGET}, path=PAGE_PATH),
    H(
        LIBRARY,
        "upload_finished",
        PAGE_VIEWER,
        {"report": {"widget": LIBRARY_WIDGET, "results": []}},
        path=PAGE_PATH,
        note="reloads the folder through documents.library_view (the upload routes decide)",
    ),
    _setvar(LIBRARY, "page_id", 1),
    # --- /dropsite (a client's own organization, or a dropsite link's guest) ----------
    H(
        DROPSITE_PAGE,
        "load",
        SIGNED_IN,
        path="/dropsite",
        note="documents.dropsite_info: staff see where files arrive; a page's guest 403",
    ),
    H(
        DROPSITE_PAGE,
        "files_chosen",
        ANYONE,
        {"chosen": {"key": "page", "files": [{"name": "a.pdf", "size": 3}]}},
        path="/dropsite",
    ),
    H(DROPSITE_PAGE, "forget_file", ANYONE, {"key": "page", "index": 0}, path="/dropsite"),
    H(DROPSITE_PAGE, "send_more", ANYONE, {"key": "page"}, path="/dropsite"),
    H(
        DROPSITE_PAGE,
        "send",
        SIGNED_IN,
        {"form": {"key": "page", "message": "", "sender_name": "", "sender_email": ""}},
        path="/dropsite",
        before=((f"{DROPSITE_PAGE}.load", {}),),
        covered_by=E2E_DROPSITE_GUEST,
        changes=True,
        note="documents.start_batch: clients and a dropsite link's guest; staff refused; "
        "nothing starts before files are chosen",
    ),
    H(
        DROPSITE_PAGE,
        "files_reported",
        ANYONE,
        {"reported": {"key": "page", "reports": [{"index": 0, "status": "done"}]}},
        path="/dropsite",
        covered_by=E2E_DROPSITE_GUEST,
        changes=True,
        note="only the tab's own sending (none without send): documents.finish_batch",
    ),
    _setvar(DROPSITE_PAGE, "phase", {}),
    # --- /documents (a client's document space; folder and document ids are checked by
    # documents.access_folder / access_document: the same NotFound for hidden ones) ------
    H(
        DOCUMENTS,
        "load",
        SIGNED_IN,
        path="/documents",
        note="staff: organizations (and ?folder=); a client: their own shared area; "
        "a page's guest 404",
    ),
    H(
        DOCUMENTS,
        "choose_client",
        STAFF,
        {"organization_id": "1"},
        path="/documents",
        note="documents.open_space: staff only name an organization",
    ),
    H(
        DOCUMENTS,
        "open_folder",
        SIGNED_IN,
        {"folder_id": 1},
        path="/documents",
        note="documents.open_space(folder_id): staff any folder, a client their shared area",
    ),
    H(DOCUMENTS, "show_new_folder", ANYONE, {"shown": True}, path="/documents"),
    H(
        DOCUMENTS,
        "create_folder",
        STAFF,
        {"form": {"name": "Contracts"}},
        path="/documents",
        covered_by=E2E_DOCUMENTS,
        changes=True,
        note="documents.create_folder in the open folder (none before one is opened)",
    ),
    H(
        DOCUMENTS,
        "files_picked",
        ANYONE,
        {"files": [{"name": "a.pdf", "size": 3}]},
        path="/documents",
        note="names and sizes shown back; the upload routes decide what is taken",
    ),
    H(
        DOCUMENTS,
        "upload_finished",
        SIGNED_IN,
        {"report": {"results": [{"index": 0, "ok": True}]}},
        path="/documents",
        note="the browser's report; lists the open folder again",
    ),
    H(DOCUMENTS, "clear_uploads", ANYONE, path="/documents"),
    H(
        DOCUMENTS,
        "open_versions",
        STAFF,
        {"document_id": 1, "name": "a.pdf"},
        path="/documents",
        note="documents.list_versions: staff only",
    ),
    H(DOCUMENTS, "close_versions", ANYONE, path="/documents"),
    H(
        DOCUMENTS,
        "restore_version",
        STAFF,
        {"file_id": 1},
        path="/documents",
        covered_by=E2E_DOCUMENTS,
        changes=True,
        note="documents.restore_version of the document whose versions are open",
    ),
    H(
        DOCUMENTS,
        "ask_rename",
        ANYONE,
        {"kind": "document", "item_id": 1, "name": "a.pdf"},
        path="/documents",
        note="only opens the dialog; rename decides",
    ),
    H(DOCUMENTS, "cancel_rename", ANYONE, path="/documents"),
    H(
        DOCUMENTS,
        "rename",
        STAFF,
        {"form": {"name": "renamed.pdf"}},
        path="/documents",
        before=((f"{DOCUMENTS}.ask_rename", {"kind": "document", "item_id": 1, "name": "a"}),),
        covered_by=E2E_DOCUMENTS,
        changes=True,
        note="documents.rename_document / rename_folder: staff only",
    ),
    H(
        DOCUMENTS,
        "ask_move",
        STAFF,
        {"kind": "document", "item_id": 1, "name": "a.pdf"},
        path="/documents",
        note="documents.move_choices / folder_move_choices: staff only",
    ),
    H(DOCUMENTS, "choose_move_target", ANYONE, {"folder_id": "1"}, path="/documents"),
    H(DOCUMENTS, "cancel_move", ANYONE, path="/documents"),
    H(
        DOCUMENTS,
        "move",
        STAFF,
        path="/documents",
        before=(
            (f"{DOCUMENTS}.ask_move", {"kind": "document", "item_id": 1, "name": "a"}),
            (f"{DOCUMENTS}.choose_move_target", {"folder_id": "2"}),
        ),
        covered_by=E2E_DOCUMENTS,
        changes=True,
        note="documents.move_document / move_folder, within one organization: staff only",
    ),
    H(
        DOCUMENTS,
        "ask_delete_folder",
        ANYONE,
        {"folder_id": 1, "label": "Tax"},
        path="/documents",
        note="only opens the dialog; confirm_delete decides",
    ),
    H(DOCUMENTS, "ask_delete", ANYONE, {"document_id": 1, "label": "a.pdf"}, path="/documents"),
    H(DOCUMENTS, "cancel_delete", ANYONE, path="/documents"),
    H(
        DOCUMENTS,
        "confirm_delete",
        STAFF,
        path="/documents",
        before=((f"{DOCUMENTS}.ask_delete", {"document_id": 1, "label": "a.pdf"}),),
        covered_by=E2E_DOCUMENTS,
        changes=True,
        note="documents.delete_document (to the trash): staff only",
    ),
    H(
        DOCUMENTS,
        "open_trash",
        ADMIN,
        path="/documents",
        note="documents.list_trash: administrators",
    ),
    H(DOCUMENTS, "close_trash", ANYONE, path="/documents"),
    H(
        DOCUMENTS,
        "restore_from_trash",
        ADMIN,
        {"kind": "document", "item_id": 1},
        path="/documents",
        covered_by=E2E_DOCUMENTS,
        changes=True,
        note="documents.restore_from_trash: administrators",
    ),
    _setvar(DOCUMENTS, "chosen", ""),
    # --- widgets: checklist (examples/checklist-widget) ----------------------------------
    H(
        CHECKLIST,
        "load_for_page",
        PAGE_VIEWER,
        {"page_id": PAGE, "widget_ids": [CHECKLIST_WIDGET]},
        path=PAGE_PATH,
    ),
    H(
        CHECKLIST,
        "tick",
        PAGE_CONTRIBUTOR,
        {"widget_id": CHECKLIST_WIDGET, "item": "Read the brief", "ticked": True},
        path=PAGE_PATH,
        before=_widget_loaded(CHECKLIST, CHECKLIST_WIDGET),
        covered_by=E2E_CHECKLIST,
        changes=True,
    ),
    _setvar(CHECKLIST, "page_id", 1),
)

BY_EVENT: dict[str, Handler] = {row.event: row for row in HANDLERS}
