"""/documents: a client's document space. Staff choose the client, switch between its
areas, open folders, make folders, upload (a file of the same name becomes a new
version), rename and move folders and documents, see and restore versions, delete to the
trash; administrators open the trash.
A client sees their own organization's shared documents, to download."""

from __future__ import annotations

import reflex as rx

from portal_app.components.dropsite import PROGRESS_STYLE
from portal_app.components.feedback import confirm_dialog, empty_state, field_error
from portal_app.components.shell import shell
from portal_app.state.documents import UPLOAD_KEY
from portal_app.state.documents import DocumentsState as S

MUTED = {"size": "1", "color_scheme": "gray"}
ROW = {
    "padding": "0.625rem 0",
    "border_bottom": f"1px solid {rx.color('gray', 4)}",
}
# Rows are divided by a line; none under the last one.
LIST = {
    "list_style_type": "none",
    "margin": "0",
    "padding": "0",
    "width": "100%",
    "style": {"& > li:last-child": {"border_bottom": "none"}},
}

# Drag and drop on the zone, and the file input's choice, hand the files to the state
# through the hidden button (the bytes stay in the browser until portalUploadFiles).
INSTALL_UPLOADS = """(function(){
if(window.portalDocumentsReady){return;}window.portalDocumentsReady=true;
const zone=function(e){
return e.target&&e.target.closest?e.target.closest('[data-documents-drop]'):null;};
const hand=function(files){window.portalDocumentFiles=Array.from(files||[]);
const b=document.getElementById('documents-picked');if(b){b.click();}};
document.addEventListener('dragover',function(e){const z=zone(e);if(!z){return;}
e.preventDefault();z.setAttribute('data-over','true');});
document.addEventListener('dragleave',function(e){const z=zone(e);
if(z&&!z.contains(e.relatedTarget)){z.removeAttribute('data-over');}});
document.addEventListener('drop',function(e){const z=zone(e);if(!z){return;}
e.preventDefault();z.removeAttribute('data-over');
hand(window.portalFilesFromDrop(e.dataTransfer));});
document.addEventListener('change',function(e){const i=e.target;
if(!i||i.id!=='documents-input'){return;}
const files=Array.from(i.files||[]);i.value='';hand(files);});
})()"""
PICKED = "(window.portalDocumentFiles||[]).map(function(f){return {name:f.name,size:f.size};})"


# --- choosing where ------------------------------------------------------------------


def _client_select() -> rx.Component:
    return rx.select.root(
        rx.select.trigger(
            placeholder="Choose a client", aria_label="Client", id="documents-client"
        ),
        rx.select.content(
            rx.foreach(S.clients, lambda c: rx.select.item(c.name, value=c.id.to_string()))
        ),
        value=S.chosen,
        on_change=S.choose_client,
    )


def _areas() -> rx.Component:
    def area(row) -> rx.Component:
        current = S.space.folder.area == row.area
        return rx.button(
            rx.match(
                row.area,
                ("internal", rx.icon("lock", size=14, aria_hidden="true")),
                ("received", rx.icon("inbox", size=14, aria_hidden="true")),
                rx.icon("users", size=14, aria_hidden="true"),
            ),
            row.name,
            variant=rx.cond(current, "solid", "soft"),
            color_scheme=rx.cond(current, "indigo", "gray"),
            size="2",
            aria_current=rx.cond(current, "true", "false"),
            on_click=S.open_folder(row.id),
            data_testid="documents-area",
        )

    return rx.el.nav(
        rx.flex(rx.foreach(S.space.areas, area), gap="0.5rem", wrap="wrap"),
        aria_label="Areas",
    )


def _crumbs() -> rx.Component:
    return rx.el.nav(
        rx.flex(
            rx.foreach(
                S.space.crumbs,
                lambda crumb, index: rx.fragment(
                    rx.link(
                        # A client's one area is simply their documents.
                        rx.cond((index == 0) & ~S.manages, "All documents", crumb.name),
                        href="#",
                        size="2",
                        on_click=S.open_folder(crumb.id).prevent_default,
                    ),
                    rx.icon(
                        "chevron-right", size=14, aria_hidden="true", color=rx.color("gray", 9)
                    ),
                ),
            ),
            rx.text(S.space.folder.name, size="2", weight="medium", aria_current="page"),
            gap="0.375rem",
            align="center",
            wrap="wrap",
        ),
        aria_label="Breadcrumbs",
        data_testid="documents-crumbs",
    )


