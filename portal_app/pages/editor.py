"""The page editor: palette and columns (drag and drop, with keyboard alternatives),
the property panel, autosave status, publish, history and sharing."""

from __future__ import annotations

import reflex as rx
from reflex_components_core.core.banner import has_connection_errors

from portal_app.components import dnd
from portal_app.components.feedback import field_error, form_field
from portal_app.components.property_form import property_panel
from portal_app.components.shell import shell
from portal_app.pages.page_sharing import outside_tab, outside_tab_trigger
from portal_app.services.pages import ICONS
from portal_app.state.editor import EditorState as S
from portal_app.widgets.registry import widget_types


def _status() -> rx.Component:
    offline = rx.hstack(
        rx.icon("wifi-off", size=16, color=rx.color("amber", 11)),
        rx.text(
            "Connection lost — your changes will save when it returns.",
            size="2",
            color_scheme="amber",
            high_contrast=True,
        ),
        spacing="2",
        align="center",
        id="offline-status",
    )
    return rx.box(
        rx.cond(has_connection_errors, offline, _saved_status()),
        role="status",
        aria_live="polite",
        id="save-status",
    )


def _saved_status() -> rx.Component:
    return rx.box(
        rx.match(
            S.save_status,
            (
                "saving",
                rx.hstack(
                    rx.spinner(size="1"), rx.text("Saving…", size="2"), spacing="2", align="center"
                ),
            ),
            (
                "failed",
                rx.hstack(
                    rx.icon("circle-alert", size=16, color=rx.color("red", 11)),
                    rx.text("Not saved: ", S.save_message, size="2", color_scheme="red"),
                    spacing="2",
                    align="center",
                ),
            ),
            (
                "conflict",
                rx.hstack(
                    rx.icon("git-compare", size=16, color=rx.color("amber", 11)),
                    rx.text(S.save_message, size="2", color_scheme="amber", high_contrast=True),
                    rx.button(
                        "Reload",
                        size="1",
                        variant="soft",
                        color_scheme="amber",
                        on_click=S.reload,
                        id="reload-draft",
                    ),
                    spacing="2",
                    align="center",
                ),
            ),
            rx.hstack(
                rx.icon("circle-check", size=16, color=rx.color("green", 11)),
                rx.text("All changes saved", size="2", color_scheme="gray"),
                spacing="2",
                align="center",
            ),
        ),
    )


def _toolbar() -> rx.Component:
    return rx.flex(
        rx.vstack(
            rx.hstack(
                rx.heading(S.draft.title, size="6", as_="h1", id="editor-title"),
                rx.cond(
                    S.draft.has_unpublished_changes,
                    rx.badge(
                        "Unpublished changes",
                        color_scheme="amber",
                        variant="soft",
                        high_contrast=True,
                    ),
                    rx.badge("Published", color_scheme="green", variant="soft", high_contrast=True),
                ),
                spacing="3",
                align="center",
                wrap="wrap",
            ),
            _status(),
            spacing="1",
        ),
        rx.spacer(),
        rx.hstack(
            rx.menu.root(
                rx.menu.trigger(
                    rx.button(
                        "Page",
                        rx.icon("chevron-down", size=14),
                        variant="soft",
                        color_scheme="gray",
                        id="page-menu",
                    )
                ),
                rx.menu.content(
                    rx.menu.item(
                        rx.icon("users", size=14),
                        "Permissions & subscribers",
                        on_click=S.open_share,
                    ),
                    rx.menu.item(rx.icon("history", size=14), "History", on_click=S.open_history),
                    rx.menu.item(
                        rx.icon("settings-2", size=14),
                        "Title, address and icon",
                        on_click=S.open_settings,
                    ),
                    rx.menu.separator(),
                    rx.menu.item(
                        rx.icon("trash-2", size=14),
                        "Delete page",
                        color="red",
                        on_click=S.delete_page,
                    ),
                ),
            ),
            rx.cond(
                S.draft.published_version > 0,
                rx.link(
                    rx.button("View", variant="soft", color_scheme="gray"),
                    href="/pages/" + S.draft.slug,
                ),
            ),
            rx.button(rx.icon("upload", size=16), "Publish", on_click=S.publish, id="publish"),
            spacing="2",
            wrap="wrap",
        ),
        width="100%",
        align="start",
        gap="3",
        wrap="wrap",
    )


