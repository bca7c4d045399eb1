"""Settings » Clients: client organizations (create, rename, archive) and one
organization's members and assigned staff."""

from __future__ import annotations

import reflex as rx

from portal_app.components.feedback import empty_state, field_error, form_field
from portal_app.components.people import person_identity, role_badge
from portal_app.components.shell import shell
from portal_app.state.organizations import ClientsState as S


def _organization_row(org) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.link(org.name, href="/settings/clients/" + org.id.to_string(), weight="medium"),
        ),
        rx.table.cell(org.member_count),
        rx.table.cell(org.staff_count),
        rx.table.cell(org.created, white_space="nowrap"),
        rx.table.cell(
            rx.cond(
                org.archived,
                rx.badge("Archived", color_scheme="gray", variant="outline"),
                rx.badge("Active", color_scheme="green", variant="outline"),
            )
        ),
        rx.table.cell(
            rx.menu.root(
                rx.menu.trigger(
                    rx.icon_button(
                        rx.icon("ellipsis", size=16),
                        variant="ghost",
                        color_scheme="gray",
                        aria_label="Actions for " + org.name,
                    ),
                ),
                rx.menu.content(
                    rx.menu.item(
                        rx.icon("pencil", size=14), "Rename", on_click=S.open_rename(org.id)
                    ),
                    rx.menu.item(
                        rx.icon(rx.cond(org.archived, "archive-restore", "archive"), size=14),
                        rx.cond(org.archived, "Restore", "Archive"),
                        on_click=S.ask_archive(org.id),
                    ),
                    align="end",
                ),
            ),
            text_align="right",
        ),
        align="center",
        data_testid="organization-row",
    )


def _name_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(
                rx.cond(S.name_dialog_id == 0, "New client organization", "Rename organization")
            ),
            rx.form(
                rx.vstack(
                    form_field(
                        "Name",
                        "organization-name",
                        rx.input(
                            id="organization-name",
                            name="name",
                            required=True,
                            default_value=S.name_dialog_value,
                            auto_focus=True,
                            max_length=200,
                            width="100%",
                        ),
                        error=S.name_error,
                    ),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button("Cancel", variant="soft", color_scheme="gray", type="button")
                        ),
                        rx.button(
                            rx.cond(S.name_dialog_id == 0, "Create organization", "Save"),
                            type="submit",
                        ),
                        justify="end",
                        spacing="3",
                        width="100%",
                    ),
                    spacing="4",
                    margin_top="1rem",
                ),
                on_submit=S.save_name,
            ),
            max_width="28rem",
        ),
        open=S.name_dialog_open,
        on_open_change=S.set_name_dialog_open,
    )


def _archive_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(
                rx.cond(S.archive_restore, "Restore ", "Archive "), S.archive_name, "?"
            ),
            rx.alert_dialog.description(
                rx.cond(
                    S.archive_restore,
                    "It will show in lists and pickers again.",
                    "It leaves lists and pickers. Its people keep their accounts until you "
                    "deactivate them; nothing is deleted, and you can restore it later.",
                ),
                size="2",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button(
                        rx.cond(S.archive_restore, "Restore", "Archive"), on_click=S.confirm_archive
                    ),
                ),
                justify="end",
                spacing="3",
                margin_top="1rem",
            ),
            max_width="28rem",
        ),
        open=S.archive_open,
        on_open_change=S.set_archive_open,
    )