# --- the listing ------------------------------------------------------------------------


def _icon_tile(icon: str) -> rx.Component:
    return rx.center(
        rx.icon(icon, size=18, aria_hidden="true"),
        width="2.25rem",
        height="2.25rem",
        flex_shrink="0",
        border_radius="var(--radius-2)",
        background=rx.color("accent", 3),
        color=rx.color("accent", 11),
    )


def _folder_row(folder) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            _icon_tile("folder"),
            rx.vstack(
                rx.link(
                    folder.name,
                    href="#",
                    weight="medium",
                    size="2",
                    overflow_wrap="anywhere",
                    on_click=S.open_folder(folder.id).prevent_default,
                    data_testid="documents-folder-link",
                ),
                rx.text(
                    folder["items"].to(int).to_string(),
                    rx.cond(folder["items"].to(int) == 1, " item", " items"),
                    rx.cond(folder.updated != "", " · updated " + folder.updated, ""),
                    rx.cond(folder.sender != "", " · from " + folder.sender, ""),
                    **MUTED,
                ),
                spacing="0",
                min_width="0",
                flex="1",
            ),
            rx.cond(S.space.can_manage, _row_menu("folder", folder)),
            spacing="3",
            align="center",
            width="100%",
        ),
        data_testid="documents-folder",
        **ROW,
    )


def _row_menu(kind: str, item) -> rx.Component:
    """Rename, move and delete of a folder or a document (staff)."""
    delete = S.ask_delete_folder if kind == "folder" else S.ask_delete
    return rx.menu.root(
        rx.menu.trigger(
            rx.icon_button(
                rx.icon("ellipsis", size=16, aria_hidden="true"),
                variant="ghost",
                color_scheme="gray",
                aria_label="More actions for " + item.name,
                title="More actions",
            ),
        ),
        rx.menu.content(
            rx.menu.item(
                rx.icon("pencil", size=14, aria_hidden="true"),
                "Rename…",
                on_click=S.ask_rename(kind, item.id, item.name),
            ),
            rx.menu.item(
                rx.icon("folder-input", size=14, aria_hidden="true"),
                "Move to…",
                on_click=S.ask_move(kind, item.id, item.name),
            ),
            rx.menu.separator(),
            rx.menu.item(
                rx.icon("trash-2", size=14, aria_hidden="true"),
                "Delete",
                color="red",
                on_click=delete(item.id, item.name),
            ),
            align="end",
        ),
    )


def _document_actions(document) -> rx.Component:
    return rx.hstack(
        rx.icon_button(
            rx.icon("history", size=16, aria_hidden="true"),
            variant="ghost",
            color_scheme="gray",
            aria_label="Versions of " + document.name,
            title="Versions",
            on_click=S.open_versions(document.id, document.name),
        ),
        _row_menu("document", document),
        spacing="3",
        flex_shrink="0",
    )


def _document_row(document) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            _icon_tile("file-text"),
            rx.vstack(
                rx.flex(
                    rx.cond(
                        document.url != "",
                        rx.link(
                            document.name,
                            href=document.url,
                            reload_document=True,
                            weight="medium",
                            size="2",
                            overflow_wrap="anywhere",
                            data_testid="documents-document-link",
                        ),
                        rx.text(document.name, weight="medium", size="2", overflow_wrap="anywhere"),
                    ),
                    rx.cond(
                        document.can_manage & (document.versions > 1),
                        rx.badge(
                            "v" + document.versions.to_string(),
                            variant="soft",
                            size="1",
                            data_testid="documents-versions-badge",
                        ),
                    ),
                    rx.cond(
                        document.quarantined,
                        rx.badge("Held back by virus scanner", color_scheme="red", size="1"),
                    ),
                    gap="0.5rem",
                    align="center",
                    wrap="wrap",
                ),
                rx.text(
                    document.type_label,
                    " · ",
                    document.size,
                    " · ",
                    document.updated,
                    rx.cond(document.uploader != "", " · " + document.uploader, ""),
                    data_testid="documents-document-meta",
                    **MUTED,
                ),
                rx.cond(
                    document.message != "",
                    rx.text("“", document.message, "”", size="1", font_style="italic"),
                ),
                spacing="1",
                min_width="0",
                flex="1",
            ),
            rx.cond(document.can_manage, _document_actions(document)),
            spacing="3",
            align="center",
            width="100%",
        ),
        data_testid="documents-document",
        **ROW,
    )


