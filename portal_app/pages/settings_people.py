"""Settings » People: list, search and filter people; invite; change role and
organization; activate/deactivate; send password resets; pending invitations."""

from __future__ import annotations

import reflex as rx

from portal_app.components.feedback import empty_state, field_error, form_field
from portal_app.components.people import person_identity, role_badge
from portal_app.components.shell import shell
from portal_app.state.people import ALL
from portal_app.state.people import PeopleAdminState as S

ROLE_OPTIONS = [("limited", "Client"), ("staff", "Staff"), ("admin", "Administrator")]


def _role_select(value, on_change, field_id: str) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(id=field_id, width="100%"),
        rx.select.content(*[rx.select.item(label, value=key) for key, label in ROLE_OPTIONS]),
        value=value,
        on_change=on_change,
    )


def _organization_select(value, on_change, field_id: str) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(placeholder="Choose an organization", id=field_id, width="100%"),
        rx.select.content(
            rx.foreach(
                S.organization_choices,
                lambda org: rx.select.item(org.name, value=org.id.to_string()),
            ),
        ),
        value=value,
        on_change=on_change,
    )


def _filters() -> rx.Component:
    return rx.flex(
        rx.input(
            rx.input.slot(rx.icon("search", size=16)),
            placeholder="Search by name or e-mail",
            value=S.search,
            on_change=S.set_search.debounce(300),
            aria_label="Search people",
            flex="1",
            min_width="14rem",
        ),
        rx.select.root(
            rx.select.trigger(aria_label="Filter by role"),
            rx.select.content(
                rx.select.item("All roles", value=ALL),
                *[rx.select.item(label, value=key) for key, label in ROLE_OPTIONS],
            ),
            value=S.role_filter,
            on_change=S.set_role_filter,
        ),
        rx.select.root(
            rx.select.trigger(aria_label="Filter by organization"),
            rx.select.content(
                rx.select.item("All organizations", value=ALL),
                rx.foreach(
                    S.organization_choices,
                    lambda org: rx.select.item(org.name, value=org.id.to_string()),
                ),
            ),
            value=S.organization_filter,
            on_change=S.set_organization_filter,
        ),
        rx.select.root(
            rx.select.trigger(aria_label="Filter by status"),
            rx.select.content(
                rx.select.item("Any status", value=ALL),
                rx.select.item("Active", value="active"),
                rx.select.item("Deactivated", value="inactive"),
            ),
            value=S.status_filter,
            on_change=S.set_status_filter,
        ),
        spacing="3",
        wrap="wrap",
        width="100%",
    )


def _row_actions(person) -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            rx.icon_button(
                rx.icon("ellipsis", size=16),
                variant="ghost",
                color_scheme="gray",
                aria_label="Actions for " + person.name,
            ),
        ),
        rx.menu.content(
            rx.menu.item(
                rx.icon("pencil", size=14),
                "Change role or organization",
                on_click=S.open_edit(person.id),
            ),
            rx.menu.item(
                rx.icon("key-round", size=14),
                "Send password reset link",
                on_click=S.send_reset(person.id),
                disabled=~person.active,
            ),
            rx.menu.separator(),
            rx.cond(
                person.active,
                rx.menu.item(
                    rx.icon("user-x", size=14),
                    "Deactivate",
                    color="red",
                    on_click=S.ask_active(person.id),
                ),
                rx.menu.item(
                    rx.icon("user-check", size=14), "Reactivate", on_click=S.ask_active(person.id)
                ),
            ),
            align="end",
        ),
    )


def _person_row(person) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(person_identity(person)),
        rx.table.cell(role_badge(person.role, person.role_label)),
        rx.table.cell(rx.cond(person.organization_name != "", person.organization_name, "—")),
        rx.table.cell(
            rx.cond(
                person.active,
                rx.badge("Active", color_scheme="green", variant="outline"),
                rx.badge("Deactivated", color_scheme="gray", variant="outline"),
            ),
        ),
        rx.table.cell(person.last_sign_in, white_space="nowrap"),
        rx.table.cell(_row_actions(person), text_align="right"),
        align="center",
        data_testid="person-row",
    )


def _people_table() -> rx.Component:
    return rx.cond(
        S.people.length() > 0,
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Person"),
                        rx.table.column_header_cell("Role"),
                        rx.table.column_header_cell("Organization"),
                        rx.table.column_header_cell("Status"),
                        rx.table.column_header_cell("Last sign-in"),
                        rx.table.column_header_cell(rx.text("Actions", class_name="sr-only")),
                    ),
                ),
                rx.table.body(rx.foreach(S.people, _person_row)),
                variant="surface",
                width="100%",
            ),
            overflow_x="auto",
            width="100%",
        ),
        empty_state(
            "users",
            "No one matches these filters",
            "Clear the search or filters, or invite someone new.",
            rx.button(rx.icon("user-plus", size=16), "Invite someone", on_click=S.open_invite),
        ),
    )


def _invitation_row(invitation) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(invitation.email),
        rx.table.cell(invitation.role_label),
        rx.table.cell(
            rx.cond(invitation.organization_name != "", invitation.organization_name, "—")
        ),
        rx.table.cell(invitation.invited_by),
        rx.table.cell(
            rx.cond(
                invitation.expired,
                rx.badge("Expired", color_scheme="amber", variant="soft"),
                rx.text("Until ", invitation.expires, size="2"),
            ),
        ),
        rx.table.cell(
            rx.hstack(
                rx.button(
                    "Resend",
                    size="1",
                    variant="soft",
                    on_click=S.resend_invitation(invitation.id),
                    aria_label="Resend invitation to " + invitation.email,
                ),
                rx.button(
                    "Revoke",
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=S.revoke_invitation(invitation.id),
                    aria_label="Revoke invitation to " + invitation.email,
                ),
                spacing="2",
                justify="end",
            ),
        ),
        align="center",
    )