def _undo_bar() -> rx.Component:
    return rx.cond(
        S.undo_label != "",
        rx.callout.root(
            rx.callout.icon(rx.icon("undo-2", size=16)),
            rx.hstack(
                rx.text(S.undo_label, " deleted."),
                rx.button("Undo", size="1", variant="soft", on_click=S.undo_delete, id="undo"),
                rx.icon_button(
                    rx.icon("x", size=14),
                    size="1",
                    variant="ghost",
                    color_scheme="gray",
                    aria_label="Dismiss",
                    on_click=S.dismiss_undo,
                ),
                align="center",
                spacing="3",
            ),
            color_scheme="gray",
            size="1",
            role="status",
        ),
    )


def _move_button(widget, direction: str, icon: str, disabled) -> rx.Component:
    return rx.icon_button(
        rx.icon(icon, size=14),
        size="1",
        variant="ghost",
        color_scheme="gray",
        aria_label=f"Move {direction} " + widget.label,
        on_click=S.nudge(widget.id, direction),
        disabled=disabled,
    )


def _widget_card(widget) -> rx.Component:
    selected = S.selected_id == widget.id
    return dnd.item(
        rx.box(
            rx.hstack(
                rx.icon(widget.icon, size=16, aria_hidden="true", flex_shrink="0"),
                rx.text(widget.label, weight="medium", size="2", trim="both"),
                spacing="2",
                align="center",
                min_width="0",
            ),
            rx.text(
                rx.cond(widget.summary != "", widget.summary, "Empty"),
                size="1",
                color_scheme="gray",
                margin_y="0.35rem",
                overflow="hidden",
                text_overflow="ellipsis",
                white_space="nowrap",
            ),
            rx.flex(
                rx.button(
                    rx.icon("pencil", size=12),
                    "Edit",
                    size="1",
                    variant=rx.cond(selected, "solid", "soft"),
                    on_click=S.select(widget.id),
                    aria_label="Edit " + widget.label,
                    aria_pressed=rx.cond(selected, "true", "false"),
                ),
                _move_button(widget, "up", "arrow-up", widget.index == 0),
                _move_button(widget, "down", "arrow-down", widget.index == widget.column_size - 1),
                _move_button(widget, "left", "arrow-left", widget.column_index == 0),
                _move_button(
                    widget,
                    "right",
                    "arrow-right",
                    widget.column_index == widget.section_columns - 1,
                ),
                rx.icon_button(
                    rx.icon("copy", size=14),
                    size="1",
                    variant="ghost",
                    color_scheme="gray",
                    on_click=S.duplicate(widget.id),
                    aria_label="Duplicate " + widget.label,
                ),
                rx.icon_button(
                    rx.icon("trash-2", size=14),
                    size="1",
                    variant="ghost",
                    color_scheme="red",
                    on_click=S.delete(widget.id),
                    aria_label="Delete " + widget.label,
                ),
                gap="1",
                wrap="wrap",
                align="center",
            ),
            padding="0.25rem 0.25rem 0.25rem 0",
            border_radius="var(--radius-2)",
            box_shadow=rx.cond(selected, f"0 0 0 2px {rx.color('accent', 8)}", "none"),
            width="100%",
            min_width="0",
            data_testid="editor-widget",
            data_widget_type=widget.type,
        ),
        item_id=widget.id,
        label=widget.label,
    )


def _palette_entry(name: str, label: str, icon: str) -> rx.Component:
    return dnd.source(
        rx.hstack(
            rx.icon(icon, size=16, aria_hidden="true"),
            rx.text(label, size="2"),
            spacing="2",
            align="center",
        ),
        type_name=name,
        label=label,
    )