def _listing() -> rx.Component:
    space = S.space
    return rx.cond(
        (space.folders.length() + space.documents.length()) > 0,
        rx.el.ul(
            rx.foreach(space.folders, _folder_row),
            rx.foreach(space.documents, _document_row),
            aria_label="Folders and documents",
            **LIST,
        ),
        rx.center(
            rx.vstack(
                rx.icon("folder-open", size=24, aria_hidden="true", color=rx.color("gray", 9)),
                rx.text("No documents here yet.", weight="medium", size="2"),
                rx.text(
                    rx.cond(
                        S.manages,
                        "Upload files below, or make a folder.",
                        "Documents the firm shares with you appear here.",
                    ),
                    **MUTED,
                    text_align="center",
                ),
                align="center",
                spacing="1",
            ),
            padding="2rem 1rem",
            width="100%",
            data_testid="documents-empty",
        ),
    )


# --- uploading ----------------------------------------------------------------------------


def _upload_row(row) -> rx.Component:
    suffix = UPLOAD_KEY + "-" + row.index.to_string()
    return rx.el.li(
        rx.vstack(
            rx.hstack(
                rx.text(row.name, size="2", weight="medium", overflow_wrap="anywhere"),
                rx.text(row.size, **MUTED, white_space="nowrap"),
                rx.spacer(),
                rx.match(
                    row.status,
                    (
                        "done",
                        rx.hstack(
                            rx.icon("circle-check", size=14, aria_hidden="true"),
                            rx.text("Uploaded", size="1"),
                            spacing="1",
                            align="center",
                            color=rx.color("grass", 11),
                        ),
                    ),
                    (
                        "refused",
                        rx.text(row.reason, size="1", color=rx.color("red", 11), role="alert"),
                    ),
                    # Written by portal.js's portalUploadFiles (no React children here).
                    rx.el.span(
                        id="upload-progress-label-" + suffix,
                        class_name="rt-Text rt-r-size-1",
                        color=rx.color("gray", 11),
                    ),
                ),
                spacing="2",
                align="baseline",
                width="100%",
                wrap="wrap",
            ),
            rx.cond(
                row.status == "uploading",
                rx.el.progress(
                    id="upload-progress-" + suffix,
                    max=100,
                    value=0,
                    aria_label="Upload progress of " + row.name,
                    style=PROGRESS_STYLE,
                ),
            ),
            spacing="1",
            width="100%",
        ),
        data_testid="documents-upload",
        data_status=row.status,
        padding="0.375rem 0",
    )