def _invitations() -> rx.Component:
    return rx.cond(
        S.invitations.length() > 0,
        rx.vstack(
            rx.heading("Pending invitations", size="4", as_="h2"),
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("E-mail"),
                            rx.table.column_header_cell("Role"),
                            rx.table.column_header_cell("Organization"),
                            rx.table.column_header_cell("Invited by"),
                            rx.table.column_header_cell("Link valid"),
                            rx.table.column_header_cell(rx.text("Actions", class_name="sr-only")),
                        ),
                    ),
                    rx.table.body(rx.foreach(S.invitations, _invitation_row)),
                    variant="surface",
                    width="100%",
                ),
                overflow_x="auto",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
    )


def _invite_error(field: str) -> rx.Var[str]:
    return rx.cond(S.invite_error_field == field, S.invite_error, "")


def _invite_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Invite someone"),
            rx.dialog.description(
                "They'll get an e-mail with a link to choose a password. The link works "
                "once and expires in 7 days.",
                size="2",
                color_scheme="gray",
            ),
            rx.form(
                rx.vstack(
                    form_field(
                        "E-mail",
                        "invite-email",
                        rx.input(
                            id="invite-email",
                            name="email",
                            type="email",
                            required=True,
                            auto_focus=True,
                            width="100%",
                        ),
                        error=_invite_error("email"),
                    ),
                    form_field(
                        "Role",
                        "invite-role",
                        _role_select(S.invite_role, S.set_invite_role, "invite-role"),
                        error=_invite_error("role"),
                    ),
                    rx.cond(
                        S.invite_role == "limited",
                        form_field(
                            "Client organization",
                            "invite-organization",
                            _organization_select(
                                S.invite_organization,
                                S.set_invite_organization,
                                "invite-organization",
                            ),
                            error=_invite_error("organization"),
                        ),
                    ),
                    form_field(
                        "Personal message (optional)",
                        "invite-message",
                        rx.text_area(
                            id="invite-message", name="message", max_length=2000, width="100%"
                        ),
                        error=_invite_error("message"),
                    ),
                    rx.cond(
                        (S.invite_error != "") & (S.invite_error_field == ""),
                        field_error(S.invite_error),
                    ),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button("Cancel", variant="soft", color_scheme="gray", type="button")
                        ),
                        rx.button(
                            rx.cond(S.invite_busy, rx.spinner(size="2"), rx.fragment()),
                            "Send invitation",
                            type="submit",
                            disabled=S.invite_busy,
                            id="send-invitation",
                        ),
                        justify="end",
                        spacing="3",
                        width="100%",
                    ),
                    spacing="4",
                    margin_top="1rem",
                ),
                on_submit=S.send_invitation,
                reset_on_submit=False,
            ),
            max_width="30rem",
        ),
        open=S.invite_open,
        on_open_change=S.set_invite_open,
    )


def _edit_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Change role or organization"),
            rx.dialog.description(rx.text(S.edit_name), size="2", color_scheme="gray"),
            rx.vstack(
                form_field(
                    "Role", "edit-role", _role_select(S.edit_role, S.set_edit_role, "edit-role")
                ),
                rx.cond(
                    S.edit_role == "limited",
                    form_field(
                        "Client organization",
                        "edit-organization",
                        _organization_select(
                            S.edit_organization, S.set_edit_organization, "edit-organization"
                        ),
                    ),
                ),
                field_error(S.edit_error),
                rx.hstack(
                    rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                    rx.button("Save changes", on_click=S.save_edit),
                    justify="end",
                    spacing="3",
                    width="100%",
                ),
                spacing="4",
                margin_top="1rem",
            ),
            max_width="28rem",
        ),
        open=S.edit_open,
        on_open_change=S.set_edit_open,
    )


def _confirm_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(
                rx.cond(S.confirm_activate, "Reactivate ", "Deactivate "), S.confirm_name, "?"
            ),
            rx.alert_dialog.description(
                rx.cond(
                    S.confirm_activate,
                    "They'll be able to sign in again with their password.",
                    "They'll be signed out of every open tab and device at once and can't "
                    "sign in until reactivated. Nothing of theirs is deleted.",
                ),
                size="2",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button(
                        rx.cond(S.confirm_activate, "Reactivate", "Deactivate"),
                        color_scheme=rx.cond(S.confirm_activate, "green", "red"),
                        on_click=S.confirm_active,
                        id="confirm-active",
                    ),
                ),
                justify="end",
                spacing="3",
                margin_top="1rem",
            ),
            max_width="28rem",
        ),
        open=S.confirm_open,
        on_open_change=S.set_confirm_open,
    )


def settings_people_page() -> rx.Component:
    def content() -> rx.Component:
        return rx.vstack(
            _filters(),
            _people_table(),
            _invitations(),
            _invite_dialog(),
            _edit_dialog(),
            _confirm_dialog(),
            spacing="5",
            width="100%",
        )

    return shell(
        "People",
        "/settings/people",
        content,
        actions=rx.button(
            rx.icon("user-plus", size=16),
            "Invite someone",
            on_click=S.open_invite,
            id="open-invite",
        ),
    )