def _board() -> rx.Component:
    types = widget_types()
    return dnd.board(
        *[_palette_entry(name, t.label, t.icon) for name, t in types.items()],
        rx.foreach(S.widgets, _widget_card),
        columns=S.board_columns,
        on_move=S.move_widget,
        on_add=S.add_widget,
        revision=S.board_revision,
        palette_label="Widgets",
        empty_text="Drag a widget here",
        heading_level=2,
        id="editor-board",
    )


def _quick_add() -> rx.Component:
    """Without a pointer: add any widget type to the end of the first column."""
    types = widget_types()
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.icon("plus", size=14),
                "Add widget",
                variant="soft",
                size="2",
                id="add-widget-menu",
            )
        ),
        rx.menu.content(
            *[
                rx.menu.item(
                    rx.icon(t.icon, size=14), t.label, on_click=S.add_to_first_column(name)
                )
                for name, t in types.items()
            ],
        ),
    )


def _sections_panel() -> rx.Component:
    def row(section) -> rx.Component:
        return rx.hstack(
            rx.text("Section ", section.number, size="2", weight="medium", min_width="5rem"),
            rx.select.root(
                rx.select.trigger(aria_label="Columns in section " + section.number.to_string()),
                rx.select.content(
                    rx.select.item("1 column", value="1"),
                    rx.select.item("2 columns", value="2"),
                    rx.select.item("3 columns", value="3"),
                ),
                value=section.columns.to_string(),
                on_change=lambda value: S.set_section_columns(section.id, value),
                size="1",
            ),
            rx.icon_button(
                rx.icon("arrow-up", size=14),
                size="1",
                variant="ghost",
                color_scheme="gray",
                disabled=section.number == 1,
                aria_label="Move section " + section.number.to_string() + " up",
                on_click=S.move_section(section.id, section.number - 2),
            ),
            rx.icon_button(
                rx.icon("arrow-down", size=14),
                size="1",
                variant="ghost",
                color_scheme="gray",
                aria_label="Move section " + section.number.to_string() + " down",
                on_click=S.move_section(section.id, section.number),
            ),
            rx.icon_button(
                rx.icon("trash-2", size=14),
                size="1",
                variant="ghost",
                color_scheme="red",
                disabled=~section.empty,
                aria_label="Remove section " + section.number.to_string(),
                on_click=S.remove_section(section.id),
            ),
            spacing="2",
            align="center",
        )

    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Layout", size="3", as_="h2"),
                rx.spacer(),
                _quick_add(),
                width="100%",
                align="center",
            ),
            rx.foreach(S.sections, row),
            rx.hstack(
                rx.text("Add a section:", size="2", color_scheme="gray"),
                rx.button("1 column", size="1", variant="soft", on_click=S.add_section(1)),
                rx.button(
                    "2 columns",
                    size="1",
                    variant="soft",
                    on_click=S.add_section(2),
                    id="add-section-2",
                ),
                rx.button("3 columns", size="1", variant="soft", on_click=S.add_section(3)),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _settings_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Title, address and icon"),
            rx.form(
                rx.vstack(
                    form_field(
                        "Title",
                        "settings-title",
                        rx.input(
                            id="settings-title",
                            name="title",
                            default_value=S.draft.title,
                            width="100%",
                        ),
                    ),
                    form_field(
                        "Address",
                        "settings-slug",
                        rx.input(
                            id="settings-slug",
                            name="slug",
                            default_value=S.draft.slug,
                            width="100%",
                        ),
                        hint="The page opens at /pages/<address>.",
                    ),
                    form_field(
                        "Icon",
                        "settings-icon",
                        rx.select(
                            list(ICONS),
                            name="icon",
                            default_value=S.draft.icon,
                            id="settings-icon",
                            width="100%",
                        ),
                    ),
                    form_field(
                        "Inside",
                        "settings-parent",
                        rx.select.root(
                            rx.select.trigger(id="settings-parent", width="100%"),
                            rx.select.content(
                                rx.select.item("Top level", value="0"),
                                rx.foreach(
                                    S.parent_choices,
                                    lambda p: rx.select.item(p.title, value=p.id.to_string()),
                                ),
                            ),
                            name="parent",
                            default_value=S.draft.parent_id.to_string(),
                        ),
                    ),
                    field_error(S.settings_error),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button("Cancel", variant="soft", color_scheme="gray", type="button")
                        ),
                        rx.button("Save", type="submit"),
                        justify="end",
                        spacing="3",
                        width="100%",
                    ),
                    spacing="4",
                    margin_top="1rem",
                ),
                on_submit=S.save_settings,
            ),
            max_width="30rem",
        ),
        open=S.settings_open,
        on_open_change=S.set_settings_open,
    )