def _upload_zone() -> rx.Component:
    return rx.vstack(
        rx.el.input(
            type="file",
            multiple=True,
            id="documents-input",
            hidden=True,
            tab_index=-1,
            aria_hidden="true",
        ),
        rx.el.button(
            id="documents-picked",
            type="button",
            hidden=True,
            tab_index=-1,
            aria_hidden="true",
            on_click=rx.call_script(PICKED, callback=S.files_picked),
        ),
        rx.box(
            rx.flex(
                rx.center(
                    rx.icon("cloud-upload", size=20, aria_hidden="true"),
                    width="2.5rem",
                    height="2.5rem",
                    flex_shrink="0",
                    border_radius="full",
                    background=rx.color("accent", 3),
                    color=rx.color("accent", 11),
                ),
                rx.vstack(
                    rx.text("Drag files here to upload them to this folder", size="2"),
                    rx.text("A file with the same name becomes a new version.", **MUTED),
                    spacing="0",
                    flex="1",
                    min_width="12rem",
                ),
                rx.button(
                    rx.icon("upload", size=16, aria_hidden="true"),
                    "Upload files",
                    type="button",
                    variant="soft",
                    loading=S.uploading,
                    on_click=rx.call_script("document.getElementById('documents-input').click()"),
                    id="documents-upload",
                ),
                gap="0.75rem",
                align="center",
                wrap="wrap",
            ),
            custom_attrs={"data-documents-drop": "true"},
            on_mount=rx.call_script(INSTALL_UPLOADS),
            padding="0.875rem 1rem",
            border=f"2px dashed {rx.color('gray', 6)}",
            border_radius="var(--radius-3)",
            background=rx.color("gray", 2),
            width="100%",
            style={
                "&[data-over]": {
                    "border_color": rx.color("accent", 9),
                    "background": rx.color("accent", 3),
                }
            },
            data_testid="documents-zone",
        ),
        rx.cond(
            S.uploads.length() > 0,
            rx.el.ul(
                rx.foreach(S.uploads, _upload_row),
                aria_label="Uploads",
                list_style_type="none",
                margin="0",
                padding="0",
                width="100%",
            ),
        ),
        spacing="2",
        width="100%",
    )


# --- dialogs ------------------------------------------------------------------------------


def _new_folder_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.trigger(
            rx.button(
                rx.icon("folder-plus", size=16, aria_hidden="true"),
                "New folder",
                variant="soft",
                color_scheme="gray",
                id="documents-new-folder",
            )
        ),
        rx.dialog.content(
            rx.dialog.title("New folder"),
            rx.dialog.description("In ", S.space.folder.name, size="2", color_scheme="gray"),
            rx.form(
                rx.vstack(
                    rx.el.label(
                        rx.text("Name", size="2", weight="medium"),
                        html_for="documents-folder-name",
                    ),
                    rx.input(
                        name="name",
                        id="documents-folder-name",
                        max_length=120,
                        required=True,
                        auto_focus=True,
                        width="100%",
                    ),
                    field_error(S.folder_error),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button("Cancel", type="button", variant="soft", color_scheme="gray")
                        ),
                        rx.button("Make folder", type="submit"),
                        spacing="3",
                        justify="end",
                        width="100%",
                        margin_top="0.5rem",
                    ),
                    spacing="2",
                    width="100%",
                ),
                on_submit=S.create_folder,
                reset_on_submit=False,
                margin_top="1rem",
            ),
            max_width="26rem",
        ),
        open=S.folder_dialog,
        on_open_change=S.show_new_folder,
    )


def _version_row(version) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.vstack(
                rx.flex(
                    rx.cond(
                        version.url != "",
                        rx.link(
                            "Version " + version.number.to_string(),
                            href=version.url,
                            reload_document=True,
                            weight="medium",
                            size="2",
                        ),
                        rx.text("Version ", version.number, weight="medium", size="2"),
                    ),
                    rx.cond(
                        version.current,
                        rx.badge("Current", color_scheme="grass", variant="soft", size="1"),
                    ),
                    gap="0.5rem",
                    align="center",
                ),
                rx.text(
                    version.size,
                    " · ",
                    version.uploaded,
                    rx.cond(version.uploader != "", " · " + version.uploader, ""),
                    **MUTED,
                ),
                spacing="0",
                min_width="0",
                flex="1",
            ),
            rx.cond(
                ~version.current,
                rx.button(
                    rx.icon("rotate-ccw", size=14, aria_hidden="true"),
                    "Restore",
                    size="1",
                    variant="soft",
                    aria_label="Restore version " + version.number.to_string(),
                    on_click=S.restore_version(version.file_id),
                ),
            ),
            spacing="3",
            align="center",
            width="100%",
        ),
        data_testid="documents-version",
        **ROW,
    )


