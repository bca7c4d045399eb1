"""How a document library widget looks: the client's folder (staff first choose which
client), its subfolders and documents, and an upload button where uploads are allowed."""

from __future__ import annotations

import reflex as rx

from portal_app.components.widget_parts import quiet_empty, row_count, widget_card
from portal_app.components.widget_ui import WidgetUI
from portal_app.state.session import SessionState
from portal_app.widgets.library.state import LibraryState

L = LibraryState
MUTED = {"size": "1", "color_scheme": "gray"}


def _folder_row(widget, folder) -> rx.Component:
    return rx.el.li(
        rx.button(
            rx.icon("folder", size=18, aria_hidden="true"),
            rx.text(folder.name, weight="medium", size="2", overflow_wrap="anywhere"),
            rx.text(
                folder["items"].to(int).to_string(),
                rx.cond(folder["items"].to(int) == 1, " item", " items"),
                **MUTED,
            ),
            variant="ghost",
            color_scheme="gray",
            high_contrast=True,
            on_click=L.open_folder(widget.id, folder.id),
            justify_content="flex-start",
            width="100%",
            data_testid="library-folder",
        ),
        padding="0.25rem 0",
    )


def _document_row(document) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.icon("file-text", size=18, aria_hidden="true", flex_shrink="0"),
            rx.vstack(
                rx.cond(
                    document.url != "",
                    rx.link(
                        document.name,
                        href=document.url,
                        reload_document=True,
                        weight="medium",
                        size="2",
                        overflow_wrap="anywhere",
                        data_testid="library-document",
                    ),
                    rx.text(document.name, weight="medium", size="2"),
                ),
                rx.text(
                    document.type_label, " · ", document.size, " · ", document.updated, **MUTED
                ),
                spacing="0",
                min_width="0",
            ),
            rx.cond(
                document.quarantined,
                rx.badge("Held back by the virus scanner", color_scheme="red", size="1"),
            ),
            spacing="3",
            align="center",
            width="100%",
        ),
        padding="0.5rem 0",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
    )


def _crumbs(widget, view) -> rx.Component:
    return rx.hstack(
        rx.foreach(
            view.crumbs,
            lambda crumb: rx.hstack(
                rx.link(
                    crumb.name,
                    href="#",
                    size="2",
                    on_click=L.open_folder(widget.id, crumb.id).prevent_default,
                ),
                rx.text("›", **MUTED, aria_hidden="true"),
                spacing="2",
                align="center",
            ),
        ),
        rx.text(view.folder.name, size="2", weight="medium"),
        spacing="2",
        align="center",
        wrap="wrap",
        aria_label="Folder",
    )


def _upload(widget) -> rx.Component:
    key = "library-" + widget.id
    start = rx.call_script(
        "(function(){const i=document.getElementById('library-input-" + widget.id + "');"
        "return new Promise(function(done){"
        "i.oncancel=function(){done({widget:'" + widget.id + "',results:[]});};"
        "i.onchange=async function(){const d=JSON.parse(i.dataset.destination||'{}');"
        "const r=await window.portalUploadFiles('" + key + "',d,i.files);i.value='';"
        "done({widget:'" + widget.id + "',results:r});};i.click();});})()",
        callback=L.upload_finished,
    )
    return rx.hstack(
        rx.el.input(
            type="file",
            multiple=True,
            id="library-input-" + widget.id,
            data_destination=L.destinations[widget.id],
            hidden=True,
            tab_index=-1,
            aria_hidden="true",
        ),
        rx.button(
            rx.icon("upload", size=16, aria_hidden="true"),
            "Upload files",
            variant="soft",
            loading=L.uploading == widget.id,
            on_click=[L.upload_started(widget.id), start],
        ),
        rx.text("A file with the same name becomes a new version.", **MUTED),
        spacing="3",
        align="center",
        wrap="wrap",
    )


def _folder_view(widget) -> rx.Component:
    view = L.views[widget.id]
    return rx.vstack(
        rx.cond(row_count(view.crumbs) > 0, _crumbs(widget, view)),
        rx.cond(
            (row_count(view.folders) + row_count(view.documents)) > 0,
            rx.el.ul(
                rx.foreach(view.folders, lambda folder: _folder_row(widget, folder)),
                rx.foreach(view.documents, _document_row),
                aria_label="Documents",
                list_style_type="none",
                margin="0",
                padding="0",
                width="100%",
                # Rows are divided by a line; none under the last one.
                style={"& > li:last-child": {"border_bottom": "none"}},
            ),
            quiet_empty(
                "folder-open",
                "No documents here yet",
                "Documents the firm shares with you in this folder appear here.",
            ),
        ),
        rx.cond(view.can_upload, _upload(widget)),
        spacing="3",
        width="100%",
    )


def _client_choice(widget) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(
            placeholder="Choose a client to see their documents", aria_label="Client"
        ),
        rx.select.content(
            rx.foreach(L.clients, lambda c: rx.select.item(c.name, value=c.id.to_string()))
        ),
        value=L.chosen.get(widget.id, ""),
        on_change=lambda value: L.choose_client(widget.id, value),
    )


def library_view(widget) -> rx.Component:
    return widget_card(
        widget,
        "library",
        widget.config["title"].to(str),
        rx.cond(SessionState.may_manage_page_content, _client_choice(widget)),
        rx.cond(
            L.views.contains(widget.id),
            _folder_view(widget),
            rx.cond(
                SessionState.may_manage_page_content,
                rx.text(
                    "Each client sees their own documents here. Choose one to see theirs.",
                    **MUTED,
                ),
            ),
        ),
        data_testid="library",
    )


ui = WidgetUI(view=library_view, state=LibraryState)