def _history_dialog() -> rx.Component:
    def row(version) -> rx.Component:
        return rx.table.row(
            rx.table.row_header_cell("Version ", version.number),
            rx.table.cell(version.author),
            rx.table.cell(version.created, white_space="nowrap"),
            rx.table.cell(
                rx.cond(
                    version.live, rx.badge("Live", color_scheme="green", high_contrast=True), ""
                )
            ),
            rx.table.cell(
                rx.button(
                    "Restore",
                    size="1",
                    variant="soft",
                    on_click=S.restore(version.number),
                    aria_label="Restore version " + version.number.to_string(),
                )
            ),
            align="center",
        )

    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("History"),
            rx.dialog.description(
                "Every published version. Restoring brings a version back "
                "into the draft; publish it to make it live again.",
                size="2",
                color_scheme="gray",
            ),
            rx.cond(
                S.versions.length() > 0,
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("Version"),
                            rx.table.column_header_cell("Published by"),
                            rx.table.column_header_cell("When"),
                            rx.table.column_header_cell(rx.text("Status", class_name="sr-only")),
                            rx.table.column_header_cell(rx.text("Actions", class_name="sr-only")),
                        )
                    ),
                    rx.table.body(rx.foreach(S.versions, row)),
                    width="100%",
                    margin_top="1rem",
                ),
                rx.text("Nothing published yet.", color_scheme="gray", margin_top="1rem"),
            ),
            rx.hstack(
                rx.dialog.close(rx.button("Close", variant="soft", color_scheme="gray")),
                justify="end",
                margin_top="1rem",
            ),
            max_width="40rem",
        ),
        open=S.history_open,
        on_open_change=S.set_history_open,
    )