def _versions_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Versions"),
            rx.dialog.description(
                S.versions_name, size="2", color_scheme="gray", overflow_wrap="anywhere"
            ),
            rx.el.ul(
                rx.foreach(S.versions, _version_row),
                aria_label="Versions",
                **{**LIST, "margin": "0.75rem 0 0"},
            ),
            rx.text(
                "Restoring copies that version as the newest one; the history keeps every step.",
                **MUTED,
                margin_top="0.5rem",
            ),
            rx.hstack(
                rx.dialog.close(rx.button("Close", variant="soft", color_scheme="gray")),
                justify="end",
                margin_top="1rem",
            ),
            max_width="30rem",
        ),
        open=S.versions_of > 0,
        on_open_change=lambda _open: S.close_versions(),
    )


def _trash_row(row) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.cond(row.kind == "folder", _icon_tile("folder"), _icon_tile("file-text")),
            rx.vstack(
                rx.text(row.name, weight="medium", size="2", overflow_wrap="anywhere"),
                rx.text(
                    row.organization,
                    " · deleted ",
                    row.deleted,
                    rx.cond(row.deleted_by != "", " by " + row.deleted_by, ""),
                    " · removed for good on ",
                    row.purge_on,
                    **MUTED,
                ),
                spacing="0",
                min_width="0",
                flex="1",
            ),
            rx.button(
                "Restore",
                size="1",
                variant="soft",
                aria_label="Restore " + row.name,
                on_click=S.restore_from_trash(row.kind, row.id),
            ),
            spacing="3",
            align="center",
            width="100%",
        ),
        data_testid="documents-trash-row",
        **ROW,
    )


def _trash_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Trash"),
            rx.dialog.description(
                "Deleted in the last 30 days, for every client. After that the files are "
                "removed for good.",
                size="2",
                color_scheme="gray",
            ),
            rx.cond(
                S.trash.length() > 0,
                rx.el.ul(
                    rx.foreach(S.trash, _trash_row),
                    aria_label="Trash",
                    **{**LIST, "margin": "0.75rem 0 0"},
                ),
                rx.text("The trash is empty.", size="2", margin_top="1rem"),
            ),
            rx.hstack(
                rx.dialog.close(rx.button("Close", variant="soft", color_scheme="gray")),
                justify="end",
                margin_top="1rem",
            ),
            max_width="34rem",
        ),
        open=S.trash_open,
        on_open_change=lambda _open: S.close_trash(),
    )


def _delete_dialog() -> rx.Component:
    return confirm_dialog(
        rx.cond(S.deleting_kind == "folder", "Delete this folder?", "Delete this document?"),
        rx.text(
            "“",
            S.deleting_label,
            rx.cond(
                S.deleting_kind == "folder",
                "” and everything in it are moved to the trash. An administrator can "
                "restore them together for 30 days.",
                "” and its versions are moved to the trash. An administrator can restore "
                "them for 30 days.",
            ),
        ),
        "Move to the trash",
        S.confirm_delete,
        S.deleting_id > 0,
        S.cancel_delete(),
    )


def _dialog_buttons(confirm: str, cancel, **confirm_props) -> rx.Component:
    return rx.hstack(
        rx.button("Cancel", type="button", variant="soft", color_scheme="gray", on_click=cancel),
        rx.button(confirm, **confirm_props),
        spacing="3",
        justify="end",
        width="100%",
        margin_top="0.5rem",
    )


def _rename_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(
                rx.cond(S.renaming_kind == "folder", "Rename folder", "Rename document")
            ),
            rx.dialog.description(
                S.renaming_name, size="2", color_scheme="gray", overflow_wrap="anywhere"
            ),
            rx.form(
                rx.vstack(
                    rx.el.label(
                        rx.text("New name", size="2", weight="medium"),
                        html_for="documents-rename-name",
                    ),
                    rx.input(
                        name="name",
                        id="documents-rename-name",
                        default_value=S.renaming_name,
                        max_length=255,
                        required=True,
                        auto_focus=True,
                        width="100%",
                        key=S.renaming_id,
                    ),
                    field_error(S.rename_error),
                    _dialog_buttons("Rename", S.cancel_rename, type="submit"),
                    spacing="2",
                    width="100%",
                ),
                on_submit=S.rename,
                reset_on_submit=False,
                margin_top="1rem",
            ),
            max_width="26rem",
        ),
        open=S.renaming_id > 0,
        on_open_change=lambda _open: S.cancel_rename(),
    )