def settings_clients_page() -> rx.Component:
    def content() -> rx.Component:
        return rx.vstack(
            rx.flex(
                rx.input(
                    rx.input.slot(rx.icon("search", size=16)),
                    placeholder="Search organizations",
                    value=S.search,
                    on_change=S.set_search.debounce(300),
                    aria_label="Search organizations",
                    flex="1",
                    min_width="14rem",
                    max_width="24rem",
                ),
                rx.el.label(
                    rx.hstack(
                        rx.switch(checked=S.show_archived, on_change=S.set_show_archived),
                        rx.text("Show archived", size="2"),
                        spacing="2",
                        align="center",
                    ),
                ),
                spacing="4",
                align="center",
                wrap="wrap",
                width="100%",
            ),
            rx.cond(
                S.organizations.length() > 0,
                rx.box(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                rx.table.column_header_cell("Organization"),
                                rx.table.column_header_cell("Members"),
                                rx.table.column_header_cell("Assigned staff"),
                                rx.table.column_header_cell("Created"),
                                rx.table.column_header_cell("Status"),
                                rx.table.column_header_cell(
                                    rx.text("Actions", class_name="sr-only")
                                ),
                            ),
                        ),
                        rx.table.body(rx.foreach(S.organizations, _organization_row)),
                        variant="surface",
                        width="100%",
                    ),
                    overflow_x="auto",
                    width="100%",
                ),
                empty_state(
                    "building-2",
                    "No client organizations yet",
                    "Each client company gets an organization: its people see only what is "
                    "shared with it.",
                    rx.button(rx.icon("plus", size=16), "New organization", on_click=S.open_create),
                ),
            ),
            _name_dialog(),
            _archive_dialog(),
            spacing="5",
            width="100%",
        )

    return shell(
        "Client organizations",
        "/settings/clients",
        content,
        actions=rx.button(
            rx.icon("plus", size=16),
            "New organization",
            on_click=S.open_create,
            id="new-organization",
        ),
    )


def _people_list(people, empty_title: str, empty_text: str, action=None) -> rx.Component:
    def row(person) -> rx.Component:
        return rx.hstack(
            person_identity(person),
            rx.spacer(),
            role_badge(person.role, person.role_label),
            action(person) if action is not None else rx.fragment(),
            align="center",
            width="100%",
            padding_y="0.5rem",
            border_bottom=f"1px solid {rx.color('gray', 4)}",
        )

    return rx.cond(
        people.length() > 0,
        rx.vstack(rx.foreach(people, row), spacing="0", width="100%"),
        rx.text(empty_title, " ", empty_text, color_scheme="gray", size="2"),
    )


def organization_page() -> rx.Component:
    def unassign(person) -> rx.Component:
        return rx.button(
            "Unassign",
            size="1",
            variant="soft",
            color_scheme="gray",
            on_click=S.unassign_staff(person.id),
            aria_label="Unassign " + person.name,
        )

    def content() -> rx.Component:
        return rx.vstack(
            rx.link(
                rx.hstack(
                    rx.icon("arrow-left", size=14),
                    "All client organizations",
                    spacing="1",
                    align="center",
                ),
                href="/settings/clients",
                size="2",
            ),
            rx.hstack(
                rx.heading(S.current.name, size="5", as_="h2"),
                rx.cond(S.current.archived, rx.badge("Archived", color_scheme="gray")),
                rx.spacer(),
                rx.button(
                    rx.icon("pencil", size=14),
                    "Rename",
                    variant="soft",
                    on_click=S.open_rename(S.current.id),
                ),
                align="center",
                width="100%",
            ),
            rx.grid(
                rx.card(
                    rx.vstack(
                        rx.heading("Members", size="3", as_="h3"),
                        _people_list(
                            S.members, "No members yet.", "Invite them from Settings » People."
                        ),
                        spacing="3",
                    ),
                ),
                rx.card(
                    rx.vstack(
                        rx.heading("Assigned staff", size="3", as_="h3"),
                        rx.text(
                            "The firm's people this client works with; its members see them.",
                            size="1",
                            color_scheme="gray",
                        ),
                        _people_list(S.staff, "Nobody assigned yet.", "", unassign),
                        rx.hstack(
                            rx.select.root(
                                rx.select.trigger(
                                    placeholder="Choose a staff member",
                                    aria_label="Staff member to assign",
                                ),
                                rx.select.content(
                                    rx.foreach(
                                        S.staff_choices,
                                        lambda p: rx.select.item(p.name, value=p.id.to_string()),
                                    ),
                                ),
                                value=S.staff_to_assign,
                                on_change=S.set_staff_to_assign,
                            ),
                            rx.button("Assign", on_click=S.assign_staff),
                            spacing="2",
                            wrap="wrap",
                        ),
                        spacing="3",
                    ),
                ),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="4",
                width="100%",
            ),
            _name_dialog(),
            field_error(S.name_error),
            spacing="5",
            width="100%",
        )

    return shell("Client organization", "/settings/clients", content)