def _share_dialog() -> rx.Component:
    def staff_row(person) -> rx.Component:
        return rx.el.label(
            rx.hstack(
                rx.checkbox(
                    checked=S.chosen_staff.contains(person.id),
                    on_change=lambda checked: S.toggle_staff(person.id, checked),
                ),
                rx.text(person.name, size="2"),
                spacing="2",
                align="center",
            )
        )

    def grant_row(grant) -> rx.Component:
        return rx.hstack(
            rx.text(grant.name, size="2", flex="1"),
            rx.select.root(
                rx.select.trigger(aria_label="Access for " + grant.name),
                rx.select.content(
                    rx.select.item("No access", value="none"),
                    rx.select.item("Can view", value="view"),
                    rx.select.item("Can contribute", value="contribute"),
                ),
                value=rx.cond(grant.level == "", "none", grant.level),
                on_change=lambda value: S.set_grant(grant.key, value),
                size="1",
            ),
            width="100%",
            align="center",
            data_testid="grant-row",
        )

    def subscriber_row(person) -> rx.Component:
        return rx.el.label(
            rx.hstack(
                rx.checkbox(
                    checked=S.chosen_subscribers.contains(person.id),
                    on_change=lambda checked: S.toggle_subscriber(person.id, checked),
                ),
                rx.text(person.name, size="2"),
                spacing="2",
                align="center",
            )
        )

    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Permissions & subscribers"),
            rx.tabs.root(
                rx.tabs.list(
                    rx.tabs.trigger("Clients", value="clients"),
                    rx.tabs.trigger("Staff", value="staff"),
                    rx.tabs.trigger("Subscribers", value="subscribers"),
                    rx.cond(S.may_choose_home, rx.tabs.trigger("Home page", value="home")),
                    outside_tab_trigger(),
                    # On a phone the tabs scroll sideways rather than squeeze (or
                    # widen the dialog past the screen).
                    overflow_x="auto",
                    overflow_y="hidden",
                    flex_wrap="nowrap",
                    white_space="nowrap",
                    min_width="0",
                    max_width="100%",
                ),
                rx.tabs.content(
                    rx.vstack(
                        rx.text(
                            "Clients see only pages shared with them or their "
                            "organization, once published.",
                            size="2",
                            color_scheme="gray",
                        ),
                        rx.scroll_area(
                            rx.vstack(
                                rx.foreach(S.grant_choices, grant_row),
                                spacing="2",
                                padding_right="1rem",
                            ),
                            max_height="45vh",
                            type="auto",
                        ),
                        spacing="3",
                        padding_top="1rem",
                    ),
                    value="clients",
                ),
                rx.tabs.content(
                    rx.vstack(
                        rx.radio_group.root(
                            rx.vstack(
                                rx.el.label(
                                    rx.hstack(
                                        rx.radio_group.item(value="all"),
                                        rx.text("All staff", size="2"),
                                        spacing="2",
                                    )
                                ),
                                rx.el.label(
                                    rx.hstack(
                                        rx.radio_group.item(value="restricted"),
                                        rx.text("Only the staff chosen below", size="2"),
                                        spacing="2",
                                    )
                                ),
                            ),
                            value=S.staff_access,
                            on_change=S.set_staff_access,
                        ),
                        rx.cond(
                            S.staff_access == "restricted",
                            rx.vstack(rx.foreach(S.staff_choices, staff_row), spacing="1"),
                        ),
                        spacing="3",
                        padding_top="1rem",
                    ),
                    value="staff",
                ),
                rx.tabs.content(
                    rx.vstack(
                        rx.text(
                            "Subscribers get an e-mail when the page is published or gets "
                            "new comments, submissions or uploads — if they can see it.",
                            size="2",
                            color_scheme="gray",
                        ),
                        rx.scroll_area(
                            rx.vstack(
                                rx.foreach(S.subscriber_choices, subscriber_row), spacing="1"
                            ),
                            max_height="45vh",
                            type="auto",
                        ),
                        spacing="3",
                        padding_top="1rem",
                    ),
                    value="subscribers",
                ),
                rx.tabs.content(
                    rx.vstack(
                        rx.text(
                            "Make this page the home page for everyone, or for one "
                            "client organization (theirs replaces the general one).",
                            size="2",
                            color_scheme="gray",
                        ),
                        rx.foreach(
                            S.home_choices,
                            lambda c: rx.button(
                                "Home page for ",
                                c.name,
                                size="1",
                                variant="soft",
                                on_click=S.make_home(c.id),
                            ),
                        ),
                        spacing="2",
                        padding_top="1rem",
                        align="start",
                    ),
                    value="home",
                ),
                outside_tab(),
                default_value="clients",
                margin_top="0.5rem",
                min_width="0",
                width="100%",
            ),
            rx.hstack(
                rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.button("Save", on_click=S.save_share, id="save-share"),
                justify="end",
                spacing="3",
                margin_top="1rem",
            ),
            max_width="44rem",
            # A definite width: the dialog otherwise sizes to its longest line and runs
            # past a phone's screen.
            width="min(44rem, calc(100vw - 2rem))",
        ),
        open=S.share_open,
        on_open_change=S.set_share_open,
    )


def editor_page() -> rx.Component:
    def content() -> rx.Component:
        return rx.vstack(
            _toolbar(),
            _undo_bar(),
            rx.grid(
                rx.vstack(_board(), _sections_panel(), spacing="4", width="100%", min_width="0"),
                rx.box(
                    property_panel(),
                    position=rx.breakpoints(initial="static", lg="sticky"),
                    top="4.5rem",
                ),
                columns=rx.breakpoints(initial="1", lg="minmax(0, 1fr) 22rem"),
                gap="1.25rem",
                width="100%",
                align_items="start",
            ),
            _settings_dialog(),
            _history_dialog(),
            _share_dialog(),
            spacing="4",
            width="100%",
        )

    return shell("", "/editor", content)