def _move_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(S.moving_kind == "folder", "Move folder", "Move document")),
            rx.dialog.description(
                S.moving_name, size="2", color_scheme="gray", overflow_wrap="anywhere"
            ),
            rx.vstack(
                rx.el.label(
                    rx.text("Move to", size="2", weight="medium"),
                    html_for="documents-move-target",
                ),
                rx.cond(
                    S.move_choices.length() > 0,
                    rx.select.root(
                        rx.select.trigger(
                            placeholder="Choose a folder",
                            id="documents-move-target",
                            aria_label="Move to",
                            width="100%",
                        ),
                        rx.select.content(
                            rx.foreach(
                                S.move_choices,
                                lambda c: rx.select.item(c.name, value=c.id.to_string()),
                            ),
                            position="popper",
                        ),
                        value=S.move_target,
                        on_change=S.choose_move_target,
                    ),
                    rx.text("There is no other folder to move it to yet.", **MUTED),
                ),
                rx.text(
                    "Moving into “Shared with client” shows it to the client; moving out of "
                    "it hides it from them.",
                    **MUTED,
                ),
                field_error(S.move_error),
                _dialog_buttons(
                    "Move", S.cancel_move, on_click=S.move, disabled=S.move_target == ""
                ),
                spacing="2",
                width="100%",
                margin_top="1rem",
            ),
            max_width="30rem",
        ),
        open=S.moving_id > 0,
        on_open_change=lambda _open: S.cancel_move(),
    )


# --- the page ------------------------------------------------------------------------------


def _folder_view() -> rx.Component:
    space = S.space
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.vstack(
                    rx.heading(space.organization_name, size="4", as_="h2"),
                    rx.cond(
                        S.manages,
                        rx.text(space.used, **MUTED),
                        rx.text("Shared with you by ", S.portal_name, **MUTED),
                    ),
                    spacing="1",
                    flex="1",
                    min_width="12rem",
                ),
                rx.cond(space.can_manage, _new_folder_dialog()),
                gap="0.75rem",
                align="center",
                wrap="wrap",
                width="100%",
            ),
            rx.cond(S.manages, _areas()),
            rx.cond(space.crumbs.length() > 0, _crumbs()),
            _listing(),
            rx.cond(space.can_upload, _upload_zone()),
            spacing="4",
            width="100%",
        ),
        size=rx.breakpoints(initial="2", sm="3"),
        width="100%",
        data_testid="documents-space",
    )


def _content() -> rx.Component:
    return rx.vstack(
        rx.cond(
            S.manages,
            rx.flex(
                rx.el.label(
                    rx.text("Client", size="2", weight="medium"),
                    html_for="documents-client",
                ),
                _client_select(),
                gap="0.75rem",
                align="center",
                wrap="wrap",
            ),
        ),
        rx.cond(
            S.has_space,
            _folder_view(),
            rx.cond(
                S.manages,
                rx.cond(
                    S.clients.length() > 0,
                    empty_state(
                        "folder-open",
                        "Choose a client",
                        "Each client has documents shared with them, internal working "
                        "papers only staff see, and what they sent you.",
                    ),
                    empty_state(
                        "building-2",
                        "No clients yet",
                        "Add a client organization in Settings › Clients to keep its "
                        "documents here.",
                    ),
                ),
            ),
        ),
        _versions_dialog(),
        _trash_dialog(),
        _delete_dialog(),
        _rename_dialog(),
        _move_dialog(),
        spacing="4",
        width="100%",
        max_width="56rem",
    )


def documents_page() -> rx.Component:
    return shell(
        "Documents",
        "/documents",
        _content,
        actions=rx.cond(
            S.may_restore,
            rx.button(
                rx.icon("trash-2", size=16, aria_hidden="true"),
                "Trash",
                variant="soft",
                color_scheme="gray",
                on_click=S.open_trash,
                id="documents-trash",
            ),
        ),
    )
